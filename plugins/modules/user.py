#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: user
short_description: Manage user accounts on a Hikvision device
version_added: 0.1.0
description:
  - Creates, modifies and deletes device accounts (administrator, operator, viewer).
  - Passwords are write-only on the device. With O(update_password=always) the module logs in
    once as O(name) with O(user_password) on a separate session and changes the password only
    if that login is refused. That check counts as one failed login on the device when the
    password differs; it is never repeated. For the account the task logs in with no such check
    is needed (the session already proves its password).
  - Changing the password of the account the task logs in with switches the session to the new
    password and proves it works before the task ends; later tasks must use the new password.
    That change is never resent. If its answer is lost, the module logs in once with the new
    password to find out whether it took, and reports it (C(changed=true) with a warning when it
    did; a failure saying the device kept the old password when it did not).
  - Re-running such a task after its answer was lost works. When the device refuses O(password)
    for O(name) (one failed login), the task continues with O(user_password), warns, and reports
    C(changed=false). When the device refuses both, that is two failed logins, and nothing more
    is tried.
  - A creation or deletion whose answer is lost is not sent again; the module reads the
    accounts back and reports what the device has.
  - Sends the connection password as C(loginPassword), which current firmware requires to
    change accounts. When deleting an account (O(state=absent)) it goes in the URL query
    (C(DELETE /ISAPI/Security/users/<id>?loginPassword=...)), as the firmware expects. Over HTTPS
    the query is encrypted on the wire, but the device or a proxy may write URLs to an access log,
    so the admin password can end up in such a log.
  - Over O(scheme=http) every request carrying a password (creating, changing, deleting) is
    refused unless O(allow_insecure_secrets=true).
options:
  name:
    description:
      - User name of the account, 1 to 32 characters (the device refuses others; checked
        before anything is sent).
    type: str
    required: true
  state:
    description: Whether the account should exist.
    type: str
    choices: [present, absent]
    default: present
  level:
    description:
      - Account level. Defaults to V(viewer) when creating; unchanged otherwise.
      - The built-in C(admin) account is always V(administrator).
    type: str
    choices: [administrator, operator, viewer]
  user_password:
    description:
      - Password of the account. Required to create one.
      - Must meet the device policy (8 to 16 characters, at least two kinds of characters,
        not the user name nor the user name reversed); checked before anything is sent.
    type: str
  update_password:
    description:
      - V(always) makes the password of an existing account O(user_password) (logging in once to
        find out whether it already is). V(on_create) sets it only when creating the account.
    type: str
    choices: [always, on_create]
    default: always
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: A viewer account for the VMS
  camfleet.hikvision.user:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    name: vms
    level: viewer
    user_password: "{{ vault_vms_password }}"

- name: Rotate the admin password (later tasks must use the new one)
  camfleet.hikvision.user:
    host: "{{ isapi_host }}"
    password: "{{ old_admin_password }}"
    name: admin
    user_password: "{{ new_admin_password }}"

- name: Remove a leftover installer account
  camfleet.hikvision.user:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    name: installer
    state: absent
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
  sample: {name: operator1, level: operator}
user:
  description: The account after the task (no password); null when absent.
  returned: always
  type: dict
  sample: {id: 3, name: vms, level: viewer}
password_changed:
  description: Whether the account's password was (or in check mode would be) changed.
  returned: when state=present
  type: bool
session_password_switched:
  description: The task changed the password it was logged in with and verified the new one.
  returned: when that happened
  type: bool
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.users import SPEC


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
