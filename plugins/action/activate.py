# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs camfleet.hikvision.activate in-process on the controller (see plugin_utils/isapi_action.py).

With ``password_from_store`` the controller wraps the module in the store's discipline, so no
interruption leaves a device with a password nobody knows:
  1. a pending password from an interrupted run is reconciled first, never replaced: the module
     activates an inactive device with it, or proves it with one login on an active one;
  2. otherwise the device's activation state is probed (status query, no credential); only an
     inactive device gets a new generated password, written to the store as pending before the
     activation is sent (no write, no activation);
  3. a password proved on the device is promoted; one proved wrong is discarded; in any other
     failure it stays pending for the next run to reconcile.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError
from ansible_collections.camfleet.hikvision.plugins.modules.activate import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.passwords import generate, resolve_policy
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.store_action import StoreActionBase

ACCOUNT = 'admin'
# Answers in which the device itself said no to the activation: the password is not on it.
REFUSED_PATHS = ('/ISAPI/Security/challenge', '/ISAPI/System/activate')


class ActionModule(StoreActionBase):
    SPEC = SPEC

    def _work(self, args, task_vars, tmpdir):
        if not args.get('password_from_store'):
            return self._invoke(self._device_args(args), task_vars, tmpdir)
        device = self._device_name(task_vars)
        store = self._store(args, task_vars)
        policy = resolve_policy(args.get('password_policy'))
        record = store.record(device, ACCOUNT)
        if record.pending is not None:
            outcome = self._invoke(self._device_args(args, password=record.pending,
                                                     verify_if_active=True), task_vars, tmpdir)
            return self._settle(store, device, record.pending, outcome, reconciling=True)

        candidate = generate(ACCOUNT, policy, avoid=record.known())
        # Check mode sends the unauthenticated status query only, whatever the password.
        probe = self._invoke(self._device_args(args, password=candidate), task_vars, tmpdir,
                             check_mode=True)
        if probe.get('failed'):
            return probe
        if not probe.get('changed'):
            if record.current is None:
                raise IsapiError(
                    'device is already activated and the %s credential store holds no admin '
                    'password for it: import the password it has with '
                    'playbooks/import_credentials.yml (camfleet.hikvision.credential_import); '
                    'nothing was sent but the status query' % store.name, device=device)
            return {'changed': False, 'activated': True,
                    'store': {'backend': store.name, 'state': 'current', 'reconciled': False},
                    'msg': 'device is already activated and the credential store holds its admin '
                           'password; nothing sent but the status query'}
        if self._task.check_mode:
            probe['msg'] = ('device would be activated with a new generated admin password, '
                            'stored as pending in the %s credential store first' % store.name)
            return probe
        store.set_pending(device, ACCOUNT, candidate)  # raises: the device is not touched
        outcome = self._invoke(self._device_args(args, password=candidate), task_vars, tmpdir)
        return self._settle(store, device, candidate, outcome, reconciling=False)

    def _settle(self, store, device, password, outcome, reconciling):
        if self._task.check_mode:
            return outcome
        if not outcome.get('failed'):
            try:
                store.promote(device, ACCOUNT, expect=password)
            except IsapiError as exc:
                raise IsapiError('the device is activated with the new admin password, but the '
                                 'credential store could not promote it (%s). It stays pending '
                                 'there: fix the store and re-run this task to reconcile it with '
                                 'one login' % exc.args[0], device=device)
            outcome['store'] = {'backend': store.name, 'state': 'current', 'reconciled': reconciling}
            outcome['msg'] = '%s; the admin password is now the current one in the %s credential ' \
                'store' % (outcome.get('msg', 'done'), store.name)
            if reconciling:
                outcome['changed'] = True  # the store changed: pending became current
            return outcome
        refused = outcome.get('password_refused') or (
            outcome.get('error') == 'IsapiStatusError' and outcome.get('path') in REFUSED_PATHS)
        if refused:
            store.discard(device, ACCOUNT, expect=password)
            outcome['store'] = {'backend': store.name, 'state': 'discarded', 'reconciled': reconciling}
            outcome['msg'] = '%s. The pending admin password was discarded from the %s credential ' \
                'store: the device does not have it' % (outcome.get('msg'), store.name)
        else:
            outcome['store'] = {'backend': store.name, 'state': 'pending', 'reconciled': reconciling}
            outcome['msg'] = '%s. The admin password stays pending in the %s credential store: the ' \
                'device may have it; re-run this task to reconcile (one login, or the same ' \
                'password if the device is still inactive)' % (outcome.get('msg'), store.name)
        return outcome
