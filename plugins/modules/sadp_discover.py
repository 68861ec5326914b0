#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: sadp_discover
short_description: Find Hikvision devices on the local network with SADP
version_added: 0.1.0
description:
  - Sends a SADP inquiry (UDP multicast to 239.255.255.250 port 37020) out of each interface in
    O(interfaces) and returns every device that answers, with its address, MAC, serial, model,
    firmware, ports, activation and DHCP state.
  - Listens for answers sent by unicast and by multicast, because devices differ and which do
    what is not documented; a device on another IP subnet of the same segment is found when it
    answers by multicast.
  - Devices are de-duplicated by MAC (else serial). Malformed or truncated answers are ignored
    with a warning.
  - Use it in a play to find one device by O(mac) or O(serial), for example after a full factory
    reset moved it back to its factory address. For a whole inventory use the
    C(camfleet.hikvision.sadp) inventory plugin.
  - Sends nothing but inquiries; never changes a device.
extends_documentation_fragment:
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.SADP_GROUP
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
options:
  interfaces:
    description:
      - Network interfaces (names such as V(eth0), or their IPv4 addresses) to search on.
      - Probes leave only through these; nothing is routed.
    type: list
    elements: str
    required: true
  timeout:
    description: Seconds to listen for answers in total.
    type: float
    default: 3.0
  retries:
    description:
      - Further probe rounds inside O(timeout), for datagrams lost on a busy network.
    type: int
    default: 1
  mac:
    description:
      - Only the device with this MAC address (any of V(68:6d:bc:ee:f8:f0), V(68-6D-BC-EE-F8-F0),
        V(686dbceef8f0)). The search stops as soon as it answers.
    type: str
  serial:
    description: Only the device with this serial number (case-insensitive).
    type: str
  fail_when_missing:
    description: With O(mac) or O(serial), fail when no such device answers.
    type: bool
    default: false
notes:
  - Runs where the task runs; delegate to a host on the cameras' segment to search there. The
    port 37020 is opened with C(SO_REUSEADDR), so the vendor SADP tool may run alongside.
  - Interface names are resolved on Linux; elsewhere give the interface's IPv4 address.
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Find the camera that was just reset to factory defaults
  camfleet.hikvision.sadp_discover:
    interfaces: [eth1]
    mac: "{{ device_mac }}"
    fail_when_missing: true
  register: found
  delegate_to: site-jump-host

- name: Use its factory address
  ansible.builtin.debug:
    msg: "{{ found.device.ipv4_address }} active={{ found.device.activated }}"
'''

RETURN = r'''
devices:
  description:
    - Every device that answered (only the matching one with O(mac)/O(serial)).
    - Keys are the ProbeMatch elements in snake case (for example C(ipv4_address),
      C(ipv4_netmask), C(ipv4_gateway), C(mac), C(serial), C(model), C(firmware),
      C(http_port), C(command_port), C(activated), C(dhcp), C(device_type), C(boot_time)),
      plus C(kind) (camera, nvr or other), C(source) (sender address), C(reply_via) (unicast,
      multicast) and C(interface).
  returned: always
  type: list
  elements: dict
count:
  description: Number of devices in RV(devices).
  returned: always
  type: int
device:
  description: The matching device, or an empty dict when none answered.
  returned: when O(mac) or O(serial) is given
  type: dict
found:
  description: Whether the device asked for answered.
  returned: when O(mac) or O(serial) is given
  type: bool
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.sadp import SEARCH_ARGSPEC, run_sadp_discover

SPEC = ModuleSpec(dict(
    SEARCH_ARGSPEC,
    mac=dict(type='str'),
    serial=dict(type='str'),
    fail_when_missing=dict(type='bool', default=False),
), run_sadp_discover, connection=False)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
