# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs camfleet.hikvision.harden in-process on the controller (see plugin_utils/isapi_action.py);
with fleet: true, one run_once task converges the whole batch (see plugin_utils/fleet.py)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.action import ActionBase

from ansible_collections.camfleet.hikvision.plugins.modules.harden import SPEC
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.fleet import (
    refuse_unless_possible, run_fleet,
)
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.isapi_action import (
    IsapiActionBase, task_environment,
)
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.rolevars import role_variable_errors


class ActionModule(IsapiActionBase):
    SPEC = SPEC

    def run(self, tmp=None, task_vars=None):
        if not boolean(self._task.args.get('fleet', False), strict=False):
            if boolean(self._task.args.get('check_role_variables', False), strict=False):
                errors = role_variable_errors(self._task, task_vars or {}, self._templar)
                if errors:
                    result = ActionBase.run(self, tmp, task_vars)
                    result.update(failed=True, changed=False, msg='; '.join(errors))
                    return result
            return super(ActionModule, self).run(tmp, task_vars)
        result = ActionBase.run(self, tmp, task_vars)
        try:
            refuse_unless_possible(self)
            workers = int(self._task.args.get('fleet_workers') or 50)
            processes = int(self._task.args.get('fleet_processes') or 0)
            with task_environment(self._task_environment()):
                result.update(run_fleet(self, self.SPEC, task_vars or {}, workers, processes))
        except (AnsibleError, ValueError) as exc:
            result.update(failed=True, changed=False, msg=str(exc))
        return result
