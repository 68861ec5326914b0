"""The audit's pure logic: the settings view of the one change tracker, control outcomes (never a
pass without evidence), firmware/CVE matching and the log review."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils.engine import settings_view
from ansible_collections.camfleet.hikvision.plugins.plugin_utils import audit

jmespath = pytest.importorskip('jmespath')


def test_settings_view_is_the_device_state_after_the_task_and_never_a_password():
    result = {'changed': True, 'unsupported': ['telnet'],
              'diff': {'before': {'ssh': True, 'password': 'x'}, 'after': {'ssh': False, 'password': '(changed)'}}}
    assert settings_view(result, check_mode=True) == {'ssh': True, 'telnet': None}
    assert settings_view(result, check_mode=False) == {'ssh': False, 'telnet': None}
    assert settings_view({'changed': False}) is None
    users = {'changed': False, 'diff': {'before': {'onvif_users': [{'name': 'vms', 'password': 'p'}]}}}
    assert settings_view(users) == {'onvif_users': [{'name': 'vms'}]}


CONTROL = {'id': 'ssh_off', 'title': 'SSH off', 'requires': ['settings.services.ssh'],
           'expr': 'settings.services.ssh == `false`'}


@pytest.mark.parametrize('record, status', [
    ({'settings': {'services': {'ssh': False}}}, 'pass'),
    ({'settings': {'services': {'ssh': True}}}, 'fail'),
    ({'settings': {'services': {'ssh': None}}, 'unsupported': {'services': ['ssh']}}, 'not_supported'),
    ({'settings': {'services': {}}}, 'unknown'),  # not read: no evidence either way
    ({'unreachable': True}, 'unknown'),
])
def test_control_outcomes(record, status):
    assert audit.evaluate_control(CONTROL, record)[0] == status


def test_non_boolean_expression_is_unknown_and_unsupported_is_never_passed():
    assert audit.evaluate_control(dict(CONTROL, expr='settings.services.ssh'),
                                  {'settings': {'services': {'ssh': 'yes'}}})[0] == 'unknown'
    assert audit.evaluate_control({'id': 'x', 'title': 'x', 'unsupported': True, 'expr': '`true`'}, {})[0] \
        == 'not_supported'


@pytest.mark.parametrize('catalog, message', [
    ([{'title': 't', 'expr': '`true`'}], 'controls[0]: id is required'),
    ([{'id': 'a', 'title': 't'}], 'controls[0] (a): expr is required'),
    ([{'id': 'a', 'title': 't', 'expr': 'a.[['}], "controls[0] (a): 'a.[[' is not valid JMESPath"),
    ([{'id': 'a', 'title': 't', 'expr': '`true`'}, {'id': 'a', 'title': 't', 'expr': '`true`'}],
     "controls[1]: id 'a' is used twice"),
])
def test_catalog_errors_name_the_control(catalog, message):
    with pytest.raises(ValueError) as err:
        audit.check_catalog(catalog)
    assert message in str(err.value)


def test_versions_and_cves():
    assert audit.version_key('V5.4.5 build 170124') == ((5, 4, 5), 170124)
    assert audit._below('V5.4.5 build 170124', 'V5.5.800') is True
    assert audit._below('V5.7.18 build 240826', 'V5.5.800') is False
    assert audit._below('V5.4.0 build 160530', 'V5.4.0 build 160601') is True
    cves = [{'cve': 'CVE-A', 'kev': True, 'affected': [
        {'model': r'DS-2CD2\d\d2F-I', 'from': 'V5.2.0 build 140721', 'through': 'V5.4.0 build 160530'}]}]
    assert [c['cve'] for c in audit.cve_exposure('DS-2CD2032F-I', 'V5.3.0 build 150101', cves)] == ['CVE-A']
    assert audit.cve_exposure('DS-2CD2032F-I', 'V5.4.0 build 160530', cves)  # 'through' is inclusive
    assert audit.cve_exposure('DS-2CD2032F-I', 'V5.4.1 build 170101', cves) == []
    assert audit.cve_exposure('DS-2CD2T86G2-ISU/SL', 'V5.3.0', cves) == []
    assert audit.firmware_control({'device': {'model': 'm', 'firmware': 'V5.7.18'}}, {'default': 'V5.7.0'})[0] == 'pass'
    assert audit.firmware_control({'device': {'model': 'm', 'firmware': 'V5.7.18'}}, {})[0] == 'unknown'


def test_log_review_counts_by_source_and_flags_the_unexpected():
    entries = [{'minor': 'illegalAccess', 'address': '10.0.0.9'}] * 3 + [
        {'minor': 'remoteCfgParm', 'address': '10.0.0.2', 'user': 'admin', 'time': 't1'},
        {'minor': 'remoteRestoreCfg', 'address': '10.0.0.2', 'user': 'admin', 'time': 't2'},
        {'minor': 'remoteReboot', 'address': '10.0.0.2', 'user': 'admin', 'time': 't3'}]
    review = audit.review_log(entries, expected_sources=['10.0.0.2'], expected_events=['remoteCfgParm'],
                              failed_login_threshold=2)
    assert review['failed_logins'] == {'10.0.0.9': 3}
    assert (review['config_changes'], review['resets'], review['reboots']) == (1, 1, 1)
    assert review['flags'] == ['3 failed logins from 10.0.0.9',
                               'reset remoteRestoreCfg at t2 by admin from 10.0.0.2',
                               'reboot remoteReboot at t3 by admin from 10.0.0.2']
    assert audit.next_since([{'time': '2026-01-01T10:00:00Z'}], 'x') == '2026-01-01T10:00:01Z'
    assert audit.next_since([], 'x') == 'x'


# -- recovery readiness --------------------------------------------------------------------------
def recovery_record(guid=None, admin=None, answers_state='configured', marked=3, shown='o****@example.com',
                    supported=(True, True, True), reset_supported=None):
    methods = {'security_questions': {'supported': supported[0], 'configured_on_device': marked},
               'recovery_email': {'supported': supported[1], 'address_shown': shown},
               'guid_file': {'supported': supported[2]}}
    if reset_supported is not None:
        for name, value in reset_supported.items():
            methods[name]['reset_supported'] = value
    store = {'security_answers': {'state': answers_state} if answers_state else None, 'guid_file': guid,
             'admin_password': admin or {'version': 'v2', 'set_at': '2026-01-02T00:00:00Z'}}
    return {'name': 'cam', 'recovery': {'methods': methods, 'store': store}}


FRESH = {'set_at': '2026-01-03T00:00:00Z', 'password_version': 'v2'}


def test_readiness_all_ready_with_a_fresh_guid_file():
    r = audit.recovery_readiness(recovery_record(guid=FRESH))
    assert r['methods'] == {'security_questions': 'ready', 'recovery_email': 'ready', 'guid_file': 'ready'}
    assert r['ready'] == ['security_questions', 'recovery_email', 'guid_file']
    assert r['guid_stale'] is False and r['flags'] == [] and r['guid_exported_at'] == '2026-01-03T00:00:00Z'
    assert r['password_changed_at'] == '2026-01-02T00:00:00Z'


@pytest.mark.parametrize('guid, admin, why', [
    # the admin password was changed (another version) after the export
    ({'set_at': '2026-01-01T00:00:00Z', 'password_version': 'v1'}, None,
     'exported under admin password version v1, the current one is v2'),
    # same version label, but the password's change is later than the export
    ({'set_at': '2026-01-01T00:00:00Z', 'password_version': 'v2'}, None,
     'exported at 2026-01-01T00:00:00Z, the admin password changed at 2026-01-02T00:00:00Z'),
    # exported with a password the store did not hold as current: no version to tie it to
    ({'set_at': '2026-01-03T00:00:00Z', 'password_version': None}, None,
     'exported under admin password version unknown, the current one is v2'),
])
def test_a_guid_file_older_than_the_password_is_stale_and_flagged(guid, admin, why):
    r = audit.recovery_readiness(recovery_record(guid=guid, admin=admin))
    assert r['methods']['guid_file'] == 'stale' and r['guid_stale'] is True
    assert r['flags'] == ['the stored GUID file is stale (%s): it no longer resets the password; run '
                          'camfleet.hikvision.recovery to export a new one' % why]
    assert 'guid_file' not in r['ready']


def test_readiness_not_ready_not_supported_and_unknown():
    r = audit.recovery_readiness(recovery_record(answers_state='pending', shown=None))
    assert r['methods'] == {'security_questions': 'not_ready', 'recovery_email': 'not_ready', 'guid_file': 'not_ready'}
    assert audit.recovery_readiness(recovery_record(marked=2))['methods']['security_questions'] == 'not_ready'
    r = audit.recovery_readiness(recovery_record(supported=(False, False, False), guid=FRESH))
    assert set(r['methods'].values()) == {'not_supported'} and r['ready'] == []
    # set up, but the reset side (extern capabilities) refuses the method
    r = audit.recovery_readiness(recovery_record(guid=FRESH, reset_supported={'recovery_email': False}))
    assert r['methods']['recovery_email'] == 'not_supported'
    for record in ({'name': 'x', 'unreachable': True}, {'name': 'x'},
                   {'name': 'x', 'recovery': {'error': 'the file credential store needs a directory'}}):
        r = audit.recovery_readiness(record)
        assert set(r['methods'].values()) == {'unknown'} and r['guid_stale'] is None and r['error']
    assert audit.recovery_readiness({'name': 'x', 'recovery': {'error': 'no store'}})['error'] == 'no store'


def test_readiness_in_the_fleet_report_and_its_html_columns():
    from ansible_collections.camfleet.hikvision.plugins.plugin_utils import audit_report
    stale = recovery_record(guid={'set_at': '2026-01-01T00:00:00Z', 'password_version': 'v1'})
    records = [dict(stale, name='cam-a'), dict(recovery_record(guid=FRESH), name='cam-b'), {'name': 'cam-c'}]
    report = audit.audit_fleet(records, [], {}, [])
    assert report['recovery'] == {'devices_with_a_ready_method': 2, 'stale_guid_files': 1, 'unknown': 1}
    page = audit_report.to_html(report)
    assert page.count('data-method="guid_file"') == 3
    assert '<td class="fail" data-method="guid_file" title="exported 2026-01-01T00:00:00Z; admin password ' \
           'changed 2026-01-02T00:00:00Z">stale</td>' in page
    assert '<li class="fail">recovery: the stored GUID file is stale' in page
    assert 'Recovery: 2 devices with a ready self-service method, 1 stale GUID files, 1 not read.' in page
    assert '"guid_stale": true' in audit_report.to_json(report)


def test_merged_reports_combine_devices_and_recount_and_a_fresh_record_wins():
    """The reports of job slices, each over its own devices, make one report (audit_report merge)."""
    def record(name, site, ssh):
        return {'name': name, 'site': site, 'settings': {'services': {'ssh': ssh}}}
    one = audit.audit_fleet([record('a', 's1', False), record('b', 's1', True)], [CONTROL], {}, [])
    two = audit.audit_fleet([record('c', 's2', True)], [CONTROL], {}, [])
    merged = audit.audit_fleet([], [], {}, [], merged=[one, two])
    assert [d['name'] for d in merged['devices']] == ['a', 'b', 'c']
    assert merged['device_count'] == 3 and merged['failing_devices'] == 2
    for status in audit.STATUSES:
        assert merged['totals'][status] == one['totals'][status] + two['totals'][status]
    assert merged['sites']['s1'] == one['sites']['s1'] and merged['sites']['s2'] == two['sites']['s2']
    # b hardened since its slice's report: judged now, it replaces the merged entry
    again = audit.audit_fleet([record('b', 's1', False)], [CONTROL], {}, [], merged=[one, two])
    status = dict((d['name'], [c['status'] for c in d['controls'] if c['id'] == 'ssh_off'][0])
                  for d in again['devices'])
    assert status == {'a': 'pass', 'b': 'pass', 'c': 'fail'} and again['failing_devices'] == 1
