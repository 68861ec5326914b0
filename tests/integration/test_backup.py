"""config_backup / config_restore against the emulator: encrypted on disk, no clear passwords,
restore brings changed users back, idempotence, check mode, wrong keys."""
import copy
import json
import os

import pytest
import yaml

from ansible_collections.camfleet.hikvision.plugins.module_utils import backup
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import Task
from ansible_collections.camfleet.hikvision.plugins.modules.config_restore import SPEC as RESTORE
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import run, run_playbook, strong_password


def users_of(device):
    return sorted(u['name'] for u in device.state()['users'])


def vault_of(fleet):
    from ansible.parsing.vault import VaultLib, VaultSecret
    with open(fleet.vault_pass_path, 'rb') as handle:
        return VaultLib([('default', VaultSecret(handle.read().strip()))])


def backup_in_process(device, vault, dest, check_mode=False, **extra):
    """What the action plugin does on the controller, without ansible-playbook around it."""
    params = device.params(dest=str(dest), encryption='vault', secret_key=None, export_timeout=60)
    params.update(extra)
    task = Task(params, check_mode=check_mode)

    def decrypt(data):
        return vault.decrypt(data) if data.startswith(b'$ANSIBLE_VAULT') else data

    def keep(content, snapshot):
        return backup.store_backup(str(dest), device.name, content, snapshot,
                                   lambda c: vault.encrypt(c) if vault else c, decrypt,
                                   check_mode=check_mode)
    try:
        return backup.run_config_backup(task, keep=keep)
    finally:
        task.close()


def test_backup_is_vault_encrypted_without_clear_passwords(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    vault = vault_of(fleet)
    op_password = strong_password()
    run(USER, device.params(name='op', level='operator', user_password=op_password))
    result = backup_in_process(device, vault, str(tmp_path) + '/')
    assert result['changed'] is True and result['dest'].startswith(str(tmp_path))
    data = open(result['dest'], 'rb').read()
    assert data.startswith(b'$ANSIBLE_VAULT')
    for secret in (device.password, op_password):
        assert secret.encode() not in data
    assert os.stat(result['dest']).st_mode & 0o777 == 0o600
    checksum_line = open(result['dest'] + '.sha256').read()
    assert checksum_line == '%s  %s\n' % (result['checksum'], os.path.basename(result['dest']))
    snapshot_text = open(result['snapshot']).read()
    for secret in (device.password, op_password):
        assert secret not in snapshot_text
    snapshot = json.loads(snapshot_text)
    assert snapshot['device']['serial_number'] == device.info['serial']
    assert {u['name'] for u in snapshot['users']} == {'admin', 'op'}
    assert 'time' in snapshot['settings'] and 'network' in snapshot['settings']
    # the decrypted backup holds the device's own export, credentials included
    assert vault.decrypt(data).startswith(b'HIKEMU-CFG')

    device.control.reset_counters(device.name)
    again = backup_in_process(device, vault, str(tmp_path) + '/')
    assert again['changed'] is False and again['dest'] == result['dest']
    assert device.counters()['writes'] == 0
    assert len([n for n in os.listdir(tmp_path) if n.endswith('.cfg')]) == 1


def test_check_mode_writes_no_file(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    result = backup_in_process(device, vault_of(fleet), tmp_path / 'cam.cfg', check_mode=True)
    assert result['changed'] is True and os.listdir(tmp_path) == []
    assert device.counters()['writes'] == 0


def test_device_encryption_needs_support_and_a_fitting_key(fleet, new_device, tmp_path):
    legacy = new_device('legacy_camera')
    with pytest.raises(Exception) as refused:
        backup_in_process(legacy, None, tmp_path / 'l.cfg', encryption='device', secret_key='Key-1')
    assert 'this firmware cannot encrypt its configuration export' in str(refused.value)
    camera = new_device('current_camera')
    with pytest.raises(Exception) as too_long:
        backup_in_process(camera, None, tmp_path / 'c.cfg', encryption='device', secret_key='k' * 17)
    assert 'secret_key must be 1 to 16 characters for this device (it has 17)' in str(too_long.value)
    assert legacy.counters()['writes'] == 0 and camera.counters()['writes'] == 0
    assert os.listdir(tmp_path) == []


def restore(device, content, check_mode=False, **extra):
    """config_restore as the action plugin runs it in-process, with the content it decrypted."""
    spec = copy.copy(RESTORE)
    spec.run = lambda task: backup.run_config_restore(task, content=content)
    return run(spec, device.params(src='unused', **extra), check_mode=check_mode)


def test_restore_brings_changed_users_back(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    vault = vault_of(fleet)
    op_password = strong_password()
    run(USER, device.params(name='op', level='operator', user_password=op_password))
    made = backup_in_process(device, vault, tmp_path / 'cam.cfg')
    content = vault.decrypt(open(made['dest'], 'rb').read())

    run(USER, device.params(name='op', state='absent'))
    run(USER, device.params(name='intruder', level='operator', user_password=strong_password()))
    assert users_of(device) == ['admin', 'intruder']

    device.control.reset_counters(device.name)
    checked = restore(device, content, check_mode=True)
    assert checked['changed'] is True and set(checked['diff']) == {'before', 'after'}
    assert users_of(device) == ['admin', 'intruder'] and device.counters()['writes'] == 0

    done = restore(device, content)
    assert done['changed'] is True and done['reboot_required'] is True
    assert users_of(device) == ['admin', 'op']
    assert device.control.check_password(device.name, 'op', op_password)

    device.control.reset_counters(device.name)
    again = restore(device, content)
    assert again['changed'] is False and device.counters()['writes'] == 0


def test_restore_check_mode_and_reboot(fleet, new_device, tmp_path):
    device = new_device('nvr')
    content = backup.export_config(Task(device.params()).client)
    run(USER, device.params(name='extra', level='viewer', user_password=strong_password()))
    device.control.reset_counters(device.name)
    checked = restore(device, content, check_mode=True)
    assert checked['changed'] is True and device.counters()['writes'] == 0
    assert 'extra' in users_of(device)
    done = restore(device, content, reboot=True, wait_timeout=60)
    assert done['changed'] is True and done['rebooted'] is True and done['reboot_required'] is False
    assert 'extra' not in users_of(device) and device.state()['reboot_count'] >= 1


def test_wrong_secret_key_gives_the_device_message(fleet, new_device):
    device = new_device('current_camera')
    client = Task(device.params()).client
    content = backup.export_config(client, 'Right-Key-1')
    run(USER, device.params(name='extra', level='viewer', user_password=strong_password()))
    result = restore(device, content, secret_key='Wrong-Key-2')
    # No checksum file came with this content, so a damaged file cannot be ruled out.
    assert result['failed'] and result['msg'].endswith(
        "the device refused the backup's key (importCfgFilePasswordErr): secret_key is not the "
        'key the backup was exported with, or the file is damaged (there is no checksum file '
        'unused.sha256 to tell which)')
    assert 'extra' in users_of(device)
    ok = restore(device, content, secret_key='Right-Key-1')
    assert ok['changed'] is True and 'extra' not in users_of(device)


PLAY = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: Backup
      camfleet.hikvision.config_backup:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        password: "{{ isapi_password }}"
        ca_path: "{{ isapi_ca_path }}"
        dest: backups/
      register: made
    - name: Backup again
      camfleet.hikvision.config_backup:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        password: "{{ isapi_password }}"
        ca_path: "{{ isapi_ca_path }}"
        dest: backups/
    - name: Restore
      camfleet.hikvision.config_restore:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        password: "{{ isapi_password }}"
        ca_path: "{{ isapi_ca_path }}"
        src: "{{ made.dest }}"
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_backup_and_restore_through_ansible_playbook(fleet, new_device, tmp_path, path):
    device = new_device('current_camera', inventory_password=True)
    env = {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {}
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, env=env, limit=device.name)
    assert rc == 0, out
    made, again, restored = [r['result'] for r in results]
    assert made['changed'] is True and made['dest'].startswith(str(tmp_path / 'backups'))
    assert open(made['dest'], 'rb').read().startswith(b'$ANSIBLE_VAULT')
    assert again['changed'] is False and again['dest'] == made['dest']
    assert restored['changed'] is False  # the device still equals its backup
    assert restored['checksum'] == made['checksum']
    assert device.password not in out and device.password not in json.dumps(results)
    assert yaml.safe_load(open(made['snapshot']).read())['device']['serial_number'] == device.info['serial']
