# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the action plugins that use the credential store share: opening the store from the
task's ``store`` option (or the ``camfleet_credential_store`` variable) with the run's vault
secrets, and the options that never go to the device-side module."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import (
    STORE_VAR, open_store, resolve_settings,
)
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.isapi_action import IsapiActionBase

# Options handled on the controller only; the module (perhaps shipped to a jump host) never
# sees them, so managed hosts need neither the store nor its libraries.
CONTROLLER_OPTIONS = ('store', 'password_from_store', 'password_policy')


class StoreActionBase(IsapiActionBase):

    def _store(self, args, task_vars):
        given = args.get('store')
        if given is None and task_vars.get(STORE_VAR) is not None:
            given = task_vars.get(STORE_VAR)
        given = self._templar.template(given) if given is not None else None
        return open_store(resolve_settings(given), vault_secrets=(self._vault().secrets if self._vault()
                                                                  else None))

    @staticmethod
    def _device_args(args, **override):
        """The module's args: controller-only options removed, ``override`` applied."""
        out = dict((k, v) for k, v in args.items() if k not in CONTROLLER_OPTIONS)
        out.update(override)
        return out

    @staticmethod
    def _account(args):
        """The account the task logs in as, with the module's own fallback (HIKVISION_USERNAME)."""
        return args.get('username') or os.environ.get('HIKVISION_USERNAME') or 'admin'

    def _device_name(self, task_vars):
        return task_vars.get('inventory_hostname')
