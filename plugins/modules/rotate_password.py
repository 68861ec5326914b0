#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: rotate_password
short_description: Rotate a device's account passwords through the credential store, never losing one
version_added: 0.1.0
description:
  - Rotates the passwords of O(accounts) on one device (the task's C(inventory_hostname) is the
    store key). The admin's current password comes from the credential store, never from the task.
  - "Per account: (1) a pending password left by an interrupted run is reconciled first, with at
    most one login with the current password and one with the pending one, and the one the device
    accepts is kept; (2) the current password is verified with one login; (3) a new password
    meeting O(password_policy) is written to the store as pending B(before) the device is
    touched (a store that refuses the write stops the rotation there); (4) the device is told,
    by the admin with C(loginPassword); the write is never resent; (5) one login with the new
    password must succeed and one with the old must fail; then the new one is promoted to current
    in the store."
  - That deliberate failed login with the old password is the only failed login a rotation costs,
    at most one per rotated account per run, none for an account that is skipped or only verified.
  - A lost answer to the change, a device that stops answering, a store that cannot be written or
    a run killed at any moment leave the device with a password the store holds (current or
    pending); the next run reconciles it and completes the rotation.
  - Other accounts, ISAPI and ONVIF, are changed before C(admin), whose password signs their changes.
  - "A GUID file stops working after any admin password change. When the store holds a GUID file
    for the device (M(camfleet.hikvision.recovery) exported it), a new one is exported right
    after the new admin password is proved, in the web UI's security mode, and stored in place
    of the dead one (its entry records what it C(replaced)); the result says
    C(guid_file=re-exported). If that export fails the rotation still stands, the stored file is
    marked C(stale) and C(guid_file) says why; M(camfleet.hikvision.recovery) exports it later."
  - Runs on the controller only (an action plugin), so the store and the device are used in one task.
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
  - camfleet.hikvision.credential_store
  - camfleet.hikvision.password_policy
options:
  accounts:
    description: The device accounts to rotate (each must exist on the device and in the store).
    type: list
    elements: str
    default: [admin]
  onvif_accounts:
    description:
      - ONVIF accounts (the device's separate ONVIF user list, see camfleet.hikvision.services'
        O(camfleet.hikvision.services#module:onvif_users)) to rotate as well, by user name. Each
        must exist on the device, ONVIF must be on, and the store must hold its password under
        the account key C(onvif:<name>) (import it with
        O(camfleet.hikvision.credential_import#module:onvif=true)).
      - The same steps as for O(accounts); the logins are ONVIF logins (one WS-Security signed
        C(GetDeviceInformation) each, over the task's scheme, port and TLS settings) and the change
        is the admin's C(PUT /ISAPI/Security/ONVIF/users/<id>). A device with ONVIF off or without
        the account fails the account before any ONVIF login, naming the fix.
    type: list
    elements: str
    default: []
  min_age:
    description: Skip an account whose current password became current less than this many days
      ago (from the store's history). V(0) rotates every time.
    type: float
    default: 0
  changelog:
    description:
      - A directory on the controller; one JSON line per rotated or reconciled account is appended to
        C(changelog.jsonl) in it (when, who, device, step, status, changed, details with the
        account and the store revision). Never a secret.
    type: path
  stop_after:
    description:
      - B(For tests only.) Fail the task right after this step of the first account that reaches it,
        as a run killed at that moment would stop.
    type: str
    choices: [reconcile, verify, pending, change, prove]
attributes:
  check_mode:
    support: partial
    details: In check mode nothing is sent and the store is not written; the report says which
      accounts would be rotated and their age.
  diff_mode:
    support: none
notes:
  - O(password) is ignored; the admin password is the store's current one.
  - The task must run on the controller (C(connection=local), as in the emulator's inventory);
    delegation to another host is refused.
seealso:
  - module: camfleet.hikvision.credential_import
  - plugin: camfleet.hikvision.credential
    plugin_type: lookup
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Rotate admin and the operator account, not more than once a month
  camfleet.hikvision.rotate_password:
    host: "{{ isapi_host }}"
    ca_path: "{{ isapi_ca_path }}"
    accounts: [operator, admin]
    onvif_accounts: [vms]
    min_age: 30
    changelog: /var/log/camfleet
    store:
      backend: file
      path: /srv/camfleet/credentials
'''

RETURN = r'''
accounts:
  description: Per account what happened, without any secret. An ONVIF account is named by its
    store key C(onvif:<name>).
  returned: always
  type: list
  elements: dict
  contains:
    guid_file:
      description: (admin, when the store holds a GUID file) V(re-exported), or C(stale) and why.
      type: str
      returned: when admin was rotated and the store holds a GUID file for the device
  sample:
    - {account: admin, rotated: true, reconciled: null, failed_logins: 1, age_days: 0.0,
       store_revision: 4, history: 1, change_answer: answered, guid_file: re-exported}
rotated:
  description: Names of the accounts rotated (or whose interrupted rotation was completed) in this run.
  returned: always
  type: list
  elements: str
msg:
  description: What happened.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import check_connection
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.store_options import (
    POLICY_ARGSPEC, STORE_ARGSPEC,
)

STEPS = ['reconcile', 'verify', 'pending', 'change', 'prove']


def run_rotate_password(task):
    check_connection(task.params)  # bad connection options are named before anything else
    raise IsapiError('camfleet.hikvision.rotate_password runs on the controller only (it needs the '
                     'credential store and the device in one task): run it with connection: local, '
                     'without delegate_to')


SPEC = ModuleSpec(dict(
    accounts=dict(type='list', elements='str', default=['admin'], no_log=False),
    onvif_accounts=dict(type='list', elements='str', default=[], no_log=False),
    min_age=dict(type='float', default=0),
    password_policy=POLICY_ARGSPEC,
    changelog=dict(type='path'),
    stop_after=dict(type='str', choices=STEPS),
    store=STORE_ARGSPEC,
), run_rotate_password)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
