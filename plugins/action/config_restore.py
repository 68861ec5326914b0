# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.config_restore: the backup is read, checked and decrypted on the
controller; in-process its content goes to the device from memory, delegated it is transferred
into the remote host's private temp dir first."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible.errors import AnsibleError

import os

from ansible_collections.camfleet.hikvision.plugins.module_utils.backup import (
    run_config_restore, sidecars, verify_checksum,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError, IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.modules.config_restore import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.isapi_action import IsapiActionBase


class ActionModule(IsapiActionBase):
    SPEC = SPEC
    NEEDS_REMOTE_TMP = True

    def _prepare_args(self, args, task_vars):
        args.pop('_staging_path', None)  # internal: only this plugin sets these
        args.pop('_checksum', None)
        self._content = self._checksum = None
        if not args.get('src'):
            return args
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
        return outcome
