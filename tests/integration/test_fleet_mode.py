"""Fleet mode (baseline_fleet: true, camfleet.hikvision.harden with fleet: true and run_once): one
task converges every device of the batch, each with its own variables; a device that fails
fails alone, in the report task. State is read back through the emulator's control API."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.modules.services import SPEC as SERVICES
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import failed_logins, run, run_playbook, strong_password

NTP = ['10.20.0.1', '10.20.0.2', '10.20.0.3', '10.20.0.4']
CONVERGE = 'Converge the hardening baseline [3], [5]-[7], [9]-[19], [21], [23], [24]'
FAIL = 'Not hardened'
# A per-host expression: proves each host's options are templated with that host's variables.
# Two processes share the batch (one forked), as on a 2-core controller with 20+ devices.
FLEET_VARS = {'baseline_fleet': True, 'baseline_fleet_processes': 2, 'baseline_ntp_servers': NTP,
              'baseline_users': [{'name': 'vms', 'level': 'viewer',
                                  'password': 'Aa1!v{{ inventory_hostname }}'}]}


def drift(device):
    assert run(SERVICES, device.params(ssh=True, upnp=True)).get('failed') is not True
    created = run(USER, device.params(name='intruder', level='operator',
                                      user_password=strong_password()))
    assert created['changed'] is True, created


def task_results(results, name):
    return [r for r in results if r['task'].endswith(name)]


def test_one_task_converges_each_device_with_its_own_variables_and_a_rerun_changes_nothing(
        fleet, new_device, tmp_path):
    devices = [new_device(p, inventory_password=True)
               for p in ('current_camera', 'legacy_camera', 'nvr')]
    for device in devices:
        drift(device)
        device.control.reset_counters(device.name)
    limit = ','.join(d.name for d in devices)
    rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path,
                                    extra_vars=FLEET_VARS, limit=limit)
    assert rc == 0, out
    converge = task_results(results, CONVERGE)
    assert len(converge) == 1, converge  # one task for the whole batch
    hosts = converge[0]['result']['hosts']
    assert sorted(hosts) == sorted(d.name for d in devices)
    for device in devices:
        assert hosts[device.name]['changed'] is True, hosts[device.name]
        assert hosts[device.name]['removed_users'] == ['intruder']
        state = device.state()
        assert sorted(u['name'] for u in state['users']) == ['admin', 'vms']
        # the password expression was templated with this device's inventory_hostname
        assert fleet.control.check_password(device.name, 'vms', 'Aa1!v' + device.name)
        assert state['areas']['services']['ssh'] is False and state['link']['upnp'] is False
        # each device's model decides its NTP limit (the legacy camera takes one)
        limit_n = 1 if device.name.startswith('legacy') else 3
        assert [s['ip_address'] for s in state['ntp']] == NTP[:limit_n]
        assert failed_logins(device) == 0
        # one Digest handshake per device for the whole baseline
        assert device.counters()['unauthorized'] == 1, device.counters()
    # no task per device: the converge and the summaries ran once, on the batch's first host
    assert len(set(r['host'] for r in results)) == 1, [(r['host'], r['task']) for r in results]
    assert 'not hardened: none' in out
    assert not any('Aa1!v' in line for line in out.splitlines()), 'a password was printed'

    rc, again, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path,
                                  extra_vars=FLEET_VARS, limit=limit)
    assert rc == 0, out
    assert [r['task'] for r in again if r['result'].get('changed')] == [], out
    hosts = task_results(again, CONVERGE)[0]['result']['hosts']
    assert all(r['changed'] is False for r in hosts.values()), hosts


@pytest.mark.lockout_budget(1, reason='one device has another password than the inventory: its '
                                      'one refused login is the point')
def test_a_failing_device_fails_alone_and_the_others_converge(fleet, new_device, tmp_path):
    good = new_device('current_camera', inventory_password=True)
    down = new_device('current_camera', inventory_password=True)
    wrong = new_device('current_camera')  # the inventory holds a password the device refuses
    for device in (good, down, wrong):
        run(SERVICES, device.params(ssh=True))
    fleet.control.faults(down.name, refuse_seconds=100000)
    try:
        rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path,
                                        extra_vars={'baseline_fleet': True},
                                        limit='%s,%s,%s' % (good.name, down.name, wrong.name))
    finally:
        fleet.control.clear_faults(down.name)
    assert rc != 0
    hosts = task_results(results, CONVERGE)[0]['result']['hosts']
    assert sorted(task_results(results, CONVERGE)[0]['result']['failed_hosts']) == sorted(
        [down.name, wrong.name])
    assert 'authentication failed' in hosts[wrong.name]['msg'], hosts[wrong.name]
    assert 'cannot talk to' in hosts[down.name]['msg'], hosts[down.name]
    report = dict((r['host'], r['result']) for r in task_results(results, FAIL))
    assert sorted(report) == sorted([down.name, wrong.name])  # the good device never fails
    assert set(r['status'] for r in task_results(results, FAIL)) == {'failed'}
    assert report[wrong.name]['msg'].startswith('not hardened: '), report[wrong.name]
    assert 'authentication failed' in report[wrong.name]['msg'], report[wrong.name]
    listed = [line for line in out.splitlines() if 'not hardened: ' in line and 'none' not in line]
    assert any(down.name in line and wrong.name in line for line in listed), out  # the summary
    assert good.state()['areas']['services']['ssh'] is False
    assert wrong.state()['areas']['services']['ssh'] is True
    assert failed_logins(wrong) == 1  # one attempt, never retried
    assert failed_logins(good) == 0


def test_check_mode_reports_per_device_and_writes_nothing(fleet, new_device, tmp_path):
    devices = [new_device('current_camera', inventory_password=True) for _ in range(2)]
    for device in devices:
        drift(device)
        device.control.reset_counters(device.name)
    rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path, check=True,
                                    extra_vars={'baseline_fleet': True},
                                    limit=','.join(d.name for d in devices))
    assert rc == 0, out
    hosts = task_results(results, CONVERGE)[0]['result']['hosts']
    for device in devices:
        assert hosts[device.name]['changed'] is True
        assert hosts[device.name]['removed_users'] == ['intruder']
        assert device.counters()['writes'] == 0
        assert any(u['name'] == 'intruder' for u in device.state()['users'])
        assert device.state()['areas']['services']['ssh'] is True
    # --diff: one diff per area, headed by device and area
    assert '%s: services' % devices[0].name in out, out


def test_fleet_mode_needs_run_once_and_refuses_module_defaults(fleet, new_device, tmp_path):
    device = new_device('current_camera', inventory_password=True)
    play = """
- hosts: all
  gather_facts: false
  tasks:
    - name: Without run_once
      camfleet.hikvision.harden:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        password: "{{ isapi_password }}"
        ca_path: "{{ isapi_ca_path }}"
        services: {ssh: false}
        fleet: true
      ignore_errors: true
      register: no_run_once
    - name: Options from module_defaults
      camfleet.hikvision.harden:
        services: {ssh: false}
        fleet: true
      module_defaults:
        group/camfleet.hikvision.isapi:
          host: "{{ isapi_host }}"
          port: "{{ isapi_port }}"
          password: "{{ isapi_password }}"
          ca_path: "{{ isapi_ca_path }}"
      run_once: true
      ignore_errors: true
      register: defaults
    - ansible.builtin.assert:
        that:
          - no_run_once.msg is search('needs run_once')
          - defaults.hosts[inventory_hostname].msg is search('cannot take ca_path, host, password, port from module_defaults')
"""
    rc, results, out = run_playbook(fleet, play, tmp_path, limit=device.name)
    assert rc == 0, out
    assert device.counters()['writes'] == 0


@pytest.mark.parametrize('bad, message', [
    ({'time': {'mode': 'sundial'}}, 'time: value of mode must be one of: '),
    ({'network': {'mtu': 'large'}}, 'network: argument \'mtu\' is of type '),
])
def test_bad_input_in_a_later_area_leaves_every_area_as_it_was(new_device, bad, message):
    from ansible_collections.camfleet.hikvision.plugins.module_utils.hardening import SPEC as HARDEN
    device = new_device('current_camera')
    drift(device)
    device.control.reset_counters(device.name)
    before = device.state()
    result = run(HARDEN, device.params(
        users=[{'name': 'vms', 'password': strong_password()}], remove_undeclared_users=True,
        services={'ssh': False, 'upnp': False}, **bad))
    assert result['failed'] is True and result['changed'] is False, result
    assert message in result['msg'], result['msg']
    assert device.counters()['writes'] == 0
    after = device.state()
    assert after['areas']['services']['ssh'] is True and after['link']['upnp'] is True
    assert sorted(u['name'] for u in after['users']) == sorted(u['name'] for u in before['users'])
