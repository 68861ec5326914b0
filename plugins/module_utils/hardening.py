# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.harden: the hardening baseline converged on one device in one task.

Ansible's own cost of a task per host is about as large as the work a task does on a device
(docs/developer/design.md, §3), so the baseline role runs its areas as one task instead of one
task per area. Each area is the same run function its own module uses (users, services,
security, time, network, isapi_resource), fed the same validated parameters, in the order the
role used to run them; they share this task's client, so the device sees one Digest handshake
instead of one per area. The first area that fails stops the device (as a failed task stopped
the role), and the result says which area and what the areas before it changed.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.camfleet.hikvision.plugins.module_utils import (
    network, resource, security, services, timecfg, users,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import CONNECTION_ARGSPEC
from ansible_collections.camfleet.hikvision.plugins.module_utils.device import (
    check_password, parse_device_info,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.engine import settings_view
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiError, IsapiInputError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec

SYSLOG_PATH = '/ISAPI/System/logServer'
# What a device without a syslog resource answers (the role reported these as unsupported).
_NOT_SUPPORTED = re.compile('notSupport|404|not found', re.IGNORECASE)
# Secrets are options of their own (documented, no_log), never inside an area's dict: the
# shipped module censors its invocation by the top-level spec only.
_TOP_LEVEL = {'services': ('onvif_users', 'hik_connect_code')}


def _area_spec(spec, drop=()):
    """An area module's options without the connection options (given once, at the top)."""
    options = dict((k, v) for k, v in spec.argument_spec.items()
                   if k not in CONNECTION_ARGSPEC and k not in drop)
    kwargs = dict((k, v) for k, v in spec.kwargs.items() if v)
    return options, kwargs


AREAS = (
    ('services', services.SPEC, _area_spec(services.SPEC, _TOP_LEVEL['services'])),
    ('security', security.SPEC, _area_spec(security.SPEC)),
    ('time', timecfg.SPEC, _area_spec(timecfg.SPEC)),
    ('network', network.SPEC, _area_spec(network.SPEC)),
)


def _validated(area, values, connection, extra=None):
    """The area's parameters as its own module would see them (defaults, choices, types)."""
    for spec_name, spec, (options, kwargs) in AREAS:
        if spec_name == area:
            break
    given = dict(values)
    for key in _TOP_LEVEL.get(area, ()):
        if key in given:
            raise IsapiInputError('%s.%s: give it as the option %s of its own (it holds a secret, '
                                  'which only a top-level option keeps out of the output)'
                                  % (area, key, key))
    validation = ArgumentSpecValidator(options, **kwargs).validate(given)
    if validation.error_messages:
        raise IsapiInputError('%s: %s' % (area, '; '.join(validation.error_messages)))
    params = dict(connection)
    params.update(validation.validated_parameters)
    params.update(extra or {})
    return spec, params


# Each area's checks of its own input that need no device (what its module does first).
_PRECHECKS = {
    'services': lambda p: services.check_onvif_users(p.get('onvif_users')),
    'security': security.check_params,
    'time': timecfg.check_params,
    'network': network.desired_ip,
}


def _precheck(label, check, *args, **kwargs):
    try:
        check(*args, **kwargs)
    except IsapiInputError as exc:
        raise IsapiInputError('%s: %s' % (label, exc.message))


def _ntp_limit(client, time_params, by_model):
    """ntp_max_servers for this device: its model's entry in ntp_max_servers_by_model, else the
    time area's own ntp_max_servers. The model is read only when the limit can matter."""
    servers = time_params.get('ntp_servers') or []
    default = time_params.get('ntp_max_servers')
    limits = [v for v in list(by_model.values()) + [default] if v]
    if not by_model or not servers or (limits and len(servers) <= min(limits)):
        return default
    model = parse_device_info(client.get('/ISAPI/System/deviceInfo')).get('model', '')
    return by_model.get(model, default)


class Outcome(object):
    """What the areas did so far: the one result of the task."""

    def __init__(self, task):
        self.task = task
        self.result = {'changed': False, 'areas': {}, 'unsupported': [], 'reboot_required': False}
        self.diffs = []

    def add(self, label, area_result, key=None):
        area_result = dict(area_result)
        diff = area_result.pop('diff', None)
        if isinstance(diff, dict) and diff.get('before') != diff.get('after'):
            self.diffs.append(dict(diff, before_header=label, after_header=label))
        settings = settings_view(dict(area_result, diff=diff), check_mode=self.task.check_mode)
        if settings is not None:
            area_result['settings'] = settings
        area_result.pop('warnings', None)  # the task collects them once
        self.result['changed'] = self.result['changed'] or bool(area_result.get('changed'))
        self.result['reboot_required'] = (self.result['reboot_required']
                                          or bool(area_result.get('reboot_required')))
        for name in area_result.get('unsupported') or []:
            if name not in self.result['unsupported']:
                self.result['unsupported'].append(name)
        if key is None:
            self.result['areas'][label] = area_result
        else:
            self.result['areas'].setdefault(key, []).append(area_result)

    def run(self, label, spec, params, key=None):
        self.add(label, spec.run(self.task.area(params)), key)

    def done(self):
        if self.diffs:
            self.result['diff'] = self.diffs
        return self.result


def run_harden(task):
    params = task.params
    if params.get('fleet'):
        raise IsapiInputError('fleet: true converges the play\'s hosts from one task on the '
                              'controller; it needs the action plugin on the controller (no '
                              'delegate_to, no async, no CAMFLEET_FORCE_MODULE)')
    connection = dict((k, params.get(k)) for k in CONNECTION_ARGSPEC)
    # Every area's options are checked before the first request (types and choices, then the
    # area's own input checks): bad input in a later area must not leave the device with only
    # the earlier areas applied.
    for index, user in enumerate(params.get('users') or []):
        _precheck('users[%d]' % index, users.check_name, user['name'])
        _precheck('users[%d]' % index, check_password, user['password'],
                  username=user['name'], field='password')
    validated = []
    for area in ('services', 'security', 'time', 'network'):
        if params.get(area) is not None:
            extra = None
            if area == 'services':
                extra = dict((k, params.get(k)) for k in _TOP_LEVEL['services'])
            spec, area_params = _validated(area, params[area], connection, extra)
            _precheck(area, _PRECHECKS[area], area_params)
            validated.append((area, spec, area_params))
    outcome = Outcome(task)
    label = 'users'
    try:
        client = task.client
        # [3] accounts: each declared one as the user module converges it, then the undeclared.
        declared = params.get('users') or []
        for user in declared:
            label = 'user %s' % user['name']
            outcome.run(label, users.SPEC, dict(
                connection, name=user['name'], state='present', level=user.get('level') or 'viewer',
                user_password=user.get('password'), update_password=user.get('update_password')
                or 'always'), key='users')
        if params.get('remove_undeclared_users'):
            label = 'undeclared users'
            keep = set(u['name'] for u in declared) | set(params.get('keep_accounts') or [])
            keep.add(connection.get('username') or 'admin')
            listed = users.list_users(client)[0]
            outcome.result['removed_users'] = []
            for name in [u['name'] for u in listed if u['name'] not in keep]:
                label = 'user %s' % name
                outcome.run(label, users.SPEC, dict(connection, name=name, state='absent',
                                                    level=None, user_password=None,
                                                    update_password='always'), key='removed')
                outcome.result['removed_users'].append(name)
        for area, spec, area_params in validated:
            label = area
            if area == 'time':
                area_params['ntp_max_servers'] = _ntp_limit(
                    client, area_params, params.get('ntp_max_servers_by_model') or {})
            outcome.run(area, spec, area_params)
        if params.get('syslog'):
            label = 'syslog'
            try:
                outcome.run('syslog', resource.SPEC, dict(
                    connection, path=SYSLOG_PATH, values=params['syslog'], query=None,
                    create_missing=False, method='put', allow_any_path=False))
            except IsapiError as exc:
                if not _NOT_SUPPORTED.search(exc.message):
                    raise
                outcome.result['unsupported'].append('syslog')
                outcome.result['areas']['syslog'] = {'changed': False, 'unsupported': True,
                                                     'msg': exc.message}
    except IsapiError as exc:
        failed = exc.as_result()
        failed.update(outcome.done())
        failed.update(failed=True, failed_area=label, msg='%s: %s' % (label, exc.message))
        return failed
    return outcome.done()


SPEC = ModuleSpec(dict(
    users=dict(type='list', elements='dict', default=[], options=dict(
        name=dict(type='str', required=True),
        level=dict(type='str', default='viewer', choices=['administrator', 'operator', 'viewer']),
        password=dict(type='str', required=True, no_log=True),
        update_password=dict(type='str', default='always', choices=['always', 'on_create'],
                             no_log=False),
    )),
    remove_undeclared_users=dict(type='bool', default=False),
    keep_accounts=dict(type='list', elements='str', default=[], no_log=False),
    services=dict(type='dict'),
    onvif_users=dict(type='list', elements='dict', options=dict(
        name=dict(type='str', required=True),
        password=dict(type='str', required=True, no_log=True),
        type=dict(type='str', default='media_user',
                  choices=['media_user', 'user', 'operator', 'administrator']),
    )),
    hik_connect_code=dict(type='str', no_log=True),
    security=dict(type='dict'),
    time=dict(type='dict'),
    ntp_max_servers_by_model=dict(type='dict', default={}),
    network=dict(type='dict'),
    syslog=dict(type='dict'),
    check_role_variables=dict(type='bool', default=False),
    fleet=dict(type='bool', default=False),
    fleet_workers=dict(type='int', default=50),
    fleet_processes=dict(type='int', default=0),
), run_harden)
