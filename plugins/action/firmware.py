# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.firmware: the image lives on the controller. In-process the module streams
it from there; delegated, it is first copied into the remote host's private temp dir."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleError

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.modules.firmware import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.isapi_action import IsapiActionBase


class ActionModule(IsapiActionBase):
    SPEC = SPEC
    NEEDS_REMOTE_TMP = True

    def _prepare_args(self, args, task_vars):
        if args.get('src'):
            try:
                args['src'] = self._find_needle('files', args['src'])
            except AnsibleError as exc:
                raise IsapiInputError('src %s was not found on the controller (%s)' % (
                    args['src'], exc))
        return args

    def _remote_args(self, args, task_vars, tmpdir):
        if args.get('src'):
            remote = self._connection._shell.join_path(tmpdir, 'firmware.img')
            self._transfer_file(args['src'], remote)
            self._fixup_perms2((tmpdir, remote))
            args['src'] = remote
        return args
