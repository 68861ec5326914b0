#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: recovery_request
short_description: Export a password reset request over SADP for Hikvision support (the vendor flow)
version_added: 0.1.0
description:
  - "First step of the vendor-sanctioned reset for a device whose password is lost and that holds
    no self-service secret: finds the device over SADP (by O(mac) or O(serial)) and exports its
    reset request (the SADP C(getcode) blob), returned as RV(request) for the support package.
    Nothing is sent anywhere by the collection."
  - "Before exporting, reads which reset methods the device offers, without a password: the
    ProbeMatch flags and, where the device advertises it, SADP C(getPasswordResetType) (security
    questions, GUID file, reserved e-mail, Hik-Connect). They are returned as RV(reset_methods).
    A request the device cannot take (no password reset ability; for O(request=qr) no reserved
    e-mail) is reported with RV(exported=false) and C(changed=false); the task does not fail."
  - "O(request=qr) exports the QR code instead (SADP C(GetQRcodes)), returned as RV(qr_code) with the
    masked reserved address. Its two uses need a human: send the QR code to Hikvision
    (C(pw_recovery@hikvision.com)) and the verification code arrives in the reserved mailbox, or scan it
    with the Hik-Connect app (Reset Device Password), which shows the code; support may also return a
    key for it. Apply a code with M(camfleet.hikvision.recovery_reset) O(camfleet.hikvision.recovery_reset#module:method=email_code),
    a key with C(method=key)."
  - "Exporting again voids the earlier request, and so does a reboot; the key support returns is
    valid 48 hours. Apply it with M(camfleet.hikvision.recovery_reset) with its option C(method=key)."
  - C(playbooks/recover_password.yml) runs both steps over a fleet and writes one support package per site.
options:
  interfaces:
    description: Network interfaces of the controller on the device's LAN segment.
    type: list
    elements: str
    required: true
  mac:
    description: MAC address of the device (or O(serial)).
    type: str
  serial:
    description: Serial number of the device (or O(mac)).
    type: str
  timeout:
    description: Seconds to wait for each SADP answer.
    type: float
    default: 3.0
  request:
    description:
      - V(file) exports the reset request file for support (SADP C(getcode)); V(qr) exports the QR
        code (SADP C(GetQRcodes)) for the e-mail or Hik-Connect reset, or for support.
      - Either export voids the device's earlier request of both kinds.
    type: str
    choices: [file, qr]
    default: file
  retries:
    description: Extra discovery probes and C(getPasswordResetType) reads; the export itself is sent once.
    type: int
    default: 1
extends_documentation_fragment:
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.SADP_GROUP
attributes:
  check_mode:
    support: full
    details: Finds the device; exports nothing.
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Export the reset request of a device found by its serial number
  camfleet.hikvision.recovery_request:
    interfaces: [eth1]
    serial: "{{ device_serial }}"
  register: reset_request

- name: Export the QR code for the e-mail or Hik-Connect reset
  camfleet.hikvision.recovery_request:
    interfaces: [eth1]
    mac: "{{ device_mac }}"
    request: qr
  register: qr_request
'''

RETURN = r'''
request:
  description: The reset request to send to Hikvision support (base64, as the device exported it).
  returned: O(request=file), exported
  type: str
qr_code:
  description: The QR code's content as the device exported it (render it as a QR image to send or scan).
  returned: O(request=qr), exported
  type: str
mailbox:
  description: The reserved e-mail address the verification code goes to, masked as the device shows it.
  returned: O(request=qr), exported
  type: str
service_mailbox:
  description: Where the device says to send the QR code.
  returned: O(request=qr), exported, when the device names it
  type: str
exported:
  description: A request was exported (false in check mode and when the device cannot take it).
  returned: always
  type: bool
kind:
  description: The request kind asked for (C(file) or C(qr)).
  returned: always
  type: str
reset_methods:
  description:
    - Per method (C(security_questions), C(guid_file), C(recovery_email), C(hik_connect),
      C(support_request)) C(offered) (the firmware has it) and C(enabled) (set up on the device);
      null where the device does not say.
  returned: always
  type: dict
  sample: {guid_file: {offered: true, enabled: false}, recovery_email: {offered: true, enabled: true}}
offered:
  description: The names of the offered methods, sorted.
  returned: always
  type: list
  elements: str
device:
  description: Serial, model, MAC, firmware, address and activation state as SADP reported them.
  returned: always
  type: dict
msg:
  description: What happened.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.recovery_reset import run_recovery_request
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.sadp import SEARCH_ARGSPEC

SPEC = ModuleSpec(dict(
    SEARCH_ARGSPEC,
    mac=dict(type='str'),
    serial=dict(type='str'),
    request=dict(type='str', choices=['file', 'qr'], default='file'),
), run_recovery_request, connection=False, mutually_exclusive=[['mac', 'serial']])


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
