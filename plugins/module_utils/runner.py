# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs a module's logic the same way whether it is shipped as a module or run in-process.

A module is a ``ModuleSpec``: its argument spec plus a plain function ``run(task)`` that takes a
``Task`` (params, a lazily created client, check/diff flags) and returns the result dict. The
module file calls ``run_as_module(SPEC)``; the action plugin of the same name calls
``execute(SPEC, ...)`` inside the controller's worker, which costs a fraction of a module
(docs/developer/design.md, §3). Both paths go through ``execute`` so their behaviour cannot drift.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import copy

from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import (
    CONNECTION_ARGSPEC, client_from_params,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.engine import settings_view
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiError, IsapiInputError,
)

# Said before anything is sent: an empty password would still cost a failed login.
NO_PASSWORD = ('password is required: set password (or the environment variable '
               'HIKVISION_PASSWORD); nothing was sent to the device')


class ModuleSpec(object):
    def __init__(self, argument_spec, run, connection=True, supports_check_mode=True,
                 mutually_exclusive=None, required_if=None, required_together=None,
                 required_one_of=None, needs_password=None):
        spec = copy.deepcopy(CONNECTION_ARGSPEC) if connection else {}
        spec.update(argument_spec)
        self.argument_spec = spec
        self.run = run
        # Every device-facing module needs the password, except those that work out for
        # themselves when they can do without (device_info on a factory-fresh device).
        self.needs_password = connection if needs_password is None else needs_password
        self.supports_check_mode = supports_check_mode
        self.kwargs = dict(
            mutually_exclusive=mutually_exclusive or [], required_if=required_if or [],
            required_together=required_together or [], required_one_of=required_one_of or [])


class Task(object):
    """What a module's run function sees."""

    def __init__(self, params, check_mode=False, diff=False, name=None, warn=None):
        self.params = params
        self.check_mode = check_mode
        self.diff = diff
        self.name = name
        self._warn = warn
        self._client = None
        self.warnings = []

    @property
    def client(self):
        if self._client is None:
            self._client = client_from_params(self.params, name=self.name)
        return self._client

    def area(self, params):
        """A Task for one area of a composite module (camfleet.hikvision.harden): its own params,
        this task's client (one session, one Digest handshake for every area) and warnings."""
        sub = Task(params, check_mode=self.check_mode, diff=self.diff, name=self.name,
                   warn=self.warn)
        sub._client = self.client
        return sub

    def warn(self, message):
        self.warnings.append(message)
        if self._warn:
            self._warn(message)

    def close(self):
        if self._client is not None:
            # The client's own warnings (a secret sent over HTTP because the user allowed it).
            for message in self._client.warnings:
                if message not in self.warnings:
                    self.warn(message)
            self._client.close()


def execute(spec, params, check_mode=False, diff=False, name=None, warn=None):
    """Run the spec's logic; returns the result dict, with failed/msg on a handled error."""
    task = Task(params, check_mode=check_mode, diff=diff, name=name, warn=warn)
    try:
        if getattr(spec, 'needs_password', False) and not params.get('password'):
            raise IsapiInputError(NO_PASSWORD, device=name or params.get('host'))
        result = spec.run(task)
    except IsapiError as exc:
        result = exc.as_result()
        result['failed'] = True
        result.setdefault('changed', False)
    finally:
        task.close()
    result.setdefault('changed', False)
    if task.warnings:
        result['warnings'] = list(result.get('warnings') or []) + task.warnings
    settings = settings_view(result, check_mode=check_mode)
    if settings is not None:
        result['settings'] = settings
    if not diff:
        result.pop('diff', None)
    return result


def run_in_process(spec, args, check_mode=False, diff=False, name=None):
    """What the action plugin does on the controller: validate args exactly as AnsibleModule
    would (defaults, choices, environment fallbacks), run, and strip no_log values."""
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    from ansible.module_utils.common.parameters import remove_values

    validation = ArgumentSpecValidator(spec.argument_spec, **spec.kwargs).validate(args)
    no_log_values = validation._no_log_values
    if validation.error_messages:
        return {'failed': True, 'changed': False,
                'msg': remove_values('; '.join(validation.error_messages), no_log_values)}
    if check_mode and not spec.supports_check_mode:
        return {'skipped': True, 'changed': False, 'msg': 'this module does not support check mode'}
    outcome = execute(spec, validation.validated_parameters, check_mode=check_mode, diff=diff,
                      name=name)
    return remove_values(outcome, no_log_values)


def run_as_module(spec):
    """Entry point of a module file."""
    from ansible.module_utils.basic import AnsibleModule
    module = AnsibleModule(argument_spec=spec.argument_spec,
                           supports_check_mode=spec.supports_check_mode, **spec.kwargs)
    result = execute(spec, module.params, check_mode=module.check_mode, diff=module._diff,
                     warn=None)
    if result.pop('failed', False):
        module.fail_json(**result)
    module.exit_json(**result)
