"""camfleet.hikvision.recovery through ansible-playbook against emulated devices whose firmware
offers different recovery methods (the fleet key ``recovery``), with the answers and the GUID
file kept in a file credential store. Device state is read back through the control API; every
run is at -vvvv and must show no answer, GUID file or password. Each device gets one fleet of its
own (module scope) and no test costs a failed login."""
import json
import os
import re

import pytest

from ansible.parsing.vault import VaultSecret

from emulator.testing import RunningFleet

from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import client_from_params
from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import open_store, resolve_settings

from .conftest import _worker_index, run_playbook, strong_password

DEVICES = [
    # name, profile, methods offered
    ('full-cam', 'current_camera', ['guid', 'questions', 'email']),
    ('qe-cam', 'current_camera', ['questions', 'email']),
    ('plain-cam', 'current_camera', []),
    ('old-cam', 'legacy_camera', ['questions']),  # no security mode: plain answers
]

PLAY = '''
- hosts: "{{ targets | default('all') }}"
  gather_facts: false
  tasks:
    - name: recovery
      camfleet.hikvision.recovery:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        ca_path: "{{ isapi_ca_path }}"
        store: "{{ store }}"
        recovery_email: "{{ email | default(omit) }}"
'''


@pytest.fixture(scope='module')
def rfleet(request, tmp_path_factory):
    # Its own range per xdist worker (and per CAMFLEET_TEST_NET): xdist may run this module's
    # tests on two workers at once, each starting this fleet.
    net = int(os.environ.get('CAMFLEET_TEST_NET', '60')) + 100 + _worker_index(request)
    spec = {
        'time_scale': 0.01, 'subnet': '127.%d.0.0/16' % net,
        'defaults': {'lock_attempts': 3, 'lock_seconds': 1800},
        'sites': [{'name': 'lab', 'devices': [
            {'name': n, 'profile': p, 'kind': 'camera', 'activated': True,
             'password': strong_password(), 'recovery': m} for n, p, m in DEVICES]}],
    }
    with RunningFleet(fleet=spec, out_dir=str(tmp_path_factory.mktemp('rfleet')),
                      extra_args=['--sadp', '--sadp-reply', 'unicast']) as running:
        yield running


@pytest.fixture
def store(rfleet, tmp_path):
    """A fresh file store seeded with each device's current admin password."""
    settings = dict(backend='file', path=str(tmp_path / 'credentials'))
    with open(rfleet.vault_pass_path) as handle:
        vault = [('default', VaultSecret(handle.read().strip().encode()))]
    st = open_store(resolve_settings(settings, environ={}), vault_secrets=vault)
    for name, dummy, dummy2 in DEVICES:
        password = strong_password()
        rfleet.control.provision(name, activated=True, password=password)
        rfleet.control.reset_counters(name)
        st.set_pending(name, 'admin', password)
        st.promote(name, 'admin', expect=password)
    st.settings = settings
    return st


def play(rfleet, store, tmp_path, check=False, **extra):
    rc, results, out = run_playbook(rfleet, PLAY, tmp_path, check=check,
                                    extra_vars=dict(store=store.settings, **extra),
                                    env={'ANSIBLE_VERBOSITY': '4'})
    by_host = dict((r['host'], r) for r in results if r['task'] == 'recovery')
    return rc, by_host, out


def secrets_of(store, name):
    out = [store.current(name, 'admin')]
    for kind in ('security_answers', 'guid_file'):
        entry = store.secret(name, kind)
        if entry:
            out += entry['value'] if isinstance(entry['value'], list) else [entry['value']]
    return out


def assert_no_secret(store, out, results):
    text = out + json.dumps(results)
    for name, dummy, dummy2 in DEVICES:
        for secret in secrets_of(store, name):
            assert secret not in text, 'a secret of %s is in the output' % name


def assert_no_failed_login(rfleet):
    for name, dummy, dummy2 in DEVICES:
        state = rfleet.control.state(name)
        assert all(entry['failures'] == 0 for entry in state['locks'].values()), state['locks']


def test_first_run_prepares_what_each_firmware_offers(rfleet, store, tmp_path):
    rc, res, out = play(rfleet, store, tmp_path, email='cctv-recovery@example.com')
    assert rc == 0, out[-3000:]
    full = res['full-cam']['result']
    assert full['changed'] is True
    r = full['recovery']
    assert r['security_questions']['supported'] and r['security_questions']['ready']
    assert r['recovery_email']['ready'] and r['recovery_email']['address_shown'] == 'c****@example.com'
    assert r['guid_file'] == dict(r['guid_file'], supported=True, ready=True, stale=False, stored=True)
    area = rfleet.control.state('full-cam')['areas']['recovery']
    assert area['questions'] == [1, 2, 3] and area['email_set'] and area['guid_exported']
    # questions and GUID export went in security mode (the device offers it)
    assert area['security_mode_writes'] == 2
    answers = store.secret('full-cam', 'security_answers')
    assert answers['state'] == 'configured' and len(set(answers['value'])) == 3
    guid = store.secret('full-cam', 'guid_file')
    assert len(guid['value']) == 128
    assert guid['password_version'] == store.password_version('full-cam', 'admin')

    # the reset side, where the firmware has extern/capabilities (the V5.4.5 profile has not)
    assert full['reset_capabilities'] == {'security_questions': True, 'recovery_email': True,
                                          'guid_file': True, 'hik_connect': False, 'min_reset_methods': 0}
    assert res['old-cam']['result']['reset_capabilities'] is None
    assert 'reset_supported' not in res['old-cam']['result']['recovery']['security_questions']
    assert full['store']['admin_password'] == {'version': store.password_version('full-cam', 'admin'),
                                               'set_at': store.history('full-cam', 'admin')[0]['set_at']}

    qe = res['qe-cam']['result']['recovery']
    assert qe['guid_file'] == {'supported': False, 'ready': False, 'changed': False, 'reset_supported': False}
    assert qe['security_questions']['ready'] and qe['recovery_email']['ready']
    assert store.secret('qe-cam', 'guid_file') is None

    plain = res['plain-cam']['result']
    assert plain['changed'] is False and not plain.get('failed')
    assert not any(m['supported'] or m['ready'] for m in plain['recovery'].values())
    assert store.secret('plain-cam', 'security_answers') is None  # no answers for no questions
    assert rfleet.control.state('plain-cam')['areas']['recovery']['writes'] == 0

    old = rfleet.control.state('old-cam')['areas']['recovery']
    assert old['questions'] == [1, 2, 3] and old['security_mode_writes'] == 0
    assert res['old-cam']['result']['recovery']['security_questions']['ready']
    assert_no_secret(store, out, res)
    assert_no_failed_login(rfleet)


def test_second_run_changes_nothing(rfleet, store, tmp_path):
    rc, res, out = play(rfleet, store, tmp_path, email='cctv-recovery@example.com')
    assert rc == 0
    writes = dict((n, rfleet.control.state(n)['areas']['recovery']['writes']) for n, d, d2 in DEVICES)
    revisions = dict((n, store.revision(n)) for n, d, d2 in DEVICES)
    rc, res, out = play(rfleet, store, tmp_path, email='cctv-recovery@example.com')
    assert rc == 0, out[-3000:]
    assert [h for h, r in res.items() if r['result']['changed']] == []
    assert writes == dict((n, rfleet.control.state(n)['areas']['recovery']['writes']) for n, d, d2 in DEVICES)
    assert revisions == dict((n, store.revision(n)) for n, d, d2 in DEVICES)
    assert res['full-cam']['result']['recovery']['guid_file']['ready'] is True
    assert_no_secret(store, out, res)


def test_check_mode_writes_neither_device_nor_store(rfleet, store, tmp_path):
    rc, res, out = play(rfleet, store, tmp_path, check=True, email='cctv-recovery@example.com')
    assert rc == 0, out[-3000:]
    assert res['full-cam']['result']['changed'] is True
    assert res['full-cam']['result']['recovery']['guid_file']['changed'] is True
    for name, dummy, dummy2 in DEVICES:
        assert rfleet.control.state(name)['areas']['recovery']['writes'] == 0
        assert store.secret(name, 'security_answers') is None
        assert store.secret(name, 'guid_file') is None


def _client(rfleet, name, password):
    info = rfleet.devices[name]
    return client_from_params(dict(host=info['address'], port=info['https_port'], scheme='https',
                                   username='admin', password=password, validate_certs=True,
                                   ca_path=rfleet.ca_path, timeout=10), name=name)


def _set_on_device(rfleet, name, old, new):
    """The admin password changed on the device over ISAPI (the store not told)."""
    client = _client(rfleet, name, old)
    client.put('/ISAPI/Security/users/1', xmldoc.element(
        'User', {'id': 1, 'userName': 'admin', 'password': new, 'loginPassword': old}))
    client.close()


def _change_admin_password(rfleet, store, name):
    """A rotation as the store records it: pending first, changed on the device, promoted."""
    old, new = store.current(name, 'admin'), strong_password()
    store.set_pending(name, 'admin', new)
    _set_on_device(rfleet, name, old, new)
    store.promote(name, 'admin', expect=new)


def test_a_password_change_makes_the_guid_file_stale_and_a_run_exports_a_new_one(rfleet, store, tmp_path):
    rc, res, out = play(rfleet, store, tmp_path, targets='full-cam')
    assert rc == 0
    first = store.secret('full-cam', 'guid_file')
    _change_admin_password(rfleet, store, 'full-cam')

    rc, res, out = play(rfleet, store, tmp_path, check=True, targets='full-cam')
    g = res['full-cam']['result']['recovery']['guid_file']
    assert rc == 0 and g['stale'] is False and g['changed'] is True  # check mode: would re-export
    # the audit (export_guid false) shows it stale without exporting
    audit = PLAY.replace('recovery_email:', 'export_guid: false\n        recovery_email:')
    rc, results, out = run_playbook(rfleet, audit, tmp_path, extra_vars=dict(store=store.settings, targets='full-cam'))
    g = [r for r in results if r['task'] == 'recovery'][0]['result']['recovery']['guid_file']
    assert rc == 0 and g['stale'] is True and g['ready'] is False

    exported = rfleet.control.state('full-cam')['areas']['recovery']['guid_exported_at']
    rc, res, out = play(rfleet, store, tmp_path, targets='full-cam')
    g = res['full-cam']['result']['recovery']['guid_file']
    assert rc == 0 and g['ready'] is True and g['stale'] is False and g['changed'] is True
    second = store.secret('full-cam', 'guid_file')
    assert second['value'] != first['value']
    assert second['password_version'] == store.password_version('full-cam', 'admin') != first['password_version']
    assert rfleet.control.state('full-cam')['areas']['recovery']['guid_exported_at'] > exported
    assert_no_secret(store, out, res)


def test_interrupted_answers_stay_pending_and_are_resent_unchanged(rfleet, store, tmp_path):
    # The answers were stored as pending by a run that stopped before the device confirmed them.
    pending = ['first-pending-answer', 'second-pending-answer', 'third-pending-answer']
    store.set_secret('qe-cam', 'security_answers', pending, state='pending')
    rc, res, out = play(rfleet, store, tmp_path, targets='qe-cam')
    assert rc == 0
    entry = store.secret('qe-cam', 'security_answers')
    assert entry['value'] == pending and entry['state'] == 'configured'
    assert rfleet.control.state('qe-cam')['areas']['recovery']['writes'] == 1
    assert 'first-pending-answer' not in out


def test_a_wrong_recovery_email_is_refused_before_writing(rfleet, store, tmp_path):
    rc, res, out = play(rfleet, store, tmp_path, targets='qe-cam', email='not-an-address')
    assert rc != 0
    assert "recovery_email 'not-an-address' is not an e-mail address" in res['qe-cam']['result']['msg']
    assert rfleet.control.state('qe-cam')['areas']['recovery']['writes'] == 0


RESET = '''
- hosts: "{{ targets }}"
  gather_facts: false
  tasks:
    - name: reset
      camfleet.hikvision.recovery_reset:
        interfaces: [lo]
        mac: "{{ macs[inventory_hostname] }}"
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        ca_path: "{{ isapi_ca_path }}"
        store: "{{ store }}"
        method: "{{ method | default('auto') }}"
'''


def reset(rfleet, store, tmp_path, name, check=False, **extra):
    macs = dict((n, rfleet.devices[n]['mac']) for n, d, d2 in DEVICES)
    rc, results, out = run_playbook(rfleet, RESET, tmp_path, check=check, env={'ANSIBLE_VERBOSITY': '4'},
                                    extra_vars=dict(store=store.settings, targets=name, macs=macs, **extra))
    return rc, [r for r in results if r['task'] == 'reset'][0]['result'], out


def _lose_password(rfleet, store, name):
    """Someone changed the admin password by hand: the store's current one no longer works."""
    _set_on_device(rfleet, name, store.current(name, 'admin'), strong_password())


def test_reset_with_the_guid_file_then_with_the_answers(rfleet, store, tmp_path):
    rc, res, out = play(rfleet, store, tmp_path, targets='full-cam')
    assert rc == 0
    before = store.current('full-cam', 'admin')
    guid = store.secret('full-cam', 'guid_file')['value']

    rc, result, out = reset(rfleet, store, tmp_path, 'full-cam', check=True)
    assert rc == 0 and result['changed'] and result['method'] == 'guid'
    assert store.current('full-cam', 'admin') == before and store.record('full-cam', 'admin').pending is None

    rc, result, out = reset(rfleet, store, tmp_path, 'full-cam')
    assert rc == 0, out[-3000:]
    assert result['method'] == 'guid' and result['proven'] and result['store']['state'] == 'current'
    new = store.current('full-cam', 'admin')
    assert new != before
    assert rfleet.control.check_password('full-cam', 'admin', new)
    assert guid not in out and new not in out and before not in out
    # the GUID file is used up and dead with the old password: the next reset takes the answers
    _lose_password(rfleet, store, 'full-cam')
    rc, result, out = reset(rfleet, store, tmp_path, 'full-cam')
    assert rc == 0, out[-3000:]
    assert result['method'] == 'answers'
    third = store.current('full-cam', 'admin')
    assert rfleet.control.check_password('full-cam', 'admin', third)
    for answer in store.secret('full-cam', 'security_answers')['value']:
        assert answer not in out
    assert_no_failed_login(rfleet)


def test_a_wrong_guid_is_refused_counted_and_the_pending_password_discarded(rfleet, store, tmp_path):
    rc, res, out = play(rfleet, store, tmp_path, targets='full-cam')
    entry = store.secret('full-cam', 'guid_file')
    store.set_secret('full-cam', 'guid_file', '0' * 128, password_version=entry['password_version'])
    device_password = store.current('full-cam', 'admin')
    rc, result, out = reset(rfleet, store, tmp_path, 'full-cam', method='guid')
    assert rc != 0
    assert 'refused the GUID file (invalidGUID); 6 attempt(s) left' in result['msg']
    assert result['store']['state'] == 'discarded'
    assert store.record('full-cam', 'admin').pending is None
    assert rfleet.control.check_password('full-cam', 'admin', device_password)
    assert rfleet.control.state('full-cam')['areas']['recovery']['reset_failures'] == 1
    assert_no_failed_login(rfleet)


def test_a_locked_device_is_recorded_and_then_left_alone(rfleet, store, tmp_path):
    from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp, recovery_reset
    play(rfleet, store, tmp_path, targets='full-cam')
    mac = rfleet.devices['full-cam']['mac']
    with sadp.SadpSocket(['lo']) as sock:
        link = sock.link_named('lo')
        for _ in range(7):
            try:
                recovery_reset.send_reset(sock, link, sadp.normalize_mac(mac), 'guid', 'f' * 128,
                                          strong_password(), 3.0, 2)
            except Exception:
                pass
    assert rfleet.control.state('full-cam')['areas']['recovery']['reset_locked']
    rc, result, out = reset(rfleet, store, tmp_path, 'full-cam')
    assert rc != 0 and 'refuses password resets for' in result['msg']
    assert result['lock']['until'] and result['store']['state'] == 'discarded'
    failures = rfleet.control.state('full-cam')['areas']['recovery']['reset_failures']
    rc, result, out = reset(rfleet, store, tmp_path, 'full-cam')
    assert rc != 0 and 'refuses password resets until' in result['msg'] and 'nothing sent' in result['msg']
    assert rfleet.control.state('full-cam')['areas']['recovery']['reset_failures'] == failures


def test_no_secret_no_reset(rfleet, store, tmp_path):
    rc, result, out = reset(rfleet, store, tmp_path, 'plain-cam')
    assert rc != 0
    assert 'holds no usable recovery secret' in result['msg'] and 'nothing sent' in result['msg']


def test_shipped_module_path_stores_the_guid_and_shows_no_secret(rfleet, store, tmp_path):
    rc, results, out = run_playbook(rfleet, PLAY, tmp_path, extra_vars=dict(store=store.settings, targets='full-cam'),
                                    env={'ANSIBLE_VERBOSITY': '4', 'CAMFLEET_FORCE_MODULE': '1'})
    assert rc == 0, out[-3000:]
    result = [r for r in results if r['task'] == 'recovery'][0]['result']
    assert result['recovery']['guid_file']['ready'] and 'guid_file' not in result
    assert len(store.secret('full-cam', 'guid_file')['value']) == 128
    assert_no_secret(store, out, results)


def test_over_plain_http_no_clear_secret_is_sent(rfleet, store, tmp_path):
    http = PLAY.replace('port: "{{ isapi_port }}"', 'port: "{{ isapi_http_port }}"\n        scheme: http')
    rc, results, out = run_playbook(rfleet, http, tmp_path, extra_vars=dict(store=store.settings, targets='full-cam'))
    result = [r for r in results if r['task'] == 'recovery'][0]['result']
    assert rc != 0
    # the answers travel encrypted (security mode); the GUID file would come back in clear
    assert ('refused to send POST /ISAPI/Security/GUIDFileData over plain HTTP: it carries the GUID '
            'file in its answer') in result['msg']
    area = rfleet.control.state('full-cam')['areas']['recovery']
    assert area['guid_exported'] is False and area['security_mode_writes'] == 1
    assert store.secret('full-cam', 'security_answers')['state'] == 'pending'  # re-sent next run


def _vendor(rfleet, store, tmp_path, phase, support, limit='plain-cam', **extra):
    rc, results, out = run_playbook(
        rfleet, 'playbooks/recover_password.yml', tmp_path, limit=limit, env={'ANSIBLE_VERBOSITY': '4'},
        extra_vars=dict(recovery_phase=phase, support_dir=str(support), sadp_interfaces=['lo'],
                        camfleet_credential_store=store.settings, **extra))
    return rc, results, out


def test_vendor_flow_export_then_apply_the_support_desk_test_double_key(rfleet, store, tmp_path):
    support = tmp_path / 'support'
    serial = rfleet.devices['plain-cam']['serial']
    safe = re.sub(r'[^A-Za-z0-9_.-]', '_', serial)
    rc, results, out = _vendor(rfleet, store, tmp_path, 'export', support)
    assert rc == 0, out[-3000:]
    site = support / 'lab'
    requests = [p.name for p in site.iterdir() if p.name.startswith(safe) and p.name.endswith('.xml')]
    assert len(requests) == 1
    csv = (site / 'devices.csv').read_text().splitlines()
    assert csv[0] == 'serial,model,mac,firmware,site,location,request,offered_methods'
    assert csv[1].startswith('%s,%s,' % (serial, rfleet.devices['plain-cam']['model'])) and ',lab,' in csv[1]
    assert csv[1].endswith(',file,support_request')  # no self-service method on this firmware
    assert 'photos/<serial>.jpg' in (site / 'README.txt').read_text()
    log = (support / 'changelog.csv').read_text().splitlines()
    assert len(log) == 1 and ',plain-cam,%s,export,%s' % (serial, requests[0]) in log[0]

    # Hikvision's support algorithm is secret: the emulator's support desk is a test double.
    before = store.current('plain-cam', 'admin')
    key = rfleet.control.support_desk('plain-cam')
    (site / ('%s.key' % safe)).write_text(key + '\n')
    rc, results, out = _vendor(rfleet, store, tmp_path, 'apply', support)
    assert rc == 0, out[-3000:]
    new = store.current('plain-cam', 'admin')
    assert new != before and rfleet.control.check_password('plain-cam', 'admin', new)
    assert 'h of the 48 h window left' in out
    assert new not in out and before not in out and key not in out
    log = (support / 'changelog.csv').read_text().splitlines()
    assert len(log) == 2 and ',plain-cam,%s,apply-key,%s.key' % (serial, safe) in log[1]
    assert_no_failed_login(rfleet)


def test_vendor_flow_a_wrong_key_or_a_reboot_changes_nothing(rfleet, store, tmp_path):
    support = tmp_path / 'support'
    safe = re.sub(r'[^A-Za-z0-9_.-]', '_', rfleet.devices['plain-cam']['serial'])
    assert _vendor(rfleet, store, tmp_path, 'export', support)[0] == 0
    before = store.current('plain-cam', 'admin')
    (support / 'lab' / ('%s.key' % safe)).write_text('00000000')
    rc, results, out = _vendor(rfleet, store, tmp_path, 'apply', support)
    assert rc != 0 and 'refused the support key (codeError)' in out
    assert (support / 'changelog.csv').read_text().splitlines()[-1].endswith(',apply-key,%s.key,failed' % safe)
    assert store.current('plain-cam', 'admin') == before and store.record('plain-cam', 'admin').pending is None
    # a reboot voids the request: even the right key is refused then
    key = rfleet.control.support_desk('plain-cam')
    (support / 'lab' / ('%s.key' % safe)).write_text(key)
    client = _client(rfleet, 'plain-cam', before)
    client.put('/ISAPI/System/reboot', idempotent=False)
    client.close()
    import time
    deadline = time.time() + 20
    while not rfleet.control.state('plain-cam')['online'] or rfleet.control.state('plain-cam')['rebooting']:
        assert time.time() < deadline
        time.sleep(0.2)
    rc, results, out = _vendor(rfleet, store, tmp_path, 'apply', support)
    assert rc != 0 and 'no longer holds the reset request' in out
    assert rfleet.control.check_password('plain-cam', 'admin', before)


def test_an_interrupted_reset_is_reconciled_with_one_login_and_no_new_reset(rfleet, store, tmp_path):
    # The device took the new password but the answer was lost: the store still holds it pending.
    old, new = store.current('qe-cam', 'admin'), strong_password()
    _set_on_device(rfleet, 'qe-cam', old, new)
    store.set_pending('qe-cam', 'admin', new)
    rc, result, out = reset(rfleet, store, tmp_path, 'qe-cam')
    assert rc == 0, out[-3000:]
    assert result['changed'] and result['store'] == {'backend': 'file', 'state': 'current', 'reconciled': True}
    assert store.current('qe-cam', 'admin') == new
    events = [e['event'] for e in rfleet.control.state('qe-cam')['log']]
    assert 'sadpReset' not in events and 'sadpResetError' not in events
    assert_no_failed_login(rfleet)


def test_a_pending_password_the_device_refuses_is_discarded_after_one_login(rfleet, store, tmp_path):
    store.set_pending('qe-cam', 'admin', strong_password())
    current = store.current('qe-cam', 'admin')
    rc, result, out = reset(rfleet, store, tmp_path, 'qe-cam')
    assert rc != 0 and result['store']['state'] == 'discarded'
    assert store.record('qe-cam', 'admin').pending is None and store.current('qe-cam', 'admin') == current
    failures = [e['failures'] for e in rfleet.control.state('qe-cam')['locks'].values()]
    assert failures == [1]  # exactly one login was tried, never repeated


ROTATE = '''
- hosts: "{{ targets }}"
  gather_facts: false
  tasks:
    - name: rotate
      camfleet.hikvision.rotate_password:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        ca_path: "{{ isapi_ca_path }}"
        store: "{{ store }}"
        accounts: [admin]
        changelog: "{{ changelog_dir }}"
'''


def test_rotation_re_exports_the_guid_file_and_the_previous_one_is_refused(rfleet, store, tmp_path):
    from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp, recovery_reset
    from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiAuthError
    rc, res, out = play(rfleet, store, tmp_path, targets='full-cam')
    assert rc == 0
    old = store.secret('full-cam', 'guid_file')
    exported = rfleet.control.state('full-cam')['areas']['recovery']['guid_exported_at']
    rc, results, out = run_playbook(rfleet, ROTATE, tmp_path, env={'ANSIBLE_VERBOSITY': '4'}, extra_vars=dict(
        store=store.settings, targets='full-cam', changelog_dir=str(tmp_path / 'log')))
    assert rc == 0, out[-3000:]
    report = [r for r in results if r['task'] == 'rotate'][0]['result']['accounts'][0]
    assert report['rotated'] is True and report['guid_file'] == 're-exported'
    new = store.secret('full-cam', 'guid_file')
    assert new['value'] != old['value'] and len(new['value']) == 128
    assert new['password_version'] == store.password_version('full-cam', 'admin') != old['password_version']
    assert new['replaced'] == {'set_at': old['set_at'], 'password_version': old['password_version']}
    assert rfleet.control.state('full-cam')['areas']['recovery']['guid_exported_at'] > exported
    assert old['value'] not in out and new['value'] not in out
    line = json.loads((tmp_path / 'log' / 'changelog.jsonl').read_text().splitlines()[-1])
    assert line['step'] == 'rotate_password' and line['details']['guid_file'] == 're-exported'
    assert new['value'] not in json.dumps(line)

    # The previous file died with the old password: the device refuses it (one reset attempt
    # of the seven, no login)...
    mac = sadp.normalize_mac(rfleet.devices['full-cam']['mac'])
    with sadp.SadpSocket(['lo']) as sock:
        with pytest.raises(IsapiAuthError, match=r'refused the GUID file \(invalidGUID\); 6 attempt'):
            recovery_reset.send_reset(sock, sock.link_named('lo'), mac, 'guid', old['value'],
                                      strong_password(), 3.0, 2)
    rotated = store.current('full-cam', 'admin')
    assert rfleet.control.check_password('full-cam', 'admin', rotated)
    # ...and the stored one resets it (GUIDReset, through the store's discipline).
    rc, result, out = reset(rfleet, store, tmp_path, 'full-cam')
    assert rc == 0, out[-3000:]
    assert result['method'] == 'guid' and result['proven'] is True
    assert rfleet.control.check_password('full-cam', 'admin', store.current('full-cam', 'admin'))
    assert not rfleet.control.check_password('full-cam', 'admin', rotated)


def test_rotation_marks_the_guid_file_stale_when_it_cannot_export_it_again(rfleet, store, tmp_path):
    rc, res, out = play(rfleet, store, tmp_path, targets='full-cam')
    old = store.secret('full-cam', 'guid_file')
    rfleet.control.faults('full-cam', deny={'/ISAPI/Security/GUIDFileData': {'http': 403, 'sub': 'invalidOperation'}})
    try:
        rc, results, out = run_playbook(rfleet, ROTATE, tmp_path, extra_vars=dict(
            store=store.settings, targets='full-cam', changelog_dir=str(tmp_path / 'log')))
    finally:
        rfleet.control.clear_faults('full-cam')
    assert rc == 0, out[-3000:]  # the rotation stands
    report = [r for r in results if r['task'] == 'rotate'][0]['result']['accounts'][0]
    assert report['rotated'] is True
    assert report['guid_file'].startswith('stale: the GUID file died with the old password and '
                                          'could not be exported again (')
    entry = store.secret('full-cam', 'guid_file')
    assert entry['stale'] is True and entry['value'] == old['value'] and entry['set_at'] == old['set_at']
    # the recovery module sees it stale and exports a new one
    rc, res, out = play(rfleet, store, tmp_path, targets='full-cam')
    assert rc == 0 and res['full-cam']['result']['recovery']['guid_file']['ready'] is True
    assert store.secret('full-cam', 'guid_file')['value'] != old['value']


ROLES = '''
- hosts: "{{ targets }}"
  gather_facts: false
  tasks:
    - name: activate
      ansible.builtin.include_role:
        name: camfleet.hikvision.activate
      vars:
        activate_store: "{{ store }}"
        activate_campaign_dir: "{{ campaign }}"
        activate_recovery_email: cctv-recovery@example.com
      when: role == 'activate'

    - name: baseline
      ansible.builtin.include_role:
        name: camfleet.hikvision.baseline
      vars:
        baseline_password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname, store=store) }}"
        baseline_recovery_store: "{{ store }}"
        baseline_http: true  # the fleet's devices keep plain HTTP for other tests
      when: role == 'baseline'
'''


def roles_play(rfleet, store, tmp_path, targets, role, **extra):
    rc, results, out = run_playbook(rfleet, ROLES, tmp_path, env={'ANSIBLE_VERBOSITY': '4'}, extra_vars=dict(
        store=store.settings, targets=targets, role=role, campaign=str(tmp_path / 'campaign'), **extra))
    assert_no_secret(store, out, results)
    return rc, results, out


def test_the_activate_role_prepares_recovery_right_after_activation(rfleet, store, tmp_path):
    for name in ('full-cam', 'plain-cam'):
        rfleet.control.provision(name, activated=False)
    rc, results, out = roles_play(rfleet, store, tmp_path, 'full-cam,plain-cam', 'activate')
    assert rc == 0, out[-3000:]
    area = rfleet.control.state('full-cam')['areas']['recovery']
    assert area['questions'] == [1, 2, 3] and area['guid_exported'] and area['email_set']
    assert store.secret('full-cam', 'security_answers')['state'] == 'configured'
    assert store.secret('full-cam', 'guid_file')['password_version'] == store.password_version('full-cam', 'admin')
    assert rfleet.control.check_password('full-cam', 'admin', store.current('full-cam', 'admin'))
    log = [json.loads(line) for line in (tmp_path / 'campaign' / 'changelog.jsonl').read_text().splitlines()]
    ready = dict((e['device'], e['details']['recovery_ready']) for e in log if e['step'] == 'activate')
    assert ready == {'full-cam': ['security_questions', 'recovery_email', 'guid_file'], 'plain-cam': []}
    assert rfleet.control.state('plain-cam')['areas']['recovery']['writes'] == 0

    # a second run changes nothing; with the variable off nothing is even asked
    writes = rfleet.control.state('full-cam')['areas']['recovery']['writes']
    rc, results, out = roles_play(rfleet, store, tmp_path, 'full-cam', 'activate')
    assert rc == 0 and rfleet.control.state('full-cam')['areas']['recovery']['writes'] == writes
    rfleet.control.reset_counters('full-cam')
    rc, results, out = roles_play(rfleet, store, tmp_path, 'full-cam', 'activate', activate_recovery=False)
    assert rc == 0
    assert 'GET /ISAPI/Security/capabilities' not in rfleet.control.counters('full-cam')['requests']
    assert_no_failed_login(rfleet)


def test_the_activate_role_without_the_store_leaves_recovery_alone(rfleet, store, tmp_path):
    rfleet.control.provision('qe-cam', activated=False)
    password = strong_password()
    rc, results, out = roles_play(rfleet, store, tmp_path, 'qe-cam', 'activate',
                                  activate_password_from_store=False, activate_password=password)
    assert rc == 0, out[-3000:]
    assert rfleet.control.check_password('qe-cam', 'admin', password)
    assert rfleet.control.state('qe-cam')['areas']['recovery']['questions'] == []
    assert store.secret('qe-cam', 'security_answers') is None


def test_the_baseline_role_prepares_recovery_when_asked(rfleet, store, tmp_path):
    rc, results, out = roles_play(rfleet, store, tmp_path, 'qe-cam', 'baseline')
    assert rc == 0, out[-3000:]
    assert rfleet.control.state('qe-cam')['areas']['recovery']['writes'] == 0  # off by default
    rc, results, out = roles_play(rfleet, store, tmp_path, 'qe-cam', 'baseline', baseline_recovery=True,
                                  baseline_recovery_email='cctv-recovery@example.com')
    assert rc == 0, out[-3000:]
    area = rfleet.control.state('qe-cam')['areas']['recovery']
    assert area['questions'] == [1, 2, 3] and area['email_set']
    assert store.secret('qe-cam', 'security_answers')['state'] == 'configured'
    report = [r for r in results if r['task'].endswith('Report controls not applied (never counted as done)')]
    assert report[0]['result']['msg'].endswith('; recovery ready security_questions, recovery_email')
    assert_no_failed_login(rfleet)


def test_after_the_reset_button_the_restore_playbook_prepares_recovery_again(rfleet, store, tmp_path):
    from .test_restore_after_reset import BACKUP, PLAYBOOK
    rc, res, out = play(rfleet, store, tmp_path, targets='full-cam')
    answers, guid = store.secret('full-cam', 'security_answers'), store.secret('full-cam', 'guid_file')
    out_dir = str(tmp_path / 'out')
    rc, results, out = run_playbook(rfleet, BACKUP, tmp_path, limit='full-cam', extra_vars=dict(
        camfleet_credential_store=store.settings, backup_dir=out_dir + '/backups',
        backup_campaign_dir=str(tmp_path / 'jobs')))
    assert rc == 0, out[-3000:]
    rfleet.control.reset_button('full-cam')
    assert rfleet.control.state('full-cam')['areas']['recovery']['questions'] == []  # wiped too

    rc, results, out = run_playbook(rfleet, PLAYBOOK, tmp_path, limit='full-cam', env={'ANSIBLE_VERBOSITY': '4'},
                                    extra_vars=dict(camfleet_credential_store=store.settings,
                                                    camfleet_output_dir=out_dir, camfleet_campaign='b'))
    assert rc == 0, out[-3000:]
    assert_no_secret(store, out, results)
    area = rfleet.control.state('full-cam')['areas']['recovery']
    assert area['questions'] == [1, 2, 3] and area['guid_exported']
    # the same stored answers went back; a new GUID file for the rotated password
    assert store.secret('full-cam', 'security_answers')['value'] == answers['value']
    now = store.secret('full-cam', 'guid_file')
    assert now['value'] != guid['value'] and now['password_version'] == store.password_version('full-cam', 'admin')
    assert rfleet.control.check_password('full-cam', 'admin', store.current('full-cam', 'admin'))
def test_vendor_flow_qr_code_then_the_email_verification_code(rfleet, store, tmp_path):
    play(rfleet, store, tmp_path, targets='qe-cam', email='cctv-recovery@example.com')
    support = tmp_path / 'support'
    serial = rfleet.devices['qe-cam']['serial']
    safe = re.sub(r'[^A-Za-z0-9_.-]', '_', serial)
    rc, results, out = _vendor(rfleet, store, tmp_path, 'export', support, limit='qe-cam', recovery_request='qr')
    assert rc == 0, out[-3000:]
    site = support / 'lab'
    qr = [p for p in site.iterdir() if p.name.startswith(safe + '-qr-') and p.name.endswith('.txt')]
    assert len(qr) == 1 and qr[0].read_text().strip()
    assert not [p for p in site.iterdir() if p.name.endswith('.xml')]
    row = (site / 'devices.csv').read_text().splitlines()[1]
    assert row.endswith(',qr,recovery_email;security_questions;support_request'), row
    assert rfleet.control.state('qe-cam')['areas']['recovery']['request_kind'] == 'qr'
    # a wrong code: refused, counted on the reset budget, the pending password discarded
    before = store.current('qe-cam', 'admin')
    (site / ('%s.code' % safe)).write_text('WRONG000\n')
    rc, results, out = _vendor(rfleet, store, tmp_path, 'apply', support, limit='qe-cam')
    assert rc != 0 and 'refused the verification code (codeError); 6 attempt(s) left' in out
    assert store.current('qe-cam', 'admin') == before and store.record('qe-cam', 'admin').pending is None
    assert rfleet.control.state('qe-cam')['areas']['recovery']['reset_failures'] == 1
    # the code the mail service's TEST DOUBLE delivered to the reserved mailbox
    code = rfleet.control.verification_code('qe-cam')
    (site / ('%s.code' % safe)).write_text(code + '\n')
    rc, results, out = _vendor(rfleet, store, tmp_path, 'apply', support, limit='qe-cam')
    assert rc == 0, out[-3000:]
    new = store.current('qe-cam', 'admin')
    assert new != before and rfleet.control.check_password('qe-cam', 'admin', new)
    assert 'verification code found' in out and code not in out and new not in out
    log = (support / 'changelog.csv').read_text().splitlines()
    assert ',qe-cam,%s,export-qr,%s' % (serial, qr[0].name) in log[0]
    assert log[-1].endswith(',apply-code,%s.code,done' % safe)
    assert_no_failed_login(rfleet)


def test_vendor_flow_reports_a_request_the_device_cannot_take(rfleet, store, tmp_path):
    support = tmp_path / 'support'
    # old-cam: PasswordResetAbility false; plain-cam: no reserved e-mail for a QR code
    rc, results, out = _vendor(rfleet, store, tmp_path, 'export', support, limit='old-cam')
    assert rc == 0, out[-3000:]
    result = [r for r in results if r['host'] == 'old-cam' and
              r['task'].startswith('Read the offered reset methods')][0]['result']
    assert result['exported'] is False and result['changed'] is False
    assert 'PasswordResetAbility false' in result['msg']
    rc, results, out = _vendor(rfleet, store, tmp_path, 'export', support, limit='plain-cam', recovery_request='qr')
    assert rc == 0, out[-3000:]
    assert 'no qr request exported: the device has no reserved e-mail address (notSetMailBox)' in out
    rows = sorted((support / 'lab' / 'devices.csv').read_text().splitlines()[1:])
    assert len(rows) == 1 and rows[0].endswith(',none,support_request'), rows
    assert not [p for p in (support / 'lab').iterdir() if p.suffix in ('.xml', '.txt') and 'README' not in p.name]
    log = (support / 'changelog.csv').read_text().splitlines()
    assert [line.split(',')[4] for line in log] == ['export-none', 'export-none']
    assert rfleet.control.state('plain-cam')['areas']['recovery']['request_kind'] is None


def test_audit_reports_recovery_readiness_and_a_stale_guid_file_read_only(rfleet, store, tmp_path):
    rc, res, out = play(rfleet, store, tmp_path, email='cctv-recovery@example.com')
    assert rc == 0, out[-3000:]
    _change_admin_password(rfleet, store, 'full-cam')  # the GUID file stays in the store, stale
    before = dict((n, rfleet.control.state(n)['areas']['recovery']) for n, d, d2 in DEVICES)
    for name, dummy, dummy2 in DEVICES:
        rfleet.control.reset_counters(name)
    dest = tmp_path / 'report'
    rc, results, out = run_playbook(rfleet, 'playbooks/audit.yml', tmp_path, extra_vars=dict(
        audit_dest=str(dest), camfleet_credential_store=store.settings,
        audit_password="{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}"))
    assert rc == 0, out[-3000:]
    report = json.loads((dest / 'audit.json').read_text())
    got = dict((d['name'], d['recovery']) for d in report['devices'])
    assert got['full-cam']['methods'] == {'security_questions': 'ready', 'recovery_email': 'ready',
                                          'guid_file': 'stale'}
    assert got['full-cam']['guid_stale'] is True
    assert got['full-cam']['guid_exported_at'] == store.secret_info('full-cam', 'guid_file')['set_at']
    assert got['full-cam']['password_changed_at'] == store.history('full-cam', 'admin')[0]['set_at']
    assert got['full-cam']['flags'] == [
        'the stored GUID file is stale (exported under admin password version v1, the current one is v2): '
        'it no longer resets the password; run camfleet.hikvision.recovery to export a new one']
    assert got['qe-cam']['methods'] == {'security_questions': 'ready', 'recovery_email': 'ready',
                                        'guid_file': 'not_supported'}
    assert got['plain-cam']['methods'] == dict.fromkeys(('security_questions', 'recovery_email', 'guid_file'),
                                                        'not_supported')
    assert got['old-cam']['ready'] == ['security_questions']
    assert report['recovery'] == {'devices_with_a_ready_method': 3, 'stale_guid_files': 1, 'unknown': 0}
    html = (dest / 'audit.html').read_text()
    assert 'data-method="guid_file" title="exported ' in html and '>stale</td>' in html
    # read-only: the device saw GETs and the log search only, nothing was set up or exported,
    # no login failed, and no recovery secret is in the output
    for name, dummy, dummy2 in DEVICES:
        sent = [k for k in rfleet.control.counters(name)['requests'] if not k.startswith('GET ')]
        assert sent == ['POST /ISAPI/ContentMgmt/logSearch'], (name, sent)
        assert rfleet.control.state(name)['areas']['recovery'] == before[name]
    assert_no_failed_login(rfleet)
    assert_no_secret(store, out, results)


@pytest.mark.parametrize('fleet_mode', [False, True])
def test_harden_yml_prepares_recovery_for_the_devices_that_ask(rfleet, store, tmp_path, fleet_mode):
    rc, results, out = run_playbook(rfleet, 'playbooks/harden.yml', tmp_path, limit='qe-cam,plain-cam', extra_vars=dict(
        baseline_password="{{ lookup('camfleet.hikvision.credential', inventory_hostname, store=store) }}",
        store=store.settings, baseline_recovery_store=store.settings, baseline_http=True,
        baseline_fleet=fleet_mode, baseline_recovery=True,
        baseline_recovery_email='cctv-recovery@example.com'))
    assert rc == 0, out[-3000:]
    assert_no_secret(store, out, results)
    prepared = [r for r in results if r['task'].endswith('Prepare self-service password recovery (secrets in the credential store)')]
    assert sorted(r['host'] for r in prepared) == ['plain-cam', 'qe-cam']
    area = rfleet.control.state('qe-cam')['areas']['recovery']
    assert area['questions'] == [1, 2, 3] and area['email_set']
    assert store.secret('qe-cam', 'security_answers')['state'] == 'configured'
    assert_no_failed_login(rfleet)
