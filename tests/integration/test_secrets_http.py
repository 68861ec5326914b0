"""Secrets over plain HTTP (issue 8, item 7): a request that carries a password or a
configuration file in clear is refused with scheme: http unless allow_insecure_secrets is set,
and warned about when it is; Digest reads over HTTP keep working. Asserted on the emulator's
state and request counters: a refused request never reaches the device."""
import copy

import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import backup
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import Task
from ansible_collections.camfleet.hikvision.plugins.modules.config_backup import SPEC as BACKUP
from ansible_collections.camfleet.hikvision.plugins.modules.config_restore import SPEC as RESTORE
from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO
from ansible_collections.camfleet.hikvision.plugins.modules.isapi_request import SPEC as REQUEST
from ansible_collections.camfleet.hikvision.plugins.modules.nvr_channel import SPEC as CHANNEL
from ansible_collections.camfleet.hikvision.plugins.modules.services import SPEC as SERVICES
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import run, run_playbook, strong_password

HINT = ('readable by anyone on the network path. Use scheme: https, or set '
        'allow_insecure_secrets: true (or HIKVISION_ALLOW_INSECURE_SECRETS) if you accept that '
        'risk; it was not sent')
EXPORT_TEXT = "the configuration file (it holds every account's password)"


def http(device, **extra):
    return device.params(scheme='http', port=device.info['http_port'], ca_path=None, **extra)


def refused(device, method, path, carries):
    # conftest.run names no inventory host, so the client names the device by its URL.
    return 'http://%s:%d: refused to send %s %s over plain HTTP: it carries %s, %s' % (
        device.address, device.info['http_port'], method, path, carries, HINT)


def users_of(device):
    return sorted(u['name'] for u in device.state()['users'])


def test_digest_reads_over_http_need_no_option(new_device):
    device = new_device('current_camera')
    result = run(INFO, http(device))
    assert result['device']['serial_number'] == device.info['serial']
    assert 'warnings' not in result


def test_new_user_password_is_refused_over_http(new_device):
    device = new_device('current_camera')
    result = run(USER, http(device, name='op', level='operator', user_password=strong_password()))
    assert result['failed'] is True
    assert result['msg'] == refused(device, 'POST', '/ISAPI/Security/users', 'a <password> in its body')
    assert users_of(device) == ['admin']
    assert 'POST /ISAPI/Security/users' not in device.counters()['requests']


def test_password_change_is_refused_over_http(new_device):
    device = new_device('current_camera')
    old = strong_password()
    run(USER, device.params(name='op', level='operator', user_password=old))
    result = run(USER, http(device, name='op', user_password=strong_password()))
    assert result['failed'] is True
    assert ' over plain HTTP: it carries a <password> in its body, ' in result['msg']
    assert device.control.check_password(device.name, 'op', old)


def test_user_deletion_with_login_password_in_the_query_is_refused_over_http(new_device):
    device = new_device('current_camera')
    run(USER, device.params(name='op', level='operator', user_password=strong_password()))
    device.control.reset_counters(device.name)
    result = run(USER, http(device, name='op', state='absent'))
    assert result['failed'] is True
    assert 'it carries the loginPassword in its URL query' in result['msg']
    assert users_of(device) == ['admin', 'op']
    assert not [k for k in device.counters()['requests'] if k.startswith('DELETE')]


def test_configuration_export_and_import_are_refused_over_http(new_device, tmp_path):
    device = new_device('current_camera')
    made = run(BACKUP, http(device, dest=str(tmp_path) + '/'))
    assert made['failed'] is True
    assert made['msg'] == refused(device, 'GET', '/ISAPI/System/configurationData', EXPORT_TEXT)
    assert 'GET /ISAPI/System/configurationData' not in device.counters()['requests']

    content = backup.export_config(Task(device.params()).client)
    spec = copy.copy(RESTORE)
    spec.run = lambda task: backup.run_config_restore(task, content=content)
    restored = run(spec, http(device, src='unused'))
    assert restored['failed'] is True and EXPORT_TEXT in restored['msg']
    assert 'PUT /ISAPI/System/configurationData' not in device.counters()['requests']
    # And the client refuses the import itself before anything is sent.
    client = Task(http(device)).client
    with pytest.raises(Exception) as err:
        client.put(backup.EXPORT, content, secret=backup.EXPORT_SECRET, idempotent=False,
                   content_type='application/octet-stream')
    assert str(err.value) == refused(device, 'PUT', '/ISAPI/System/configurationData', EXPORT_TEXT)
    assert client.requests_sent == 0


def test_nvr_camera_password_and_onvif_password_are_refused_over_http(new_device):
    nvr = new_device('nvr')
    before = nvr.state()['channels']
    added = run(CHANNEL, http(nvr, channels=[{'address': '192.0.2.99', 'password': 'Cam-pass-123'}]))
    assert added['failed'] is True and 'it carries a <password> in its body' in added['msg']
    assert nvr.state()['channels'] == before

    cam = new_device('current_camera')
    onvif = run(SERVICES, http(cam, onvif=True, onvif_users=[
        {'name': 'vms', 'password': 'Onvif-pass-1', 'type': 'user'}]))
    assert onvif['failed'] is True and 'it carries a <password> in its body' in onvif['msg']

    cloud = run(SERVICES, http(cam, hik_connect=False))  # writes no secret: allowed
    assert cloud.get('failed') is not True, cloud
    code = run(SERVICES, http(cam, hik_connect=True, hik_connect_code='ABCDEF'))
    assert code['failed'] is True and 'it carries a <verificationCode> in its body' in code['msg']
    assert cam.state()['areas']['services']['ezviz'] is False


def test_raw_request_with_a_password_element_is_refused_over_http(new_device):
    device = new_device('current_camera')
    body = ('<User><userName>raw</userName><password>Raw-pass-123</password>'
            '<userLevel>Viewer</userLevel></User>')
    result = run(REQUEST, http(device, method='POST', path='/ISAPI/Security/users', body=body))
    assert result['failed'] is True
    assert result['msg'] == refused(device, 'POST', '/ISAPI/Security/users', 'a <password> in its body')
    assert users_of(device) == ['admin']


def test_allow_insecure_secrets_sends_and_warns(new_device, tmp_path):
    device = new_device('current_camera')
    pw = strong_password()
    result = run(USER, http(device, name='op', level='operator', user_password=pw,
                            allow_insecure_secrets=True))
    assert result['changed'] is True and users_of(device) == ['admin', 'op']
    assert device.control.check_password(device.name, 'op', pw)
    assert result['warnings'] == [
        'http://%s:%d: POST /ISAPI/Security/users sent a <password> in its body in clear '
        'text over plain HTTP because allow_insecure_secrets is set; use scheme: https' % (
            device.address, device.info['http_port'])]
    assert pw not in str(result)


PLAY = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: user over http
      camfleet.hikvision.user:
        host: "{{ isapi_host }}"
        port: "{{ isapi_http_port }}"
        scheme: http
        password: "{{ isapi_password }}"
        name: op
        level: viewer
        user_password: "{{ op_password }}"
      ignore_errors: true
    - name: user over http, allowed by the environment
      camfleet.hikvision.user:
        host: "{{ isapi_host }}"
        port: "{{ isapi_http_port }}"
        scheme: http
        password: "{{ isapi_password }}"
        name: op
        level: viewer
        user_password: "{{ op_password }}"
      environment:
        HIKVISION_ALLOW_INSECURE_SECRETS: "true"
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_refusal_and_env_fallback_through_ansible_playbook(fleet, new_device, tmp_path, path):
    device = new_device('current_camera', inventory_password=True)
    pw = strong_password()
    env = {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {}
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, env=env, limit=device.name,
                                    extra_vars={'op_password': pw})
    first, second = results
    assert first['status'] == 'failed'
    assert 'refused to send POST /ISAPI/Security/users over plain HTTP' in first['result']['msg']
    assert second['status'] == 'ok' and second['result']['changed'] is True
    assert any('allow_insecure_secrets is set' in w for w in second['result']['warnings'])
    assert 'allow_insecure_secrets is set' in out  # the user sees the warning
    assert users_of(device) == ['admin', 'op']
    assert pw not in out and device.password not in out
