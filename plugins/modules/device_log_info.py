#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: device_log_info
short_description: Search the log of a Hikvision camera or NVR
version_added: 0.1.0
description:
  - Searches the device log (C(POST /ISAPI/ContentMgmt/logSearch)) by time range and type and
    returns the entries and how many there are per minor type, for example to count failed
    logins (C(Exception/illegalAccess)) or to find a restore-default entry after a reset.
  - Pages through the result with one search id while the device answers C(MORE).
  - Read-only; never reports a change.
  - C(camfleet.hikvision.device_log) is the former name of this module. It still works (it is
    redirected here), is deprecated, and will be removed in version 1.0.0.
options:
  start:
    description:
      - Earliest entry, in the device's local time, C(YYYY-MM-DDTHH:MM:SS). A trailing C(Z) is
        accepted; devices read it as local time anyway. Offsets are refused.
      - Defaults to 2000-01-01.
    type: str
  end:
    description: Latest entry, same format as O(start). Defaults to 2037-12-31.
    type: str
  major_type:
    description: Log type the device filters on.
    type: str
    choices: [all, Alarm, Exception, Operation, Information]
    default: all
  minor_type:
    description:
      - Only entries of this minor type (the last part of C(log.hikvision.com/<Major>/<minor>),
        compared case-insensitively), for example V(illegalAccess) or V(remoteReboot).
      - Filtered by the module, so the device still sends the whole major type.
    type: str
  max_results:
    description: Stop after this many (matching) entries; RV(truncated) says when there were more.
    type: int
    default: 1000
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
- name: Failed logins on a camera
  camfleet.hikvision.device_log_info:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    major_type: Exception
    minor_type: illegalAccess
  register: failed

- name: Everything logged since yesterday morning (device local time)
  camfleet.hikvision.device_log_info:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    start: "2024-05-01T06:00:00"
    max_results: 200
'''

RETURN = r'''
entries:
  description: The log entries, as ordered by the device.
  returned: success
  type: list
  elements: dict
  sample:
    - {time: "2024-05-01T08:15:00Z", major: Operation, minor: remoteReboot, user: admin,
       address: 192.168.1.20, description: "", meta_id: log.hikvision.com/Operation/remoteReboot}
counts:
  description: Number of returned entries per minor type.
  returned: success
  type: dict
  sample: {illegalAccess: 3, remoteLogin: 1}
total:
  description: Number of returned entries.
  returned: success
  type: int
truncated:
  description: Whether the device had more matching entries than O(max_results).
  returned: success
  type: bool
start:
  description: The start time sent to the device.
  returned: success
  type: str
end:
  description: The end time sent to the device.
  returned: success
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.devicelog import run_device_log
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

SPEC = ModuleSpec(dict(
    start=dict(type='str'),
    end=dict(type='str'),
    major_type=dict(type='str', default='all',
                    choices=['all', 'Alarm', 'Exception', 'Operation', 'Information']),
    minor_type=dict(type='str'),
    max_results=dict(type='int', default=1000),
), run_device_log)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
