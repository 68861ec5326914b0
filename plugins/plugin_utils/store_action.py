# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the action plugins that use the credential store share: opening the store from the
task's ``store`` option (or the ``camfleet_credential_store`` variable) with the run's vault
secrets, and the options that never go to the device-side module."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import (
    STORE_VAR, open_store, resolve_settings,
)
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.isapi_action import (
    IsapiActionBase, task_environment,
)

# Options handled on the controller only; the module (perhaps shipped to a jump host) never
# sees them, so managed hosts need neither the store nor its libraries.
CONTROLLER_OPTIONS = ('store', 'password_from_store', 'password_policy')


class StoreActionBase(IsapiActionBase):

    def _store(self, args, task_vars):
        """The store for this task. Refused under async: the store is updated from the module's
        result, which a background job does not hand back."""
        if self._task.async_val:
            raise IsapiInputError('%s cannot run with async when it uses the credential store: '
                                  'the store is updated from the device\'s answer; run it without '
                                  'async' % self._task.resolved_action)
        given = args.get('store')
        if given is None and task_vars.get(STORE_VAR) is not None:
            given = task_vars.get(STORE_VAR)
        given = self._templar.template(given) if given is not None else None
        # The task's environment: keyword sets HIKVISION_STORE_* as it sets HIKVISION_* for the module.
        with task_environment(self._task_environment()):
            settings = resolve_settings(given)
        vault = self._vault()
        return open_store(settings, vault_secrets=vault.secrets if vault else None)

    @staticmethod
    def _device_args(args, **override):
        """The module's args: controller-only options removed, ``override`` applied."""
        out = dict((k, v) for k, v in args.items() if k not in CONTROLLER_OPTIONS)
        out.update(override)
        return out

    def _env(self, name):
        """An environment variable as the module sees it: the task's environment: keyword first."""
        return self._task_environment().get(name) or os.environ.get(name)

    def _account(self, args):
        """The account the task logs in as, with the module's own fallback (HIKVISION_USERNAME)."""
        return args.get('username') or self._env('HIKVISION_USERNAME') or 'admin'

    def _device_name(self, task_vars):
        return task_vars.get('inventory_hostname')
