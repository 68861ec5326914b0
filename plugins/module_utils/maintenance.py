# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reboot, factory reset, and waiting for a device to come back (docs/developer/isapi-reference.md, §5)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import time

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import client_from_params
from ansible_collections.camfleet.hikvision.plugins.module_utils.device import is_activated
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiConnectionError, IsapiError, IsapiStatusError,
)

POLL_SECONDS = 0.5
IP_ADDRESS_PATH = '/ISAPI/System/Network/interfaces/%d/ipAddress'


# -- running vs saved address ---------------------------------------------------------------------
# A device answers an addressing change with rebootRequired and keeps running at its old address
# until the reboot (docs/developer/isapi-reference.md, §7.3), while GET .../ipAddress already
# shows the saved, new one. The running address is therefore the one this task reaches the device
# at; a saved static address that differs from it is pending and moves the device at its next
# reboot, whoever triggers that reboot.
def running_address(client):
    """The address the device runs at now: the task's host when that is an IPv4 address, else
    None (a host name: the running address is unknown and only the saved one is compared)."""
    try:
        return str(ipaddress.IPv4Address(str(client.host).strip()))
    except ValueError:
        return None


def pending_address(ip_root, running):
    """The saved static address the next reboot applies, when it differs from the running one."""
    saved = xmldoc.text(ip_root, 'ipAddress')
    static = (xmldoc.text(ip_root, 'addressingType') or 'static') == 'static'
    if running and saved and static and saved != running:
        return saved
    return None


def read_pending_address(client, interface_id=1):
    """pending_address() of the device's interface, or None when its document cannot be read
    (a user without network rights, a firmware without it): the reboot then stays in place."""
    try:
        root = client.get(IP_ADDRESS_PATH % interface_id)
    except IsapiStatusError:
        return None
    return pending_address(root, running_address(client))


# -- restarting once, even when the answer is lost ------------------------------------------------
RESTART_GRACE = 30  # seconds of uptime beyond the wait that still count as "restarted by us"


def send_restart(client, path, params=None):
    """PUT a reboot or reset exactly once. Returns None, or the words of the failure when no
    answer came (dropped, timed out, refused): the device may be restarting anyway, so the caller
    watches for that instead of sending it again (a retried reboot would hit the device twice)."""
    try:
        client.put(path, params=params, idempotent=False)
        return None
    except IsapiConnectionError as exc:
        return exc.args[0] if exc.args else str(exc)


def await_restart(client, timeout, lost, what, targets=None):
    """Wait for the restart; after a lost answer, prove it happened (the device went down and
    its uptime is no older than the wait). Returns (elapsed, client it answered at)."""
    try:
        elapsed, back = wait_for_return(client, timeout, targets or [client])
    except IsapiConnectionError as exc:
        if lost is None:
            raise
        if 'did not go down' in exc.args[0]:
            raise IsapiConnectionError('the %s request got no answer (%s) and the device did not '
                                       'restart: nothing was done; run the task again' % (
                                           what, lost), device=client.device)
        raise IsapiConnectionError('the %s request got no answer (%s), and the device %s' % (
            what, lost, exc.args[0]), device=exc.device)
    if lost is not None:
        uptime = _uptime(back)
        if uptime is not None and uptime > elapsed + RESTART_GRACE:
            raise IsapiConnectionError(
                'the %s request got no answer (%s) and the device did not restart (up for %d s): '
                'nothing was done; run the task again' % (what, lost, uptime), device=back.device)
    return elapsed, back


def _uptime(client):
    try:
        return int(xmldoc.text(client.get('/ISAPI/System/status'), 'deviceUpTime'))
    except (IsapiError, TypeError, ValueError):
        return None  # no status resource, or an inactive device after a full reset


def _answers(client):
    """An authenticated read, as proof the device is back: nothing to add to the result."""
    client.get('/ISAPI/System/deviceInfo')
    return {}


def reboot_and_follow(task, client, new_address):
    """Reboot, then prove the device answers (at new_address when it moves there).

    Returns the result keys: rebooted, elapsed, address, and previous_address when it moved."""
    result = restart_and_follow(task, client, '/ISAPI/System/reboot', None, 'reboot', new_address,
                                then=_answers)
    result['rebooted'] = True
    return result


def restart_and_follow(task, client, path, params, what, new_address, then=None):
    """Send a reboot or reset once, wait for the device (at new_address when the restart moves it
    there) and run then(client it answers at) before the session to a new address closes.

    Returns elapsed, address, previous_address when it moved, and what then() returned."""
    timeout = task.params.get('wait_timeout', 300)
    lost = send_restart(client, path, params)
    follower = None
    if new_address is not None:
        follower = client_from_params(dict(task.params, host=new_address), name=task.name)
    try:
        # Watched at both addresses: a device reached through NAT or port forwarding (host is not
        # its own address) comes back where it was, and is found there, not lost. A device that
        # restarted on its own after the address was saved is found at the new one.
        elapsed, back = await_restart(client, timeout, lost, what,
                                      [follower, client] if follower else None)
        extra = then(back) if then else {}
    finally:
        if follower is not None:
            follower.close()
    result = {'elapsed': elapsed, 'address': back.host}
    if back is not client:
        result['previous_address'] = client.host
    elif new_address is not None:
        task.warn('the device was expected at its saved address %s after the %s but answers '
                  'at %s again; if %s is a NAT or forwarded address, keep using it' % (
                      new_address, what, client.host, client.host))
    result.update(extra or {})
    return result


def wait_for_restart(client, timeout, come_back_on=None, poll=POLL_SECONDS, clock=time.monotonic,
                     sleep=time.sleep):
    """Wait until the device has gone away and answers again; returns seconds waited.

    ``come_back_on`` is a client for the address the device moves to, when a reboot applies a
    new address: going down is watched at the old address, coming back at the new one.
    Polls /SDK/activateStatus, which needs no credentials, so waiting never costs a login attempt
    however long the device takes.
    """
    targets = [come_back_on] if come_back_on is not None else [client]
    return wait_for_return(client, timeout, targets, poll=poll, clock=clock, sleep=sleep)[0]


def wait_for_return(client, timeout, targets, poll=POLL_SECONDS, clock=time.monotonic,
                    sleep=time.sleep):
    """wait_for_restart() watching several addresses for the device's return: (seconds, the
    client of the first address it answered at)."""
    start = clock()
    deadline = start + timeout
    went_down = False
    last = None
    while clock() < deadline:
        for target in (targets if went_down else [client]):
            try:
                is_activated(target, retry=False)
                if went_down:
                    return round(clock() - start, 1), target
            except IsapiError as exc:
                # Refused, reset, or a half-started web server answering errors: not back yet.
                went_down = True
                last = exc.args[0] if exc.args else str(exc)
        sleep(poll)
    if not went_down:
        raise IsapiConnectionError('did not go down for the restart within %s s at %s; raise '
                                   'wait_timeout if this model restarts slowly' % (timeout, client.host),
                                   device=client.device)
    moved = [t for t in targets if t is not client]
    if moved:
        raise IsapiConnectionError(
            'moved from %s to %s and rebooted, but does not answer at %s within %s s; check the new '
            'address is routable from this controller (it no longer answers at %s)' % (
                client.host, moved[0].host, moved[0].host, int(timeout), client.host),
            device=moved[0].device)
    raise IsapiConnectionError('did not come back within %s s (last try: %s); raise wait_timeout '
                               'if this model restarts slowly' % (timeout, last), device=client.device)


def run_reboot(task):
    """Reboot; when a saved address is pending, the reboot applies it, so follow the device there."""
    client = task.client
    pending = read_pending_address(client)
    result = {'changed': True, 'address': pending or client.host}
    if pending:
        result['previous_address'] = client.host
    if task.check_mode:
        result['msg'] = 'reboot would be sent' + (
            ' and would move the device to its pending address %s' % pending if pending else '')
        return result
    if not task.params.get('wait', True):
        lost = send_restart(client, '/ISAPI/System/reboot')
        result['msg'] = ('reboot sent' if lost is None else
                         'reboot sent; its answer was lost (%s)' % lost) + (
            '; the device comes back at its pending address %s' % pending if pending else '')
        return result
    result.update(reboot_and_follow(task, client, pending))
    result['msg'] = ('device rebooted onto its pending address %s and answers there' % pending
                     if pending else 'device rebooted and answers again')
    return result


def run_factory_reset(task):
    """Reset and wait. A basic reset keeps the network settings, so the reboot that follows it
    applies a pending address like any reboot: the device is followed there."""
    client = task.client
    mode = task.params['mode']
    what = 'factory reset (%s)' % mode
    pending = read_pending_address(client) if mode == 'basic' else None
    result = {'changed': True, 'mode': mode, 'address': pending or client.host}
    if pending:
        result['previous_address'] = client.host
    if task.check_mode:
        result['msg'] = '%s would be sent' % what
        return result
    if not task.params.get('wait', True):
        lost = send_restart(client, '/ISAPI/System/factoryReset', {'mode': mode})
        result['msg'] = '%s sent' % what if lost is None else \
            '%s sent; its answer was lost (%s)' % (what, lost)
        return result

    def after(back):
        if not is_activated(back):
            return {'activated': False, 'msg': 'device reset (%s) and is factory-fresh: activate it '
                                               'with camfleet.hikvision.activate' % mode}
        back.get('/ISAPI/System/deviceInfo')
        return {'activated': True,
                'msg': 'device reset (%s) and answers again with the same credentials' % mode}
    result.pop('previous_address', None)
    result.update(restart_and_follow(task, client, '/ISAPI/System/factoryReset', {'mode': mode},
                                     what, pending, then=after))
    return result
