#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: recovery
short_description: Prepare Hikvision devices for self-service password recovery, and report readiness
version_added: 0.1.0
description:
  - While the admin password is known, prepares each device for a later self-service reset as its
    firmware allows, and reports per method whether it is ready.
  - "Capability discovery first: C(/ISAPI/Security/capabilities) says which of the three methods
    the firmware offers. A method it does not offer is reported with C(supported=false) and never
    probed or written; the task does not fail for it. Where the firmware has
    C(/ISAPI/Security/extern/capabilities) (the reset side), a method it says a reset cannot use
    is reported C(reset_supported=false) and not C(ready)."
  - "B(Security questions): three answers are generated and written to the credential store
    (state C(pending)) B(before) they are sent to the device, then marked C(configured) once the
    device shows all three questions set. An interrupted run re-sends the same pending answers.
    On later runs nothing is sent unless the device shows questions missing (for example after a
    restore to default), then the stored answers are sent again."
  - "B(Reserved e-mail): O(recovery_email) is set when the device does not already show it (the
    device shows the address masked, so the comparison is on the masked form)."
  - "B(GUID file): exported where the firmware advertises it (C(isSupportGUIDFileDataExport)) and
    kept in the credential store beside the device's passwords, with the version of the admin
    password it was exported under. A GUID file stops working after any admin password change, so
    a stored one whose password version is not the current one is reported C(stale=true) and, with
    O(export_guid=true), exported again."
  - The answers and the admin password are sent in the web UI's security mode (AES-128-CBC under a
    key derived from the login password) where the device offers it, in plain text over the
    connection otherwise; the GUID export is only sent in security mode.
  - The answers and the GUID file are never returned, logged or shown in a diff.
options:
  recovery_email:
    description:
      - Reserved e-mail address for the vendor's e-mail reset (at most 32 characters). Not set
        when omitted.
    type: str
  export_guid:
    description:
      - Export a GUID file when the device offers it and the store holds none valid for the
        current admin password.
    type: bool
    default: true
  security_questions:
    description:
      - Set the three security answers where the device offers security questions.
    type: bool
    default: true
  security_answers:
    description:
      - Set by the action plugin from the credential store; not meant to be set by hand.
    type: list
    elements: str
  answers_mode:
    description:
      - Set by the action plugin; V(always) sends O(security_answers), V(if_unmarked) only when
        the device shows fewer than three questions set.
    type: str
    choices: [always, if_unmarked]
    default: if_unmarked
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
  - camfleet.hikvision.credential_store
attributes:
  check_mode:
    support: full
    details: Reads the device and the store, writes neither, and reports what would change.
  diff_mode:
    support: none
notes:
  - The store key is the task's C(inventory_hostname). The password the task logs in with is
    O(password), or the store's current admin password when O(password) is not given.
  - Requires the Python library C(cryptography).
seealso:
  - module: camfleet.hikvision.activate
  - plugin: camfleet.hikvision.credential
    plugin_type: lookup
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Prepare every device for self-service recovery, passwords and secrets in the store
  hosts: all
  gather_facts: false
  vars:
    camfleet_credential_store:
      path: "{{ inventory_dir }}/credentials"
  tasks:
    - name: Security questions, reserved e-mail, GUID file, as each firmware allows
      camfleet.hikvision.recovery:
        host: "{{ isapi_host }}"
        ca_path: "{{ isapi_ca_path }}"
        recovery_email: cctv-recovery@example.com
      register: ready

    - name: Methods ready per device
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }}: {{ ready.recovery | dict2items | selectattr('value.ready') | map(attribute='key') | list }}"

    - name: "Audit only (check mode): which methods are ready, which GUID files are stale"
      camfleet.hikvision.recovery:
        host: "{{ isapi_host }}"
      check_mode: true
'''

RETURN = r'''
recovery:
  description: Per method (C(security_questions), C(recovery_email), C(guid_file)) what the device
    offers and whether it is ready. No secret.
  returned: success
  type: dict
  contains:
    supported:
      description: The firmware offers the method (SecurityCap).
      type: bool
    ready:
      description: The method can be used for a reset now (answers set and stored; address shown by
        the device; a GUID file stored for the current admin password).
      type: bool
    changed:
      description: This task set it (or would, in check mode).
      type: bool
    stale:
      description: (guid_file) The stored GUID file was exported under an older admin password and
        no longer works.
      type: bool
    reset_supported:
      description: What C(/ISAPI/Security/extern/capabilities) says about using the method for a
        reset (C(isSupportWith...)); a method it refuses is never C(ready). Absent where the
        firmware lacks that resource.
      type: bool
  sample:
    security_questions: {supported: true, ready: true, changed: true, configured_on_device: 3}
    recovery_email: {supported: true, ready: true, changed: false, address_shown: "o****@example.com"}
    guid_file: {supported: false, ready: false, changed: false}
reset_capabilities:
  description:
    - C(/ISAPI/Security/extern/capabilities) per method (C(security_questions), C(recovery_email),
      C(guid_file), C(hik_connect)) and C(min_reset_methods) (C(minResetAdminPassWordNum), how many
      reset methods the web UI makes the admin set up); null where the firmware lacks the resource.
  returned: success
  type: dict
store:
  description:
    - What the store holds for the recovery secrets of the device (no value), and for
      C(admin_password) its C(version) and C(set_at) (when it last changed).
  returned: success
  type: dict
msg:
  description: What happened.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.recovery import run_recovery
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.store_options import STORE_ARGSPEC

SPEC = ModuleSpec(dict(
    recovery_email=dict(type='str'),
    export_guid=dict(type='bool', default=True),
    security_questions=dict(type='bool', default=True),
    security_answers=dict(type='list', elements='str', no_log=True),
    answers_mode=dict(type='str', choices=['always', 'if_unmarked'], default='if_unmarked'),
    store=STORE_ARGSPEC,
), run_recovery)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
