#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: sadp_device
short_description: Activate a Hikvision device and set its IPv4 network over SADP
version_added: 0.1.0
description:
  - Finds the device by O(mac) with a SADP inquiry on O(interfaces), then converges it in one
    task, before it is reachable over ISAPI.
  - Activation (O(activated=true), the default) of an inactive device sets the C(admin) password
    to O(password). The password travels encrypted (RSA-1024 key exchange, AES-128-ECB). On an
    active device nothing is sent.
  - Network (O(ipv4_address), O(ipv4_netmask), O(ipv4_gateway), O(dhcp)) is compared with what
    the device reports; only the options given are compared, and nothing is sent when they
    already match. The update authenticates with O(password) (salted when the device advertises
    a C(Salt), else MD5; see O(update_password_encoding)).
  - Every change is confirmed by probing again until the device reports it, so RV(isapi_host) is
    where ISAPI reaches the device afterwards.
  - The password is checked against the device policy (8 to 16 characters, at least two of
    digits, lower-case, upper-case and special characters, not the user name) before anything
    is sent. A rejected password is never retried (devices lock SADP changes after a few).
  - One module rather than separate activate and network modules, so the usual post-reset step
    (find by MAC, activate, give it its address) is one task and one discovery.
extends_documentation_fragment:
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.SADP_GROUP
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
options:
  mac:
    description: MAC address of the device (any common notation).
    type: str
    required: true
  interfaces:
    description: Network interfaces (names or their IPv4 addresses) to search and send on.
    type: list
    elements: str
    required: true
  timeout:
    description: Seconds to wait for each SADP answer (and for discovery).
    type: float
    default: 3.0
  retries:
    description:
      - Further probe rounds when searching, and resends of the key exchange. Activation and
        update requests themselves are never resent.
    type: int
    default: 1
  password:
    description:
      - The C(admin) password. Set by activation on an inactive device; proves the right to
        change the network on an active one.
    type: str
    required: true
  activated:
    description:
      - V(true) activates an inactive device with O(password). V(false) leaves activation alone
        (an inactive device then cannot take network changes).
    type: bool
    default: true
  ipv4_address:
    description: Static IPv4 address. Cannot be combined with O(dhcp=true).
    type: str
  ipv4_netmask:
    description: Subnet mask, dotted (V(255.255.255.0)) or as a prefix length (V(24)).
    type: str
  ipv4_gateway:
    description: Default gateway; must be inside the device's subnet.
    type: str
  dhcp:
    description: Whether the device takes its address from DHCP.
    type: bool
  update_password_encoding:
    description:
      - How the password is protected in the update. V(auto) uses V(salted) when the device
        advertises a C(Salt) and V(md5) otherwise; which firmware wants which is inferred from
        public captures (docs/developer/sadp-reference.md, §3.5), so it can be forced here.
    type: str
    choices: [auto, salted, md5]
    default: auto
  username:
    description:
      - User name mixed into the salted update password. Defaults to the C(UserName) the device
        reports, else C(admin).
    type: str
notes:
  - Runs where the task runs; delegate to a host on the device's segment.
  - Requires the Python library C(cryptography).
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Activate a factory-fresh camera and give it its site address
  camfleet.hikvision.sadp_device:
    interfaces: [eth1]
    mac: "{{ device_mac }}"
    password: "{{ isapi_password }}"
    ipv4_address: "{{ isapi_host }}"
    ipv4_netmask: 255.255.255.0
    ipv4_gateway: 192.0.2.1
  delegate_to: site-jump-host
  register: sadp

- name: Continue over ISAPI at the address SADP confirmed
  camfleet.hikvision.device_info:
    host: "{{ sadp.isapi_host }}"
    password: "{{ isapi_password }}"
'''

RETURN = r'''
device:
  description: What the device reports over SADP after the task (see M(camfleet.hikvision.sadp_discover)).
  returned: success
  type: dict
isapi_host:
  description: The device's IPv4 address after the task.
  returned: success
  type: str
  sample: 192.0.2.64
msg:
  description: What happened.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.sadp import SEARCH_ARGSPEC, run_sadp_device

SPEC = ModuleSpec(dict(
    SEARCH_ARGSPEC,
    mac=dict(type='str', required=True),
    password=dict(type='str', required=True, no_log=True),
    activated=dict(type='bool', default=True),
    ipv4_address=dict(type='str'),
    ipv4_netmask=dict(type='str'),
    ipv4_gateway=dict(type='str'),
    dhcp=dict(type='bool'),
    update_password_encoding=dict(type='str', default='auto', choices=['auto', 'salted', 'md5']),
    username=dict(type='str'),
), run_sadp_device, connection=False)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
