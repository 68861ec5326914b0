# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.changelog: the change log and campaign state every role writes.

One JSON line per device and step in <dir>/changelog.jsonl, one state file per device in
<dir>/state/. Hosts run in parallel worker processes: each line is one O_APPEND write (atomic for
lines this short on a local file system), and each state file belongs to one host only.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import getpass
import json
import os
import re
import tempfile

from ansible.plugins.action import ActionBase

from ansible_collections.camfleet.hikvision.plugins.plugin_utils import changelog

SECRET_KEY = re.compile(r'pass|secret|key|token|credential', re.I)
STATUSES = ('ok', 'failed', 'skipped')


def _plain(value):
    if isinstance(value, (bool, int, float)) or value is None or isinstance(value, str):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(v) for v in value)
    return False


def read_state(path):
    try:
        with open(path, encoding='utf-8') as fh:
            return json.load(fh)
    except (IOError, OSError, ValueError):
        return {'completed': []}


def write_state(path, state):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix='.state-')
    with os.fdopen(fd, 'w', encoding='utf-8') as fh:
        json.dump(state, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('dir', 'step', 'status', 'changed', 'complete', 'files', 'details'))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        base = args.get('dir')
        if not base or not isinstance(base, str):
            return dict(result, failed=True, msg='dir is required: the campaign directory on the controller')
        base = os.path.abspath(os.path.expanduser(base))
        host = task_vars.get('inventory_hostname')
        state_path = os.path.join(base, 'state', '%s.json' % host)
        state = read_state(state_path)
        step = args.get('step')
        result.update(changed=False, completed=list(state.get('completed', [])),
                      steps=dict(state.get('steps', {})))
        if not step:
            return result
        status = args.get('status', 'ok')
        if status not in STATUSES:
            return dict(result, failed=True, msg='status must be one of %s, not %r' % (', '.join(STATUSES), status))
        details = args.get('details') or {}
        if not isinstance(details, dict):
            return dict(result, failed=True, msg='details must be a dict of plain values')
        for name, value in details.items():
            if SECRET_KEY.search(str(name)):
                return dict(result, failed=True,
                            msg='details.%s names a secret; the change log never holds one - leave it out' % name)
            if not _plain(value):
                return dict(result, failed=True,
                            msg='details.%s must be a string, number, boolean or a list of them' % name)
        files = [os.path.abspath(str(f)) for f in (args.get('files') or [])]
        entry = changelog.new_entry(getpass.getuser(), host, step, status,
                                    self._to_bool(args.get('changed', False)), details, files)
        if self._task.check_mode:
            return result
        os.makedirs(os.path.dirname(state_path), exist_ok=True)
        changelog.append(base, entry)
        if status == 'ok' and self._to_bool(args.get('complete', True)):
            if step not in result['completed']:
                result['completed'].append(step)
            # The details of the step's last success: what a re-run needs to carry on (the
            # address a full reset left the device at, the firmware it installed).
            result['steps'][step] = details
            state.update(completed=result['completed'], steps=result['steps'])
            write_state(state_path, state)
        result['entry'] = entry
        return result

    @staticmethod
    def _to_bool(value):
        from ansible.module_utils.parsing.convert_bool import boolean
        return boolean(value, strict=False)
