"""Never lock out, never lose a password (issue 8, items 1-4 and 11, and user-name input):
a lost answer to a password change, a restore that brings another admin password, no password
given, lost answers to user creation and deletion, files that are not backups or are damaged.
Each test reads the truth back from the emulator (passwords, accounts, counters)."""
import copy
import os

import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import backup
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import Task
from ansible_collections.camfleet.hikvision.plugins.modules import (
    activate, config_backup, config_restore, device_log_info, factory_reset, firmware, isapi_request,
    isapi_resource, network, nvr_channel, reboot, recordings, security, services, time, user,
)
from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO

from .conftest import failed_logins, run, run_playbook, strong_password
from .test_faults_credentials import fault_at

USER = user.SPEC
NO_PASSWORD = ('password is required: set password (or the environment variable '
               'HIKVISION_PASSWORD); nothing was sent to the device')


def users_of(device):
    return {u['name']: u for u in device.state()['users']}


# -- item 1: the answer to a change of the task's own password is lost ---------------------------

@pytest.mark.parametrize('profile', ['current_camera', 'nvr'])
def test_lost_answer_to_the_own_password_change_costs_no_failed_login(new_device, monkeypatch,
                                                                       profile):
    device = new_device(profile)
    new = strong_password()
    sent = fault_at(monkeypatch, device, 'PUT', '/ISAPI/Security/users/1', drop_response_next=1)
    result = run(USER, device.params(name='admin', user_password=new))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['password_changed'] is True
    assert result['session_password_switched'] is True
    assert device.control.check_password(device.name, 'admin', new)
    assert len(sent) == 1 and failed_logins(device) == 0
    assert any('reached the device but the connection was closed without an answer' in w and
               'logging in with the new password worked, so the change took' in w
               for w in result['warnings'])


def test_rerun_after_the_own_password_changed_continues_with_the_new_one(new_device):
    """The run that changed it lost its answer and the user runs the same task again: the old
    password is refused once, the new one is the only other candidate and works."""
    device = new_device('current_camera')
    old, new = device.password, strong_password()
    device.control.provision(device.name, activated=True, password=new)
    result = run(USER, device.params(password=old, name='admin', user_password=new,
                                     level='administrator'))
    assert not result.get('failed'), result
    assert result['changed'] is False and result['session_password_switched'] is True
    assert any('an earlier run changed it already' in w for w in result['warnings'])
    assert failed_logins(device) == 1


def test_own_password_change_spends_no_login_to_check(new_device):
    """The session proves the current password, so it needs no failed login to know the new
    one differs (today's check spent one)."""
    device = new_device('current_camera')
    new = strong_password()
    result = run(USER, device.params(name='admin', user_password=new))
    assert result['changed'] is True and device.control.check_password(device.name, 'admin', new)
    assert failed_logins(device) == 0


# -- item 2: a restore whose backup holds another admin password ---------------------------------

def restore(device, content, **extra):
    spec = copy.copy(config_restore.SPEC)
    spec.run = lambda task: backup.run_config_restore(task, content=content)
    return run(spec, device.params(src='cam.cfg', **extra))


def backup_with_other_password(device):
    """(backup content holding the device's password, the new password the device has now)."""
    task = Task(device.params())
    content = backup.export_config(task.client)
    task.close()
    new = strong_password()
    assert run(USER, device.params(name='admin', user_password=new))['changed'] is True
    return content, new


def test_restore_with_reboot_of_a_backup_with_another_admin_password(new_device):
    device = new_device('current_camera')
    at_backup = device.password
    content, now = backup_with_other_password(device)
    reboots = device.state()['reboot_count']
    device.control.reset_counters(device.name)
    result = restore(device, content, password=now, reboot=True, wait_timeout=60)
    assert result['failed'] is True and result['changed'] is True
    assert result['reboot_required'] is True and result['rebooted'] is False
    assert result['msg'] == (
        'https://%s:443: configuration imported (it applies fully after a reboot), but the '
        'device no longer accepts the password this task logged in with: the import gave it the '
        "accounts of the backup, so the password of 'admin' is now the one it had when the "
        'backup was taken. Not rebooted, and no other password was tried (the device locks '
        'clients after repeated failed logins). Finish with camfleet.hikvision.reboot using that '
        'password, and use it in later tasks; give it as backup_password to have this module '
        'reboot with it' % device.address)
    assert sum(device.counters()['failed_logins'].values()) == 1
    assert 'PUT /ISAPI/System/reboot' not in device.counters()['requests']
    assert device.state()['reboot_count'] == reboots
    assert device.control.check_password(device.name, 'admin', at_backup)
    # The way to finish: the reboot module with the backup's password.
    done = run(reboot.SPEC, device.params(password=at_backup, wait_timeout=60))
    assert done['changed'] is True and not done.get('failed'), done
    assert device.state()['reboot_count'] == reboots + 1
    assert sum(device.counters()['failed_logins'].values()) == 1


def test_restore_with_backup_password_reboots_with_it(new_device):
    device = new_device('current_camera')
    at_backup = device.password
    content, now = backup_with_other_password(device)
    reboots = device.state()['reboot_count']
    device.control.reset_counters(device.name)
    result = restore(device, content, password=now, backup_password=at_backup, reboot=True,
                     wait_timeout=60)
    assert not result.get('failed'), result
    assert result['rebooted'] is True and result['session_password'] == 'backup_password'
    assert device.state()['reboot_count'] == reboots + 1
    assert device.counters()['failed_logins'] == {}


# -- item 3: no password given -------------------------------------------------------------------

NEEDS_PASSWORD = [
    (activate.SPEC, {}),
    (config_backup.SPEC, {'dest': '/nonexistent/backups/'}),
    (config_restore.SPEC, {'src': '/nonexistent/cam.cfg'}),
    (device_log_info.SPEC, {}),
    (factory_reset.SPEC, {'mode': 'basic'}),
    (firmware.SPEC, {'src': '/nonexistent/fw.dav', 'version': 'V5.7.20'}),
    (isapi_request.SPEC, {'path': '/ISAPI/System/deviceInfo'}),
    (isapi_resource.SPEC, {'path': '/ISAPI/System/deviceInfo', 'values': {'deviceName': 'x'}}),
    (network.SPEC, {}),
    (nvr_channel.SPEC, {'channels': []}),
    (reboot.SPEC, {}),
    (recordings.SPEC, {'start': '2026-01-01T00:00:00', 'end': '2026-01-02T00:00:00'}),
    (security.SPEC, {}),
    (services.SPEC, {}),
    (time.SPEC, {}),
    (USER, {'name': 'vms', 'user_password': 'Aa1!vms-pass'}),
]


@pytest.mark.parametrize('spec,args', NEEDS_PASSWORD,
                         ids=[s.run.__name__ for s, a in NEEDS_PASSWORD])
def test_no_password_is_refused_before_anything_is_sent(new_device, monkeypatch, spec, args):
    monkeypatch.delenv('HIKVISION_PASSWORD', raising=False)
    device = new_device('current_camera')
    result = run(spec, device.params(password=None, **args))
    assert result['failed'] is True
    assert result['msg'] == '%s: %s' % (device.address, NO_PASSWORD)
    counters = device.counters()
    assert counters['requests'] == {} and counters['unauthorized'] == 0
    assert counters['failed_logins'] == {} and counters['successful_logins'] == 0


def test_password_from_the_environment_is_used(new_device, monkeypatch):
    device = new_device('current_camera')
    monkeypatch.setenv('HIKVISION_PASSWORD', device.password)
    params = device.params()
    del params['password']
    result = run(reboot.SPEC, dict(params, wait=False))
    assert result['changed'] is True and not result.get('failed'), result


def test_device_info_needs_no_password_for_the_activation_state_and_spends_no_login(new_device,
                                                                                      monkeypatch):
    monkeypatch.delenv('HIKVISION_PASSWORD', raising=False)
    device = new_device('current_camera')
    result = run(INFO, device.params(password=None))
    assert result['failed'] is True and 'password is required' in result['msg']
    assert device.counters()['requests'] == {'GET /SDK/activateStatus': 1}
    assert device.counters()['unauthorized'] == 0 and failed_logins(device) == 0


# -- item 4: lost answers to user creation and deletion ------------------------------------------

def test_lost_answer_to_a_user_creation_is_read_back(new_device, monkeypatch):
    device = new_device('current_camera')
    pw = strong_password()
    sent = fault_at(monkeypatch, device, 'POST', '/ISAPI/Security/users', drop_response_next=1)
    result = run(USER, device.params(name='vms', level='viewer', user_password=pw))
    assert not result.get('failed'), result
    assert result['changed'] is True and result['user']['name'] == 'vms'
    assert result['user']['id'] == users_of(device)['vms']['id']
    assert len(sent) == 1 and device.counters()['requests']['POST /ISAPI/Security/users'] == 1
    assert any("read back, 'vms' exists: it was created" in w for w in result['warnings'])
    assert device.control.check_password(device.name, 'vms', pw)


def test_lost_answer_to_a_user_deletion_is_read_back(new_device, monkeypatch):
    device = new_device('current_camera')
    run(USER, device.params(name='vms', level='viewer', user_password=strong_password()))
    vms_id = users_of(device)['vms']['id']
    sent = fault_at(monkeypatch, device, 'DELETE', '/ISAPI/Security/users/',
                    drop_response_next=1)
    result = run(USER, device.params(name='vms', state='absent'))
    assert not result.get('failed'), result
    assert result['changed'] is True and 'vms' not in users_of(device)
    assert len(sent) == 1
    assert device.counters()['requests']['DELETE /ISAPI/Security/users/%d' % vms_id] == 1
    assert any("read back, 'vms' is gone: it was deleted" in w for w in result['warnings'])


# -- user names the device refuses ---------------------------------------------------------------

@pytest.mark.parametrize('name,message', [
    ('', 'name must not be empty: the device refuses an account without a user name'),
    ('u' * 33, 'name must be at most 32 characters (it has 33); the device refuses longer user '
               'names'),
])
def test_user_names_the_device_refuses(new_device, name, message):
    device = new_device('current_camera')
    result = run(USER, device.params(name=name, user_password=strong_password()))
    assert result['failed'] is True and result['msg'] == message
    assert device.counters()['requests'] == {}
    assert sorted(users_of(device)) == ['admin']


def test_a_32_character_name_is_accepted(new_device):
    device = new_device('current_camera')
    result = run(USER, device.params(name='u' * 32, user_password=strong_password()))
    assert result['changed'] is True and 'u' * 32 in users_of(device)


# -- item 11: not a backup, damaged backups ------------------------------------------------------

@pytest.mark.parametrize('content,kind', [
    (b'', 'is empty'),
    (b'{"device": {"model": "DS-2CD2386G2-IU"}}\n', 'is JSON, not a configuration export '
                                                    '(exports are binary)'),
    (b'abc123  cam.cfg\n', 'is plain text, not a configuration export (exports are binary)'),
])
def test_a_file_that_is_not_a_backup_is_refused_before_anything_is_sent(new_device, content,
                                                                          kind):
    device = new_device('current_camera')
    result = restore(device, content)
    assert result['failed'] is True
    assert result['msg'] == 'src cam.cfg %s; nothing was sent to the device' % kind
    assert device.counters()['requests'] == {}


RESTORE_PLAY = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: Restore
      camfleet.hikvision.config_restore:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        password: "{{ isapi_password }}"
        ca_path: "{{ isapi_ca_path }}"
        src: "{{ src }}"
        secret_key: Right-Key-1
      ignore_errors: true
'''


def _device_backup(device, tmp_path, with_checksum):
    """A device-encrypted backup as config_backup stores one (with its .sha256), then damaged
    in the middle."""
    task = Task(device.params())
    content = bytearray(backup.export_config(task.client, 'Right-Key-1'))
    task.close()
    path = tmp_path / 'cam.cfg'
    backup.store_backup(str(path), device.name, bytes(content), {}, lambda c: c, lambda c: c)
    content[len(content) // 2] ^= 0xFF
    path.write_bytes(bytes(content))
    if not with_checksum:
        os.unlink(str(path) + '.sha256')
    return path


@pytest.mark.parametrize('with_checksum', [True, False])
def test_a_damaged_backup_is_reported_as_damaged(fleet, new_device, tmp_path, with_checksum):
    device = new_device('current_camera', inventory_password=True)
    path = _device_backup(device, tmp_path, with_checksum)
    device.control.reset_counters(device.name)
    rc, results, out = run_playbook(fleet, RESTORE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'src': str(path)})
    result = results[0]['result']
    assert result['error'] == 'IsapiInputError' and rc == 0, (results, out)  # failed, ignored
    if with_checksum:
        assert 'does not match its checksum file %s.sha256' % path in result['msg']
        assert result['msg'].endswith('the backup is damaged or was altered')
        assert device.counters()['requests'] == {}  # refused before anything was sent
    else:
        assert result['msg'].endswith(
            "the device refused the backup's key (importCfgFilePasswordErr): secret_key is not "
            'the key the backup was exported with, or the file is damaged (there is no checksum '
            'file %s.sha256 to tell which)' % path)
    assert 'Right-Key-1' not in out


def test_an_intact_backup_with_a_wrong_key_says_the_key_is_wrong(fleet, new_device, tmp_path):
    device = new_device('current_camera', inventory_password=True)
    task = Task(device.params())
    content = backup.export_config(task.client, 'Other-Key-2')
    task.close()
    path = tmp_path / 'cam.cfg'
    backup.store_backup(str(path), device.name, content, {}, lambda c: c, lambda c: c)
    rc, results, out = run_playbook(fleet, RESTORE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'src': str(path)})
    assert results[0]['result']['msg'].endswith(
        "the device refused the backup's key (importCfgFilePasswordErr): secret_key must be the "
        'key the backup was exported with (the file is intact: it matches its checksum file)')


# -- item 1, the import: a restore whose answer is lost -------------------------------------------

def test_lost_answer_to_an_import_is_read_back(new_device, monkeypatch):
    device = new_device('current_camera')
    task = Task(device.params())
    content = backup.export_config(task.client)
    task.close()
    run(USER, device.params(name='extra', level='viewer', user_password=strong_password()))
    sent = fault_at(monkeypatch, device, 'PUT', '/ISAPI/System/configurationData',
                    drop_response_next=1)
    result = restore(device, content)
    assert not result.get('failed'), result
    assert result['changed'] is True and result['reboot_required'] is True
    assert len(sent) == 1 and 'extra' not in users_of(device)
    assert any('reached the device but the connection was closed without an answer' in w and
               w.endswith('the import took') for w in result['warnings'])
    assert failed_logins(device) == 0


def test_lost_answer_to_an_import_with_another_admin_password(new_device, monkeypatch):
    device = new_device('current_camera')
    at_backup = device.password
    content, now = backup_with_other_password(device)
    reboots = device.state()['reboot_count']
    device.control.reset_counters(device.name)
    sent = fault_at(monkeypatch, device, 'PUT', '/ISAPI/System/configurationData',
                    drop_response_next=1)
    result = restore(device, content, password=now, backup_password=at_backup, reboot=True,
                     wait_timeout=60)
    assert not result.get('failed'), result
    assert result['rebooted'] is True and result['session_password'] == 'backup_password'
    assert len(sent) == 1 and device.state()['reboot_count'] == reboots + 1
    assert device.counters()['failed_logins'] == {}
