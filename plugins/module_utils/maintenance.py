# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reboot, factory reset, and waiting for a device to come back (isapi.md §5)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.camfleet.hikvision.plugins.module_utils.device import is_activated
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiConnectionError, IsapiError,
)

POLL_SECONDS = 0.5


def wait_for_restart(client, timeout, come_back_on=None, poll=POLL_SECONDS, clock=time.monotonic,
                     sleep=time.sleep):
    """Wait until the device has gone away and answers again; returns seconds waited.

    ``come_back_on`` is a client for the address the device moves to, when a reboot applies a
    new address: going down is watched at the old address, coming back at the new one.
    Polls /SDK/activateStatus, which needs no credentials, so waiting never costs a login attempt
    however long the device takes.
    """
    target = come_back_on or client
    start = clock()
    deadline = start + timeout
    went_down = False
    while clock() < deadline:
        try:
            is_activated(target if went_down else client, retry=False)
            if went_down:
                return round(clock() - start, 1)
        except IsapiError:
            # Refused, reset, or a half-started web server answering errors: not back yet.
            went_down = True
        sleep(poll)
    if not went_down:
        raise IsapiConnectionError('did not go down for the restart within %s s at %s; raise '
                                   'wait_timeout if this model restarts slowly' % (timeout, client.host),
                                   device=client.device)
    if target is not client:
        raise IsapiConnectionError(
            'moved from %s to %s and rebooted, but does not answer at %s within %s s; check the new '
            'address is routable from this controller (it no longer answers at %s)' % (
                client.host, target.host, target.host, int(timeout), client.host),
            device=target.device)
    raise IsapiConnectionError('did not come back within %s s; raise wait_timeout if this model '
                               'restarts slowly' % timeout, device=client.device)


def _restart(task, path, params, what):
    client = task.client
    result = {'changed': True}
    if task.check_mode:
        result['msg'] = '%s would be sent' % what
        return result
    # Not idempotent: a retried reset or reboot would hit the device twice.
    client.put(path, params=params, idempotent=False)
    result['msg'] = '%s sent' % what
    if task.params.get('wait', True):
        result['elapsed'] = wait_for_restart(client, task.params.get('wait_timeout', 300))
    return result


def run_reboot(task):
    result = _restart(task, '/ISAPI/System/reboot', None, 'reboot')
    if task.params.get('wait', True) and not task.check_mode:
        task.client.get('/ISAPI/System/deviceInfo')
        result['msg'] = 'device rebooted and answers again'
    return result


def run_factory_reset(task):
    mode = task.params['mode']
    result = _restart(task, '/ISAPI/System/factoryReset', {'mode': mode}, 'factory reset (%s)' % mode)
    result['mode'] = mode
    if task.params.get('wait', True) and not task.check_mode:
        result['activated'] = is_activated(task.client)
        if result['activated']:
            task.client.get('/ISAPI/System/deviceInfo')
            result['msg'] = 'device reset (%s) and answers again with the same credentials' % mode
        else:
            result['msg'] = ('device reset (%s) and is factory-fresh: activate it with '
                             'camfleet.hikvision.activate' % mode)
    return result
