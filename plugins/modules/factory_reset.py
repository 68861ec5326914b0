#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: factory_reset
short_description: Restore a Hikvision device to defaults (basic keeps network, full wipes all)
version_added: 0.1.0
description:
  - Sends C(PUT /ISAPI/System/factoryReset?mode=basic|full) and waits for the device to restart.
  - V(basic) restores settings but keeps network parameters and, on most firmware, user accounts.
    V(full) restores everything; the device comes back inactive and must be activated again with
    M(camfleet.hikvision.activate) (and, on real hardware, usually at its factory address).
  - Because V(basic) keeps the network settings, the restart after it applies a saved address
    that is still pending (for example from M(camfleet.hikvision.network) with
    O(camfleet.hikvision.network#module:reboot=false)); the module then waits for the device at
    that address and returns it as RV(address).
  - Destroys configuration. Back it up first. There is deliberately no default O(mode).
  - Always reports C(changed=true).
options:
  mode:
    description: What to reset.
    type: str
    required: true
    choices: [basic, full]
  wait:
    description: Wait for the device to come back.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the device to go down and come back.
    type: int
    default: 300
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
attributes:
  check_mode:
    support: full
    details: In check mode no reset is sent (with V(basic) the saved address is read) and
      C(changed) is true.
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Reset settings but keep the address and accounts
  camfleet.hikvision.factory_reset:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    mode: basic

- name: Wipe the device, then activate it again
  block:
    - camfleet.hikvision.factory_reset:
        host: "{{ isapi_host }}"
        password: "{{ isapi_password }}"
        mode: full
    - camfleet.hikvision.activate:
        host: "{{ isapi_host }}"
        password: "{{ new_admin_password }}"
'''

RETURN = r'''
mode:
  description: The reset mode sent.
  returned: always
  type: str
activated:
  description: Whether the device came back activated (false after a full reset).
  returned: when wait is true and not in check mode
  type: bool
elapsed:
  description: Seconds until the device answered again.
  returned: when wait is true and not in check mode
  type: float
address:
  description: The address the device answers at after the reset (its pending address when the
    restart applied one).
  returned: always
  type: str
previous_address:
  description: The address the device answered at before the restart moved it.
  returned: when a basic reset applied a pending address
  type: str
msg:
  description: What happened.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.maintenance import run_factory_reset
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

SPEC = ModuleSpec(dict(
    mode=dict(type='str', required=True, choices=['basic', 'full']),
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=300),
), run_factory_reset)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
