#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: credential_import
short_description: Adopt a device account's existing password into the credential store
version_added: 0.1.0
description:
  - The one-time step that fills the credential store from the passwords a fleet has today (for
    example vaulted inventory variables such as C(hikvision_password)).
  - Checks O(password) with exactly B(one) login. Confirmed, it becomes the account's current
    password in the store (C(changed=true)). Refused, the task fails naming the device and the
    store is left alone; the device is not touched again (no second attempt), so a wrong
    password costs it one failed login and never a lockout.
  - "Nothing is sent when the store already holds this same password (C(changed=false)), and the
    task fails without contacting the device when the store holds another one or a pending one:
    the store, once filled, is the authority."
  - The store key is the task's C(inventory_hostname); the account is O(username).
  - C(playbooks/import_credentials.yml) runs it over an inventory and reports the devices it
    could not confirm.
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
  - camfleet.hikvision.credential_store
options:
  onvif:
    description:
      - O(username) is an ONVIF account (the device's separate ONVIF user list), not an ISAPI one.
        The password is confirmed with one ONVIF login (a WS-Security signed
        C(GetDeviceInformation)) and stored under the account key C(onvif:<username>), which the
        rotation (O(camfleet.hikvision.rotate_password#module:onvif_accounts)) and the
        P(camfleet.hikvision.credential#lookup) lookup (C(user='onvif:<username>')) use.
      - ONVIF must be on; a device with it off fails the task without a login.
    type: bool
    default: false
attributes:
  check_mode:
    support: full
    details: In check mode the login is made (it changes nothing on the device) but the store is not written.
  diff_mode:
    support: none
notes:
  - O(password) is the password to import, O(username) its account.
  - The store is read and written on the controller; a delegated task only logs in from the delegate.
seealso:
  - plugin: camfleet.hikvision.credential
    plugin_type: lookup
  - module: camfleet.hikvision.activate
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Import the vaulted inventory passwords into the store
  hosts: all
  gather_facts: false
  vars:
    camfleet_credential_store:
      path: "{{ inventory_dir }}/credentials"
  tasks:
    - name: Check the password with one login and store it
      camfleet.hikvision.credential_import:
        host: "{{ isapi_host }}"
        ca_path: "{{ isapi_ca_path }}"
        username: admin
        password: "{{ hikvision_password }}"

    - name: Import the VMS's ONVIF account as well (one ONVIF login)
      camfleet.hikvision.credential_import:
        host: "{{ isapi_host }}"
        ca_path: "{{ isapi_ca_path }}"
        username: vms
        password: "{{ vault_onvif_password }}"
        onvif: true
'''

RETURN = r'''
confirmed:
  description: The password was accepted at one login in this run.
  returned: always
  type: bool
imported:
  description: The password is now the account's current one in the store, written by this task.
  returned: always
  type: bool
store:
  description: Backend and what it holds for the account afterwards (no secret).
  returned: when the store could be read
  type: dict
  sample: {backend: file, state: current}
msg:
  description: What happened, naming the device and account.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.credcheck import run_credential_check
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.store_options import STORE_ARGSPEC

SPEC = ModuleSpec(dict(store=STORE_ARGSPEC, onvif=dict(type='bool', default=False)),
                  run_credential_check)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
