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
  - On a device that is already active it changes nothing, sends nothing but the unauthenticated
    status query, and reports C(changed=false).
  - An activation whose answer is lost is never resent; the module asks the device (without
    credentials) whether it is now active and says which it is.
  - The password is checked against the device policy (8 to 16 characters, at least two of
    digits, lower-case, upper-case and special characters, not the user name) before anything
    is sent.
  - Use a unique password per device, kept in ansible-vault or a secrets store; see the examples.
  - "With O(password_from_store=true) the password comes from the generator and the credential
    store instead: a new password meeting O(password_policy) is written to the store as the
    pending one B(before) the device is activated, and promoted to current once a login with it
    works. If the store cannot be written the device is not activated. If the task is
    interrupted after the store write (the answer to the activation lost, the controller
    stopped), the password stays pending, and re-running the task reconciles it: the same
    password activates a device that is still inactive, and one login proves it on a device that
    is already active."
options:
  password_from_store:
    description:
      - Take the admin password from the generator and the credential store (see above) instead
        of O(password), which is then ignored.
      - "On a device that is already active and whose admin password the store holds, nothing is
        sent but the status query. On an active device the store knows nothing about the task
        fails without logging in: import its password first
        (C(playbooks/import_credentials.yml))."
      - The store key is the task's C(inventory_hostname), account C(admin).
    type: bool
    default: false
  verify_if_active:
    description:
      - When the device is already active, log in once with O(password) to prove it
        (C(changed=false)). A refused password fails the task and is not retried.
      - Set by the action plugin when it reconciles a pending password; rarely useful by hand.
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
  diff_mode:
    support: full
notes:
  - O(password) is the admin password to set; O(username) must be C(admin).
  - Requires the Python library C(cryptography).
  - The credential store is used on the controller only; when the task is delegated, the
    delegate host receives just the generated password for this one task.
seealso:
  - plugin: camfleet.hikvision.credential
    plugin_type: lookup
  - module: camfleet.hikvision.credential_import
author:
  - camfleet.hikvision maintainers (@camfleet)
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

- name: Activate fresh devices with generated passwords kept in the credential store
  hosts: cameras
  gather_facts: false
  vars:
    camfleet_credential_store:
      backend: file
      path: "{{ inventory_dir }}/credentials"
  tasks:
    - name: Activate (the password is written to the store first, promoted once proved)
      camfleet.hikvision.activate:
        host: "{{ isapi_host }}"
        ca_path: "{{ isapi_ca_path }}"
        password_from_store: true
        password_policy:
          length: 14

- name: With every module's password from the store (module_defaults), activate overrides it
  hosts: cameras
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}"
  tasks:
    - name: Activate (a fresh device has no password in the store yet, so no lookup here)
      camfleet.hikvision.activate:
        password: "{{ omit }}"
        password_from_store: true
    - name: Later tasks log in with the password activate stored
      camfleet.hikvision.device_info:
'''

RETURN = r'''
activated:
  description: The device is active after the task.
  returned: success
  type: bool
  sample: true
device:
  description: Identity read with the new password (see M(camfleet.hikvision.device_info)).
  returned: when the device was activated by this task
  type: dict
store:
  description: What the credential store holds for the admin account after the task (no secret).
  returned: with O(password_from_store=true)
  type: dict
  sample: {backend: file, state: current, reconciled: false}
verified:
  description: The password was proved with one login on an already active device.
  returned: when O(verify_if_active=true) and the device was already active
  type: bool
msg:
  description: What happened.
  returned: always
  type: str
  sample: device activated and the new admin password verified by logging in
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.device import run_activate
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.store_options import (
    POLICY_ARGSPEC, STORE_ARGSPEC,
)

SPEC = ModuleSpec(dict(
    password_from_store=dict(type='bool', default=False),
    password_policy=POLICY_ARGSPEC,
    store=STORE_ARGSPEC,
    verify_if_active=dict(type='bool', default=False),
), run_activate)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
