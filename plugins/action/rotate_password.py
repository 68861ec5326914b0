# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.rotate_password: the store and the device in one task, on the controller.
The steps and why they are safe: plugins/plugin_utils/rotation.py."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.module_utils import onvif
from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import check_connection
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError, IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_in_process
from ansible_collections.camfleet.hikvision.plugins.modules.rotate_password import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils import changelog
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.store import actor, run_id
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.passwords import resolve_policy
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.rotation import (
    DeviceRotation, age_days,
)
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.store_action import StoreActionBase


def append_changelog(directory, device, report, store):
    """One change-log line per account (plugin_utils/changelog.py: the roles' format)."""
    details = {'account': report['account'], 'store_backend': store.name,
               'store_revision': report.get('store_revision'), 'run_id': run_id(),
               'reconciled': bool(report.get('reconciled')), 'skipped': bool(report.get('skipped'))}
    if report.get('guid_file'):
        details['guid_file'] = report['guid_file']
    changelog.append(directory, changelog.new_entry(
        actor(), device, 'rotate_password', 'failed' if report.get('error') else 'ok',
        report.get('rotated'), details))


def managed_accounts(params):
    """The store keys to rotate: the ISAPI accounts, then onvif:<name> for each ONVIF account."""
    for name in params['accounts']:
        if name.startswith(onvif.STORE_PREFIX):
            raise IsapiInputError('accounts: %r names an ONVIF account; list ONVIF accounts by '
                                  'name in onvif_accounts (onvif_accounts: [%s])' % (
                                      name, onvif.account_name(name)))
    keys = list(params['accounts'])
    for name in params['onvif_accounts']:
        if not name or not name.strip():
            raise IsapiInputError('onvif_accounts: an empty name; give the ONVIF user names')
        if onvif.store_key(name) in keys:
            raise IsapiInputError('onvif_accounts: %r is listed twice' % name)
        keys.append(onvif.store_key(name))
    return keys


class ActionModule(StoreActionBase):
    SPEC = SPEC
    _supports_async = False

    def _work(self, args, task_vars, tmpdir):
        if not self._runs_on_controller():
            raise IsapiError('camfleet.hikvision.rotate_password runs on the controller only (the '
                             'store and the device in one task): use connection: local and no '
                             'delegate_to', device=self._device_name(task_vars))
        store = self._store(args, task_vars)
        device = self._device_name(task_vars)
        check_mode = bool(self._task.check_mode)

        def run(task):
            params = task.params
            check_connection(params)  # named before the store or the device is used
            policy = resolve_policy(params.get('password_policy'))
            accounts = managed_accounts(params)
            if check_mode:
                reports = []
                for account in accounts:
                    record = store.record(device, account)
                    age = age_days(record.current_entry)
                    due = record.pending is not None or age is None or age >= params['min_age']
                    reports.append({'account': account, 'age_days': age, 'would_rotate': due,
                                    'pending': record.pending is not None})
                return {'changed': any(r['would_rotate'] for r in reports), 'accounts': reports,
                        'rotated': [], 'msg': 'check mode: nothing sent to the device, the store '
                                              'not written'}
            rotation = DeviceRotation(store, device, params, policy, min_age=params['min_age'],
                                      stop_after=params.get('stop_after'))
            reports, errors = rotation.run(accounts)  # Interrupted (tests) ends the task here
            if params.get('changelog'):
                for report in reports:
                    if report.get('rotated') or report.get('reconciled') or report.get('error'):
                        append_changelog(params['changelog'], device, report, store)
            rotated = [r['account'] for r in reports if r.get('rotated')]
            result = {'changed': bool(rotated or any(r.get('reconciled') for r in reports)),
                      'accounts': reports, 'rotated': rotated}
            if errors:
                raise IsapiError('rotation failed for %s' % '; '.join(errors), device=device, **result)
            result['msg'] = 'rotated %s' % (', '.join(rotated) or 'nothing')
            return result

        spec = ModuleSpec({}, run)
        # The admin password comes from the store, not from the task's password option.
        spec.needs_password = False
        spec.argument_spec = self.SPEC.argument_spec
        spec.kwargs = self.SPEC.kwargs
        return run_in_process(spec, args, check_mode=check_mode, name=device)
