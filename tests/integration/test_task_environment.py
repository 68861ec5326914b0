"""The two execution paths behave alike for the task's ``environment:`` keyword and ``async:``
(issue 8, item 14): through ansible-playbook, in-process (the action plugin on the controller)
and shipped as a module (CAMFLEET_FORCE_MODULE=1, what a delegated task runs)."""
import pytest

from .conftest import run_playbook

PATHS = ['in_process', 'module']


def _env(path):
    return {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {}


ENVIRONMENT_PLAY = '''
- hosts: all
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      port: "{{ isapi_port }}"
      ca_path: "{{ isapi_ca_path }}"
  tasks:
    - name: from the environment
      camfleet.hikvision.device_info:
      environment:
        HIKVISION_HOST: "{{ isapi_host }}"
        HIKVISION_PASSWORD: "{{ isapi_password }}"
    - name: without it
      camfleet.hikvision.device_info:
        host: "{{ isapi_host }}"
      ignore_errors: true
    - name: through a proxy
      camfleet.hikvision.device_info:
        host: "{{ isapi_host }}"
        password: "{{ isapi_password }}"
        timeout: 3
      environment:
        HTTPS_PROXY: http://127.0.0.1:9
        https_proxy: http://127.0.0.1:9
        NO_PROXY: ""
        no_proxy: ""
      ignore_errors: true
'''


@pytest.mark.parametrize('path', PATHS)
def test_task_environment_applies_to_that_task_only(fleet, new_device, tmp_path, path):
    device = new_device('current_camera', inventory_password=True)
    rc, results, out = run_playbook(fleet, ENVIRONMENT_PLAY, tmp_path, env=_env(path),
                                    limit=device.name)
    by_task = {r['task']: r['result'] for r in results}
    status = {r['task']: r['status'] for r in results}
    # HIKVISION_HOST and HIKVISION_PASSWORD from environment: act as the options' fallbacks.
    assert status['from the environment'] == 'ok', by_task
    assert by_task['from the environment']['device']['serial_number'] == device.info['serial']
    # The next task does not inherit them.
    assert status['without it'] == 'failed'
    assert 'password is required' in by_task['without it']['msg']
    # A proxy from environment is used: nothing listens on port 9, so the device is never reached.
    assert status['through a proxy'] == 'failed'
    assert 'Connection refused' in by_task['through a proxy']['msg']
    counters = device.counters()
    assert counters['requests'].get('GET /ISAPI/System/deviceInfo') == 1  # the first task only
    assert device.password not in out


ASYNC_PLAY = '''
- hosts: all
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      port: "{{ isapi_port }}"
      password: "{{ isapi_password }}"
      ca_path: "{{ isapi_ca_path }}"
  tasks:
    - name: async info
      camfleet.hikvision.device_info:
      async: 60
      poll: 1
    - name: async time
      camfleet.hikvision.time: {timezone: "+05:30"}
      async: 60
      poll: 1
    - name: async backup
      camfleet.hikvision.config_backup: {dest: "{{ backup_dir }}/"}
      async: 60
      poll: 1
      ignore_errors: true
'''


@pytest.mark.parametrize('path', PATHS)
def test_async_runs_alike_on_both_paths(fleet, new_device, tmp_path, path):
    device = new_device('current_camera', inventory_password=True)
    rc, results, out = run_playbook(fleet, ASYNC_PLAY, tmp_path, env=_env(path),
                                    limit=device.name,
                                    extra_vars={'backup_dir': str(tmp_path / 'backups')})
    by_task = {r['task']: r['result'] for r in results}
    status = {r['task']: r['status'] for r in results}
    assert status['async info'] == 'ok', by_task['async info']
    assert by_task['async info']['device']['serial_number'] == device.info['serial']
    assert by_task['async time']['changed'] is True
    assert device.state()['time']['time_zone'] == 'CST-5:30:00'
    # A module with controller-side files refuses async with the same words on both paths.
    assert status['async backup'] == 'failed'
    assert by_task['async backup']['msg'] == (
        'camfleet.hikvision.config_backup does not support async: it moves files between the '
        'controller and the device host; run it without async (its own timeouts bound the wait)')
    assert not (tmp_path / 'backups').exists() or not list((tmp_path / 'backups').iterdir())
