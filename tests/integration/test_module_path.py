"""Every ISAPI module through ansible-playbook on both execution paths: in-process (action
plugin) and shipped as a module (what a task delegated to a jump host runs). Same results, no
failures, no secret in the output."""
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
    - name: info
      camfleet.hikvision.device_info:
    - name: user
      camfleet.hikvision.user: {name: admin, update_password: on_create}
    - name: time
      camfleet.hikvision.time: {timezone: "+08:00"}
    - name: services
      camfleet.hikvision.services: {telnet: false, ssh: false}
    - name: security
      camfleet.hikvision.security: {illegal_login_lock: {enabled: true}}
    - name: resource
      camfleet.hikvision.isapi_resource: {path: /ISAPI/System/time, values: {timeZone: "CST-8:00:00"}}
    - name: request
      camfleet.hikvision.isapi_request: {path: /ISAPI/System/deviceInfo}
    - name: log
      camfleet.hikvision.device_log_info: {major_type: all}
    - name: recordings
      camfleet.hikvision.recordings: {channels: [1], start: "2020-01-01T00:00:00", end: "2035-01-01T00:00:00", max_recordings: 3}
    - name: backup
      camfleet.hikvision.config_backup: {dest: "{{ backup_dir }}/"}
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_every_isapi_module_runs_on_both_paths(fleet, new_device, tmp_path, path):
    device = new_device('current_camera', inventory_password=True)
    env = {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {}
    rc, results, out = run_playbook(fleet, PLAYBOOK, tmp_path, env=env, limit=device.name,
                                    extra_vars={'backup_dir': str(tmp_path / 'backups')})
    assert rc == 0, out
    by_task = {r['task']: r for r in results}
    assert sorted(by_task) == sorted(['info', 'user', 'time', 'services', 'security', 'resource',
                                      'request', 'log', 'recordings', 'backup'])
    assert all(r['status'] == 'ok' for r in results), [r for r in results if r['status'] != 'ok']
    # idempotent on a freshly provisioned device whose defaults these tasks ask for
    assert {t: by_task[t]['result']['changed'] for t in ('info', 'user', 'time', 'resource', 'log',
                                                         'recordings')} == dict.fromkeys(
        ('info', 'user', 'time', 'resource', 'log', 'recordings'), False)
    assert by_task['request']['result']['changed'] is False  # a GET changes nothing
    assert by_task['backup']['result']['changed'] is True
    assert by_task['info']['result']['device']['serial_number'] == device.info['serial']
    assert device.password not in out and device.password not in str(results)
    backups = list((tmp_path / 'backups').glob('*.cfg'))
    assert len(backups) == 1 and backups[0].read_bytes().startswith(b'$ANSIBLE_VAULT')
