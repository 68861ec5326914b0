#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: activate
short_description: Activate a factory-fresh Hikvision device with an admin password
version_added: 0.1.0
description:
  - Activates an inactive (factory-fresh or fully reset) device over ISAPI, setting the password
    of the built-in C(admin) account to O(password). The password travels encrypted with the
    device's activation key exchange (RSA-1024 challenge, AES-128).
  - Then logs in once with the new password to prove it works, so later tasks can rely on it.
  - On a device that is already active it changes nothing and reports C(changed=false), after
    logging in once with O(password) to say whether the device has it (so a re-run after an
    activation whose answer was lost tells whether the device is yours). Fails if the device
    refuses it (one failed login).
  - An activation whose answer is lost is never resent: the module asks the device (without
    credentials) whether it is now active and says which it is.
  - The password is checked against the device policy (8 to 16 characters, at least two of
    digits, lower-case, upper-case and special characters, not the user name) before anything
    is sent.
  - Use a unique password per device, kept in ansible-vault or a secrets store; see the examples.
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.connection.ATTRIBUTES
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
  platform:
    platforms: hikvision
notes:
  - O(password) is the admin password to set; O(username) must be C(admin).
  - Requires the Python library C(cryptography).
author:
  - camfleet.hikvision contributors (!UNKNOWN)
'''

EXAMPLES = r'''
- name: Activate with the per-device password from the vault
  camfleet.hikvision.activate:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    ca_path: "{{ isapi_ca_path }}"

- name: Activate every fresh device of the inventory, connection options set once
  hosts: all
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      password: "{{ isapi_password }}"
      ca_path: "{{ isapi_ca_path }}"
  tasks:
    - camfleet.hikvision.activate:
'''

RETURN = r'''
activated:
  description: The device is active after the task.
  returned: success
  type: bool
  sample: true
device:
  description: Identity read with the new password (see M(camfleet.hikvision.device_info)).
  returned: when the device was activated by this task, or already was and accepts the password
  type: dict
msg:
  description: What happened.
  returned: always
  type: str
  sample: device activated and the new admin password verified by logging in
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.device import run_activate
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

SPEC = ModuleSpec({}, run_activate)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
