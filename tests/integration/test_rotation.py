"""Credential rotation through ansible-playbook (playbooks/rotate_credentials.yml and the
rotate_credentials role) against emulated cameras and NVRs, on both store backends (the vault one
against a real OpenBao dev server). Device passwords are checked through the emulator's control
API (check-password), never by a device login; failed logins through its counters."""
import fcntl
import json
import os
import subprocess
import sys
import time

import pytest

# The shared venv carries a site-packages package named "tests" that shadows this checkout's
# tests/ (so "from tests.credstore_fixtures" fails there); tests/ is on sys.path either way.
try:
    from credstore_fixtures import bao_server  # noqa: F401
except ImportError:
    from tests.credstore_fixtures import bao_server  # noqa: F401

from ansible.parsing.vault import VaultSecret

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import (
    open_store, resolve_settings,
)

from .conftest import ROOT, run, run_playbook, strong_password

from ansible_collections.camfleet.hikvision.plugins.modules.nvr_channel import SPEC as CHANNEL
from ansible_collections.camfleet.hikvision.plugins.modules.services import SPEC as SERVICES
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER


class Store(object):
    """The store the playbooks use (settings) and the test reads (store)."""

    def __init__(self, fleet, backend, tmp_path, bao=None):
        if backend == 'file':
            self.settings = dict(backend='file', path=str(tmp_path / 'credentials'))
        else:
            self.settings = dict(backend='vault', url=bao.url, token=bao.token,
                                 prefix='rot-%s' % os.urandom(5).hex())
        self.backend = backend
        with open(fleet.vault_pass_path) as handle:
            secret = [('default', VaultSecret(handle.read().strip().encode()))]
        self.store = open_store(resolve_settings(self.settings, environ={}), vault_secrets=secret)

    def seed(self, device, password, account='admin'):
        self.store.set_pending(device, account, password)
        self.store.promote(device, account, expect=password)

    def plain_hits(self, *passwords):
        """Files of a file store holding any of the passwords in plain text (must be none)."""
        if self.backend != 'file':
            return []
        base = self.settings['path']
        return [name for name in os.listdir(base) for p in passwords
                if p.encode() in open(os.path.join(base, name), 'rb').read()]


def failed_logins(device):
    return sum(device.counters()['failed_logins'].values())


def results_of(results, task):
    return dict((r['host'], dict(r['result'], status=r['status'])) for r in results
                if r['task'].split(' : ')[-1] == task)


TASK = 'Rotate the managed accounts (reconcile, verify, pending, change, prove, promote)'
WRAPPER = os.path.join(ROOT, 'extras', 'camfleet-rotate')


@pytest.fixture(params=['file', 'vault'])
def store(request, fleet, tmp_path):
    bao = request.getfixturevalue('bao_server') if request.param == 'vault' else None
    return Store(fleet, request.param, tmp_path, bao)


def write_play(tmp_path, host_vars=None):
    """A play importing the shipped playbook, with host_vars beside it (NVR links, accounts)."""
    for host, data in (host_vars or {}).items():
        (tmp_path / 'host_vars').mkdir(exist_ok=True)
        (tmp_path / 'host_vars' / ('%s.yml' % host)).write_text(json.dumps(data))
    # A copy beside them (an imported playbook would look for host_vars in playbooks/).
    play = tmp_path / 'rotate.yml'
    with open(os.path.join(ROOT, 'playbooks', 'rotate_credentials.yml')) as handle:
        play.write_text(handle.read())
    return str(play)


def rotate(fleet, store, tmp_path, devices, play, **extra):
    env = extra.pop('env', {})
    extra_vars = dict(camfleet_credential_store=store.settings,
                      rotate_credentials_changelog_dir=str(tmp_path / 'changelog'), **extra)
    env.setdefault('ANSIBLE_VERBOSITY', '4')
    rc, results, out = run_playbook(fleet, play, tmp_path, limit=','.join(d.name for d in devices),
                                    extra_vars=extra_vars, env=env)
    # Whatever happened, no password the store holds (or held) shows at -vvvv or on disk.
    known = [d.password for d in devices]
    for device in devices:
        for account in ('admin', 'operator', 'onvif:vms'):
            known += store.store.record(device.name, account).known()
    for secret in known:
        assert secret not in out and secret not in json.dumps(results)
    assert store.plain_hits(*known) == []
    log = tmp_path / 'changelog' / 'changelog.jsonl'
    if log.exists():
        assert not [s for s in known if s in log.read_text()]
    return rc, results, out


def holds(device, store, account='admin'):
    """Which store entry the device's password is: 'current', 'pending' or None (unknown!)."""
    record = store.store.record(device.name, account)
    for state, password in (('current', record.current), ('pending', record.pending)):
        if password and device.control.check_password(device.name, account, password):
            return state
    return None


def assert_rotated(device, store, old, account='admin'):
    record = store.store.record(device.name, account)
    assert record.pending is None
    assert device.control.check_password(device.name, account, record.current)
    assert not device.control.check_password(device.name, account, old)
    assert record.previous[0] == old


def add_operator(device):
    password = strong_password()
    run(USER, device.params(name='operator', level='operator', user_password=password))
    return password


@pytest.mark.lockout_budget(2, reason='one camera rotates two accounts: one deliberate refused '
                             'login with the old password each')
def test_fleet_rotation_cameras_nvr_channels_accounts_and_no_secret_anywhere(fleet, new_device, tmp_path, store):
    nvr = new_device('nvr')
    cams = [new_device('current_camera'), new_device('legacy_camera')]
    run(CHANNEL, nvr.params(channels=[{'address': c.address, 'password': c.password} for c in cams]))
    operator_pw = add_operator(cams[0])
    for device in [nvr] + cams:
        store.seed(device.name, device.password)
        device.control.reset_counters(device.name)
    store.seed(cams[0].name, operator_pw, account='operator')
    play = write_play(tmp_path, {
        cams[0].name: {'camfleet_nvr': nvr.name, 'rotate_credentials_accounts': ['operator', 'admin']},
        cams[1].name: {'camfleet_nvr': nvr.name}})
    rc, results, out = rotate(fleet, store, tmp_path, [nvr] + cams, play, rotate_serial=2,
                              env={'ANSIBLE_VERBOSITY': '4'})
    assert rc == 0, out
    for device in [nvr] + cams:
        assert_rotated(device, store, device.password)
    assert_rotated(cams[0], store, operator_pw, account="operator")
    # budget: one deliberate failed login per rotated account, nothing else
    assert failed_logins(cams[0]) == 2
    assert failed_logins(cams[1]) == 1
    assert failed_logins(nvr) == 1
    # the NVR holds the new camera passwords: channels online again
    channels = run(CHANNEL, nvr.params(password=store.store.current(nvr.name, 'admin'), channels=[]))
    online = dict((c['address'], c['online']) for c in channels['channels'])
    assert online == dict((c.address, True) for c in cams), channels
    # report: each account's age
    report = results_of(results, TASK)[cams[0].name]
    assert [(a['account'], a['rotated'], a['age_days']) for a in report['accounts']] == [
        ('operator', True, 0.0), ('admin', True, 0.0)]
    # change log: one line per rotated account, store revision, no secret
    log = (tmp_path / 'changelog' / 'changelog.jsonl').read_text()
    lines = [json.loads(line) for line in log.splitlines()]
    assert sorted((e['device'], e['details']['account']) for e in lines) == sorted(
        [(nvr.name, 'admin'), (cams[0].name, 'admin'), (cams[0].name, 'operator'), (cams[1].name, 'admin')])
    assert all(e['details']['store_revision'] >= 2 and e['who'] and e['when'] for e in lines)
    secrets_now = [operator_pw] + [d.password for d in [nvr] + cams] + [
        store.store.current(d.name, a) for d, a in [(nvr, 'admin'), (cams[0], 'admin'),
                                                    (cams[0], 'operator'), (cams[1], 'admin')]]
    for secret in secrets_now:
        assert secret not in out and secret not in log and secret not in json.dumps(results)
    assert store.plain_hits(*secrets_now) == []

    # min_age: a second run right away skips everything, no login fails
    for device in [nvr] + cams:
        device.control.reset_counters(device.name)
    rc, results, out = rotate(fleet, store, tmp_path, [nvr] + cams, play, rotate_credentials_min_age=1)
    assert rc == 0, out
    report = results_of(results, TASK)
    assert all(a.get('skipped') for r in report.values() for a in r['accounts'])
    assert all(r['changed'] is False for r in report.values())
    assert sum(failed_logins(d) for d in [nvr] + cams) == 0


def test_answer_to_the_change_dropped_still_completes(fleet, new_device, tmp_path, store):
    device = new_device('current_camera')
    store.seed(device.name, device.password)
    device.control.faults(device.name, drop_response_next=1)  # the PUT's answer is lost
    rc, results, out = rotate(fleet, store, tmp_path, [device], write_play(tmp_path))
    assert rc == 0, out
    assert results_of(results, TASK)[device.name]['accounts'][0]['change_answer'] == 'lost'
    assert_rotated(device, store, device.password)
    assert failed_logins(device) == 1


@pytest.mark.parametrize('step', ['reconcile', 'verify', 'pending', 'change', 'prove'])
@pytest.mark.lockout_budget(2, reason='after prove the first run has completed its rotation (one '
                            'refused old password) and the re-run rotates again (one more)')
def test_run_killed_after_each_step_then_one_rerun_completes(fleet, new_device, tmp_path, store, step):
    device = new_device('current_camera')
    store.seed(device.name, device.password)
    rc, results, out = rotate(fleet, store, tmp_path, [device], write_play(tmp_path),
                              rotate_credentials_stop_after=step)
    assert rc != 0 and 'stopped after step %r' % step in out, out
    assert holds(device, store) is not None  # never a password the store does not hold
    assert failed_logins(device) <= 1
    device.control.reset_counters(device.name)
    rc, results, out = rotate(fleet, store, tmp_path, [device], write_play(tmp_path))
    assert rc == 0, out
    record = store.store.record(device.name, 'admin')
    assert record.pending is None and device.control.check_password(device.name, 'admin', record.current)
    assert not device.control.check_password(device.name, 'admin', device.password)
    assert failed_logins(device) == 1  # the budget of the re-run, whatever step the first died at


def test_device_unreachable_between_change_and_proof(fleet, new_device, tmp_path, store):
    device = new_device('current_camera')
    store.seed(device.name, device.password)
    play = write_play(tmp_path)
    rc, results, out = rotate(fleet, store, tmp_path, [device], play, rotate_credentials_stop_after='change')
    assert rc != 0
    device.control.faults(device.name, refuse_seconds=600)
    rc, results, out = rotate(fleet, store, tmp_path, [device], play)
    assert rc != 0
    assert holds(device, store) == 'pending'
    device.control.clear_faults(device.name)
    rc, results, out = rotate(fleet, store, tmp_path, [device], play)
    assert rc == 0, out
    assert results_of(results, TASK)[device.name]['accounts'][0]['reconciled'].startswith('promoted pending')
    assert_rotated(device, store, device.password)
    assert failed_logins(device) <= 1


def test_store_unwritable_leaves_the_device_untouched(fleet, new_device, tmp_path, bao_server):
    device = new_device('current_camera')
    store = Store(fleet, 'vault', tmp_path, bao_server)
    store.seed(device.name, device.password)
    readonly = dict(store.settings, token=bao_server.read_only_token(store.settings['prefix']))
    device.control.reset_counters(device.name)
    rc, results, out = run_playbook(fleet, write_play(tmp_path), tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': readonly})
    assert rc != 0
    assert 'refused to record the new password' in out and 'the device was not touched' in out, out
    assert device.counters()['writes'] == 0
    assert device.control.check_password(device.name, 'admin', device.password)
    assert store.store.record(device.name, 'admin').pending is None


def wrapper_env(fleet, store, tmp_path):
    return dict(os.environ, CAMFLEET_ROTATE_LOCK=str(tmp_path / 'rotate.lock'),
                CAMFLEET_ROTATE_PLAYBOOK=os.path.join(ROOT, 'playbooks', 'rotate_credentials.yml'),
                ANSIBLE_PLAYBOOK=os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
                ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'))


def wrapper_cmd(fleet, store, device):
    return [WRAPPER, '-i', fleet.inventory_path, '--vault-password-file', fleet.vault_pass_path,
            '--limit', device.name, '-e', json.dumps({'camfleet_credential_store': store.settings})]


def test_two_scheduled_runs_never_overlap(fleet, new_device, tmp_path, store):
    device = new_device('current_camera')
    store.seed(device.name, device.password)
    env = wrapper_env(fleet, store, tmp_path)
    device.control.faults(device.name, latency_ms=400)  # the first run lasts a few seconds
    first = subprocess.Popen(wrapper_cmd(fleet, store, device), env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    time.sleep(1.0)
    second = subprocess.run(wrapper_cmd(fleet, store, device), env=env, capture_output=True, text=True)
    out_first = first.communicate(timeout=300)[0]
    assert second.returncode == 75, second.stdout + second.stderr
    assert 'another rotation is running' in second.stderr
    assert first.returncode == 0, out_first
    assert 'ok=' in out_first and device.name in out_first and 'admin=rotated' in out_first
    assert_rotated(device, store, device.password)
    assert failed_logins(device) == 1
    # a lock held by someone else: exit 75 without contacting anything
    device.control.reset_counters(device.name)
    with open(env['CAMFLEET_ROTATE_LOCK'], 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        third = subprocess.run(wrapper_cmd(fleet, store, device), env=env, capture_output=True, text=True)
    assert third.returncode == 75
    assert device.counters()['requests'] == {}


def test_a_concurrent_run_pending_is_left_alone_an_interrupted_one_reconciled(fleet, new_device, tmp_path, store):
    """Without the wrapper's lock: a pending password whose run is alive (its ansible-playbook
    process exists on this controller) is another run's work in progress and is not touched; one
    whose process is gone is reconciled."""
    import socket
    device = new_device('current_camera')
    store.seed(device.name, device.password)
    other = strong_password()
    live = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])
    try:
        store.store.run = 'pid-%d@%s' % (live.pid, socket.gethostname())
        store.store.set_pending(device.name, 'admin', other)
        device.control.reset_counters(device.name)
        rc, results, out = rotate(fleet, store, tmp_path, [device], write_play(tmp_path))
        assert rc != 0
        assert "another run (pid-%d@" % live.pid in out and "is rotating 'admin' right now; not touched" in out
        assert device.counters()['requests'] == {}
        assert store.store.record(device.name, 'admin').pending == other
    finally:
        live.kill()
        live.wait()
    rc, results, out = rotate(fleet, store, tmp_path, [device], write_play(tmp_path))
    assert rc == 0, out
    assert results_of(results, TASK)[device.name]['accounts'][0]['reconciled'].startswith('kept current')
    assert_rotated(device, store, device.password)
    assert failed_logins(device) == 1


def test_check_mode_sends_nothing_and_reports_what_would_rotate(fleet, new_device, tmp_path, store):
    device = new_device('current_camera')
    store.seed(device.name, device.password)
    revision = store.store.revision(device.name)
    device.control.reset_counters(device.name)
    rc, results, out = run_playbook(fleet, write_play(tmp_path), tmp_path, limit=device.name, check=True,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    report = results_of(results, TASK)[device.name]
    assert report['changed'] is True
    assert report['accounts'] == [{'account': 'admin', 'age_days': 0.0, 'would_rotate': True, 'pending': False}]
    assert device.counters()['requests'] == {}
    assert store.store.revision(device.name) == revision
    assert device.control.check_password(device.name, 'admin', device.password)


# -- ONVIF accounts ---------------------------------------------------------------------------
# Their passwords are read back with the control API's check-onvif-password (never a login);
# their logins are ONVIF logins, which count in the device's failed-login counters like ISAPI ones.
ONVIF = 'onvif:vms'


def with_onvif_account(device, store, onvif_on=True):
    """ONVIF on with the account vms (its password in the store as onvif:vms); ONVIF switched
    off again afterwards when onvif_on is false. Returns vms's password."""
    password = strong_password()
    result = run(SERVICES, device.params(onvif=True, onvif_users=[
        {'name': 'vms', 'password': password, 'type': 'media_user'}]))
    assert result['changed'] is True, result
    if not onvif_on:
        run(SERVICES, device.params(onvif=False))
    store.seed(device.name, device.password)
    store.seed(device.name, password, account=ONVIF)
    device.control.reset_counters(device.name)
    return password


def onvif_holds(device, store):
    record = store.store.record(device.name, ONVIF)
    for state, password in (('current', record.current), ('pending', record.pending)):
        if password and device.control.check_onvif_password(device.name, 'vms', password):
            return state
    return None


def assert_onvif_rotated(device, store, old):
    record = store.store.record(device.name, ONVIF)
    assert record.pending is None
    assert device.control.check_onvif_password(device.name, 'vms', record.current)
    assert not device.control.check_onvif_password(device.name, 'vms', old)
    assert record.previous[0] == old


@pytest.mark.lockout_budget(2, reason='admin and the ONVIF account each spend one deliberate '
                            'refused login with their old password')
def test_onvif_account_rotated_and_proved_with_onvif_logins(fleet, new_device, tmp_path, store):
    device = new_device('current_camera')
    old = with_onvif_account(device, store)
    play = write_play(tmp_path, {device.name: {'rotate_credentials_onvif_accounts': ['vms']}})
    rc, results, out = rotate(fleet, store, tmp_path, [device], play)
    assert rc == 0, out
    assert_onvif_rotated(device, store, old)
    assert_rotated(device, store, device.password)
    # the ISAPI admin's password did not become the ONVIF one, or the other way round
    assert store.store.current(device.name, ONVIF) != store.store.current(device.name, 'admin')
    assert failed_logins(device) == 2  # the old admin password and the old ONVIF one, once each
    counters = device.counters()
    assert counters['requests']['PUT /ISAPI/Security/ONVIF/users/1'] == 1  # never resent
    # the ONVIF logins: verify, new, old (each after one unauthenticated clock read)
    assert counters['requests']['POST /onvif/device_service'] == 6
    report = results_of(results, TASK)[device.name]
    assert [(a['account'], a['rotated'], a['failed_logins']) for a in report['accounts']] == [
        (ONVIF, True, 1), ('admin', True, 1)]
    log = [json.loads(line) for line in (tmp_path / 'changelog' / 'changelog.jsonl').read_text().splitlines()]
    assert sorted(e['details']['account'] for e in log) == ['admin', ONVIF]
    # no password or digest in the device's request log (request line and headers)
    requests_seen = json.dumps(device.control.requests(device.name))
    for secret in store.store.record(device.name, ONVIF).known():
        assert secret not in requests_seen

    # min_age: the next run skips both accounts and contacts nothing
    device.control.reset_counters(device.name)
    rc, results, out = rotate(fleet, store, tmp_path, [device], play, rotate_credentials_min_age=1)
    assert rc == 0, out
    report = results_of(results, TASK)[device.name]
    assert report['changed'] is False and all(a.get('skipped') for a in report['accounts'])
    assert device.counters()['requests'] == {} and failed_logins(device) == 0


def onvif_only(tmp_path, device):
    return write_play(tmp_path, {device.name: {'rotate_credentials_accounts': [],
                                               'rotate_credentials_onvif_accounts': ['vms']}})


def test_onvif_answer_to_the_change_dropped_still_completes(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    store = Store(fleet, 'file', tmp_path)
    old = with_onvif_account(device, store)
    # The ONVIF logins are SOAP queries, no writes: the first write to lose its answer is the PUT.
    device.control.faults(device.name, drop_response_next=1)
    rc, results, out = rotate(fleet, store, tmp_path, [device], onvif_only(tmp_path, device))
    assert rc == 0, out
    assert device.counters()['dropped'] == 1
    assert device.counters()['requests']['PUT /ISAPI/Security/ONVIF/users/1'] == 1
    assert results_of(results, TASK)[device.name]['accounts'][0]['change_answer'] == 'lost'
    assert_onvif_rotated(device, store, old)
    assert failed_logins(device) == 1


@pytest.mark.parametrize('step', ['reconcile', 'verify', 'pending', 'change', 'prove'])
@pytest.mark.lockout_budget(2, reason='after prove the first run has completed its rotation (one '
                            'refused old password) and the re-run rotates again (one more)')
def test_onvif_run_killed_after_each_step_then_one_rerun_completes(fleet, new_device, tmp_path, step):
    device = new_device('current_camera')
    store = Store(fleet, 'file', tmp_path)
    old = with_onvif_account(device, store)
    play = onvif_only(tmp_path, device)
    rc, results, out = rotate(fleet, store, tmp_path, [device], play, rotate_credentials_stop_after=step)
    assert rc != 0 and 'stopped after step %r' % step in out, out
    assert onvif_holds(device, store) is not None  # never a password the store does not hold
    assert failed_logins(device) <= 1
    device.control.reset_counters(device.name)
    rc, results, out = rotate(fleet, store, tmp_path, [device], play)
    assert rc == 0, out
    record = store.store.record(device.name, ONVIF)
    assert record.pending is None and onvif_holds(device, store) == 'current'
    assert not device.control.check_onvif_password(device.name, 'vms', old)
    assert failed_logins(device) == 1


OFF = ("the ONVIF account 'vms' cannot be proved with an ONVIF login: switch ONVIF on "
       "(camfleet.hikvision.services with onvif: true, or baseline_onvif) or leave the account "
       "out of onvif_accounts; nothing was changed")


@pytest.mark.parametrize('case', ['onvif_off', 'no_such_account'])
def test_onvif_off_or_account_missing_fails_before_any_login(fleet, new_device, tmp_path, case):
    device = new_device('current_camera')
    store = Store(fleet, 'file', tmp_path)
    old = with_onvif_account(device, store, onvif_on=case != 'onvif_off')
    if case == 'no_such_account':
        run(SERVICES, device.params(onvif_users=[], onvif_users_purge=True))
        device.control.reset_counters(device.name)
    revision = store.store.revision(device.name)
    rc, results, out = rotate(fleet, store, tmp_path, [device], onvif_only(tmp_path, device))
    assert rc != 0
    msg = results_of(results, TASK)[device.name]['msg']
    if case == 'onvif_off':
        assert ('rotation failed for onvif:vms: ONVIF is off on the device (Integrate/ONVIF/enable '
                'is false), so ' + OFF) in msg, msg
        assert device.control.check_onvif_password(device.name, 'vms', old)
    else:
        assert ("rotation failed for onvif:vms: the ONVIF account 'vms' does not exist on the "
                "device (its ONVIF users: none): create it with camfleet.hikvision.services "
                "(onvif_users) or leave it out of onvif_accounts; nothing was changed") in msg, msg
    counters = device.counters()
    assert counters['writes'] == 0 and 'POST /onvif/device_service' not in counters['requests']
    assert failed_logins(device) == 0
    assert store.store.revision(device.name) == revision
    assert store.store.record(device.name, ONVIF).pending is None


def test_onvif_accounts_named_in_accounts_are_refused(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    store = Store(fleet, 'file', tmp_path)
    with_onvif_account(device, store)
    play = write_play(tmp_path, {device.name: {'rotate_credentials_accounts': ['onvif:vms']}})
    rc, results, out = rotate(fleet, store, tmp_path, [device], play)
    assert rc != 0
    assert ("accounts: 'onvif:vms' names an ONVIF account; list ONVIF accounts by name in "
            "onvif_accounts (onvif_accounts: [vms])") in results_of(results, TASK)[device.name]['msg']
    assert device.counters()['requests'] == {}


def test_over_plain_http_the_new_password_is_never_sent_and_nothing_is_lost(fleet, new_device, tmp_path, store):
    device = new_device('current_camera')
    store.seed(device.name, device.password)
    device.control.reset_counters(device.name)
    play = write_play(tmp_path, {device.name: {'isapi_scheme': 'http',
                                               'isapi_port': device.info['http_port']}})
    rc, results, out = rotate(fleet, store, tmp_path, [device], play)
    assert rc != 0
    result = results_of(results, TASK)[device.name]
    assert result['status'] == 'failed'
    assert 'refused to send PUT /ISAPI/Security/users/1 over plain HTTP' in result['msg'], result['msg']
    assert result['msg'].endswith("it was not sent; the store keeps the current password of 'admin'"), result['msg']
    # (the refusal itself shows the role used the inventory's scheme: over HTTPS it would pass)
    assert device.counters()['writes'] == 0 and failed_logins(device) == 0
    record = store.store.record(device.name, 'admin')
    assert record.pending is None and record.current == device.password
    assert device.control.check_password(device.name, 'admin', device.password)
