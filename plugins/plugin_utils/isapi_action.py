# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin base: run a module's logic in the controller's worker when the task runs on
the controller, ship the module otherwise.

A module costs about 0.3 CPU-seconds per task per host in process start-up alone; the same logic
in-process costs about 0.02 (ENGINEERING.md §3). When a task is delegated to another host (a jump
host inside a site network) the module must run there, so then the module is executed as usual.
Argument validation, check mode, diff and no_log filtering behave the same on both paths.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os

from ansible.plugins.action import ActionBase

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_in_process

# Forces the shipped-module path even on the controller: how the tests prove both paths agree.
FORCE_MODULE_ENV = 'CAMFLEET_FORCE_MODULE'


class IsapiActionBase(ActionBase):
    """Subclasses set ``SPEC`` (a ModuleSpec)."""

    SPEC = None
    _VALID_ARGS = None

    def _runs_on_controller(self):
        if os.environ.get(FORCE_MODULE_ENV, '').lower() in ('1', 'true', 'yes'):
            return False
        return getattr(self._connection, 'transport', None) in ('local', 'ansible.builtin.local')

    def run(self, tmp=None, task_vars=None):
        result = super(IsapiActionBase, self).run(tmp, task_vars)
        if not self._runs_on_controller():
            result.update(self._execute_module(module_name=self._task.resolved_action,
                                               module_args=self._task.args,
                                               task_vars=task_vars))
            return result

        name = (task_vars or {}).get('inventory_hostname')
        result.update(run_in_process(self.SPEC, self._task.args, check_mode=bool(self._task.check_mode),
                                     diff=bool(self._task.diff), name=name))
        return result
