#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: device_info
short_description: Read identity, activation state and capabilities of a Hikvision device
version_added: 0.1.0
description:
  - Reads model, serial number, MAC address, firmware version and build, device type and a
    summary of capabilities from a Hikvision camera or NVR over ISAPI.
  - Works on a factory-fresh (inactive) device without credentials and reports
    RV(activated=false); everything else needs the admin password.
options:
  gather_capabilities:
    description:
      - Also read C(/ISAPI/System/capabilities) and return a summary in RV(capabilities).
    type: bool
    default: true
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Read what the device is
  camfleet.hikvision.device_info:
    host: 192.0.2.64
    password: "{{ vault_admin_password }}"
    ca_path: /etc/ssl/site-ca.pem
  register: info

- name: Inventory-wide, with connection options set once
  hosts: cameras
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      password: "{{ isapi_password }}"
      ca_path: "{{ isapi_ca_path }}"
  tasks:
    - camfleet.hikvision.device_info:
      register: info
    - ansible.builtin.debug:
        msg: "{{ info.device.model }} {{ info.device.firmware }}"
      when: info.activated
'''

RETURN = r'''
activated:
  description: Whether the device has been activated (false means factory-fresh).
  returned: always
  type: bool
  sample: true
reachable:
  description: The device answered.
  returned: always
  type: bool
device:
  description: Identity of the device; empty on an inactive device.
  returned: always
  type: dict
  sample:
    name: IP CAMERA
    model: DS-2CD2T86G2-ISU/SL
    serial_number: DS-2CD2T86G2-ISU/SL20240101AAWRJ00000001
    mac_address: "aa:bb:cc:00:00:01"
    firmware_version: V5.7.18
    firmware_build: build 240826
    firmware: V5.7.18 build 240826
    device_type: IPCamera
    kind: camera
    namespace: http://www.hikvision.com/ver20/XMLSchema
capabilities:
  description:
    - Yes/no summary of what the firmware supports (keys present only when the device says),
      plus RV(capabilities.ip_channels) on NVRs and RV(capabilities.max_users).
    - C(illegal_login_lock) and C(ip_filter) are present whenever RV(capabilities_known) is
      V(true). Firmware that does not advertise them (NVRs and older cameras have no flag for
      them) is asked by reading the resource; see RV(capabilities_probed).
  returned: always
  type: dict
  sample: {ntp: true, https: true, upnp: true, hik_connect: true, illegal_login_lock: true, user_check: true}
  contains:
    ip_channels:
      description: Number of IP camera channels an NVR can take.
      returned: when the device reports it (NVRs)
      type: int
      sample: 8
    max_users:
      description: Number of user accounts the device supports.
      returned: when the device reports it
      type: int
      sample: 32
capabilities_probed:
  description:
    - The RV(capabilities) keys decided by reading the resource, because the capability tree
      does not state them.
  returned: when RV(capabilities_known) is V(true)
  type: list
  elements: str
  sample: [illegal_login_lock, ip_filter]
capabilities_known:
  description:
    - Whether RV(capabilities) could be read. V(false) when O(gather_capabilities=false), on an
      inactive device, or when the device lacks or forbids C(/ISAPI/System/capabilities) (403,
      404, C(notSupport)); then RV(capabilities) is empty, a warning says why, and the identity
      in RV(device) is still returned.
  returned: always
  type: bool
  sample: true
msg:
  description: What was found, on an inactive device.
  returned: when the device is not activated
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.device import run_device_info
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

# Without a password it still reports whether a device is activated (which needs none).
SPEC = ModuleSpec(dict(gather_capabilities=dict(type='bool', default=True)), run_device_info,
                  needs_password=False)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
