# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.credential_import: the store is read before and written after the one
login, on the controller; the login itself runs in-process or as the shipped module."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.module_utils.credcheck import password_required
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError
from ansible_collections.camfleet.hikvision.plugins.module_utils.onvif import store_key
from ansible_collections.camfleet.hikvision.plugins.modules.credential_import import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.store import same_secret
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.store_action import StoreActionBase


class ActionModule(StoreActionBase):
    SPEC = SPEC

    def _work(self, args, task_vars, tmpdir):
        device = self._device_name(task_vars)
        account = self._account(args)
        if args.get('onvif'):
            account = store_key(account)  # the ONVIF account's own entry (module_utils/onvif.py)
        password = args.get('password') or self._env('HIKVISION_PASSWORD')
        if not password:
            raise password_required(account, device=device)
        store = self._store(args, task_vars)
        record = store.record(device, account)
        result = {'confirmed': False, 'imported': False}
        if record.pending is not None:
            raise IsapiError(
                'the %s credential store holds a pending password for %r (run %s): a change was '
                'interrupted. Reconcile it by re-running that change; the import does not touch '
                'the device meanwhile' % (store.name, account, record.pending_entry.get('run_id')),
                device=device, **result)
        if record.current is not None:
            if password and same_secret(record.current, password):
                result.update(changed=False, store={'backend': store.name, 'state': 'current'},
                              msg='the %s credential store already holds this password for %r; '
                                  'nothing sent' % (store.name, account))
                return result
            raise IsapiError(
                'the %s credential store already holds another current password for %r (set %s '
                'by %s); the import never overwrites it and did not contact the device. If the '
                'inventory value is the right one, remove the device from the store first' % (
                    store.name, account, record.current_entry.get('set_at'),
                    record.current_entry.get('set_by')), device=device, **result)

        outcome = self._invoke(self._device_args(args), task_vars, tmpdir)
        if outcome.get('failed'):
            outcome.update(result)
            outcome['msg'] = ('%s. Not imported: the password of %r could not be confirmed with '
                              'one login and was not tried again; fix the inventory value (or the '
                              'device) and re-run for this device' % (outcome.get('msg'), account))
            return outcome
        outcome['confirmed'] = True
        if self._task.check_mode:
            outcome.update(changed=True, imported=False,
                           msg='%s; it would be imported into the %s credential store' % (
                               outcome['msg'], store.name))
            return outcome
        store.set_pending(device, account, password)
        store.promote(device, account, expect=password)
        outcome.update(changed=True, imported=True, store={'backend': store.name, 'state': 'current'},
                       msg='%s and imported as the current password in the %s credential store' % (
                           outcome['msg'], store.name))
        return outcome
