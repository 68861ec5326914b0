# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The credential store: one interface, two backends (ansible-vault files, Vault/OpenBao KV v2).

Controller-side on purpose, hence plugin_utils and not module_utils: the file backend needs
ansible-vault (``ansible.parsing.vault``), which is controller code that AnsiballZ does not ship
to managed hosts, and the vault backend needs ``hvac`` only where the store is used. The
plugins that use the store (the ``credential`` lookup, the ``activate`` and
``credential_import`` action plugins) all run in the controller's worker; when such a task is
delegated to a jump host, only the device part (a plain module) runs there, with the password
the controller read from the store, so managed hosts never need the store or its libraries.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.config import (  # noqa: F401
    STORE_VAR, resolve_settings,
)
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.store import (  # noqa: F401
    CredentialStore, CredentialStoreError, CredentialNotFound, open_store,
)
