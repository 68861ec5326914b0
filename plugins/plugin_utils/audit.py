# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The audit's logic on the controller: controls as data, evaluated over what the modules read.

A device record is what the audit role gathered read-only: ``settings`` per area (the modules'
``settings`` return, from check-mode runs), the accounts, device identity and the log review.
A control is data (a YAML catalog): a JMESPath expression over that record, plus the settings it
``requires``. The outcome is one of four, and "not supported" or "unknown" is never a pass:

* ``pass`` / ``fail``: the expression gave true / false;
* ``not_supported``: the device has no such setting (the module listed the key a control
  ``requires`` as unsupported), or the catalog marks the control as having no ISAPI body;
* ``unknown``: a required setting could not be read (task failed, device unreachable, probe not
  sent), or the expression gave anything but a boolean.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re

try:
    import jmespath
    HAS_JMESPATH = True
except ImportError:  # reported by the action plugin with the fix
    jmespath = None
    HAS_JMESPATH = False

STATUSES = ('pass', 'fail', 'not_supported', 'unknown')


def _search(expression, data):
    try:
        return jmespath.search(expression, data)
    except jmespath.exceptions.JMESPathError as exc:
        raise ValueError('control expression %r: %s' % (expression, exc))


def check_catalog(catalog):
    """Refuse a catalog a user wrote wrong before any device is judged by it."""
    seen = set()
    for position, control in enumerate(catalog):
        where = 'controls[%d]' % position
        for key in ('id', 'title'):
            if not control.get(key):
                raise ValueError('%s: %s is required' % (where, key))
        if control['id'] in seen:
            raise ValueError('%s: id %r is used twice' % (where, control['id']))
        seen.add(control['id'])
        if not control.get('unsupported') and not control.get('expr'):
            raise ValueError('%s (%s): expr is required (or unsupported: true)' % (where, control['id']))
        for expression in [control.get('expr')] + list(control.get('requires') or []):
            if expression:
                try:
                    jmespath.compile(expression)
                except jmespath.exceptions.JMESPathError as exc:
                    raise ValueError('%s (%s): %r is not valid JMESPath: %s'
                                     % (where, control['id'], expression, exc))


def evaluate_control(control, record):
    """(status, value) of one control on one device record."""
    if control.get('unsupported'):
        return 'not_supported', None
    if record.get('unreachable'):
        return 'unknown', None
    for requirement in control.get('requires') or []:
        if _search(requirement, record) is not None:
            continue
        # settings.<area>.<key>: not supported when the module said so for that key, else the
        # area was not read (or the probe not sent) and the outcome is unknown.
        parts = requirement.split('.')
        if len(parts) >= 3 and parts[0] == 'settings' and \
                parts[2] in ((record.get('unsupported') or {}).get(parts[1]) or []):
            return 'not_supported', None
        return 'unknown', None
    value = _search(control['expr'], record)
    if value is True:
        return 'pass', value
    if value is False:
        return 'fail', value
    return 'unknown', value


# -- firmware and CVEs ----------------------------------------------------------------------------
_VERSION = re.compile(r'V?(\d+(?:\.\d+)*)(?:[^\d]*(?:build\s*)?(\d{6}))?', re.I)


def version_key(text):
    """'V5.4.5 build 170124' -> ((5, 4, 5), 170124); build None when absent."""
    match = _VERSION.search(str(text or ''))
    if not match:
        return None
    numbers = tuple(int(p) for p in match.group(1).split('.'))
    return numbers, int(match.group(2)) if match.group(2) else None


def _below(version, bound):
    """version < bound, comparing builds only when the bound names one."""
    v, b = version_key(version), version_key(bound)
    if v is None or b is None:
        return None
    if v[0] != b[0] or b[1] is None or v[1] is None:
        return _pad(v[0], b[0]) < _pad(b[0], v[0])
    return v[1] < b[1]


def _pad(a, b):
    return a + (0,) * max(0, len(b) - len(a))


def _at_most(version, bound):
    below = _below(version, bound)
    return None if below is None else (below or version_key(version)[0] == version_key(bound)[0])


def cve_exposure(model, firmware, cves):
    """The catalog entries whose model pattern matches and whose affected range holds firmware."""
    found = []
    for entry in cves:
        for rng in entry.get('affected') or []:
            if not re.match(rng['model'], model or ''):
                continue
            low, high, fixed = rng.get('from'), rng.get('through'), rng.get('fixed_in')
            inside = True
            if low is not None:
                inside = inside and _below(firmware, low) is False
            if high is not None:
                inside = inside and bool(_at_most(firmware, high))
            if fixed is not None:
                inside = inside and bool(_below(firmware, fixed))
            if inside:
                found.append({'cve': entry['cve'], 'title': entry.get('title', ''),
                              'kev': bool(entry.get('kev')), 'confidence': rng.get('confidence', 'vendor'),
                              'fix': entry.get('fix', 'upgrade to a fixed firmware build')})
                break
    return found


def firmware_control(record, baselines):
    """Firmware against the pinned per-model baseline (exact model, else the 'default' key)."""
    device = record.get('device') or {}
    model, firmware = device.get('model'), device.get('firmware')
    if record.get('unreachable') or not firmware:
        return 'unknown', None
    pinned = baselines.get(model) or baselines.get('default')
    if not pinned:
        return 'unknown', 'no baseline pinned for %s' % model
    below = _below(firmware, pinned)
    if below is None:
        return 'unknown', firmware
    return ('fail' if below else 'pass'), '%s (baseline %s)' % (firmware, pinned)


# -- log review -----------------------------------------------------------------------------------
FAILED_LOGIN = ('illegalAccess', 'loginPasswordError', 'illegalLoginLock')
CONFIG_CHANGE = ('remoteCfgParm', 'remoteAddUser', 'remoteDeleteUser', 'remoteModifyUser',
                 'remoteAddIPC', 'remoteCfgIPC', 'remoteDeleteIPC', 'remoteImportConfigFile')
RESET = ('remoteRestoreCfg', 'remoteRestoreDefault', 'localRestoreCfg', 'localRestoreDefault')
REBOOT = ('remoteReboot', 'localReboot', 'powerOn')


def review_log(entries, expected_sources=(), expected_events=(), failed_login_threshold=0):
    """Failed logins by source address, configuration changes, resets and reboots since the last
    audit. A finding is flagged when nobody expected it: failed logins above the threshold from a
    source, or any change/reset/reboot whose kind is not in expected_events (or made from a source
    not in expected_sources, e.g. the management hosts)."""
    failed, changes, resets, reboots = {}, [], [], []
    for entry in entries or []:
        minor = entry.get('minor')
        if minor in FAILED_LOGIN:
            source = entry.get('address') or 'unknown'
            failed[source] = failed.get(source, 0) + 1
        elif minor in CONFIG_CHANGE:
            changes.append(entry)
        elif minor in RESET:
            resets.append(entry)
        elif minor in REBOOT:
            reboots.append(entry)
    flags = ['%d failed logins from %s' % (n, s) for s, n in sorted(failed.items())
             if n > failed_login_threshold]
    for kind, items in (('configuration change', changes), ('reset', resets), ('reboot', reboots)):
        for entry in items:
            if entry.get('minor') in expected_events and (
                    not expected_sources or entry.get('address') in expected_sources or not entry.get('address')):
                continue
            flags.append('%s %s at %s by %s from %s' % (kind, entry.get('minor'), entry.get('time'),
                                                        entry.get('user') or '?', entry.get('address') or '?'))
    return {'failed_logins': failed, 'config_changes': len(changes), 'resets': len(resets),
            'reboots': len(reboots), 'flags': flags}


def next_since(entries, since):
    """Where the next review starts: a second after the newest entry seen (device log time),
    else where this one started."""
    times = []
    for entry in entries or []:
        try:
            times.append(datetime.datetime.strptime(str(entry.get('time'))[:19], '%Y-%m-%dT%H:%M:%S'))
        except ValueError:
            continue
    if not times:
        return since
    return (max(times) + datetime.timedelta(seconds=1)).strftime('%Y-%m-%dT%H:%M:%SZ')


# -- recovery readiness ---------------------------------------------------------------------------
RECOVERY_METHODS = ('security_questions', 'recovery_email', 'guid_file')
READINESS = ('ready', 'stale', 'not_ready', 'not_supported', 'unknown')


def _guid_staleness(store):
    """(stale, why) of the stored GUID file from the store alone: it dies with the admin password
    it was exported under (docs/developer/recovery-reference.md, §3), so it is stale when the
    store's current admin password is another version, or was set after the export."""
    guid = store.get('guid_file') or {}
    admin = store.get('admin_password') or {}
    if not guid:
        return False, None
    exported, changed = guid.get('set_at'), admin.get('set_at')
    if guid.get('password_version') is None or guid.get('password_version') != admin.get('version'):
        return True, 'exported under admin password version %s, the current one is %s' % (
            guid.get('password_version') or 'unknown', admin.get('version') or 'unknown')
    # Same-format UTC stamps (YYYY-MM-DDTHH:MM:SSZ) compare as strings.
    if exported and changed and str(exported) < str(changed):
        return True, 'exported at %s, the admin password changed at %s' % (exported, changed)
    return False, None


def recovery_readiness(record):
    """Per device which self-service recovery methods are ready, from the read-only check-mode run
    of camfleet.hikvision.recovery (device side) and what the credential store holds:

    * security questions: the device shows all three set and the store holds them as configured;
    * recovery e-mail: the device shows a reserved address;
    * GUID file: in the store and not stale (see _guid_staleness);

    each only where the firmware offers it and its reset side (extern capabilities) does not
    refuse it. Never a pass without evidence: a device not read is ``unknown``."""
    rec = record.get('recovery')
    if record.get('unreachable') or not isinstance(rec, dict) or rec.get('error') or not rec.get('methods'):
        error = rec.get('error') if isinstance(rec, dict) else None
        return {'methods': dict((m, 'unknown') for m in RECOVERY_METHODS), 'ready': [],
                'guid_stale': None, 'guid_exported_at': None, 'password_changed_at': None,
                'flags': [], 'error': error or ('device not reachable' if record.get('unreachable') else 'not read')}
    methods, store = rec['methods'], rec.get('store') or {}
    guid_info = store.get('guid_file') or {}
    stale, why = _guid_staleness(store)
    answers = store.get('security_answers') or {}
    states = {}
    for name in RECOVERY_METHODS:
        m = methods.get(name) or {}
        usable = m.get('reset_supported') is not False
        if name == 'guid_file':
            ready = bool(guid_info) and not stale
        elif name == 'security_questions':
            ready = (m.get('configured_on_device') or 0) >= 3 and answers.get('state') == 'configured'
        else:
            ready = bool(m.get('address_shown'))
        if not m.get('supported') or not usable:
            states[name] = 'stale' if name == 'guid_file' and stale else 'not_supported'
        elif ready:
            states[name] = 'ready'
        else:
            states[name] = 'stale' if name == 'guid_file' and stale else 'not_ready'
    flags = []
    if stale:
        flags.append('the stored GUID file is stale (%s): it no longer resets the password; run '
                     'camfleet.hikvision.recovery to export a new one' % why)
    return {'methods': states, 'ready': [m for m in RECOVERY_METHODS if states[m] == 'ready'],
            'guid_stale': stale, 'guid_exported_at': guid_info.get('set_at'),
            'password_changed_at': (store.get('admin_password') or {}).get('set_at'),
            'flags': flags, 'error': None}


# -- the whole audit ------------------------------------------------------------------------------
def audit_device(record, catalog, baselines, cves, review=None):
    controls = []
    for control in catalog:
        status, value = evaluate_control(control, record)
        controls.append({'id': control['id'], 'title': control['title'], 'status': status,
                         'number': control.get('number'), 'value': value,
                         'fix': control.get('fix', '') if status != 'pass' else ''})
    status, value = firmware_control(record, baselines)
    controls.append({'id': 'firmware_baseline', 'title': 'Firmware at or above the pinned baseline',
                     'number': 25, 'status': status, 'value': value,
                     'fix': 'run playbooks/firmware.yml with the pinned version' if status == 'fail' else ''})
    device = record.get('device') or {}
    exposure = [] if record.get('unreachable') else cve_exposure(device.get('model'), device.get('firmware'), cves)
    kev = [c for c in exposure if c['kev']]
    controls.append({'id': 'no_known_exploited_cve', 'title': 'No known-exploited CVE applies',
                     'number': 25, 'value': [c['cve'] for c in exposure],
                     'status': 'unknown' if record.get('unreachable') or not device.get('firmware')
                     else ('fail' if kev else 'pass'),
                     'fix': ('upgrade: %s' % ', '.join(c['cve'] for c in kev)) if kev else ''})
    counts = dict((s, 0) for s in STATUSES)
    for control in controls:
        counts[control['status']] += 1
    if record.get('log_entries') is not None:
        log = review_log(record['log_entries'], **(review or {}))
        log['since'] = record.get('log_since')
        log['until'] = next_since(record['log_entries'], record.get('log_since'))
    else:
        log = {'flags': [], 'error': record.get('log_error') or ('not read' if not record.get('unreachable') else None)}
    return {'name': record['name'], 'site': record.get('site') or 'unassigned',
            'address': record.get('address'), 'model': device.get('model'),
            'firmware': device.get('firmware'), 'unreachable': bool(record.get('unreachable')),
            'error': record.get('error'), 'controls': controls, 'counts': counts, 'cves': exposure,
            'log': log, 'recovery': recovery_readiness(record)}


def audit_fleet(records, catalog, baselines, cves, now=None, review=None, merged=()):
    """The report over the records judged now and the devices of earlier reports (``merged``:
    audit.json contents, such as the other job slices' reports), each taken as judged there. A
    device judged now wins over the same device in a merged report, a later merged report over an
    earlier one."""
    if records:
        check_catalog(catalog)
    devices = {}
    for report in merged:
        for device in report.get('devices') or []:
            devices[device['name']] = device
    for record in records:
        devices[record['name']] = audit_device(record, catalog, baselines, cves, review)
    return summarise([devices[name] for name in sorted(devices)], now)


def summarise(devices, now=None):
    totals = dict((s, sum(d['counts'][s] for d in devices)) for s in STATUSES)
    sites = {}
    for device in devices:
        site = sites.setdefault(device['site'], dict((s, 0) for s in STATUSES))
        for status in STATUSES:
            site[status] += device['counts'][status]
    when = (now or datetime.datetime.now(datetime.timezone.utc)).replace(microsecond=0)
    readiness = {'devices_with_a_ready_method': sum(1 for d in devices if d['recovery']['ready']),
                 'stale_guid_files': sum(1 for d in devices if d['recovery']['guid_stale']),
                 'unknown': sum(1 for d in devices if d['recovery']['error'])}
    return {'generated': when.isoformat(), 'totals': totals, 'sites': sites, 'devices': devices,
            'device_count': len(devices), 'recovery': readiness,
            'failing_devices': sum(1 for d in devices if d['counts']['fail'] or d['unreachable'])}
