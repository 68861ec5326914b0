#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: reboot
short_description: Reboot a Hikvision device and wait until it answers again
version_added: 0.1.0
description:
  - Sends C(PUT /ISAPI/System/reboot), then waits until the device has gone down and answers
    again, and finally logs in once to prove it is back.
  - Waiting polls an unauthenticated status path, so a slow reboot never costs login attempts.
  - Always reports C(changed=true), as a reboot is an action, not a state.
  - A reboot applies a saved address that is still pending (for example from
    M(camfleet.hikvision.network) with O(camfleet.hikvision.network#module:reboot=false)). The
    module reads the interface's saved address first; when it differs from the address the task
    reaches the device at, it waits for the device at the new address (and, for NAT or
    port-forwarded hosts, at the old one too) and returns where it answers as RV(address).
options:
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
    details: In check mode only the saved address is read; no reboot is sent and C(changed) is
      true.
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Reboot to apply settings that answered reboot_required
  camfleet.hikvision.reboot:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
  when: result.reboot_required | default(false)
'''

RETURN = r'''
elapsed:
  description: Seconds from the reboot command until the device answered again.
  returned: when wait is true and not in check mode
  type: float
  sample: 74.5
address:
  description: The address the device answers at after the reboot (its pending address when the
    reboot applied one; where it will answer with O(wait=false) or in check mode).
  returned: always
  type: str
  sample: 10.20.1.64
previous_address:
  description: The address the device answered at before the reboot moved it.
  returned: when a pending address was applied (or would be, in check mode or with O(wait=false))
  type: str
msg:
  description: What happened.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.maintenance import run_reboot
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

SPEC = ModuleSpec(dict(
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=300),
), run_reboot)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
