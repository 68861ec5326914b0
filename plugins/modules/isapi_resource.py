#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: isapi_resource
short_description: Converge any ISAPI document on a Hikvision device
version_added: 0.1.0
description:
  - The escape hatch for settings no dedicated module covers. Reads the document at O(path),
    compares only the elements named in O(values) (as text; booleans as true/false), and writes
    the whole document back once, changed only where needed, when something differs.
  - Same engine, diff format and C(reboot_required) reporting as the dedicated modules; a second
    run changes nothing.
  - Prefer a dedicated module where one exists; it knows the resource's quirks.
options:
  path:
    description: ISAPI path of the document, for example C(/ISAPI/System/Network/ssh).
    type: str
    required: true
  values:
    description:
      - Nested element names and values, as the document nests them below its root element.
      - A list addresses repeated elements by position (the second C(NTPServer) is the list's
        second item).
    type: dict
    required: true
  query:
    description: Query parameters for both the GET and the PUT.
    type: dict
  create_missing:
    description:
      - Add elements of O(values) the device's document lacks. By default a missing element is
        an error naming it, since a typo would otherwise be written to the device.
      - Repeated elements cannot be created by position.
    type: bool
    default: false
  method:
    description: How the document is written back.
    type: str
    choices: [put]
    default: put
  allow_any_path:
    description: Allow a O(path) outside C(/ISAPI/) and C(/SDK/).
    type: bool
    default: false
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
notes:
  - The diff shows the compared values. When O(values) holds a secret (a password element), set
    C(no_log) to true on the task.
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Turn SSH off
  camfleet.hikvision.isapi_resource:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    path: /ISAPI/System/Network/ssh
    values:
      enabled: false

- name: Main stream at 15 fps
  camfleet.hikvision.isapi_resource:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    path: /ISAPI/Streaming/channels/101
    values:
      Video:
        maxFrameRate: 1500
  register: stream

- name: Reboot when the device asks for it
  camfleet.hikvision.reboot:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
  when: stream.reboot_required
'''

RETURN = r'''
settings:
  description:
    - What this module manages, as the device holds it once the task is done - each key the task
      looked at (the same keys as the diff), null where the device lacks it. In check mode and when
      nothing changed it is the device's current state, so a check-mode run is a read-only audit.
    - Built by the one change tracker every declarative module shares; never holds a password.
  returned: success
  type: dict
  sample: {enabled: "false"}
path:
  description: The document's path.
  returned: success
  type: str
reboot_required:
  description: The device answered statusCode 7; the change takes effect after a reboot.
  returned: success
  type: bool
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.resource import SPEC
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_as_module


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
