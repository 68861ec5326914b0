# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """The credential store settings, documented once for every plugin that uses the store.

    DOCUMENTATION is the form for modules/action plugins (one O(store) dict); PLUGIN the form for
    lookups (O(store) plus one flat option per setting, with environment, ini and variable
    sources as Ansible plugin options have them). Both list the same environment variables,
    from plugins/plugin_utils/credstore/config.py (a unit test keeps them equal).
    """

    DOCUMENTATION = r'''
options:
  store:
    description:
      - Where the device passwords are kept, and how to reach it.
      - "Every key may be left out: it then falls back to its environment variable, then to its
        default. Without the option at all, the variable C(camfleet_credential_store) (for example
        in C(group_vars/all.yml)) is used."
      - "The V(file) backend keeps one ansible-vault encrypted file per device in O(store.path),
        holding per account the current password, a pending one during a change, and the previous
        ones, each with when, by whom (user@host) and in which run it was set. Writes are atomic
        and locked per device. The V(vault) backend keeps the same document as one KV version 2
        secret per device, written with check-and-set."
      - The store is used on the controller only; a delegated task gets the password from it there.
    type: dict
    suboptions:
      backend:
        description:
          - "Which store: V(file) (ansible-vault files, needs nothing but Ansible) or V(vault)
            (HashiCorp Vault or OpenBao, KV version 2, needs the Python library C(hvac) on the
            controller)."
          - "Falls back to E(HIKVISION_STORE_BACKEND); default V(file)."
        type: str
        choices: [file, vault]
      path:
        description:
          - "File store: the directory that holds one ansible-vault encrypted file per device
            (created with mode 0700 if missing)."
          - "Falls back to E(HIKVISION_STORE_PATH)."
        type: path
      vault_password_file:
        description:
          - "File store: the vault password file (or script) the store files are encrypted with."
          - "Without it the run's own vault secrets are used (C(--vault-password-file),
            C(--vault-id), E(ANSIBLE_VAULT_PASSWORD_FILE))."
          - "Falls back to E(HIKVISION_STORE_VAULT_PASSWORD_FILE)."
        type: path
      vault_id:
        description:
          - "File store: the vault id label to encrypt with when the run has several vault secrets."
          - "Falls back to E(HIKVISION_STORE_VAULT_ID)."
        type: str
      url:
        description:
          - "Vault store: the server address, for example V(https://vault.example.com:8200)."
          - "Falls back to E(HIKVISION_STORE_URL), then E(VAULT_ADDR), then E(BAO_ADDR)."
        type: str
      token:
        description:
          - "Vault store: the token to authenticate with. Its policy needs read, create and update
            on C(<mount>/data/<prefix>/*) and C(<mount>/metadata/<prefix>/*)."
          - "Falls back to E(HIKVISION_STORE_TOKEN), then E(VAULT_TOKEN), then E(BAO_TOKEN)."
        type: str
      mount:
        description:
          - "Vault store: the mount point of the KV version 2 secrets engine."
          - "Falls back to E(HIKVISION_STORE_MOUNT); default V(secret)."
        type: str
      prefix:
        description:
          - "Vault store: the path under the mount below which each device has one secret."
          - "Falls back to E(HIKVISION_STORE_PREFIX); default V(camfleet/hikvision)."
        type: str
      ca_path:
        description:
          - "Vault store: PEM file of the CA that signed the server's certificate."
          - "Falls back to E(HIKVISION_STORE_CA_PATH), then E(VAULT_CACERT), then E(BAO_CACERT)."
        type: path
      namespace:
        description:
          - "Vault store: the Vault Enterprise / OpenBao namespace, if any."
          - "Falls back to E(HIKVISION_STORE_NAMESPACE), then E(VAULT_NAMESPACE), then
            E(BAO_NAMESPACE)."
        type: str
      timeout:
        description:
          - "Vault store: seconds to wait for the server."
          - "Falls back to E(HIKVISION_STORE_TIMEOUT); default V(30)."
        type: int
      keep_previous:
        description:
          - "How many previous passwords to keep per account (with when and by whom they were
            retired)."
          - "Falls back to E(HIKVISION_STORE_KEEP_PREVIOUS); default V(5)."
        type: int
'''

    PLUGIN = r'''
options:
  store:
    description:
      - "The credential store settings as one dict, keys as in the flat C(store_*) options without
        the C(store_) prefix (for example C({backend: vault, url: https://vault:8200})). Its keys
        win over the flat options."
      - The same dict the modules take as O(store), so one C(camfleet_credential_store) variable
        serves both.
    type: dict
    vars:
      - name: camfleet_credential_store
  store_backend:
    description:
      - "Which store: V(file) (ansible-vault files, needs nothing but Ansible) or V(vault)
        (HashiCorp Vault or OpenBao, KV version 2, needs the Python library C(hvac) on the
        controller)."
      - "Overridden by the same key in O(store)."
    type: str
    choices: [file, vault]
    default: file
    env:
      - name: HIKVISION_STORE_BACKEND
    ini:
      - section: camfleet_credential_store
        key: backend
    vars:
      - name: camfleet_credential_store_backend
  store_path:
    description:
      - "File store: the directory that holds one ansible-vault encrypted file per device (created
        with mode 0700 if missing)."
      - "Overridden by the same key in O(store)."
    type: path
    env:
      - name: HIKVISION_STORE_PATH
    ini:
      - section: camfleet_credential_store
        key: path
    vars:
      - name: camfleet_credential_store_path
  store_vault_password_file:
    description:
      - "File store: the vault password file (or script) the store files are encrypted with."
      - "Without it the run's own vault secrets are used (C(--vault-password-file), C(--vault-id),
        E(ANSIBLE_VAULT_PASSWORD_FILE))."
      - "Overridden by the same key in O(store)."
    type: path
    env:
      - name: HIKVISION_STORE_VAULT_PASSWORD_FILE
    ini:
      - section: camfleet_credential_store
        key: vault_password_file
    vars:
      - name: camfleet_credential_store_vault_password_file
  store_vault_id:
    description:
      - "File store: the vault id label to encrypt with when the run has several vault secrets."
      - "Overridden by the same key in O(store)."
    type: str
    env:
      - name: HIKVISION_STORE_VAULT_ID
    ini:
      - section: camfleet_credential_store
        key: vault_id
    vars:
      - name: camfleet_credential_store_vault_id
  store_url:
    description:
      - "Vault store: the server address, for example V(https://vault.example.com:8200)."
      - "Overridden by the same key in O(store)."
    type: str
    env:
      - name: HIKVISION_STORE_URL
      - name: VAULT_ADDR
      - name: BAO_ADDR
    ini:
      - section: camfleet_credential_store
        key: url
    vars:
      - name: camfleet_credential_store_url
  store_token:
    description:
      - "Vault store: the token to authenticate with. Its policy needs read, create and update on
        C(<mount>/data/<prefix>/*) and C(<mount>/metadata/<prefix>/*)."
      - "Overridden by the same key in O(store)."
    type: str
    env:
      - name: HIKVISION_STORE_TOKEN
      - name: VAULT_TOKEN
      - name: BAO_TOKEN
    vars:
      - name: camfleet_credential_store_token
  store_mount:
    description:
      - "Vault store: the mount point of the KV version 2 secrets engine."
      - "Overridden by the same key in O(store)."
    type: str
    default: secret
    env:
      - name: HIKVISION_STORE_MOUNT
    ini:
      - section: camfleet_credential_store
        key: mount
    vars:
      - name: camfleet_credential_store_mount
  store_prefix:
    description:
      - "Vault store: the path under the mount below which each device has one secret."
      - "Overridden by the same key in O(store)."
    type: str
    default: camfleet/hikvision
    env:
      - name: HIKVISION_STORE_PREFIX
    ini:
      - section: camfleet_credential_store
        key: prefix
    vars:
      - name: camfleet_credential_store_prefix
  store_ca_path:
    description:
      - "Vault store: PEM file of the CA that signed the server's certificate."
      - "Overridden by the same key in O(store)."
    type: path
    env:
      - name: HIKVISION_STORE_CA_PATH
      - name: VAULT_CACERT
      - name: BAO_CACERT
    ini:
      - section: camfleet_credential_store
        key: ca_path
    vars:
      - name: camfleet_credential_store_ca_path
  store_namespace:
    description:
      - "Vault store: the Vault Enterprise / OpenBao namespace, if any."
      - "Overridden by the same key in O(store)."
    type: str
    env:
      - name: HIKVISION_STORE_NAMESPACE
      - name: VAULT_NAMESPACE
      - name: BAO_NAMESPACE
    ini:
      - section: camfleet_credential_store
        key: namespace
    vars:
      - name: camfleet_credential_store_namespace
  store_timeout:
    description:
      - "Vault store: seconds to wait for the server."
      - "Overridden by the same key in O(store)."
    type: int
    default: 30
    env:
      - name: HIKVISION_STORE_TIMEOUT
    ini:
      - section: camfleet_credential_store
        key: timeout
    vars:
      - name: camfleet_credential_store_timeout
  store_keep_previous:
    description:
      - "How many previous passwords to keep per account (with when and by whom they were retired)."
      - "Overridden by the same key in O(store)."
    type: int
    default: 5
    env:
      - name: HIKVISION_STORE_KEEP_PREVIOUS
    ini:
      - section: camfleet_credential_store
        key: keep_previous
    vars:
      - name: camfleet_credential_store_keep_previous
'''
