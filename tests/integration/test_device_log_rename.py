"""device_log was renamed device_log_info (read-only modules end in _info). The old name is
redirected by meta/runtime.yml: a playbook written for it must keep working on both execution
paths, with the module defaults of the isapi group, and with a deprecation warning."""
import pytest

from .conftest import run_playbook

PLAYBOOK = '''
- hosts: all
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      port: "{{ isapi_port }}"
      password: "{{ isapi_password }}"
      ca_path: "{{ isapi_ca_path }}"
  tasks:
    - name: old
      camfleet.hikvision.device_log: {major_type: Operation}
    - name: new
      camfleet.hikvision.device_log_info: {major_type: Operation}
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_old_name_still_works_and_warns(fleet, new_device, tmp_path, path):
    device = new_device('current_camera', inventory_password=True)
    env = {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {}
    rc, results, out = run_playbook(fleet, PLAYBOOK, tmp_path, env=env, limit=device.name)
    assert rc == 0, out
    by_task = {r['task']: r['result'] for r in results}
    old, new = by_task['old'], by_task['new']
    assert old['changed'] is False and old['total'] >= 1
    # Same module behind both names: the same entries (the device logs the second login too,
    # so the newer search may hold more).
    assert old['entries'] == new['entries'][:len(old['entries'])]
    assert {e['major'] for e in old['entries']} == {'Operation'}
    assert 'camfleet.hikvision.device_log has been deprecated' in out
    assert 'Use camfleet.hikvision.device_log_info instead' in out
