# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: credential
short_description: The current password of a device account, from the credential store
version_added: 0.1.0
description:
  - Returns the current password the credential store holds for an account of a device, so an
    inventory needs no per-device vaulted strings.
  - The device is named as in the inventory (normally C(inventory_hostname)); the store keys its
    entries by that name.
  - A password that is only pending (a change or activation interrupted before it was proved) is
    never returned; the error says how to reconcile it.
  - While a change of the account's password is not settled (the store holds a pending password
    beside the current one, as during a rotation or after an interrupted one), the lookup fails
    instead of returning the current password, since the device may already have the new one and
    a login with the old one would cost a failed login towards the device's lockout. Running the
    rotation again (P(camfleet.hikvision.rotate_password#module)) settles it.
  - The secret is never logged; pass it only to options that are C(no_log), such as the
    modules' O(camfleet.hikvision.activate#module:password).
author:
  - camfleet.hikvision maintainers (@camfleet)
options:
  _terms:
    description: Device names (inventory host names).
    required: true
    type: list
    elements: str
  user:
    description:
      - The device account. An ONVIF account (the device's separate ONVIF user list) is
        C(onvif:<name>), as camfleet.hikvision.credential_import with C(onvif=true) and
        camfleet.hikvision.rotate_password's C(onvif_accounts) store it.
    type: str
    default: admin
    aliases: [account]
extends_documentation_fragment:
  - camfleet.hikvision.credential_store.PLUGIN
notes:
  - The V(file) backend decrypts with the run's vault secrets (C(--vault-password-file),
    C(--vault-id)) unless O(store_vault_password_file) names another.
  - Runs on the controller, like every lookup.
seealso:
  - module: camfleet.hikvision.credential_import
  - module: camfleet.hikvision.activate
'''

EXAMPLES = r'''
# group_vars/all.yml - where the store is, once for every plugin and module that uses it:
#   camfleet_credential_store:
#     backend: file
#     path: "{{ inventory_dir }}/credentials"
# and, instead of a vaulted string per device:
#   isapi_password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname, user='admin') }}"

- name: Read a device with the password from the store
  camfleet.hikvision.device_info:
    host: "{{ isapi_host }}"
    password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}"

# A Vault/OpenBao store, its settings from the environment:
#   HIKVISION_STORE_BACKEND=vault VAULT_ADDR=https://vault:8200 VAULT_TOKEN=... ansible-playbook ...
- name: Another account, and an explicit store
  ansible.builtin.set_fact:
    operator_password: >-
      {{ lookup('camfleet.hikvision.credential', inventory_hostname, user='operator',
                store={'backend': 'vault', 'url': 'https://vault.example.com:8200', 'mount': 'kv'}) }}
  no_log: true

- name: An ONVIF account whose password the store keeps (imported or rotated)
  camfleet.hikvision.services:
    host: "{{ isapi_host }}"
    password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}"
    onvif: true
    onvif_users:
      - name: vms
        password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname, user='onvif:vms') }}"
'''

RETURN = r'''
_raw:
  description: The current password of each named device's account, in the order given.
  type: list
  elements: str
'''

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import (
    open_store, resolve_settings,
)
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.config import SETTINGS


class LookupModule(LookupBase):

    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        user = self.get_option('user')
        # Options from variables arrive untemplated (a path like "{{ inventory_dir }}/creds").
        given = dict((name, self._templar.template(self.get_option('store_' + name)))
                     for name in SETTINGS)
        for key, value in (self._templar.template(self.get_option('store')) or {}).items():
            if value is not None:
                given[key] = value
        try:
            settings = resolve_settings(given)
            vault = getattr(self._loader, '_vault', None)
            store = open_store(settings, vault_secrets=vault.secrets if vault is not None else None)
            return [self._settled(store, str(term), user) for term in terms]
        except IsapiError as exc:
            raise AnsibleLookupError('camfleet.hikvision.credential: %s' % exc)

    @staticmethod
    def _settled(store, device, user):
        record = store.record(device, user)
        if record.current is not None and record.pending is not None:
            entry = record.pending_entry
            raise IsapiError(
                'a change of the password of account %r is not settled (pending since %s, run %s): '
                'the device may have the old or the new one, and a login with the wrong one counts '
                'towards its lockout, so no password is handed out. Run the rotation for this '
                'device again (playbooks/rotate_credentials.yml --limit %s): it settles the change '
                'with at most one login each and nothing else is sent' % (
                    user, entry.get('set_at'), entry.get('run_id'), device), device=device)
        return store.current(device, user)
