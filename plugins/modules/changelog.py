#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: changelog
short_description: Append a change-log line for a device and keep its campaign state
version_added: 0.1.0
description:
  - Appends one JSON line to C(<dir>/changelog.jsonl) for the current inventory host - who ran
    it (the controller's user), when (UTC), which step, whether it changed the device, its
    status and the files it wrote - and records a completed step in the device's campaign
    state file C(<dir>/state/<inventory_hostname>.json).
  - Without O(step) it only reads the campaign state and returns RV(completed); the roles use
    that to skip a step a device has already completed when a campaign is re-run.
  - Never writes a secret. Keys of O(details) that name a secret (password, secret, key, token)
    are refused, and so are values that are not plain strings, numbers, booleans or lists of them.
  - Runs on the controller only (an action plugin). It reports C(changed=false) (it records
    changes, it does not make them), so it does not break idempotence checks.
options:
  dir:
    description: The campaign directory on the controller (created if missing).
    type: path
    required: true
  step:
    description: The step to record (for example V(backup), V(factory_reset)). Omit to read only.
    type: str
  status:
    description: V(ok) marks the step complete (when O(complete)); V(failed) and V(skipped) only log it.
    type: str
    choices: [ok, failed, skipped]
    default: ok
  changed:
    description: Whether the step changed the device.
    type: bool
    default: false
  complete:
    description: Mark the step as completed in the campaign state (with O(status=ok)).
    type: bool
    default: true
  files:
    description: Controller files the step wrote (backups, records, reports).
    type: list
    elements: path
    default: []
  details:
    description: Small non-secret facts about the step (versions, modes, counts).
    type: dict
    default: {}
extends_documentation_fragment:
  - camfleet.hikvision.attributes.CONTROLLER_GROUP
attributes:
  check_mode:
    support: full
    details: In check mode nothing is written; RV(completed) is still read.
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Skip the reset when this device's campaign already did it
  camfleet.hikvision.changelog:
    dir: "{{ playbook_dir }}/campaign"
  register: campaign

- name: Record the reset
  camfleet.hikvision.changelog:
    dir: "{{ playbook_dir }}/campaign"
    step: factory_reset
    changed: true
    details: {mode: full}
  when: "'factory_reset' not in campaign.completed"
'''

RETURN = r'''
completed:
  description: The steps this device has completed in the campaign, oldest first.
  returned: always
  type: list
  elements: str
  sample: [inventory_record, backup]
steps:
  description: For each completed step, the O(details) of its last successful run.
  returned: always
  type: dict
  sample: {factory_reset: {mode: full, address: 192.0.2.64}}
entry:
  description: The line appended (absent when O(step) is not given or in check mode).
  returned: when a line was written
  type: dict
'''


from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = dict(
    dir=dict(type='path', required=True),
    step=dict(type='str'),
    status=dict(type='str', choices=['ok', 'failed', 'skipped'], default='ok'),
    changed=dict(type='bool', default=False),
    complete=dict(type='bool', default=True),
    files=dict(type='list', elements='path', default=[]),
    details=dict(type='dict', default={}),
)


def main():
    # The work is the action plugin's (plugins/action/changelog.py), on the controller; this
    # entry point exists for the documentation and argument checks.
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg='camfleet.hikvision.changelog runs on the controller only (it is an action plugin)')


if __name__ == '__main__':
    main()
