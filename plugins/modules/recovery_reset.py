#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: recovery_reset
short_description: Reset a lost admin password over SADP with the recovery secrets the credential store kept
version_added: 0.1.0
description:
  - "For a device whose admin password nobody knows any more, but which M(camfleet.hikvision.recovery)
    prepared earlier: resets the admin password over SADP on the local network with the GUID file
    (C(GUIDReset)) or the three security answers (C(AnswerReset)) kept in the credential store."
  - "The store discipline of M(camfleet.hikvision.activate) applies: a new password meeting
    O(password_policy) is generated and written to the store as B(pending) before the reset is
    sent; one ISAPI login with it proves the reset, then it is promoted to current. A reset the
    device refused discards the pending password; an unanswered one leaves it pending, and the next
    run proves it with one login instead of resetting again."
  - "The GUID file is used when the store holds one exported under the current stored password
    (a GUID file stops working after any password change); otherwise the security answers."
  - "The device's reset budget is respected: a reset is sent at most once per run and never
    retried. After 7 wrong GUID files or answer sets the device refuses resets for 30 minutes;
    the store records that window and later runs refuse locally, sending nothing, until it ends."
  - Secrets (GUID file, answers, passwords) are never returned or logged.
options:
  interfaces:
    description: Network interfaces of the controller on the device's LAN segment (SADP is link-local).
    type: list
    elements: str
    required: true
  mac:
    description: MAC address of the device.
    type: str
    required: true
  timeout:
    description: Seconds to wait for each SADP answer.
    type: float
    default: 3.0
  retries:
    description: Extra discovery and key-exchange probes when no answer comes; the reset itself is never repeated.
    type: int
    default: 1
  method:
    description:
      - V(auto) picks the GUID file when a valid one is stored, else the answers. Set by hand to force one.
      - V(key) applies O(support_key), the vendor flow's key from Hikvision support.
      - "V(email_code) applies O(verification_code) over SADP C(MailReset): the code that reached
        the device's reserved mailbox after its QR code was sent to Hikvision, or that the
        Hik-Connect app showed after scanning that QR code (M(camfleet.hikvision.recovery_request)
        with O(camfleet.hikvision.recovery_request#module:request=qr))."
    type: str
    choices: [auto, guid, answers, key, email_code]
    default: auto
  support_key:
    description:
      - The key Hikvision support returned for a reset request exported with
        M(camfleet.hikvision.recovery_request) (O(method=key); C(playbooks/recover_password.yml)).
        Only valid while the device holds that request (48 h, no reboot, no new export).
    type: str
  verification_code:
    description:
      - The e-mail or Hik-Connect verification code for O(method=email_code) (8 characters in the
        vendor's documentation). Only valid while the device holds the QR code it was made for,
        that is for 48 h, with no reboot, no new export and no change of the reserved e-mail address.
      - A wrong code counts against the same reset budget as a wrong GUID file or answer set.
    type: str
  guid:
    description: Set by the action plugin from the store; not meant to be set by hand.
    type: str
  answers:
    description: Set by the action plugin from the store; not meant to be set by hand.
    type: list
    elements: str
  proof_only:
    description: Set by the action plugin when it reconciles a pending password (one login, no reset).
    type: bool
    default: false
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
  - camfleet.hikvision.credential_store
  - camfleet.hikvision.password_policy
attributes:
  check_mode:
    support: full
    details: Discovers the device and reports the method that would be used; sends no reset and writes no store.
  diff_mode:
    support: none
notes:
  - O(password) is not used; the new password is generated. O(host) is where the login proof goes.
  - Requires the Python library C(cryptography) and a controller (or delegate) on the device's LAN.
seealso:
  - module: camfleet.hikvision.recovery
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Reset the lost admin passwords of the locked devices of one site
  hosts: site_lab
  gather_facts: false
  serial: 10
  vars:
    camfleet_credential_store:
      path: "{{ inventory_dir }}/credentials"
  tasks:
    - name: GUID file or security answers from the store, new password pending first
      camfleet.hikvision.recovery_reset:
        interfaces: [eth1]
        mac: "{{ device_mac }}"
        host: "{{ isapi_host }}"
        ca_path: "{{ isapi_ca_path }}"
'''

RETURN = r'''
method:
  description: The secret used (C(guid), C(answers), C(key) or C(email_code)).
  returned: when a reset was sent or would be
  type: str
proven:
  description: One login with the new password worked.
  returned: success
  type: bool
store:
  description: State of the admin password in the store after the task (no secret).
  returned: always
  type: dict
  sample: {backend: file, state: current, reconciled: false}
lock:
  description: The reset lock window the device reported or the store recorded (C(until), UTC).
  returned: when resets are refused
  type: dict
msg:
  description: What happened.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.recovery_reset import run_recovery_reset
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.sadp import SEARCH_ARGSPEC
from ansible_collections.camfleet.hikvision.plugins.module_utils.store_options import POLICY_ARGSPEC, STORE_ARGSPEC

SPEC = ModuleSpec(dict(
    SEARCH_ARGSPEC,
    mac=dict(type='str', required=True),
    method=dict(type='str', choices=['auto', 'guid', 'answers', 'key', 'email_code'], default='auto'),
    support_key=dict(type='str', no_log=True),
    verification_code=dict(type='str', no_log=True),
    password_policy=POLICY_ARGSPEC,
    store=STORE_ARGSPEC,
    guid=dict(type='str', no_log=True),
    answers=dict(type='list', elements='str', no_log=True),
    proof_only=dict(type='bool', default=False),
), run_recovery_reset)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
