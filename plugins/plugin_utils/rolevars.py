# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A role's argument check, done inside the one task of the role that needs it.

ansible-core checks a role's variables against meta/argument_specs.yml with a task of its own,
per host, before the role's first task; on a fleet that task costs as much as converging the
device (docs/developer/design.md, §3). playbooks/harden.yml runs the baseline role's converge
entry point, which has no argument spec of its own and so no such task; its harden task makes
the same check (the role's ``main`` spec, the same validator, the same messages) for each host
before anything is sent, per host in fleet mode too.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator


def role_variable_errors(task, variables, templar):
    """The messages of the role's argument check for one host's variables (empty: they pass).

    ``templar`` is bound to ``variables``; only the variables the spec names are templated."""
    role = getattr(task, '_role', None)
    if role is None:
        return []
    options = _main_options(role)
    if not options:
        return []
    given = {}
    for name in options:
        if name in variables:
            given[name] = templar.template(variables[name])
    validation = ArgumentSpecValidator(options).validate(given, validate_role_argument_spec=True)
    if not validation.error_messages:
        return []
    return ['%s: %s' % (role.get_name(), message) for message in validation.error_messages]


_OPTIONS = {}


def _main_options(role):
    """The options of the role's ``main`` entry point, read as ansible-core reads them (its
    loader caches the file, which the main process read when it loaded the role)."""
    path = role.get_role_path()
    if path not in _OPTIONS:
        # ansible-core has no public accessor; meta/main.yml's argument_specs is the fallback
        # it uses itself.
        read = getattr(role, '_get_role_argspecs', None)
        specs = read() if read else getattr(getattr(role, '_metadata', None), 'argument_specs', {})
        _OPTIONS[path] = ((specs or {}).get('main') or {}).get('options') or {}
    return _OPTIONS[path]
