"""The audit role through playbooks/audit.yml against the emulator: read-only, the expected
pass/fail per control on a drifted and on a hardened device, unsupported controls never passed,
and the three reports written."""
import json
import xml.etree.ElementTree as ET

from ansible_collections.camfleet.hikvision.plugins.modules.services import SPEC as SERVICES
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import run, run_playbook, strong_password

NEVER_PASS = {'certificate', 'sdk_security_mode', 'dot1x', 'anonymous_access_off'}


def audit(fleet, tmp_path, limit, **extra):
    dest = tmp_path / 'report'
    rc, results, out = run_playbook(fleet, 'playbooks/audit.yml', tmp_path,
                                    extra_vars=dict({'audit_dest': str(dest)}, **extra), limit=limit)
    report = json.loads((dest / 'audit.json').read_text()) if (dest / 'audit.json').exists() else None
    return rc, results, out, report, dest


def controls(report, name):
    device = [d for d in report['devices'] if d['name'] == name][0]
    return dict((c['id'], c['status']) for c in device['controls'])


def test_audit_drifted_vs_hardened_and_read_only(fleet, new_device, tmp_path):
    drifted = new_device('current_camera', inventory_password=True)
    hardened = new_device('current_camera', inventory_password=True)
    run(SERVICES, drifted.params(ssh=True, upnp=True))
    run(USER, drifted.params(name='intruder', level='operator', user_password=strong_password()))
    onvif = run(SERVICES, drifted.params(onvif=True, onvif_users=[{'name': 'old', 'password': strong_password()}]))
    assert onvif['changed'] is True, onvif
    rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path, limit=hardened.name,
                                    extra_vars={'baseline_ntp_servers': ['10.20.0.1']})
    assert rc == 0, out
    for device in (drifted, hardened):
        device.control.reset_counters(device.name)

    rc, results, out, report, dest = audit(fleet, tmp_path, '%s,%s' % (drifted.name, hardened.name))
    assert rc == 0, out
    for device in (drifted, hardened):  # read-only: the log search is the one POST, a query
        sent = [k for k in device.counters()['requests'] if not k.startswith('GET ')]
        assert sent == ['POST /ISAPI/ContentMgmt/logSearch'], sent
    # no credential store configured: recovery readiness is unknown, said why, nothing sent for it
    readiness = [d['recovery'] for d in report['devices'] if d['name'] == drifted.name][0]
    assert set(readiness['methods'].values()) == {'unknown'} and readiness['guid_stale'] is None
    assert 'the file credential store needs a directory' in readiness['error']
    bad, good = controls(report, drifted.name), controls(report, hardened.name)
    assert bad['ssh_off'] == 'fail' and bad['upnp_off'] == 'fail'
    assert bad['no_undeclared_accounts'] == 'fail' and bad['no_undeclared_onvif_accounts'] == 'fail'
    assert bad['onvif_as_declared'] == 'fail' and good['onvif_as_declared'] == 'pass'
    assert good['no_undeclared_onvif_accounts'] == 'pass'
    for control in ('ssh_off', 'upnp_off', 'no_undeclared_accounts', 'https_on', 'http_off',
                    'tls_12_and_newer', 'web_auth_digest', 'login_lock', 'ntp_mode', 'ddns_off'):
        assert good[control] == 'pass', (control, good)
    for statuses in (bad, good):
        assert all(statuses[c] == 'not_supported' for c in NEVER_PASS)
        # the emulator has no session timeout resource; its logServer is off at 0.0.0.0, as a
        # factory device's is, which is no syslog server (a regex over the document passed it)
        assert statuses['session_timeout'] == 'not_supported'
        assert statuses['remote_syslog'] == 'fail'
    passed = [d for d in report['devices'] if d['name'] == hardened.name][0]['counts']['pass']
    assert passed == list(good.values()).count('pass')
    assert 'ip_allow_list' in good and good['ip_allow_list'] == 'unknown'  # no allow-list declared

    junit = ET.parse(dest / 'audit-junit.xml').getroot()
    suite = [s for s in junit if s.get('name') == drifted.name][0]
    failed = sorted(c.get('name') for c in suite if c.find('failure') is not None)
    assert failed == sorted(k for k, v in bad.items() if v == 'fail')
    skipped = [c.get('name') for c in suite if c.find('skipped') is not None]
    assert NEVER_PASS <= set(skipped)
    html = (dest / 'audit.html').read_text()
    assert 'http://' not in html.replace('http://www.w3.org', '') and '<script src' not in html
    assert html.count('class="device"') == 2

    # the log review flagged the drift and the hardening (nobody declared them expected) ...
    flags = dict((d['name'], d['log']['flags']) for d in report['devices'])
    assert any('remoteAddUser' in f for f in flags[drifted.name]), flags
    assert any('remoteCfgParm' in f for f in flags[hardened.name]), flags
    # ... and the next audit reviews only what came after: nothing new, so an unchanged fleet's
    # re-audit changes nothing and the report keeps what the last review flagged
    rc, again, out, second, dest = audit(fleet, tmp_path, '%s,%s' % (drifted.name, hardened.name))
    assert rc == 0, out
    assert [r['task'] for r in again if r['result'].get('changed')] == [], out
    assert second == report
    # a new event after that window: the next audit flags it (and only it) and rewrites the report
    run(USER, drifted.params(name='late', level='viewer', user_password=strong_password()))
    rc, again, out, third, dest = audit(fleet, tmp_path, '%s,%s' % (drifted.name, hardened.name))
    assert rc == 0, out
    assert [r['task'] for r in again if r['result'].get('changed')] != [], out
    flags = dict((d['name'], d['log']['flags']) for d in third['devices'])
    assert len(flags[drifted.name]) == 1 and 'remoteAddUser' in flags[drifted.name][0], flags
    assert flags[hardened.name] == [], flags


def test_cve_and_firmware_baseline(fleet, new_device, tmp_path):
    legacy = new_device('legacy_camera', inventory_password=True)
    current = new_device('current_camera', inventory_password=True)
    baseline = {'DS-2CD2155FWD-I': 'V5.5.800', 'default': 'V5.7.0'}
    rc, results, out, report, dest = audit(fleet, tmp_path, '%s,%s' % (legacy.name, current.name),
                                           audit_firmware_baseline=baseline)
    assert rc == 0, out
    old, new = controls(report, legacy.name), controls(report, current.name)
    assert old['firmware_baseline'] == 'fail' and old['no_known_exploited_cve'] == 'fail'
    device = [d for d in report['devices'] if d['name'] == legacy.name][0]
    assert [c['cve'] for c in device['cves']] == ['CVE-2021-36260']
    assert new['firmware_baseline'] == 'pass' and new['no_known_exploited_cve'] == 'pass'


def test_an_unreachable_device_is_unknown_never_passed(fleet, new_device, tmp_path):
    good = new_device('nvr', inventory_password=True)
    bad = new_device('nvr', inventory_password=True)
    fleet.control.faults(bad.name, refuse_seconds=100000)
    try:
        rc, results, out, report, dest = audit(fleet, tmp_path, '%s,%s' % (good.name, bad.name))
    finally:
        fleet.control.clear_faults(bad.name)
    assert report is not None, out
    statuses = controls(report, bad.name)
    assert 'pass' not in statuses.values() and 'fail' not in statuses.values()
    assert set(statuses.values()) == {'unknown', 'not_supported'}
    device = [d for d in report['devices'] if d['name'] == bad.name][0]
    assert device['unreachable'] is True and device['error']
    assert controls(report, good.name)['https_on'] == 'pass'


def test_a_user_control_is_data(fleet, new_device, tmp_path):
    device = new_device('current_camera', inventory_password=True)
    mine = [{'id': 'mine_ssh_on', 'title': 'SSH on (a user control)', 'requires': ['settings.services.ssh'],
             'expr': 'settings.services.ssh', 'fix': 'nothing'},
            {'id': 'mine_unknown_key', 'title': 'A key no module reads', 'requires': ['settings.services.nope'],
             'expr': 'settings.services.nope'}]
    rc, results, out, report, dest = audit(fleet, tmp_path, device.name, audit_extra_controls=mine)
    assert rc == 0, out
    statuses = controls(report, device.name)
    assert statuses['mine_ssh_on'] == 'fail' and statuses['mine_unknown_key'] == 'unknown'
    bad = [{'id': 'broken', 'title': 'Broken', 'expr': 'settings.[['}]
    rc, results, out, report, dest = audit(fleet, tmp_path, device.name, audit_extra_controls=bad)
    assert rc != 0 and "controls[" in out and "(broken): 'settings.[[' is not valid JMESPath" in out


def test_log_review_counts_failed_logins_by_source(fleet, new_device, tmp_path):
    from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO
    device = new_device('current_camera', inventory_password=True)
    wrong = run(INFO, device.params(password='Wrong-pass-1'))
    assert wrong['failed'] is True
    rc, results, out, report, dest = audit(fleet, tmp_path, device.name,
                                           audit_expected_log_events=['powerOn'])
    assert rc == 0, out
    log = [d for d in report['devices'] if d['name'] == device.name][0]['log']
    assert sum(log['failed_logins'].values()) == 1, log
    assert any(f.startswith('1 failed logins from ') for f in log['flags']), log
    # tolerated up to the threshold (a fresh report directory: the same window again)
    (tmp_path / 'again').mkdir()
    rc, results, out, report, dest = audit(fleet, tmp_path / 'again', device.name,
                                           audit_expected_log_events=['powerOn'],
                                           audit_failed_login_threshold=1)
    assert rc == 0, out
    log = [d for d in report['devices'] if d['name'] == device.name][0]['log']
    assert sum(log['failed_logins'].values()) == 1 and not any('failed logins' in f for f in log['flags'])
