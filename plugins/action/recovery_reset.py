# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs camfleet.hikvision.recovery_reset in-process on the controller, wrapped in the store's
discipline (as activate):
  1. a pending admin password from an interrupted run is reconciled first with one login, never
     reset over;
  2. a reset lock window the store recorded is honoured locally: nothing is sent until it ends
     (docs/developer/recovery-reference.md, §8);
  3. the secret: the GUID file if the store holds one exported under the current stored password
     (it dies with that password, §3), else the configured security answers; or what came from
     outside (the vendor flow): support's key, or the e-mail / Hik-Connect verification code;
  4. a new generated password is written to the store as pending, the reset sent once, the login
     proof made; proved → promoted, refused → discarded, anything else → stays pending.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError
from ansible_collections.camfleet.hikvision.plugins.modules.recovery_reset import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.passwords import generate, resolve_policy
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.store_action import StoreActionBase

ACCOUNT = 'admin'
LOCK_KIND = 'reset_lock'
FMT = '%Y-%m-%dT%H:%M:%SZ'


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


class ActionModule(StoreActionBase):
    SPEC = SPEC

    def _work(self, args, task_vars, tmpdir):
        device = self._device_name(task_vars)
        store = self._store(args, task_vars)
        record = store.record(device, ACCOUNT)
        base = self._device_args(args)
        for key in ('guid', 'answers', 'proof_only', 'password', 'support_key', 'verification_code'):
            base.pop(key, None)

        def state(name, **extra):
            return dict({'backend': store.name, 'state': name}, **extra)

        if record.pending is not None:
            outcome = self._invoke(dict(base, password=record.pending, proof_only=True,
                                        method='guid'), task_vars, tmpdir)
            if self._task.check_mode:
                return outcome
            if outcome.get('failed'):
                if outcome.get('error') in ('IsapiAuthError',):
                    store.discard(device, ACCOUNT, expect=record.pending)
                    outcome['store'] = state('discarded', reconciled=True)
                else:
                    outcome['store'] = state('pending', reconciled=True)
                return outcome
            store.promote(device, ACCOUNT, expect=record.pending)
            outcome.update(changed=True, store=state('current', reconciled=True),
                           msg='the pending admin password of an interrupted reset works on the '
                               'device; promoted to current, nothing reset again')
            return outcome

        lock = store.secret_info(device, LOCK_KIND)
        if lock and lock.get('until') and lock['until'] > _utcnow().strftime(FMT):
            raise IsapiError('the device refuses password resets until %s (recorded by an earlier '
                             'run after wrong attempts); nothing sent. Re-run after that time'
                             % lock['until'], device=device, lock={'until': lock['until']},
                             store=state('current' if record.current else 'none'))

        method = args.get('method') or 'auto'
        if method == 'key' and not args.get('support_key'):
            raise IsapiError('method=key needs support_key: the key Hikvision support returned for '
                             'the exported request', device=device)
        if method == 'email_code' and not (args.get('verification_code') or '').strip():
            raise IsapiError('method=email_code needs verification_code: the code the reserved '
                             'mailbox received (or the Hik-Connect app showed) for the exported QR '
                             'code', device=device)
        guid = store.secret(device, 'guid_file')
        version = store.password_version(device, ACCOUNT)
        guid_ok = bool(guid) and version is not None and guid.get('password_version') == version
        answers = store.secret(device, 'security_answers')
        answers_ok = bool(answers) and answers.get('state') == 'configured'
        if method == 'auto':
            method = 'guid' if guid_ok else ('answers' if answers_ok else None)
        if method in ('key', 'email_code'):
            pass  # the vendor flow: the key or code comes from outside, not from the store
        elif method is None or (method == 'guid' and not guid_ok) or (method == 'answers' and not answers_ok):
            raise IsapiError(
                'the %s credential store holds no usable recovery secret for this device (GUID '
                'file valid for the current password: %s; security answers configured: %s), so a '
                'self-service reset is not possible; nothing sent. Use the vendor flow '
                '(playbooks/recover_password.yml) or the reset button' % (
                    store.name, 'yes' if guid_ok else ('stale' if guid else 'none'),
                    'yes' if answers_ok else 'no'), device=device)
        secret = {'guid': {'guid': guid['value'] if guid else None},
                  'answers': {'answers': answers['value'] if answers else None},
                  'key': {'support_key': args.get('support_key')},
                  'email_code': {'verification_code': args.get('verification_code')}}[method]

        candidate = generate(ACCOUNT, resolve_policy(args.get('password_policy')), avoid=record.known())
        if self._task.check_mode:
            outcome = self._invoke(dict(base, password=candidate, method=method, **secret),
                                   task_vars, tmpdir)
            outcome['store'] = state('current' if record.current else 'none')
            return outcome
        store.set_pending(device, ACCOUNT, candidate)  # raises: nothing is sent
        outcome = self._invoke(dict(base, password=candidate, method=method, **secret), task_vars, tmpdir)
        if not outcome.get('failed'):
            store.promote(device, ACCOUNT, expect=candidate)
            store.set_secret(device, LOCK_KIND, 'none', until='')
            outcome['store'] = state('current', reconciled=False)
            outcome['msg'] += '; the new admin password is the current one in the %s credential store' % store.name
            return outcome
        if outcome.get('refused'):
            store.discard(device, ACCOUNT, expect=candidate)
            outcome['store'] = state('discarded')
            minutes = outcome.get('lock_minutes')
            if minutes:
                until = (_utcnow() + datetime.timedelta(minutes=int(minutes))).strftime(FMT)
                store.set_secret(device, LOCK_KIND, 'locked', until=until)
                outcome['lock'] = {'until': until}
            outcome['msg'] += '. The pending password was discarded: the device did not take it'
        else:
            outcome['store'] = state('pending')
            outcome['msg'] += ('. The new admin password stays pending in the %s credential store: '
                               'the device may have it; re-run this task to prove it with one login'
                               % store.name)
        return outcome
