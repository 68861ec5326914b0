# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.config_restore: the backup is read, checked and decrypted on the
controller; in-process its content goes to the device from memory, delegated it is transferred
into the remote host's private temp dir first.

With ``password_from_store`` the import is wrapped in the store's discipline (as activate and
rotate_password), because an import gives the device the accounts of the backup:
  1. the admin password the backup carries is found in the store's history: the version the
     backup recorded (config_backup writes it to the snapshot), else the one current when the
     backup was taken. A history that no longer holds it stops the task before anything is sent;
  2. that password is written to the store as pending (marked ``restored_from``) before the
     import, while the current one (the activation password) stays current;
  3. the import is sent with the current password, then one login with the backup's password
     proves it; proved, it is promoted (the activation password goes to the history). Refused
     before the import, it is discarded; in any other case it stays pending;
  4. a re-run with such a pending password logs in with it once: accepted, it is promoted and
     nothing is imported again; refused, it is discarded and the import made afresh.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible.errors import AnsibleError

import os

from ansible_collections.camfleet.hikvision.plugins.module_utils.backup import (
    backup_time, latest_backup_under, read_snapshot, run_config_restore, sidecars, verify_checksum,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError, IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.modules.config_restore import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.store import same_secret
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.store_action import StoreActionBase

# Failures in which the backup never reached the device (refused before or by the import).
NOT_SENT = ('IsapiInputError',)


class ActionModule(StoreActionBase):
    SPEC = SPEC
    NEEDS_REMOTE_TMP = True

    def _prepare_args(self, args, task_vars):
        args.pop('_staging_path', None)  # internal: only this plugin sets these
        args.pop('_checksum', None)
        self._content = self._checksum = None
        if not args.get('src'):
            return args
        src = os.path.expanduser(args['src'])
        if os.path.isdir(src):
            found = latest_backup_under(src, task_vars.get('inventory_hostname') or args.get('host'))
            if found is None:
                raise IsapiInputError('src %s holds no backup of %s (files <device>_<stamp>.cfg, '
                                      'as config_backup names them); nothing was sent' % (
                                          src, task_vars.get('inventory_hostname')))
            args['src'] = found
        try:
            args['src'] = self._find_needle('files', args['src'])
        except AnsibleError as exc:
            raise IsapiInputError('src %s was not found on the controller (%s)' % (args['src'], exc))
        with open(args['src'], 'rb') as stored:
            data = stored.read()
        self._checksum = verify_checksum(args['src'], data)
        intact = os.path.isfile(sidecars(args['src'])[0])
        if intact:
            # Lets a refused key be told apart from a damaged file (the file is intact).
            args['_checksum'] = self._checksum
        try:
            self._content = self._vault_decrypt(data, args['src'])
        except IsapiError as exc:
            if intact:
                why = ('the file is intact (it matches its checksum file), so the vault secret '
                       'is not the one it was written with')
            else:
                why = ('the vault secret is not the one it was written with, or the file is '
                       'damaged (there is no checksum file %s to tell which)' % sidecars(args['src'])[0])
            raise IsapiInputError('%s: %s' % (exc.args[0], why))
        return args

    def _in_process_spec(self, args, task_vars):
        spec = copy.copy(self.SPEC)
        content = self._content
        spec.run = lambda task: run_config_restore(task, content=content)
        return spec

    def _remote_args(self, args, task_vars, tmpdir):
        args = dict(args)
        remote = self._connection._shell.join_path(tmpdir, 'restore.bin')
        self._transfer_data(remote, self._content)
        self._fixup_perms2((tmpdir, remote))
        args['_staging_path'] = remote
        return args

    def _finish(self, outcome, args, task_vars, tmpdir):
        if self._checksum:
            outcome['checksum'] = self._checksum
        if args.get('src'):
            outcome['src'] = args['src']
        return outcome

    # -- password_from_store ----------------------------------------------------------------------
    def _work(self, args, task_vars, tmpdir):
        if not args.get('password_from_store'):
            return self._invoke(self._device_args(args), task_vars, tmpdir)
        device = self._device_name(task_vars)
        account = self._account(args)
        store = self._store(args, task_vars)
        record = store.record(device, account)
        if record.pending is not None and not record.pending_entry.get('restored_from'):
            raise IsapiError('the %s credential store holds a pending password for %r from another '
                             'change (run %s); reconcile it first by re-running that change '
                             '(activate, rotate_password); nothing was sent' % (
                                 store.name, account, record.pending_entry.get('run_id')),
                             device=device)
        current = store.current(device, account)  # raises naming the fix
        password, entry, how = self._backup_password(store, device, account, args['src'])
        version = store.password_version_of(entry)
        info = {'backend': store.name, 'restored_from': version, 'found_by': how,
                'restored_since': entry.get('promoted_at') or entry.get('set_at')}
        base = self._device_args(args)
        base.pop('backup_password', None)

        if record.pending is not None:
            # An interrupted restore: an import that was sent has almost always taken, so the
            # pending password first - one login, and the import is not sent again if it works.
            outcome = self._invoke(dict(base, password=record.pending), task_vars, tmpdir)
            if self._task.check_mode:
                return outcome
            if not outcome.get('failed'):
                store.promote(device, account, expect=record.pending)
                outcome.update(changed=True, store=dict(info, state='current', reconciled=True))
                outcome['msg'] = ('%s; the device has the backup\'s admin password (pending from an '
                                  'interrupted restore): now the current one in the %s credential '
                                  'store' % (outcome['msg'], store.name))
                return outcome
            if outcome.get('error') != 'IsapiAuthError':
                outcome['store'] = dict(info, state='pending', reconciled=True)
                return outcome
            store.discard(device, account, expect=record.pending)
            outcome_note = 'the interrupted restore had not reached the device (one refused login); '
        else:
            outcome_note = ''

        if same_secret(current, password):
            # The store's current password is the backup's: an import changes no credential.
            outcome = self._invoke(dict(base, password=current), task_vars, tmpdir)
            outcome['store'] = dict(info, state='current', reconciled=bool(outcome_note))
            return outcome
        if self._task.check_mode:
            outcome = self._invoke(dict(base, password=current, backup_password=password),
                                   task_vars, tmpdir)
            outcome['store'] = dict(info, state='current')
            return outcome
        store.set_pending(device, account, password, restored_from=version)  # raises: nothing sent
        outcome = self._invoke(dict(base, password=current, backup_password=password), task_vars, tmpdir)
        if not outcome.get('failed') and outcome.get('session_password') == 'backup_password':
            store.promote(device, account, expect=password)
            outcome['store'] = dict(info, state='current', reconciled=bool(outcome_note))
            outcome['msg'] = '%s%s; one login proved the backup\'s admin password, now the current ' \
                'one in the %s credential store (the one before it stays in its history)' % (
                    outcome_note, outcome['msg'], store.name)
            return outcome
        if not outcome.get('failed') or outcome.get('error') in NOT_SENT:
            # Nothing imported (the device already equals the backup, or it refused the file):
            # the device keeps the current password.
            store.discard(device, account, expect=password)
            outcome['store'] = dict(info, state='discarded')
            return outcome
        outcome['store'] = dict(info, state='pending')
        outcome['msg'] = '%s. The backup\'s admin password stays pending in the %s credential ' \
            'store: the device may have it; re-run this task to settle it with one login' % (
                outcome.get('msg'), store.name)
        return outcome

    @staticmethod
    def _backup_password(store, device, account, src):
        """(password, its history entry, how it was found) for the admin password the backup
        at ``src`` carries; raises when the store's history cannot say."""
        credential = read_snapshot(src).get('credential') or {}
        if credential.get('password_version') and credential.get('account', account) == account:
            found = store.password_at(device, account, version=credential['password_version'])
            how, what = 'version', 'version %s' % credential['password_version']
        else:
            when = backup_time(src)
            if when is None:
                raise IsapiInputError('src %s says neither which stored password it carries nor '
                                      'when it was taken; nothing was sent' % src, device=device)
            found = store.password_at(device, account, when=when)
            how, what = 'time', 'the one current at %s, when the backup was taken' % when
        if found is None:
            raise IsapiError(
                'the %s credential store no longer holds the password of %r the backup %s carries '
                '(%s; the history keeps store.keep_previous=%d entries). Importing it would give '
                'the device a password the store does not hold; nothing was sent' % (
                    store.name, account, src, what, store.keep_previous), device=device)
        return found[0], found[1], how
