# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Time zone, time mode, clock and NTP servers (docs/developer/isapi-reference.md, §8): the logic behind the time module.

Devices write zones POSIX-style with the sign inverted (``CST-8:00:00`` is UTC+8, §8.1). Users
write ``UTC+08:00``, ``+8`` or the raw device string; both sides are normalised to (offset
seconds, DST rule) before comparing, so equal zones never show as a change.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import ipaddress
import re

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.engine import Documents
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec

TIME = '/ISAPI/System/time'
NTP_SERVERS = '/ISAPI/System/time/ntpServers'
MODES = {'ntp': 'NTP', 'manual': 'manual'}
MAX_OFFSET = 14 * 3600

_DEVICE_TZ = re.compile(r'^([A-Za-z]{3,})([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?(DST.*)?$')
_USER_TZ = re.compile(r'^(?:(?:UTC|GMT)\s*)?([+-])?(\d{1,2})(?::?(\d{2}))?$', re.IGNORECASE)
_HOSTNAME = re.compile(r'^(?=.{1,64}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?'
                       r'(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$')


# The DST part of a POSIX TZ string (IEEE Std 1003.1, TZ): name, optional offset, optional
# start and end rules. Hikvision names it DST and writes DST<hh:mm:ss>,M<m>.<w>.<d>/<hh:mm:ss>,M...
# (docs/developer/isapi-reference.md, §8.1); the name is held to that, so DSTjunk is refused.
_TZ_TIME = r'[+-]?\d{1,3}(?::\d{2}){0,2}'
_TZ_DATE = r'(?:M\d{1,2}\.\d\.\d|J\d{1,3}|\d{1,3})'
_POSIX_DST = re.compile(r'^DST(%s)?(?:,(%s)(?:/(%s))?,(%s)(?:/(%s))?)?$'
                        % (_TZ_TIME, _TZ_DATE, _TZ_TIME, _TZ_DATE, _TZ_TIME))
DST_EXAMPLE = 'CST-1:00:00DST01:00:00,M3.5.0/02:00:00,M10.5.0/03:00:00'


def _clock_problem(text, max_hours):
    """Why h[:mm[:ss]] is out of range, or None."""
    parts = [int(p) for p in text.lstrip('+-').split(':')]
    if parts[0] > max_hours:
        return 'hours %d are out of range (0-%d)' % (parts[0], max_hours)
    for name, value in zip(('minutes', 'seconds'), parts[1:]):
        if value > 59:
            return '%s %02d are out of range (00-59)' % (name, value)
    return None


def _date_problem(rule):
    if rule.startswith('M'):
        month, week, day = [int(p) for p in rule[1:].split('.')]
        if not (1 <= month <= 12 and 1 <= week <= 5 and 0 <= day <= 6):
            return ('rule %s needs M<month 1-12>.<week 1-5>.<weekday 0-6>' % rule)
    elif rule.startswith('J'):
        if not 1 <= int(rule[1:]) <= 365:
            return 'rule %s needs a day J1-J365' % rule
    elif int(rule) > 365:
        return 'rule %s needs a day 0-365' % rule
    return None


def check_dst(value, dst):
    """Refuse a DST part that is not POSIX TZ (the device would store the junk as it is)."""
    match = _POSIX_DST.match(dst)
    if not match:
        raise IsapiInputError(
            'timezone %r: the DST part %r is not a POSIX TZ rule; write it as '
            'DST[offset][,start[/time],end[/time]], for example %s' % (value, dst, DST_EXAMPLE))
    offset, start, start_time, end, end_time = match.groups()
    if (start is None) != (end is None):  # pragma: no cover - the pattern pairs them
        raise IsapiInputError('timezone %r: the DST part needs both a start and an end rule' % value)
    problems = [_clock_problem(offset, 24) if offset else None]
    problems += [_date_problem(r) for r in (start, end) if r]
    problems += [_clock_problem(t, 167) for t in (start_time, end_time) if t]
    problems = [p for p in problems if p]
    if problems:
        raise IsapiInputError('timezone %r: in the DST part %s' % (value, problems[0]))


class Zone(object):
    """A zone as (UTC offset in seconds, DST rule text or None)."""

    def __init__(self, offset, dst=None, raw=None):
        self.offset = offset
        self.dst = dst
        self.raw = raw

    def key(self):
        return (self.offset, self.dst)

    def device_text(self):
        """The device's form: inverted sign, h:mm:ss (CST-5:30:00 is UTC+5:30)."""
        if self.raw:
            return self.raw
        sign = '-' if self.offset > 0 else '+'
        hours, rest = divmod(abs(self.offset), 3600)
        return 'CST%s%d:%02d:%02d%s' % (sign, hours, rest // 60, rest % 60, self.dst or '')

    def label(self):
        """UTC+05:30 style, for diffs people read."""
        sign = '+' if self.offset >= 0 else '-'
        hours, rest = divmod(abs(self.offset), 3600)
        text = 'UTC%s%02d:%02d' % (sign, hours, rest // 60)
        if rest % 60:
            text += ':%02d' % (rest % 60)
        return text + (' ' + self.dst if self.dst else '')

    def tzinfo(self):
        return datetime.timezone(datetime.timedelta(seconds=self.offset))


def parse_device_zone(text):
    """CST-8:00:00[DST...] -> Zone (UTC+8); None when the text is not in that form."""
    match = _DEVICE_TZ.match((text or '').strip())
    if not match:
        return None
    hours, minutes, seconds = int(match.group(3)), int(match.group(4) or 0), int(match.group(5) or 0)
    if minutes > 59 or seconds > 59 or hours > 14:
        return None
    offset = hours * 3600 + minutes * 60 + seconds
    if match.group(2) != '-':
        offset = -offset
    return Zone(offset, match.group(6) or None, raw=text.strip())


def parse_user_zone(value):
    """UTC, UTC+05:30, +02:00, -8, +0530 or a raw device string -> Zone. Raises IsapiInputError."""
    text = str(value).strip()
    if text.upper() in ('UTC', 'GMT', 'Z'):
        return Zone(0)
    match = _USER_TZ.match(text)
    if match and (match.group(1) or text[:1].isdigit() or text[:3].upper() in ('UTC', 'GMT')):
        hours, minutes = int(match.group(2)), int(match.group(3) or 0)
        offset = hours * 3600 + minutes * 60
        if minutes > 59:
            raise IsapiInputError('timezone %r: minutes %02d are out of range (00-59)' % (
                value, minutes))
        if offset > MAX_OFFSET:
            raise IsapiInputError('timezone %r is beyond UTC-14:00..UTC+14:00' % value)
        return Zone(-offset if match.group(1) == '-' else offset)
    device_form = _DEVICE_TZ.match(text)
    if device_form:
        hours, minutes, seconds = (int(device_form.group(i) or 0) for i in (3, 4, 5))
        for name, number in (('minutes', minutes), ('seconds', seconds)):
            if number > 59:
                raise IsapiInputError('timezone %r: %s %02d are out of range (00-59)' % (
                    value, name, number))
        if hours > 14:
            raise IsapiInputError('timezone %r is beyond UTC-14:00..UTC+14:00' % value)
        if device_form.group(6):
            check_dst(value, device_form.group(6))
        return parse_device_zone(text)
    raise IsapiInputError(
        'timezone %r is not understood: give UTC, an offset such as UTC+05:30, +02:00 or -8, or '
        "the device's own string such as CST-8:00:00 (which is UTC+8)" % value)


def parse_local_time(value, zone):
    """ISO 8601 text -> aware datetime; a time without offset is in the target zone."""
    text = str(value).strip().replace('Z', '+00:00')
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise IsapiInputError('local_time %r is not ISO 8601 (e.g. 2024-05-01T12:00:00 or '
                              '2024-05-01T12:00:00+02:00)' % value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone.tzinfo())


def device_instant(root, zone):
    """The device clock as an aware datetime (localTime, interpreted in its zone when it has no
    offset), or None if it cannot be read."""
    text = xmldoc.text(root, 'localTime')
    if not text:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(text.replace('Z', '+00:00').replace(' ', 'T'))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=(zone or Zone(0)).tzinfo())
    return parsed


def ntp_entry(server):
    """One user server -> (addressingFormatType, hostName, ipAddress)."""
    text = str(server).strip()
    try:
        return 'ipaddress', '', str(ipaddress.IPv4Address(text))
    except ValueError:
        pass
    if not _HOSTNAME.match(text) or text.replace('.', '').isdigit():
        raise IsapiInputError('ntp_servers: %r is neither an IPv4 address nor a host name' % server)
    return 'hostname', text, '0.0.0.0'


def check_params(params):
    if params.get('ntp_interval') is not None and not 1 <= params['ntp_interval'] <= 10800:
        raise IsapiInputError('ntp_interval %d is outside 1 to 10800 minutes' % params['ntp_interval'])
    if params.get('local_time') and params.get('mode') == 'ntp':
        raise IsapiInputError('local_time sets a manual clock; it cannot be combined with mode: ntp')
    for server in params.get('ntp_servers') or []:
        ntp_entry(server)
    if params.get('ntp_servers') == []:
        raise IsapiInputError('ntp_servers needs at least one server; omit it to leave the list alone')
    return parse_user_zone(params['timezone']) if params.get('timezone') else None


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


# -- Time document --------------------------------------------------------------------------------
def plan_time(root, params, want_zone, now):
    """(before, after, new localTime or None) for the Time document."""
    cur_zone = parse_device_zone(xmldoc.text(root, 'timeZone'))
    cur_mode = xmldoc.text(root, 'timeMode')
    before, after = {}, {}
    if want_zone is not None:
        before['timezone'] = cur_zone.label() if cur_zone else xmldoc.text(root, 'timeZone')
        same = cur_zone is not None and cur_zone.key() == want_zone.key()
        after['timezone'] = before['timezone'] if same else want_zone.label()
    mode = params.get('mode')
    if mode:
        before['mode'] = 'ntp' if cur_mode == 'NTP' else cur_mode
        after['mode'] = mode
    set_clock = None
    if params.get('local_time') or mode == 'manual':
        zone = want_zone or cur_zone or Zone(0)
        wanted = parse_local_time(params['local_time'], zone) if params.get('local_time') else now
        device = device_instant(root, cur_zone)
        drift = None if device is None else abs((device - wanted).total_seconds())
        if cur_mode != 'manual' or drift is None or drift > params['max_drift']:
            before['local_time'] = device.isoformat() if device else None
            after['local_time'] = wanted.astimezone(zone.tzinfo()).replace(microsecond=0).isoformat()
            set_clock = after['local_time']
    return before, after, set_clock


def write_time(root, params, want_zone, set_clock, read_at):
    """Edit the Time document in place; read_at is when it was read."""
    old_zone = parse_device_zone(xmldoc.text(root, 'timeZone'))
    if want_zone is not None:
        xmldoc.set_text(root, 'timeZone', want_zone.device_text())
    if params.get('mode'):
        xmldoc.set_text(root, 'timeMode', MODES[params['mode']])
    node = xmldoc.find(root, 'localTime')
    if set_clock:
        xmldoc.set_text(root, 'localTime', set_clock)
    elif node is not None and xmldoc.text(root, 'timeMode') == 'NTP':
        # NTP mode takes only the zone (§8.1); a stale localTime is not wanted there.
        root.remove(node)
    elif node is not None:
        # Manual mode needs localTime; the device's own clock, moved on by the time this task
        # took, keeps it where it was instead of setting it back.
        instant = device_instant(root, old_zone)
        if instant is not None:
            instant += utc_now() - read_at
            zone = want_zone or old_zone or Zone(0)
            xmldoc.set_text(root, 'localTime',
                            instant.astimezone(zone.tzinfo()).replace(microsecond=0).isoformat())


# -- NTP servers ----------------------------------------------------------------------------------
def read_servers(root):
    servers = []
    for elem in xmldoc.findall(root, 'NTPServer'):
        kind = xmldoc.text(elem, 'addressingFormatType')
        servers.append(xmldoc.text(elem, 'hostName') if kind == 'hostname'
                       else xmldoc.text(elem, 'ipAddress'))
    return servers


def read_interval(root):
    value = xmldoc.text(root, 'NTPServer/synchronizeInterval')
    return int(value) if value and value.isdigit() else None


def build_servers(root, servers, interval):
    """The NTPServerList rewritten for servers: the first entry is the template, so elements the
    module does not manage (port, IPv6, enabled...) keep the device's values."""
    entries = xmldoc.findall(root, 'NTPServer')
    template = xmldoc.serialize(entries[0]) if entries else None
    for elem in entries:
        root.remove(elem)
    for position, server in enumerate(servers, 1):
        elem = xmldoc.parse(template) if template else xmldoc.element('NTPServer', version=None)
        kind, host, address = ntp_entry(server)
        xmldoc.set_text(elem, 'id', position)
        xmldoc.set_text(elem, 'addressingFormatType', kind)
        xmldoc.set_text(elem, 'hostName', host)
        xmldoc.set_text(elem, 'ipAddress', address)
        if xmldoc.find(elem, 'portNo') is None:
            xmldoc.set_text(elem, 'portNo', 123)
        if interval is not None or xmldoc.find(elem, 'synchronizeInterval') is None:
            xmldoc.set_text(elem, 'synchronizeInterval', interval or 1440)
        root.append(elem)
    return root


def plan_ntp(root, params):
    before, after = {}, {}
    if params.get('ntp_servers') is not None:
        before['ntp_servers'] = read_servers(root)
        after['ntp_servers'] = [ntp_entry(s)[1] or ntp_entry(s)[2] for s in params['ntp_servers']]
    if params.get('ntp_interval') is not None:
        before['ntp_interval'] = read_interval(root)
        after['ntp_interval'] = params['ntp_interval']
    return before, after


# -- the run function -----------------------------------------------------------------------------
def trim_servers(task, params):
    """Keep the first ntp_max_servers of ntp_servers, with a warning naming the dropped ones:
    firmware refuses a longer list outright (badParameters), and one policy list serves models
    that take one server and models that take three."""
    servers, limit = params.get('ntp_servers'), params.get('ntp_max_servers')
    if not servers or not limit or len(servers) <= limit:
        return params
    task.warn('ntp_servers: this device takes %d NTP server(s); kept %s, dropped %s' % (
        limit, ', '.join(servers[:limit]), ', '.join(servers[limit:])))
    return dict(params, ntp_servers=servers[:limit])


def run_time(task):
    params = trim_servers(task, task.params)
    want_zone = check_params(params)
    client = task.client
    docs = Documents(client)
    now = utc_now()
    root = docs.get(TIME)
    t_before, t_after, set_clock = plan_time(root, params, want_zone, now)
    ntp_root, n_before, n_after = None, {}, {}
    if params.get('ntp_servers') is not None or params.get('ntp_interval') is not None:
        ntp_root = docs.get(NTP_SERVERS)
        n_before, n_after = plan_ntp(ntp_root, params)

    before, after = dict(t_before, **n_before), dict(t_after, **n_after)
    result = {'changed': before != after, 'diff': {'before': before, 'after': after},
              'reboot_required': False}
    result['drift_seconds'] = _drift(root, now)
    if not result['changed'] or task.check_mode:
        return result
    if n_before != n_after:
        servers = params.get('ntp_servers') or read_servers(ntp_root)
        build_servers(ntp_root, servers, params.get('ntp_interval'))
        docs.changed(NTP_SERVERS)
    if t_before != t_after:
        write_time(root, params, want_zone, set_clock, now)
        docs.changed(TIME)
    result['reboot_required'] = docs.write(first=[NTP_SERVERS])
    if t_before != t_after:
        result['drift_seconds'] = _drift(client.get(TIME), utc_now())
    return result


def _drift(root, now):
    """Device clock minus controller clock, in seconds (zone-corrected), or None."""
    instant = device_instant(root, parse_device_zone(xmldoc.text(root, 'timeZone')))
    return None if instant is None else round((instant - now).total_seconds(), 1)


# The module's argument spec and run function (the module file and camfleet.hikvision.harden
# both use it).
SPEC = ModuleSpec(dict(
    timezone=dict(type='str'),
    mode=dict(type='str', choices=['ntp', 'manual']),
    ntp_servers=dict(type='list', elements='str'),
    ntp_interval=dict(type='int'),
    ntp_max_servers=dict(type='int'),
    local_time=dict(type='str'),
    max_drift=dict(type='int', default=5),
), run_time)
