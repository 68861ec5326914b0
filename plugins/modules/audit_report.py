#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: audit_report
short_description: Judge device records against a control catalog and write the audit reports
version_added: 0.2.0
description:
  - Runs on the controller only (an action plugin). Evaluates every control of O(catalog) on every
    device record with JMESPath and writes C(audit.json), C(audit-junit.xml) and one self-contained
    C(audit.html) into O(dest).
  - Each control ends as C(pass), C(fail), C(not_supported) or C(unknown); only C(pass) is a pass.
    A control is C(not_supported) when the device lacks a setting it C(requires) or the
    catalog marks it C(unsupported), and C(unknown) when the area could not be read.
  - The role M(camfleet.hikvision.audit) gathers the records; see its README for the catalog format.
  - Needs the Python library C(jmespath) on the controller.
options:
  records:
    description:
      - One record per device - C(name), C(site), C(address), C(device) (identity), C(settings)
        (per area, the modules' RV(camfleet.hikvision.security#module:settings) returns),
        C(accounts), C(log) (the log review), or C(unreachable) and C(error).
      - Required unless O(merge) is given.
    type: list
    elements: dict
  catalog:
    description:
      - The controls - C(id), C(title), C(number) (checklist row), C(expr) (JMESPath giving a
        boolean), C(requires) (JMESPath expressions whose null means not supported), C(fix), or
        C(unsupported=true) for controls no ISAPI body is known for.
      - Required unless O(merge) is given.
    type: list
    elements: dict
  firmware_baseline:
    description: Pinned firmware per model (key C(default) for the rest), e.g. C(V5.7.18 build 240826).
    type: dict
  cves:
    description: Known CVEs by model pattern and firmware range (the role ships C(files/cves.yml)).
    type: list
    elements: dict
  dest:
    description: Directory for the reports; created when missing.
    type: path
    required: true
  expected_log_events:
    description: Log minor types (for example C(remoteCfgParm)) the review does not flag.
    type: list
    elements: str
    default: []
  expected_log_sources:
    description: With O(expected_log_events), flag those events only from other source addresses.
    type: list
    elements: str
    default: []
  failed_login_threshold:
    description: Failed logins from one source above this number are flagged.
    type: int
    default: 0
  merge:
    description:
      - C(audit.json) files of other runs to combine into this report, such as the reports of the
        slices of one sliced AWX job (each slice audits its own hosts). Their devices are taken as
        judged there; totals, sites and counts are computed over all of them.
      - A device in O(records) wins over the same device in a merged file, a later file over an
        earlier one. A file that is missing or not an audit report fails the task.
    type: list
    elements: path
    default: []
extends_documentation_fragment:
  - camfleet.hikvision.attributes.CONTROLLER_GROUP
attributes:
  check_mode:
    support: full
    details: Nothing is written in check mode.
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Write the reports
  camfleet.hikvision.audit_report:
    records: "{{ audit_records }}"
    catalog: "{{ lookup('ansible.builtin.file', 'controls.yml') | from_yaml }}"
    dest: reports/
  run_once: true

- name: One report over the slices of a sliced job (each wrote its own audit.json)
  camfleet.hikvision.audit_report:
    merge: "{{ query('ansible.builtin.fileglob', '/srv/reports/run-42/slice-*/audit.json') }}"
    dest: /srv/reports/run-42/all
  run_once: true
'''

RETURN = r'''
files:
  description: Paths of the reports by kind (json, junit, html).
  returned: always
  type: dict
totals:
  description: Number of control outcomes over the fleet per status.
  returned: always
  type: dict
  sample: {pass: 120, fail: 7, not_supported: 30, unknown: 2}
devices:
  description: Outcome counts per device.
  returned: always
  type: dict
failing_devices:
  description: Devices with a failing control or unreachable.
  returned: always
  type: int
device_count:
  description: Number of devices judged.
  returned: always
  type: int
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        records=dict(type='list', elements='dict'),
        catalog=dict(type='list', elements='dict'),
        firmware_baseline=dict(type='dict'),
        cves=dict(type='list', elements='dict'),
        dest=dict(type='path', required=True),
        expected_log_events=dict(type='list', elements='str', default=[]),
        expected_log_sources=dict(type='list', elements='str', default=[]),
        failed_login_threshold=dict(type='int', default=0),
        merge=dict(type='list', elements='path', default=[]),
    ), required_one_of=[('records', 'merge')], supports_check_mode=True)
    module.fail_json(msg='camfleet.hikvision.audit_report runs on the controller only (action plugin)')


if __name__ == '__main__':
    main()
