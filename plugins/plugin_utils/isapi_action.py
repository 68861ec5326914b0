# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin base: run a module's logic in the controller's worker when the task runs on
the controller, ship the module otherwise.

A module costs about 0.3 CPU-seconds per task per host in process start-up alone; the same logic
in-process costs about 0.02 (docs/developer/design.md, §3). When a task is delegated to another host (a jump
host inside a site network) the module must run there, so then the module is executed as usual.
Argument validation, check mode, diff and no_log filtering behave the same on both paths.

Modules with controller-side files (firmware images, backups) override the hooks below; the
defaults leave a plain module untouched.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import os

from ansible.errors import AnsibleError
from ansible.plugins.action import ActionBase

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_in_process

# Forces the shipped-module path even on the controller: how the tests prove both paths agree.
FORCE_MODULE_ENV = 'CAMFLEET_FORCE_MODULE'


class IsapiActionBase(ActionBase):
    """Subclasses set ``SPEC`` (a ModuleSpec)."""

    SPEC = None
    _VALID_ARGS = None
    # async: runs the shipped module under Ansible's async wrapper on either path (the in-process
    # run has no job to poll). Modules moving files through a remote temp dir refuse it below.
    _supports_async = True

    def _runs_on_controller(self):
        if os.environ.get(FORCE_MODULE_ENV, '').lower() in ('1', 'true', 'yes'):
            return False
        return getattr(self._connection, 'transport', None) in ('local', 'ansible.builtin.local')

    # -- hooks for controller-side work (defaults: none) ------------------------------------------
    def _prepare_args(self, args, task_vars):
        """Controller-side checks and rewrites of the task's args before either path runs
        (resolve controller paths, refuse what cannot work). Raise IsapiError to fail."""
        return args

    def _in_process_spec(self, args, task_vars):
        """The ModuleSpec run in-process; a subclass may bind controller-side helpers to it."""
        return self.SPEC

    def _remote_args(self, args, task_vars, tmpdir):
        """Args for the shipped module, given a private remote temp dir (for transfers)."""
        return args

    def _finish(self, outcome, args, task_vars, tmpdir):
        """Controller-side work on the result (tmpdir is the remote temp dir, or None)."""
        return outcome

    NEEDS_REMOTE_TMP = False

    # -- ansible-vault with the run's own secrets (backups) ---------------------------------------
    def _vault(self):
        """The run's VaultLib when a vault secret was given (--vault-password-file, --vault-id,
        ...), else None."""
        vault = getattr(self._loader, '_vault', None)
        return vault if vault is not None and vault.secrets else None

    def _vault_encrypt(self, data):
        vault = self._vault()
        if vault is None:
            raise AnsibleError('no vault secret is configured for this run')
        return vault.encrypt(data)

    def _vault_decrypt(self, data, path):
        """Plain bytes of a stored file: vault files are decrypted, anything else is returned
        as it is (a device-encrypted export stored without vault)."""
        if not data.startswith(b'$ANSIBLE_VAULT'):
            return data
        vault = self._vault()
        if vault is None:
            raise IsapiError('%s is vault-encrypted but this run has no vault secret: pass '
                             '--vault-password-file (or --vault-id) with the secret it was '
                             'written with' % path)
        try:
            return vault.decrypt(data)
        except AnsibleError as exc:
            raise IsapiError('cannot decrypt %s with this run\'s vault secrets (%s)' % (path, exc))

    # -- running the module's logic ---------------------------------------------------------------
    def _invoke(self, args, task_vars, tmpdir=None, check_mode=None):
        """Run the module's logic once: in-process on the controller, shipped otherwise
        (``args`` already went through _remote_args on that path).
        ``check_mode`` overrides the task's (a controller-side step may first probe the device
        without changing it)."""
        check = bool(self._task.check_mode) if check_mode is None else bool(check_mode)
        if self._task.async_val or not self._runs_on_controller():
            saved = self._task.check_mode
            self._task.check_mode = check
            try:
                # Ansible's async wrapper runs a module process; the in-process path has none.
                return self._execute_module(module_name=self._task.resolved_action,
                                            module_args=args, task_vars=task_vars,
                                            wrap_async=bool(self._task.async_val))
            finally:
                self._task.check_mode = saved
        with task_environment(self._task_environment()):
            return run_in_process(self._in_process_spec(args, task_vars), args, check_mode=check,
                                  diff=bool(self._task.diff),
                                  name=task_vars.get('inventory_hostname'))

    def _work(self, args, task_vars, tmpdir):
        """The task's work between _prepare_args and _finish: one module run by default; action
        plugins that do controller-side steps around it (the credential store) override this."""
        return self._invoke(args, task_vars, tmpdir)

    # ------------------------------------------------------------------------------------------
    def _task_environment(self):
        """The task's ``environment:`` keyword, templated, as strings (what the module path
        exports to the module's process)."""
        environment = {}
        self._compute_environment_string(environment)
        return dict((str(k), str(v)) for k, v in environment.items())

    def run(self, tmp=None, task_vars=None):
        result = super(IsapiActionBase, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        tmpdir = None
        try:
            if self._task.async_val and self.NEEDS_REMOTE_TMP:
                # Its files live in a remote temp dir this run removes; a background job would
                # lose them. Refused alike on both paths.
                raise AnsibleError('%s does not support async: it moves files between the '
                                   'controller and the device host; run it without async (its '
                                   'own timeouts bound the wait)' % self._task.resolved_action)
            args = self._prepare_args(dict(self._task.args), task_vars)
            if not self._task.async_val and not self._runs_on_controller():
                if self.NEEDS_REMOTE_TMP:
                    tmpdir = self._connection._shell.tmpdir or self._make_tmp_path()
                args = self._remote_args(args, task_vars, tmpdir)
            outcome = self._work(args, task_vars, tmpdir)
            outcome = self._finish(outcome, args, task_vars, tmpdir)
        except IsapiError as exc:
            outcome = exc.as_result()
            outcome.update(failed=True, changed=False)
        except AnsibleError as exc:
            outcome = {'failed': True, 'changed': False, 'msg': str(exc)}
        finally:
            if tmpdir is not None:
                self._remove_tmp_path(tmpdir)
        result.update(outcome)
        return result


@contextlib.contextmanager
def task_environment(environment):
    """The task's environment applied to this worker process while the task runs in it, as the
    module path applies it to the module's process: HIKVISION_* fallbacks, proxies and CA
    bundles then act alike on both paths. Each task runs in its own forked worker, and the old
    values come back afterwards, so nothing leaks into other tasks or hosts."""
    saved = dict((key, os.environ.get(key)) for key in environment)
    os.environ.update(environment)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
