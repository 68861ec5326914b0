#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: recovery_request
short_description: Export a password reset request over SADP for Hikvision support (the vendor flow)
version_added: 0.1.0
description:
  - "First step of the vendor-sanctioned reset for a device whose password is lost and that holds
    no self-service secret: finds the device over SADP (by O(mac) or O(serial)) and exports its
    reset request (the SADP C(getcode) blob), returned as RV(request) for the support package.
    Nothing is sent anywhere by the collection."
  - "Exporting again voids the earlier request, and so does a reboot; the key support returns is
    valid 48 hours. Apply it with M(camfleet.hikvision.recovery_reset) with its option C(method=key)."
  - C(playbooks/recover_password.yml) runs both steps over a fleet and writes one support package per site.
options:
  interfaces:
    description: Network interfaces of the controller on the device's LAN segment.
    type: list
    elements: str
    required: true
  mac:
    description: MAC address of the device (or O(serial)).
    type: str
  serial:
    description: Serial number of the device (or O(mac)).
    type: str
  timeout:
    description: Seconds to wait for each SADP answer.
    type: float
    default: 3.0
  retries:
    description: Extra discovery probes; the export itself is sent once.
    type: int
    default: 1
extends_documentation_fragment:
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.SADP_GROUP
attributes:
  check_mode:
    support: full
    details: Finds the device; exports nothing.
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Export the reset request of a device found by its serial number
  camfleet.hikvision.recovery_request:
    interfaces: [eth1]
    serial: "{{ device_serial }}"
  register: reset_request
'''

RETURN = r'''
request:
  description: The reset request to send to Hikvision support (base64, as the device exported it).
  returned: success, not in check mode
  type: str
device:
  description: Serial, model, MAC, firmware, address and activation state as SADP reported them.
  returned: always
  type: dict
msg:
  description: What happened.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.recovery_reset import run_recovery_request
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.sadp import SEARCH_ARGSPEC

SPEC = ModuleSpec(dict(
    SEARCH_ARGSPEC,
    mac=dict(type='str'),
    serial=dict(type='str'),
), run_recovery_request, connection=False, mutually_exclusive=[['mac', 'serial']])


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
