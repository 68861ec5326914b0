# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication modes, login lock, protocols and ports, IP filter (docs/developer/isapi-reference.md, §2.5, §11):
the logic behind the security module.

Several of these settings can cut the controller off from the device (an allow list without the
controller, the scheme or port in use switched off or moved). Such a change is refused before
anything is written unless the task says it knows; an allowed IP filter is staged disabled, read
back, and only then enabled (§11.9).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import socket

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.engine import Documents
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiInputError, IsapiProtocolError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec

SECURITY_CAP = '/ISAPI/Security/capabilities'
WEB_CERT = '/ISAPI/Security/webCertificate'
RTSP_CERTS = (('/ISAPI/Security/RTSPCertificate', 'certificateType'),
              ('/ISAPI/Streaming/channels/101', 'Transport/Security/certificateType'))
LOCK = '/ISAPI/Security/illegalLoginLock'
ACCESSES = '/ISAPI/Security/adminAccesses'
IP_FILTER = '/ISAPI/System/Network/ipFilter'
PORT_PROTOCOLS = (('http_port', 'HTTP'), ('https_port', 'HTTPS'), ('rtsp_port', 'RTSP'),
                  ('sdk_port', 'DEV_MANAGE'))
TLS_FLAGS = (('1.1', 'TLS1_1Enable'), ('1.2', 'TLS1_2Enable'), ('1.3', 'TLS1_3Enable'))
CUT_OFF_HINT = 'set i_know_this_cuts_me_off: true to do it anyway'


class Plan(object):
    """before/after of asked keys, the task's documents (read once, written once), and what the
    device lacks."""

    def __init__(self, client):
        self.before, self.after = {}, {}
        self.docs = Documents(client)
        self.unsupported = []

    def compare(self, key, current, wanted):
        self.before[key], self.after[key] = current, wanted
        return current != wanted


# -- input checks (pure) --------------------------------------------------------------------------
def normalise_tls(versions):
    wanted = []
    for version in versions:
        text = str(version).strip().upper().replace('TLS', '').replace('V', '').strip()
        if text not in dict(TLS_FLAGS):
            raise IsapiInputError('tls_versions: %r is not one of 1.1, 1.2, 1.3' % version)
        if text not in wanted:
            wanted.append(text)
    if not wanted:
        raise IsapiInputError('tls_versions needs at least one version')
    return sorted(wanted)


def lock_seconds(lock):
    if lock.get('duration') is not None and lock.get('duration_minutes') is not None:
        raise IsapiInputError('illegal_login_lock: give duration (seconds) or duration_minutes, '
                              'not both')
    if lock.get('duration_minutes') is not None:
        return lock['duration_minutes'] * 60
    return lock.get('duration')


def check_filter_input(flt):
    addresses = []
    for value in flt.get('addresses') or []:
        try:
            address = str(ipaddress.IPv4Address(str(value).strip()))
        except ValueError:
            raise IsapiInputError('ip_filter.addresses: %r is not an IPv4 host address' % value)
        if address not in addresses:
            addresses.append(address)
    return addresses


def check_params(params):
    for key, dummy in PORT_PROTOCOLS:
        if params.get(key) is not None and not 1 <= params[key] <= 65535:
            raise IsapiInputError('%s %d is not a TCP port (1 to 65535)' % (key, params[key]))
    if params.get('tls_versions') is not None:
        normalise_tls(params['tls_versions'])
    if params.get('illegal_login_lock'):
        lock_seconds(params['illegal_login_lock'])
    if params.get('ip_filter'):
        check_filter_input(params['ip_filter'])


def controller_address(host, port):
    """The source address this controller uses toward the device (no packet is sent: connecting a
    UDP socket only picks the route)."""
    family, dummy, dummy2, dummy3, sockaddr = socket.getaddrinfo(host, port, 0, socket.SOCK_DGRAM)[0]
    probe = socket.socket(family, socket.SOCK_DGRAM)
    try:
        probe.connect(sockaddr)
        return probe.getsockname()[0]
    finally:
        probe.close()


# -- per resource planning ------------------------------------------------------------------------
def plan_web_auth(client, params, plan, cap):
    root = plan.docs.get(WEB_CERT, optional=True)
    if root is None or xmldoc.find(root, 'CertificateType') is None:
        plan.unsupported.append('web_auth')
        return
    offered = xmldoc.find(cap, 'WebCertificateCap/CertificateType') if cap is not None else None
    options = [o for o in (offered.get('opt') or '').split(',') if o] if offered is not None else []
    if options and params['web_auth'] not in options:
        raise IsapiInputError('web_auth %r is not offered by this device (it offers: %s)' % (
            params['web_auth'], ', '.join(options)), device=client.device)
    if plan.compare('web_auth', xmldoc.text(root, 'CertificateType'), params['web_auth']):
        xmldoc.set_text(root, 'CertificateType', params['web_auth'])
        plan.docs.changed(WEB_CERT)


def plan_rtsp_auth(client, params, plan):
    # NVRs have their own resource; cameras keep it in the main stream (§11.8).
    for path, element in RTSP_CERTS:
        root = plan.docs.get(path, optional=True)
        if root is not None and xmldoc.find(root, element) is not None:
            if plan.compare('rtsp_auth', xmldoc.text(root, element), params['rtsp_auth']):
                xmldoc.set_text(root, element, params['rtsp_auth'])
                plan.docs.changed(path)
            return
    plan.unsupported.append('rtsp_auth')


def lock_unit(cap):
    """Seconds per unit of maxIllegalLoginLockTime. The unit differs by firmware (§2.5): firmware
    that publishes the lock-time range in SecurityCap counts minutes (1-120), the isapi.org
    generation without it counts seconds."""
    return 60 if cap is not None and xmldoc.find(cap, 'maxIllegalLoginLockTime') is not None else 1


def _cap_range(cap, name):
    node = xmldoc.find(cap, name) if cap is not None else None
    if node is None or not (node.get('min') or '').isdigit() or not (node.get('max') or '').isdigit():
        return None
    return int(node.get('min')), int(node.get('max'))


def plan_lock(client, params, plan, cap):
    lock = params['illegal_login_lock']
    root = plan.docs.get(LOCK)
    unit = lock_unit(cap)
    seconds = lock_seconds(lock)
    before, after, edits = {}, {}, []
    asked = (('enabled', 'enabled', lock.get('enabled')),
             ('attempts', 'maxIllegalLoginTimes', lock.get('attempts')),
             ('duration', 'maxIllegalLoginLockTime', seconds))
    for key, element, wanted in asked:
        if wanted is None:
            continue
        if xmldoc.find(root, element) is None:
            plan.unsupported.append('illegal_login_lock.%s' % key)
            continue
        raw = xmldoc.text(root, element)
        if key == 'enabled':
            current, wire = xmldoc.as_bool(raw), wanted
        elif key == 'attempts':
            _check_range(client, cap, 'maxIllegalLoginTimes', wanted, 'illegal_login_lock.attempts', 1)
            current, wire = int(raw), wanted
        else:
            if wanted % unit:
                raise IsapiInputError('illegal_login_lock duration %d s is not a whole number of '
                                      'minutes; this device sets the lock time in minutes' % wanted,
                                      device=client.device)
            _check_range(client, cap, 'maxIllegalLoginLockTime', wanted // unit,
                         'illegal_login_lock duration', unit)
            current, wire = int(raw) * unit, wanted // unit
        before[key], after[key] = current, wanted
        if current != wanted:
            edits.append((element, wire))
    if before or after:
        plan.compare('illegal_login_lock', before, after)
    if edits:
        for element, wire in edits:
            xmldoc.set_text(root, element, wire)
        plan.docs.changed(LOCK)


def _check_range(client, cap, name, value, field, unit):
    bounds = _cap_range(cap, name)
    if bounds and not bounds[0] <= value <= bounds[1]:
        what = '%d to %d %s' % (bounds[0] * unit, bounds[1] * unit, 'seconds' if unit > 1 else '')
        raise IsapiInputError('%s %d is outside what this device takes (%s)' % (
            field, value * unit, what.strip()), device=client.device)


def _access(root, protocol):
    return next((e for e in xmldoc.findall(root, 'AdminAccessProtocol')
                 if (xmldoc.text(e, 'protocol') or '').upper() == protocol), None)


def plan_accesses(client, params, plan):
    """Protocols and ports, matched on protocol name (ids differ by model, §11.1)."""
    root = plan.docs.get(ACCESSES, optional=True)
    if root is None:
        plan.unsupported.extend(k for k in ('http', 'https', 'redirect_to_https', 'tls_versions',
                                            'tls_min_version', 'http_port', 'https_port', 'rtsp_port', 'sdk_port')
                                if params.get(k) is not None)
        return None
    changed = False
    switches = (('http', 'HTTP', 'enabled'), ('https', 'HTTPS', 'enabled'),
                ('redirect_to_https', 'HTTPS', 'redirectToHttps'))
    for key, protocol, element in switches:
        if params.get(key) is None:
            continue
        entry = _access(root, protocol)
        if entry is None or xmldoc.find(entry, element) is None:
            plan.unsupported.append(key)
            continue
        if plan.compare(key, xmldoc.as_bool(xmldoc.text(entry, element)), params[key]):
            xmldoc.set_text(entry, element, params[key])
            changed = True
    for key, protocol in PORT_PROTOCOLS:
        if params.get(key) is None:
            continue
        entry = _access(root, protocol)
        if entry is None or xmldoc.find(entry, 'portNo') is None:
            plan.unsupported.append(key)
            continue
        if plan.compare(key, int(xmldoc.text(entry, 'portNo')), params[key]):
            xmldoc.set_text(entry, 'portNo', params[key])
            changed = True
    if params.get('tls_versions') is not None or params.get('tls_min_version') is not None:
        changed = _plan_tls(client, root, params, plan) or changed
    if changed:
        plan.docs.changed(ACCESSES)
    return root


def _plan_tls(client, root, params, plan):
    entry = _access(root, 'HTTPS')
    flags = [(v, f) for v, f in TLS_FLAGS if entry is not None and xmldoc.find(entry, f) is not None]
    if not flags:
        plan.unsupported.append('tls_versions')
        return False
    if params.get('tls_min_version') is not None:
        # "this version and newer" from the switches this firmware has, so a newer version the
        # device gains later is never turned off by a literal list (§11.1 lists the flags).
        minimum = tuple(int(p) for p in params['tls_min_version'].split('.'))
        wanted = [v for v, f in flags if tuple(int(p) for p in v.split('.')) >= minimum]
        if not wanted:
            raise IsapiInputError('tls_min_version: this device has no switch for TLS %s or newer '
                                  '(it has %s)' % (params['tls_min_version'],
                                                   ', '.join(v for v, f in flags)),
                                  device=client.device)
    else:
        wanted = normalise_tls(params['tls_versions'])
    missing = [v for v in wanted if v not in dict(flags)]
    if missing:
        raise IsapiInputError('tls_versions: this device has no switch for TLS %s (it has %s)' % (
            ', '.join(missing), ', '.join(v for v, f in flags)), device=client.device)
    current = [v for v, f in flags if xmldoc.as_bool(xmldoc.text(entry, f))]
    if not plan.compare('tls_versions', current, wanted):
        return False
    for version, flag in flags:
        xmldoc.set_text(entry, flag, version in wanted)
    return True


def _filter_addresses(root):
    found = []
    for entry in xmldoc.findall(root, 'IPFilterAddressList/IPFilterAddress'):
        address = xmldoc.text(entry, 'AddressMask/ipAddress') or xmldoc.text(entry, 'ipAddress')
        if address:
            found.append(address)
    return found


def plan_filter(client, params, plan):
    flt = params['ip_filter']
    root = plan.docs.get(IP_FILTER, optional=True)
    if root is None:
        plan.unsupported.append('ip_filter')
        return None
    current = {'enabled': xmldoc.as_bool(xmldoc.text(root, 'enabled'), False),
               'mode': xmldoc.text(root, 'permissionType'),
               'addresses': sorted(_filter_addresses(root))}
    wanted = dict(current)
    if flt.get('enabled') is not None:
        wanted['enabled'] = flt['enabled']
    if flt.get('mode') is not None:
        wanted['mode'] = flt['mode']
    if flt.get('addresses') is not None:
        wanted['addresses'] = sorted(check_filter_input(flt))
        size = xmldoc.find(root, 'IPFilterAddressList')
        limit = size.get('size') if size is not None else None
        if limit and limit.isdigit() and len(wanted['addresses']) > int(limit):
            raise IsapiInputError('ip_filter.addresses: %d addresses, this device keeps at most %s'
                                  % (len(wanted['addresses']), limit), device=client.device)
    plan.compare('ip_filter', current, wanted)
    return root, current, wanted


def write_filter(root, wanted, enabled):
    xmldoc.set_text(root, 'enabled', enabled)
    xmldoc.set_text(root, 'permissionType', wanted['mode'])
    holder = xmldoc.ensure(root, 'IPFilterAddressList')
    template = holder.find('IPFilterAddress')
    for entry in holder.findall('IPFilterAddress'):
        holder.remove(entry)
    for position, address in enumerate(wanted['addresses'], 1):
        entry = xmldoc.parse(xmldoc.serialize(template)) if template is not None else \
            xmldoc.element('IPFilterAddress', version=None)
        for child in list(entry):
            if child.tag not in ('id', 'permissionType', 'addressFilterType', 'AddressMask'):
                entry.remove(child)
        xmldoc.set_text(entry, 'id', position)
        xmldoc.set_text(entry, 'permissionType', wanted['mode'])
        xmldoc.set_text(entry, 'addressFilterType', 'mask')
        xmldoc.set_text(entry, 'AddressMask/ipAddress', address)
        holder.append(entry)
    return root


# -- safety ---------------------------------------------------------------------------------------
def cut_off_reasons(client, plan, source):
    """Why the planned change would lock this controller out (empty when it would not)."""
    reasons = []
    after = plan.after
    flt = after.get('ip_filter')
    if flt and flt['enabled'] and flt != plan.before.get('ip_filter'):
        listed = source in flt['addresses']
        if flt['mode'] == 'allow' and not listed:
            reasons.append('the IP filter would allow only %s, not this controller (%s)' % (
                ', '.join(flt['addresses']) or 'nobody', source))
        if flt['mode'] == 'deny' and listed:
            reasons.append('the IP filter would deny this controller (%s)' % source)
    scheme = client.scheme
    if after.get(scheme) is False and plan.before.get(scheme) is True:
        reasons.append('this task is connected over %s, which would be switched off' % scheme.upper())
    if scheme == 'http' and after.get('redirect_to_https') and not plan.before.get('redirect_to_https'):
        reasons.append('this task is connected over HTTP, which would redirect to HTTPS')
    port_key = '%s_port' % scheme
    if port_key in after and after[port_key] != plan.before[port_key] and \
            plan.before[port_key] == client.port:
        reasons.append('this task is connected to %s port %d, which would move to %d' % (
            scheme.upper(), client.port, after[port_key]))
    return reasons


# -- the run function -----------------------------------------------------------------------------
def run_security(task):
    params = task.params
    check_params(params)
    client = task.client
    plan = Plan(client)
    cap = None
    if params.get('web_auth') or params.get('illegal_login_lock'):
        cap = plan.docs.get(SECURITY_CAP, optional=True)
    if params.get('web_auth'):
        plan_web_auth(client, params, plan, cap)
    if params.get('rtsp_auth'):
        plan_rtsp_auth(client, params, plan)
    if params.get('illegal_login_lock'):
        plan_lock(client, params, plan, cap)
    if any(params.get(k) is not None for k in ('http', 'https', 'redirect_to_https', 'tls_versions',
                                               'tls_min_version',
                                               'http_port', 'https_port', 'rtsp_port', 'sdk_port')):
        plan_accesses(client, params, plan)
    filter_plan = plan_filter(client, params, plan) if params.get('ip_filter') else None
    if params.get('session_timeout') is not None:
        # No ISAPI resource for the web session timeout is known (docs/developer/isapi-reference.md lists none).
        plan.unsupported.append('session_timeout')

    source = controller_address(client.host, client.port)
    reasons = cut_off_reasons(client, plan, source)
    if reasons and not params['i_know_this_cuts_me_off']:
        raise IsapiInputError('refusing to change anything: %s; %s' % ('; '.join(reasons), CUT_OFF_HINT),
                              device=client.device)
    if plan.unsupported and params['strict']:
        raise IsapiInputError('not supported by this device: %s (strict: true; nothing was '
                              'changed)' % ', '.join(plan.unsupported), device=client.device)

    changed = plan.before != plan.after
    result = {'changed': changed, 'diff': {'before': plan.before, 'after': plan.after},
              'unsupported': plan.unsupported, 'reboot_required': False,
              'controller_address': source}
    if not changed or task.check_mode:
        return result
    # Protocols and ports last: a change there may move the listener this session uses.
    reboot_required = plan.docs.write(exclude=[ACCESSES])
    if filter_plan is not None and plan.before['ip_filter'] != plan.after['ip_filter']:
        reboot_required = stage_filter(client, *filter_plan) or reboot_required
    result['reboot_required'] = plan.docs.write() or reboot_required
    return result


def stage_filter(client, root, current, wanted):
    """Write the list disabled, read it back, then enable it (§11.9)."""
    reboot = client.put(IP_FILTER, write_filter(root, wanted, False)).reboot_required
    if not wanted['enabled']:
        return reboot
    staged = client.get(IP_FILTER)
    if sorted(_filter_addresses(staged)) != wanted['addresses']:
        read_back = ', '.join(_filter_addresses(staged))
        raise IsapiProtocolError('the IP filter list read back (%s) differs from the one written '
                                 '(%s); it was left disabled' % (read_back, ', '.join(wanted['addresses'])),
                                 device=client.device)
    xmldoc.set_text(staged, 'enabled', True)
    return client.put(IP_FILTER, staged).reboot_required or reboot


# The module's argument spec and run function (the module file and camfleet.hikvision.harden
# both use it).
SPEC = ModuleSpec(dict(
    web_auth=dict(type='str', choices=['digest', 'digest/basic']),
    rtsp_auth=dict(type='str', choices=['digest', 'digest/basic']),
    illegal_login_lock=dict(type='dict', options=dict(
        enabled=dict(type='bool'),
        attempts=dict(type='int'),
        duration=dict(type='int'),
        duration_minutes=dict(type='int'),
    )),
    http=dict(type='bool'),
    https=dict(type='bool'),
    redirect_to_https=dict(type='bool'),
    tls_versions=dict(type='list', elements='str'),
    tls_min_version=dict(type='str', choices=['1.1', '1.2', '1.3']),
    http_port=dict(type='int'),
    https_port=dict(type='int'),
    rtsp_port=dict(type='int'),
    sdk_port=dict(type='int'),
    ip_filter=dict(type='dict', options=dict(
        enabled=dict(type='bool'),
        mode=dict(type='str', choices=['allow', 'deny']),
        addresses=dict(type='list', elements='str'),
    )),
    session_timeout=dict(type='int'),
    i_know_this_cuts_me_off=dict(type='bool', default=False),
    strict=dict(type='bool', default=False),
), run_security, mutually_exclusive=[['tls_versions', 'tls_min_version']])
