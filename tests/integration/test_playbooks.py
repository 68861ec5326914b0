"""End to end through ansible-playbook: the demo playbook, both execution paths, no secret leaks."""
import pytest

from .conftest import run_playbook


def by_task(results, task):
    return {r['host']: r for r in results if r['task'] == task}


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_activation_playbook_activates_fresh_devices_and_is_idempotent(fleet, new_device, tmp_path, path):
    fresh = [new_device('current_camera', activated=False, inventory_password=True),
             new_device('nvr', activated=False, inventory_password=True)]
    active = new_device('legacy_camera', activated=True, inventory_password=True)
    names = [d.name for d in fresh + [active]]
    env = {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {}
    playbook = 'playbooks/activate_and_inventory.yml'
    rc, results, out = run_playbook(fleet, playbook, tmp_path, env=env, limit=','.join(names + ['localhost']))
    assert rc == 0, out
    activation = by_task(results, 'Activate the device if it is factory-fresh')
    assert {h: r['result']['changed'] for h, r in activation.items()} == {
        fresh[0].name: True, fresh[1].name: True, active.name: False}
    info = by_task(results, 'Read identity and capabilities')
    for device in fresh + [active]:
        assert device.state()['activated'] is True
        assert info[device.name]['result']['device']['serial_number'] == device.info['serial']
    table = by_task(results, 'Print one line per device')['localhost']['result']['msg']
    assert any(fresh[0].name in line and line.split()[-1] == 'activated' for line in table.splitlines())
    for device in fresh + [active]:
        assert device.password not in out
        assert device.password not in str(results)

    rc, results, out = run_playbook(fleet, playbook, tmp_path, env=env, limit=','.join(names + ['localhost']))
    assert rc == 0, out
    assert not any(r['result'].get('changed') for r in results if r['host'] != 'localhost')


def test_check_mode_through_ansible_changes_nothing(fleet, new_device, tmp_path):
    device = new_device('current_camera', activated=False, inventory_password=True)
    playbook = 'playbooks/activate_and_inventory.yml'
    rc, results, out = run_playbook(fleet, playbook, tmp_path, limit=device.name + ',localhost', check=True)
    assert rc == 0, out
    activation = by_task(results, 'Activate the device if it is factory-fresh')[device.name]['result']
    assert activation['changed'] is True
    assert device.state()['activated'] is False
    assert device.counters()['writes'] == 0


def test_wrong_password_through_ansible_fails_clearly_with_one_attempt(fleet, new_device, tmp_path):
    device = new_device('current_camera')  # provisioned with a password the inventory does not hold
    playbook = '''
- hosts: all
  gather_facts: false
  tasks:
    - camfleet.hikvision.device_info:
        host: "{{ isapi_host }}"
        password: "{{ isapi_password }}"
        ca_path: "{{ isapi_ca_path }}"
'''
    rc, results, out = run_playbook(fleet, playbook, tmp_path, limit=device.name)
    assert rc != 0
    failed = results[0]['result']
    assert failed['error'] == 'IsapiAuthError'
    assert "authentication failed for user 'admin'" in failed['msg']
    assert sum(device.counters()['failed_logins'].values()) == 1

