"""The baseline role through ansible-playbook (playbooks/harden.yml) against the emulator: a drifted
device converges in one run, a second run changes nothing, and the device state read back through
the control API shows every control applied."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.modules.services import SPEC as SERVICES
from ansible_collections.camfleet.hikvision.plugins.modules.time import SPEC as TIME
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import run, run_playbook, strong_password

CONVERGE = 'Converge the hardening baseline [3], [5]-[7], [9]-[19], [21], [23], [24]'
SUMMARY = 'Controls not applied in this batch (never counted as done)'
NTP = ['10.20.0.1', '10.20.0.2', '10.20.0.3', '10.20.0.4']


def drift(device):
    """Services on, an account nobody declared, a manual clock."""
    assert run(SERVICES, device.params(ssh=True, upnp=True, ddns=True)).get('failed') is not True
    created = run(USER, device.params(name='intruder', level='operator',
                                      user_password=strong_password()))
    assert created['changed'] is True, created
    assert run(TIME, device.params(mode='manual', ntp_servers=['192.0.2.9'])).get('failed') is not True


def harden_vars(vms_password):
    return {'baseline_users': [{'name': 'vms', 'level': 'viewer', 'password': vms_password}],
            'baseline_ntp_servers': NTP}


def changed_tasks(results, host):
    return [r['task'] for r in results if r['host'] == host and r['result'].get('changed')]


@pytest.mark.parametrize('profile', ['current_camera', 'legacy_camera', 'nvr'])
def test_baseline_converges_a_drifted_device_and_a_second_run_changes_nothing(
        fleet, new_device, tmp_path, profile):
    device = new_device(profile, inventory_password=True)
    drift(device)
    assert any(u['name'] == 'intruder' for u in device.state()['users'])
    vms_password = strong_password()

    rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path,
                                    extra_vars=harden_vars(vms_password), limit=device.name)
    assert rc == 0, out
    assert changed_tasks(results, device.name), out
    state = device.state()
    names = sorted(u['name'] for u in state['users'])
    assert names == ['admin', 'vms'], names
    assert fleet.control.check_password(device.name, 'vms', vms_password)
    services = state['areas']['services']
    assert services['ssh'] is False and services['ddns'] is False
    assert state['link']['upnp'] is False
    # a model taking fewer servers keeps the first ones, with a warning naming the dropped ones
    limit = 1 if profile == 'legacy_camera' else 3
    assert [s['ip_address'] for s in state['ntp']] == NTP[:limit]
    warned = [w for r in results for w in r['result'].get('warnings', []) if 'NTP server' in w]
    assert warned and ('dropped ' + ', '.join(NTP[limit:])) in warned[0]
    assert 'not hardened: none' in out

    rc, again, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path,
                                  extra_vars=harden_vars(vms_password), limit=device.name)
    assert rc == 0, out
    assert changed_tasks(again, device.name) == [], out


def test_unsupported_controls_are_reported_never_done(fleet, new_device, tmp_path):
    device = new_device('legacy_camera', inventory_password=True)
    rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path, limit=device.name)
    assert rc == 0, out
    converge = [r for r in results if r['task'].endswith(CONVERGE)][0]['result']
    assert 'session_timeout' in converge['unsupported'], converge['unsupported']
    on_device, by_baseline, not_configured = [
        r for r in results if r['task'].endswith(SUMMARY)][0]['result']['msg']
    assert 'session_timeout (1)' in on_device.split(': ', 1)[1].split(', '), on_device
    assert {'certificate', 'sdk_security_mode', 'dot1x', 'anonymous_access'} <= set(
        by_baseline.split(': ', 1)[1].split(', ')), by_baseline
    assert {'ntp', 'ip_allow_list', 'syslog'} == set(not_configured.split(': ', 1)[1].split(', '))


def test_harden_yml_runs_one_task_per_device_and_no_argument_check_task(fleet, new_device, tmp_path):
    devices = [new_device('current_camera', inventory_password=True) for _ in range(3)]
    rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path,
                                    limit=','.join(d.name for d in devices))
    assert rc == 0, out
    per_device = [r['task'] for r in results if r['host'] == devices[-1].name]
    assert [t for t in per_device if not t.endswith(CONVERGE)] == [], per_device
    assert 'Validating arguments' not in out


@pytest.mark.parametrize('fleet_mode', [False, True])
def test_bad_role_variables_fail_every_device_before_anything_is_sent(
        fleet, new_device, tmp_path, fleet_mode):
    devices = [new_device('current_camera', inventory_password=True) for _ in range(2)]
    for device in devices:
        device.control.reset_counters(device.name)
    rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path,
                                    limit=','.join(d.name for d in devices), extra_vars={
                                        'baseline_fleet': fleet_mode,
                                        'baseline_web_auth': 'plain',
                                        'baseline_session_timeout': 'long'})
    assert rc != 0
    for device in devices:
        assert sum(device.counters()['requests'].values()) == 0, device.counters()
        failed = [r['result'] for r in results if r['host'] == device.name and r['status'] == 'failed']
        assert failed, out
        message = failed[-1]['msg']
        assert 'camfleet.hikvision.baseline: value of baseline_web_auth must be one of: ' in message, message
        assert "baseline_session_timeout" in message, message


def test_an_unreachable_device_fails_alone_and_is_listed(fleet, new_device, tmp_path):
    good = new_device('current_camera', inventory_password=True)
    bad = new_device('current_camera', inventory_password=True)
    fleet.control.faults(bad.name, refuse_seconds=100000)
    try:
        rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path,
                                        limit='%s,%s' % (good.name, bad.name))
    finally:
        fleet.control.clear_faults(bad.name)
    assert rc != 0
    assert 'not hardened: %s' % bad.name in out
    assert good.state()['areas']['services']['ssh'] is False


def test_serial_batches_and_failure_ratio_are_variables(fleet, new_device, tmp_path):
    first = new_device('current_camera', inventory_password=True)
    down = new_device('current_camera', inventory_password=True)
    last = new_device('current_camera', inventory_password=True)
    run(SERVICES, last.params(ssh=True))
    fleet.control.faults(down.name, refuse_seconds=100000)
    try:
        # one device per batch; a failed batch (100% > 0%) stops the run before the last device
        rc, results, out = run_playbook(
            fleet, 'playbooks/harden.yml', tmp_path, limit='%s,%s,%s' % (first.name, down.name, last.name),
            extra_vars={'harden_serial': 1, 'harden_max_fail_percentage': 0})
    finally:
        fleet.control.clear_faults(down.name)
    assert rc != 0
    hosts = set(r['host'] for r in results)
    order = sorted([first.name, down.name, last.name])
    assert hosts == set(order[:order.index(down.name) + 1]), (hosts, out)
    if last.name not in hosts:
        assert last.state()['areas']['services']['ssh'] is True  # never touched


def test_check_mode_reports_the_drift_and_writes_nothing(fleet, new_device, tmp_path):
    device = new_device('nvr', inventory_password=True)
    drift(device)
    device.control.reset_counters(device.name)
    rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path, limit=device.name,
                                    extra_vars=harden_vars(strong_password()), check=True)
    assert rc == 0, out
    changed = changed_tasks(results, device.name)
    assert len(changed) == 1 and changed[0].endswith(CONVERGE), changed
    converge = [r for r in results if r['task'].endswith(CONVERGE)][0]['result']
    assert converge['removed_users'] == ['intruder']
    assert converge['areas']['services']['changed'] is True
    assert converge['areas']['users'][0]['changed'] is True  # vms would be created
    assert device.counters()['writes'] == 0
    assert any(u['name'] == 'intruder' for u in device.state()['users'])
