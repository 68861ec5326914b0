# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.config_backup: the export is stored on the controller, vault-encrypted.

In-process, the export goes from the device straight to the encrypting writer in memory. When
the module runs on another host it leaves the export in that host's private temp dir, from where
it is read back with slurp (into memory, never onto the controller's disk)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import copy
import datetime
import os

from ansible_collections.camfleet.hikvision.plugins.module_utils.backup import (
    run_config_backup, store_backup,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError, IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.modules.config_backup import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import STORE_VAR
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.store import same_secret
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.store_action import StoreActionBase

NO_VAULT = ('config_backup stores the device configuration (which contains its passwords) '
            'vault-encrypted, but this run has no vault secret: pass --vault-password-file (or '
            '--vault-id), or set encryption: device with a secret_key to use the device\'s own '
            'export encryption')


class ActionModule(StoreActionBase):
    SPEC = SPEC
    NEEDS_REMOTE_TMP = True

    def _prepare_args(self, args, task_vars):
        args.pop('_staging_path', None)  # internal: only this plugin sets it
        dest = args.get('dest')
        if dest:
            dest = os.path.expanduser(dest)
            if not os.path.isabs(dest):
                dest = os.path.join(self._loader.get_basedir(), dest)
            args['dest'] = dest
        if args.get('encryption', 'vault') == 'vault' and self._vault() is None:
            raise IsapiInputError(NO_VAULT)
        return args

    def _keeper(self, args, task_vars):
        """Stores an export on the controller (see module_utils/backup.store_backup)."""
        name = task_vars.get('inventory_hostname') or args.get('host')
        check_mode = bool(self._task.check_mode)

        def encrypt(content):
            return self._vault_encrypt(content) if self._vault() is not None else content

        def decrypt(data):
            try:
                return self._vault_decrypt(data, args['dest'])
            except IsapiError:
                return None  # not readable with this run's secrets: counts as different

        credential = self._credential(args, task_vars)

        def keep(content, snapshot):
            # What a restore needs to know which stored password the backup carries (no secret).
            snapshot['taken_at'] = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')
            if credential:
                snapshot['credential'] = credential
            return store_backup(args['dest'], name, content, snapshot, encrypt, decrypt,
                                check_mode=check_mode)
        return keep

    def _credential(self, args, task_vars):
        """The store's version of the password this task logs in with, when the run has a
        credential store (camfleet_credential_store) that holds it: the export carries the
        device's accounts, so this is the password a restore of it gives back. None otherwise."""
        if task_vars.get(STORE_VAR) is None:
            return None
        device = self._device_name(task_vars)
        account = self._account(args)
        password = args.get('password') or self._env('HIKVISION_PASSWORD')
        try:
            store = self._store({}, task_vars)
            record = store.record(device, account)
        except IsapiError as exc:
            self._display.warning('%s: the backup records no credential version: the credential '
                                  'store cannot be read (%s)' % (device, exc.args[0]))
            return None
        for entry in [record.current_entry] + record.previous_entries:
            if entry and same_secret(entry['password'], password):
                return {'account': account, 'password_version': store.password_version_of(entry),
                        'store_backend': store.name, 'store_revision': store.revision(device)}
        return None

    def _in_process_spec(self, args, task_vars):
        keep = self._keeper(args, task_vars)
        spec = copy.copy(self.SPEC)
        spec.run = lambda task: run_config_backup(task, keep=keep)
        return spec

    def _remote_args(self, args, task_vars, tmpdir):
        args = dict(args)
        args['_staging_path'] = self._connection._shell.join_path(tmpdir, 'export.bin')
        return args

    def _finish(self, outcome, args, task_vars, tmpdir):
        if tmpdir is None or outcome.get('failed'):
            return outcome
        slurped = self._execute_module(module_name='ansible.builtin.slurp',
                                       module_args={'src': args['_staging_path']},
                                       task_vars=task_vars)
        if slurped.get('failed'):
            raise IsapiError('could not read the export back from the remote host: %s'
                             % slurped.get('msg'))
        content = base64.b64decode(slurped['content'])
        snapshot = outcome.pop('snapshot_data')
        outcome.pop('size', None)
        outcome.update(self._keeper(args, task_vars)(content, snapshot))
        return outcome
