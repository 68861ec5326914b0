#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: isapi_request
short_description: Send one raw ISAPI request to a Hikvision device
version_added: 0.1.0
description:
  - Sends O(method) O(path) with an optional body through the collection's client (Digest
    authentication, lockout safety, TLS, error mapping) and returns the parsed answer.
  - Reports C(changed) for every method but C(GET); it cannot know better. In check mode only
    C(GET) is sent. For settings, prefer M(camfleet.hikvision.isapi_resource), which compares
    first and is idempotent.
  - A C(ResponseStatus) error (or an HTTP error) fails the task with the device's status codes.
options:
  method:
    description: HTTP method.
    type: str
    choices: [GET, PUT, POST, DELETE]
    default: GET
  path:
    description: Request path, for example C(/ISAPI/System/time).
    type: str
    required: true
  query:
    description: Query parameters.
    type: dict
  body:
    description:
      - XML text, or a dict turned into XML under the element O(root).
      - Marked C(no_log) because bodies often carry passwords; it is never returned.
    type: raw
  root:
    description: Document element name when O(body) is a dict.
    type: str
  namespace:
    description: Default namespace declared on O(root) when O(body) is a dict.
    type: str
  content_type:
    description: Content type of O(body). XML bodies are checked to be well-formed before sending.
    type: str
    default: application/xml; charset="UTF-8"
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
    support: partial
    details: Only C(GET) requests are sent in check mode.
  diff_mode:
    support: none
notes:
  - The answer's RV(data) is returned as the device sent it. When it can hold secrets, set
    C(no_log) to true on the task.
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Read the storage state
  camfleet.hikvision.isapi_request:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    path: /ISAPI/ContentMgmt/Storage
  register: storage

- name: Format the first disk
  camfleet.hikvision.isapi_request:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    method: PUT
    path: /ISAPI/ContentMgmt/Storage/hdd/1/format

- name: Add an ONVIF account (the body carries a password)
  camfleet.hikvision.isapi_request:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    method: POST
    path: /ISAPI/Security/ONVIF/users
    root: User
    body: {userName: onvif, password: "{{ vault_onvif_password }}", userType: mediaUser}
  no_log: true
'''

RETURN = r'''
status:
  description: HTTP status of the answer.
  returned: when sent
  type: int
response_status:
  description: The answer's ResponseStatus fields, when it is one.
  returned: when sent
  type: dict
  sample: {status_code: 1, status_string: OK, sub_status_code: ok, error_code: null,
           request_url: /ISAPI/System/time, id: null, description: null}
data:
  description: The answer's XML as plain data (leaves as strings, repeated elements as lists);
    null for an empty or non-XML answer.
  returned: when sent
  type: raw
root:
  description: Element name of the answer's document.
  returned: when the answer is XML
  type: str
reboot_required:
  description: The device answered statusCode 7.
  returned: when sent
  type: bool
size:
  description: Byte size of a non-XML answer (its body is not returned).
  returned: when the answer is not XML
  type: int
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.resource import run_request
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

SPEC = ModuleSpec(dict(
    method=dict(type='str', default='GET', choices=['GET', 'PUT', 'POST', 'DELETE']),
    path=dict(type='str', required=True),
    query=dict(type='dict'),
    body=dict(type='raw', no_log=True),
    root=dict(type='str'),
    namespace=dict(type='str'),
    content_type=dict(type='str', default='application/xml; charset="UTF-8"'),
    allow_any_path=dict(type='bool', default=False),
), run_request)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
