# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs camfleet.hikvision.recovery in-process on the controller (see plugin_utils/isapi_action.py),
with the recovery secrets kept in the credential store:

  * security answers: generated and stored as ``pending`` before the device sees them, marked
    ``configured`` once the device shows all three questions set; a pending set is re-sent as it
    is (the device may or may not have it), never replaced;
  * GUID file: stored with the admin password version it was exported under; it dies with that
    password (docs/developer/recovery-reference.md, §3), so a file of an older version is stale
    and is exported again.

The module returns the GUID file to this plugin only; it is stored and removed from the result.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import secrets

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError
from ansible_collections.camfleet.hikvision.plugins.module_utils.recovery import ANSWERS_KIND, GUID_KIND
from ansible_collections.camfleet.hikvision.plugins.modules.recovery import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.store import same_secret
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.store_action import StoreActionBase

ANSWER_BYTES = 15  # 20 URL-safe characters: far inside the 1-128 answer limit


def new_answers():
    while True:
        answers = [secrets.token_urlsafe(ANSWER_BYTES) for dummy in range(3)]
        if len(set(answers)) == 3:
            return answers


class ActionModule(StoreActionBase):
    SPEC = SPEC

    def _work(self, args, task_vars, tmpdir):
        device = self._device_name(task_vars)
        account = self._account(args)
        store = self._store(args, task_vars)
        password = args.get('password') or self._env('HIKVISION_PASSWORD')
        if not password:
            password = store.current(device, account)  # raises naming the fix
        # The GUID file's validity is tied to the admin password the store knows; a password
        # given by hand that is not the stored one has no version to tie it to.
        version = store.password_version(device, 'admin') if account == 'admin' and same_secret(
            store.record(device, 'admin').current, password) else None

        answers_entry = store.secret(device, ANSWERS_KIND)
        guid_entry = store.secret_info(device, GUID_KIND)
        guid_fresh = bool(guid_entry) and version is not None and \
            guid_entry.get('password_version') == version
        module_args = self._device_args(args, password=password,
                                        export_guid=bool(args.get('export_guid', True)) and not guid_fresh)
        module_args.pop('security_answers', None)
        module_args.pop('answers_mode', None)

        # Capabilities first (check mode costs nothing on the device): answers are only generated
        # and stored for a device that offers questions.
        probe = self._invoke(dict(module_args, export_guid=False), task_vars, tmpdir, check_mode=True)
        if probe.get('failed'):
            return probe
        offers_questions = probe['recovery']['security_questions']['supported']
        answers_state = answers_entry.get('state') if answers_entry else None
        if offers_questions and args.get('security_questions', True):
            if answers_entry is None:
                if not self._task.check_mode:
                    store.set_secret(device, ANSWERS_KIND, new_answers(), state='pending')
                    answers_entry = store.secret(device, ANSWERS_KIND)
                    answers_state = 'pending'
                else:
                    module_args['security_answers'] = new_answers()  # check mode: never stored
                    module_args['answers_mode'] = 'always'
            if answers_entry is not None:
                module_args['security_answers'] = answers_entry['value']
                module_args['answers_mode'] = 'always' if answers_state == 'pending' else 'if_unmarked'

        outcome = self._invoke(module_args, task_vars, tmpdir)
        guid_file = outcome.pop('guid_file', None)
        if outcome.get('failed'):
            return outcome
        methods = outcome['recovery']
        q = methods['security_questions']
        if not self._task.check_mode and answers_state == 'pending' and q.get('ready'):
            store.set_secret(device, ANSWERS_KIND, answers_entry['value'], state='configured')
            outcome['changed'] = True
        if q['supported']:
            # Ready for a reset means the device has them AND the store can give them back.
            q['ready'] = bool(q['ready'] and answers_entry is not None)
            q['stored'] = answers_entry is not None

        g = methods['guid_file']
        if guid_file:
            try:
                store.set_secret(device, GUID_KIND, guid_file, password_version=version)
            except IsapiError as exc:
                raise IsapiError('the device exported a GUID file but the credential store could '
                                 'not keep it (%s); re-run to export another' % exc.args[0],
                                 device=device)
            guid_entry = store.secret_info(device, GUID_KIND)
            guid_fresh = version is not None
        if g['supported'] or guid_entry:
            g['stored'] = bool(guid_entry)
            g['stale'] = bool(guid_entry) and not guid_fresh and not (self._task.check_mode and g['changed'])
            g['ready'] = bool(guid_entry) and guid_fresh or (self._task.check_mode and g['changed'])
            if guid_entry:
                g['exported_at'] = guid_entry.get('set_at')
            if guid_file and version is None:
                self._display.warning(
                    '%s: the GUID file was exported with a password the credential store does not '
                    'hold as the current admin password; whether it stays valid cannot be tracked'
                    % device)
        admin = store.record(device, 'admin').current_entry or {}
        outcome['store'] = {'backend': store.name,
                            ANSWERS_KIND: store.secret_info(device, ANSWERS_KIND),
                            GUID_KIND: store.secret_info(device, GUID_KIND),
                            # what the audit compares the GUID file's export with
                            'admin_password': {'version': store.password_version(device, 'admin'),
                                               'set_at': admin.get('set_at')}}
        return outcome
