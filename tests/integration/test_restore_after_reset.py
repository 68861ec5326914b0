"""playbooks/restore_after_reset.yml against an emulated camera reset by its button (the control
API's reset-button: a full reset with nothing on the wire): activation through the store, the
newest backup imported with the admin password the store's history kept for it, then rotated.
Settings and passwords are read back through the control API (check-password is no login);
failed logins through the device log and counters (the fixture's lockout budget)."""
import json
import os

import pytest

from emulator.testing import RunningFleet

from ansible.parsing.vault import VaultSecret

from ansible_collections.camfleet.hikvision.plugins.modules.time import SPEC as TIME
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import (
    open_store, resolve_settings,
)

from .conftest import Device, _worker_index, run, run_playbook, strong_password

PLAYBOOK = 'playbooks/restore_after_reset.yml'
BACKUP = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: backup
      ansible.builtin.include_role:
        name: camfleet.hikvision.backup
      vars:
        isapi_password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}"
'''
def open_test_store(fleet, tmp_path):
    settings = dict(backend='file', path=str(tmp_path / 'credentials'))
    with open(fleet.vault_pass_path) as handle:
        vault = [('default', VaultSecret(handle.read().strip().encode()))]
    store = open_store(resolve_settings(settings, environ={}), vault_secrets=vault)
    store.settings = settings
    return store


def change_password(device, store):
    """A rotation as the store records it (pending, changed on the device, promoted), without
    the rotation's deliberate failed login, which would eat this test's budget."""
    old, new = store.current(device.name, 'admin'), strong_password()
    store.set_pending(device.name, 'admin', new)
    run(USER, device.params(password=old, name='admin', user_password=new))
    store.promote(device.name, 'admin', expect=new)


def hardened_and_backed_up(fleet, device, tmp_path):
    """A device whose store holds its password, rotated once, hardened (NTP), backed up, then
    rotated once more: the backup's admin password is an older entry of the history."""
    store = open_test_store(fleet, tmp_path)
    store.set_pending(device.name, 'admin', device.password)
    store.promote(device.name, 'admin', expect=device.password)
    common = dict(camfleet_credential_store=store.settings)
    change_password(device, store)
    at_backup = store.current(device.name, 'admin')
    run(TIME, device.params(password=at_backup, mode='ntp', ntp_servers=['10.20.0.123'],
                            timezone='UTC+05:30'))
    rc, dummy, out = run_playbook(fleet, BACKUP, tmp_path, limit=device.name,
                                  extra_vars=dict(common, backup_dir=str(tmp_path / 'out' / 'backups'),
                                                  backup_campaign_dir=str(tmp_path / 'jobs')))
    assert rc == 0, out[-3000:]
    change_password(device, store)
    assert store.record(device.name, 'admin').previous[0] == at_backup
    return store, at_backup


def restore(fleet, store, device, tmp_path, **extra):
    extra_vars = dict(camfleet_credential_store=store.settings,
                      camfleet_output_dir=str(tmp_path / 'out'), camfleet_campaign='button-1')
    extra_vars.update(extra)
    rc, results, out = run_playbook(fleet, PLAYBOOK, tmp_path, limit=device.name,
                                    extra_vars=extra_vars, env={'ANSIBLE_VERBOSITY': '4'})
    for password in store.record(device.name, 'admin').known():
        assert password not in out and password not in json.dumps(results)
    return rc, results, out


def campaign_log(tmp_path):
    path = tmp_path / 'out' / 'campaigns' / 'button-1' / 'changelog.jsonl'
    return [json.loads(line) for line in path.read_text().splitlines()]


def assert_restored(device, store, at_backup):
    state = device.state()
    assert state['activated'] is True
    assert [n['host_name'] if n['addressing'] == 'hostname' else n['ip_address']
            for n in state['ntp']] == ['10.20.0.123']
    assert state['time']['mode'] == 'NTP' and state['time']['time_zone'] != 'CST-8:00:00'
    record = store.record(device.name, 'admin')
    assert record.pending is None
    assert device.control.check_password(device.name, 'admin', record.current)
    # the password before the current one is the backup's (restored, then rotated away)
    assert record.previous[0] == at_backup
    assert record.previous_entries[0]['restored_from'] == 'v2'
    for old in record.previous:
        assert not device.control.check_password(device.name, 'admin', old)


def test_a_device_reset_by_the_button_gets_its_backup_and_a_fresh_password(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    store, at_backup = hardened_and_backed_up(fleet, device, tmp_path)
    snapshot = next((tmp_path / 'out' / 'backups').rglob('*.json'))
    assert json.loads(snapshot.read_text())['credential']['password_version'] == 'v2'
    before = store.current(device.name, 'admin')
    fleet.control.reset_button(device.name)
    fleet.control.reset_counters(device.name)

    rc, results, out = restore(fleet, store, device, tmp_path)
    assert rc == 0, out[-4000:]
    assert_restored(device, store, at_backup)
    # history, newest first: the rotated one, the backup's, the activation's, the one at the reset
    history = store.history(device.name, 'admin')
    assert [h['state'] for h in history[:4]] == ['current', 'previous', 'previous', 'previous']
    assert store.record(device.name, 'admin').previous[2] == before
    restored = [r['result'] for r in results if r['task'].startswith('Import the newest backup')][0]
    assert restored['changed'] is True and restored['rebooted'] is True
    assert restored['store'] == dict(restored['store'], state='current', restored_from='v2',
                                     found_by='version', reconciled=False)
    log = campaign_log(tmp_path)
    steps = [(e['step'], e['status']) for e in log]
    assert steps == [('factory_fresh', 'ok'), ('activate', 'ok'), ('restore', 'ok'),
                     ('rotate_password', 'ok'), ('rotate', 'ok'), ('recovery', 'ok')]
    assert log[2]['details']['restored_from'] == 'v2' and log[2]['files'][0].endswith('.cfg')
    assert log[-1]['details']['ready'] == []  # this firmware offers no recovery method
    # the rotation's proof (the old password refused) is the only failed login
    assert sum(device.counters()['failed_logins'].values()) == 1

    # a second run of the campaign sends nothing and changes nothing
    writes = device.counters()['writes']
    rc, results, out = restore(fleet, store, device, tmp_path)
    assert rc == 0, out[-3000:]
    assert device.counters()['writes'] == writes
    assert len(campaign_log(tmp_path)) == len(steps)


def test_an_interrupted_restore_is_settled_with_one_login_and_not_imported_twice(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    store, at_backup = hardened_and_backed_up(fleet, device, tmp_path)
    fleet.control.reset_button(device.name)
    fleet.control.reset_counters(device.name)
    # the run dies after the import: the reboot request never gets an answer it can use
    fleet.control.faults(device.name, deny={'/ISAPI/System/reboot': {'http': 403, 'sub': 'invalidOperation'}})
    rc, results, out = restore(fleet, store, device, tmp_path)
    assert rc != 0
    record = store.record(device.name, 'admin')
    assert record.pending == at_backup and record.pending_entry['restored_from'] == 'v2'
    # the device holds the pending password: the store holds every password the device may have
    assert device.control.check_password(device.name, 'admin', record.pending)
    assert [(e['step'], e['status']) for e in campaign_log(tmp_path)][-1] == ('restore', 'failed')
    imports = device.counters()['requests'].get('PUT /ISAPI/System/configurationData')

    fleet.control.clear_faults(device.name)
    rc, results, out = restore(fleet, store, device, tmp_path)
    assert rc == 0, out[-4000:]
    assert device.counters()['requests'].get('PUT /ISAPI/System/configurationData') == imports
    restored = [r['result'] for r in results if r['task'].startswith('Import the newest backup')][0]
    assert restored['store']['reconciled'] is True and restored['store']['state'] == 'current'
    assert_restored(device, store, at_backup)


def test_a_backup_older_than_the_history_is_refused_before_anything_is_sent(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    store, at_backup = hardened_and_backed_up(fleet, device, tmp_path)
    snapshot = next((tmp_path / 'out' / 'backups').rglob('*.json'))
    doc = json.loads(snapshot.read_text())
    doc['credential']['password_version'] = 'v99'
    snapshot.write_text(json.dumps(doc))
    fleet.control.reset_button(device.name)
    rc, results, out = restore(fleet, store, device, tmp_path)
    assert rc != 0
    msg = [r['result'] for r in results if r['task'].startswith('Import the newest backup')][0]['msg']
    assert ('no longer holds the password of \'admin\' the backup %s carries (version v99; the '
            'history keeps store.keep_previous=5 entries)' % str(snapshot).replace('.json', '.cfg')) in msg
    assert 'nothing was sent' in msg
    assert device.counters()['requests'].get('PUT /ISAPI/System/configurationData') is None
    assert store.record(device.name, 'admin').pending is None


def test_an_active_device_is_not_rolled_back(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    store, at_backup = hardened_and_backed_up(fleet, device, tmp_path)
    rc, results, out = restore(fleet, store, device, tmp_path)
    assert rc != 0
    assert 'is active and this campaign did not find it factory-fresh: nothing was restored' in out
    assert device.counters()['requests'].get('PUT /ISAPI/System/configurationData') is None


@pytest.fixture(scope='module')
def moved_fleet(request, tmp_path_factory):
    """A camera that a full reset sends to another (factory) address, found again by SADP."""
    net = int(os.environ.get('CAMFLEET_TEST_NET', '60')) + 140 + _worker_index(request)
    spec = {'time_scale': 0.01, 'subnet': '127.%d.0.0/16' % net,
            'defaults': {'http_port': 80, 'https_port': 443, 'lock_attempts': 3,
                         'lock_seconds': 1800, 'reboot_seconds': 60},
            'sites': [{'name': 'away', 'devices': [
                {'name': 'm-cam1', 'profile': 'current_camera',
                 'factory_address': '127.%d.9.64' % net}]}]}
    with RunningFleet(fleet=spec, out_dir=str(tmp_path_factory.mktemp('moved-fleet')),
                      extra_args=['--sadp']) as running:
        yield running


def test_a_device_the_reset_moved_is_found_by_sadp_restored_and_back_home(moved_fleet, tmp_path, request):
    fleet = moved_fleet
    info = fleet.devices['m-cam1']
    device = Device(fleet, info, strong_password())
    fleet.control.provision(device.name, activated=True, password=device.password)
    request.node.__dict__.setdefault('camfleet_devices', []).append(device)  # the lockout budget
    store, at_backup = hardened_and_backed_up(fleet, device, tmp_path)
    fleet.control.reset_button(device.name)
    factory = device.state()['factory_address']
    assert device.state()['address'] == factory != info['address']

    rc, results, out = restore(fleet, store, device, tmp_path, restore_sadp_interfaces=['lo'])
    assert rc == 0, out[-4000:]
    assert device.state()['address'] == info['address']  # home again: the backup's network
    assert_restored(device, store, at_backup)
    log = campaign_log(tmp_path)
    assert log[0]['step'] == 'factory_fresh' and log[0]['details']['address'] == factory
    assert [e['step'] for e in log][:5] == ['factory_fresh', 'activate', 'moved_home', 'restore', 'rotate_password']
    restore_line = [e for e in log if e['step'] == 'restore'][0]
    assert restore_line['details']['address'] == info['address'] and restore_line['details']['rebooted'] is True
