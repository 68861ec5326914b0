"""The lifecycle roles and playbooks through ansible-playbook against an emulated fleet.

reset_and_harden.yml as a campaign (a second run changes nothing, an interrupted campaign never
resets a device twice, an unreachable device fails alone), backup.yml, firmware.yml (canary
first, stop on failure) and the change log. Device state is read back through the emulator's
control API. The baseline, verify and report steps belong to other roles and are left out here
(camfleet_steps).
"""
import json
import os

import pytest

from emulator.firmware_image import write_image
from emulator.testing import RunningFleet

from .conftest import ROOT, _worker_index, run_playbook

RESET = 'PUT /ISAPI/System/factoryReset'
STEPS = ['inventory_record', 'backup', 'factory_reset', 'activate', 'nvr_channels', 'firmware']


@pytest.fixture(scope='module')
def lc_fleet(request, tmp_path_factory):
    """A fleet of its own: SADP answers (full resets are found again by SADP) and devices that
    come back at another address after a full reset."""
    net = int(os.environ.get('CAMFLEET_TEST_NET', '60')) + 120 + _worker_index(request)

    def addr(host):
        return '127.%d.9.%d' % (net, host)

    sites = [
        {'name': 'north', 'devices': [
            {'name': 'n-nvr1', 'kind': 'nvr', 'profile': 'nvr', 'channels': ['n-cam1', 'n-cam2']},
            {'name': 'n-cam1', 'profile': 'current_camera'},
            {'name': 'n-cam2', 'profile': 'current_camera', 'factory_address': addr(2)},
            {'name': 'n-fresh', 'profile': 'current_camera', 'activated': False}]},
        {'name': 'resume', 'devices': [
            {'name': 'r-cam1', 'profile': 'current_camera', 'factory_address': addr(11)},
            {'name': 'r-cam2', 'profile': 'legacy_camera'}]},
        {'name': 'guard', 'devices': [{'name': 'g-cam1', 'profile': 'current_camera'}]},
        {'name': 'rolling', 'devices': [
            {'name': 'f-cam%d' % i, 'profile': 'current_camera', 'model': 'DS-2CD2T86G2-ISU/SL'}
            for i in range(1, 4)]},
        {'name': 'jobs', 'devices': [
            {'name': 'j-cam1', 'profile': 'current_camera'},
            {'name': 'j-cam2', 'profile': 'current_camera'}]},
        {'name': 'store', 'devices': [
            {'name': 's-nvr1', 'kind': 'nvr', 'profile': 'nvr', 'channels': ['s-cam1']},
            {'name': 's-cam1', 'profile': 'current_camera', 'factory_address': addr(21)}]},
    ]
    spec = {'time_scale': 0.01, 'subnet': '127.%d.0.0/16' % net,
            'defaults': {'http_port': 80, 'https_port': 443, 'lock_attempts': 7,
                         'lock_seconds': 1800, 'reboot_seconds': 60, 'nonce_seconds': 300},
            'sites': sites}
    with RunningFleet(fleet=spec, out_dir=str(tmp_path_factory.mktemp('lc-fleet')),
                      extra_args=['--sadp']) as running:
        yield running


def resets(fleet, name):
    return fleet.control.counters(name)['requests'].get(RESET, 0)


def changed_hosts(results):
    return sorted({r['host'] for r in results if r['result'].get('changed')})


def changelog(out):
    path = os.path.join(out, 'changelog.jsonl')
    with open(path) as fh:
        text = fh.read()
    return text, [json.loads(line) for line in text.splitlines()]


def summary(results):
    lines = [r['result']['msg'] for r in results if r['task'] == 'List every device and how it ended']
    assert len(lines) == 1
    return lines[0]


def image(tmp_path, name='ipc.dav', **kw):
    path = str(tmp_path / name)
    write_image(path, models=['DS-2CD2*'], kinds=['camera'], version='V5.7.20', build='build 250101',
                size=64 * 1024, **kw)
    return path


def campaign_vars(tmp_path, **extra):
    data = dict(camfleet_output_dir=str(tmp_path / 'out'), camfleet_steps=STEPS,
                activate_password_from_store=False)
    data.update(extra)
    return data


def test_reset_and_harden_whole_lifecycle_then_a_second_run_changes_nothing(lc_fleet, tmp_path):
    fleet = lc_fleet
    names = ['n-nvr1', 'n-cam1', 'n-cam2', 'n-fresh']
    extra = campaign_vars(tmp_path, nvr_channels_cameras=['n-cam1', 'n-cam2'],
                          firmware_targets=[{'model': 'DS-2CD2*', 'version': 'V5.7.20 build 250101',
                                             'src': image(tmp_path)}])
    rc, results, out = run_playbook(fleet, 'playbooks/reset_and_harden.yml', tmp_path, extra_vars=extra,
                                    limit='north')
    assert rc == 0, out
    states = {n: fleet.control.state(n) for n in names}
    # reset once each; the factory-fresh device has nothing to back up or reset
    assert {n: resets(fleet, n) for n in names} == {'n-nvr1': 1, 'n-cam1': 1, 'n-cam2': 1, 'n-fresh': 0}
    for name in names:
        assert states[name]['activated'] is True
        assert fleet.control.check_password(name, 'admin', fleet.devices[name]['intended_password'])
    # the full reset moved n-cam2 to its factory address, and the NVR was re-linked to it there
    assert states['n-cam2']['address'] == states['n-cam2']['factory_address'] != fleet.devices['n-cam2']['address']
    assert sorted(ch['address'] for ch in states['n-nvr1']['channels']) == sorted(
        [states['n-cam1']['address'], states['n-cam2']['address']])
    link = [r for r in results if r['task'].endswith('Link every camera to its channel') and r['host'] == 'n-nvr1']
    assert [ch['detect_result'] for ch in link[0]['result']['channels']] == ['connect', 'connect']
    for cam in ('n-cam1', 'n-cam2', 'n-fresh'):
        assert states[cam]['areas']['firmware']['version'] == 'V5.7.20'
    assert states['n-nvr1']['areas']['firmware']['upgrades'] == 0

    out_dir = tmp_path / 'out'
    record = json.loads((out_dir / 'inventory' / 'inventory.json').read_text())['devices']
    assert record['n-fresh']['activated'] is False and record['n-fresh']['source'] == 'sadp'
    assert record['n-cam1']['serial'] == fleet.devices['n-cam1']['serial']
    assert len((out_dir / 'inventory' / 'inventory.csv').read_text().splitlines()) == 5
    backups = list((out_dir / 'backups').glob('*/n-cam1/*.cfg'))
    assert len(backups) == 1 and backups[0].read_text().startswith('$ANSIBLE_VAULT')

    text, entries = changelog(str(out_dir / 'campaigns' / 'reset_and_harden'))
    for name in names:
        assert fleet.devices[name]['intended_password'] not in text
        assert fleet.devices[name].get('password', 'x' * 20) not in text
    steps = {}
    for e in entries:
        steps.setdefault(e['device'], []).append(e['step'])
        assert e['who'] and e['when'].endswith('Z')
    assert steps['n-nvr1'] == ['inventory_record', 'backup', 'factory_reset', 'activate', 'nvr_channels', 'firmware']
    assert steps['n-fresh'] == ['inventory_record', 'activate', 'firmware']
    reset_entry = [e for e in entries if e['device'] == 'n-cam2' and e['step'] == 'factory_reset'][0]
    assert reset_entry['details'] == {'mode': 'full', 'address': states['n-cam2']['address']}
    assert backups[0].as_posix() in [e for e in entries if e['device'] == 'n-cam1' and e['step'] == 'backup'][0]['files']
    assert '0 of 4 devices failed' in summary(results)[-1]

    rc, results, out = run_playbook(fleet, 'playbooks/reset_and_harden.yml', tmp_path, extra_vars=extra,
                                    limit='north')
    assert rc == 0, out
    assert changed_hosts(results) == []
    assert {n: resets(fleet, n) for n in names} == {'n-nvr1': 1, 'n-cam1': 1, 'n-cam2': 1, 'n-fresh': 0}
    assert fleet.control.state('n-cam2')['address'] == states['n-cam2']['address']


def test_interrupted_campaign_continues_and_never_resets_again(lc_fleet, tmp_path):
    fleet = lc_fleet
    names = ['r-cam1', 'r-cam2']
    # run 1 stops right after the reset (as an interrupted run does)
    rc, results, out = run_playbook(fleet, 'playbooks/reset_and_harden.yml', tmp_path, limit='resume',
                                    extra_vars=campaign_vars(tmp_path, camfleet_steps=STEPS[:3]))
    assert rc == 0, out
    assert [resets(fleet, n) for n in names] == [1, 1]
    assert [fleet.control.state(n)['activated'] for n in names] == [False, False]

    # run 2: r-cam2 is unreachable now - it fails alone and is listed; r-cam1 carries on at the
    # address the reset left it at, without a second reset
    fleet.control.faults('r-cam2', refuse_seconds=3600)
    rc, results, out = run_playbook(fleet, 'playbooks/reset_and_harden.yml', tmp_path, limit='resume',
                                    extra_vars=campaign_vars(tmp_path))
    assert rc != 0
    assert fleet.control.state('r-cam1')['activated'] is True
    assert fleet.control.check_password('r-cam1', 'admin', fleet.devices['r-cam1']['intended_password'])
    assert fleet.control.state('r-cam2')['activated'] is False
    lines = summary(results)
    assert any(line.startswith('r-cam2') and 'FAILED' in line for line in lines)
    assert any(line.startswith('r-cam1') and 'done' in line for line in lines)
    assert lines[-1] == '1 of 2 devices failed: r-cam2'

    # run 3: r-cam2 is back; it completes, and still nobody was reset twice
    fleet.control.clear_faults('r-cam2')
    rc, results, out = run_playbook(fleet, 'playbooks/reset_and_harden.yml', tmp_path, limit='resume',
                                    extra_vars=campaign_vars(tmp_path))
    assert rc == 0, out
    assert [resets(fleet, n) for n in names] == [1, 1]
    assert fleet.control.state('r-cam2')['activated'] is True
    assert changed_hosts(results) == ['r-cam2']
    dummy, entries = changelog(str(tmp_path / 'out' / 'campaigns' / 'reset_and_harden'))
    assert [e['device'] for e in entries if e['step'] == 'factory_reset'] in (names, names[::-1])


def test_no_reset_for_a_device_whose_backup_failed(lc_fleet, tmp_path):
    fleet = lc_fleet
    fleet.control.faults('g-cam1', deny={'/ISAPI/System/configurationData': {'http': 403, 'sub': 'notSupport'}})
    try:
        rc, results, out = run_playbook(fleet, 'playbooks/reset_and_harden.yml', tmp_path, limit='guard',
                                        extra_vars=campaign_vars(tmp_path))
    finally:
        fleet.control.clear_faults('g-cam1')
    assert rc != 0
    assert resets(fleet, 'g-cam1') == 0
    failed = [r for r in results if r['status'] == 'failed' and r['host'] == 'g-cam1']
    assert failed[-1]['result']['msg'].startswith('backup of g-cam1 failed')
    dummy, entries = changelog(str(tmp_path / 'out' / 'campaigns' / 'reset_and_harden'))
    assert [(e['step'], e['status']) for e in entries] == [('inventory_record', 'ok'), ('backup', 'failed')]


def test_firmware_canary_failure_stops_the_rollout(lc_fleet, tmp_path):
    fleet = lc_fleet
    names = ['f-cam1', 'f-cam2', 'f-cam3']
    bad = {'firmware_targets': [{'model': 'DS-2CD2*', 'version': 'V5.7.20 build 250101',
                                 'src': image(tmp_path, 'bad.dav', corrupt=True)}],
           'firmware_serial': [1, '100%'], 'camfleet_output_dir': str(tmp_path / 'out')}
    rc, results, out = run_playbook(fleet, 'playbooks/firmware.yml', tmp_path, limit='rolling', extra_vars=bad)
    assert rc != 0
    fw = {n: fleet.control.state(n)['areas']['firmware'] for n in names}
    assert fw['f-cam1']['last_upload_bytes'] > 0 and fw['f-cam1']['version'] == 'V5.7.18'
    # the canary failed, so the next batch never started
    assert [fw[n]['last_upload_bytes'] for n in ('f-cam2', 'f-cam3')] == [0, 0]
    assert {r['host'] for r in results if r['action'] == 'camfleet.hikvision.firmware'} == {'f-cam1'}

    good = dict(bad, firmware_targets=[dict(bad['firmware_targets'][0], src=image(tmp_path))])
    rc, results, out = run_playbook(fleet, 'playbooks/firmware.yml', tmp_path, limit='rolling', extra_vars=good)
    assert rc == 0, out
    assert [fleet.control.state(n)['areas']['firmware']['version'] for n in names] == ['V5.7.20'] * 3
    rc, results, out = run_playbook(fleet, 'playbooks/firmware.yml', tmp_path, limit='rolling', extra_vars=good)
    assert rc == 0, out
    assert changed_hosts(results) == []


def test_backup_playbook_twice_and_the_change_log_refuses_secrets(lc_fleet, tmp_path):
    fleet = lc_fleet
    extra = {'camfleet_output_dir': str(tmp_path / 'out')}
    rc, results, out = run_playbook(fleet, 'playbooks/backup.yml', tmp_path, limit='jobs', extra_vars=extra)
    assert rc == 0, out
    assert changed_hosts(results) == ['j-cam1', 'j-cam2']
    rc, results, out = run_playbook(fleet, 'playbooks/backup.yml', tmp_path, limit='jobs', extra_vars=extra)
    assert rc == 0, out
    assert changed_hosts(results) == []
    assert len(list((tmp_path / 'out' / 'backups').glob('*/j-cam1/*.cfg'))) == 1

    play = '''
- hosts: j-cam1
  gather_facts: false
  tasks:
    - camfleet.hikvision.changelog:
        dir: "%s"
        step: rotate
        details: {admin_password: "{{ isapi_password }}"}
''' % (tmp_path / 'cl')
    rc, results, out = run_playbook(fleet, play, tmp_path)
    assert rc != 0
    assert results[-1]['result']['msg'] == ('details.admin_password names a secret; the change log never '
                                            'holds one - leave it out')
    assert not (tmp_path / 'cl' / 'changelog.jsonl').exists()
    assert fleet.devices['j-cam1']['intended_password'] not in out


@pytest.mark.skipif(not os.path.exists(os.path.join(ROOT, 'plugins', 'lookup', 'credential.py')),
                    reason='needs the credential store (lookup camfleet.hikvision.credential)')
def test_campaign_with_generated_passwords_from_the_store(lc_fleet, tmp_path):
    """The secure default: each device gets a generated password kept in the store, the later
    steps (NVR re-link with the camera's new password) use it, a second run changes nothing."""
    fleet = lc_fleet
    store = {'backend': 'file', 'path': str(tmp_path / 'credentials')}
    extra = campaign_vars(tmp_path, activate_password_from_store=True, activate_store=store,
                          camfleet_steps=STEPS[:5], nvr_channels_cameras=['s-cam1'])
    rc, results, out = run_playbook(fleet, 'playbooks/reset_and_harden.yml', tmp_path, extra_vars=extra,
                                    limit='store')
    assert rc == 0, out
    for name in ('s-nvr1', 's-cam1'):
        assert fleet.control.state(name)['activated'] is True
        # not the inventory's password: a generated one
        assert not fleet.control.check_password(name, 'admin', fleet.devices[name]['intended_password'])
    link = [r for r in results if r['task'].endswith('Link every camera to its channel')][0]
    assert [ch['detect_result'] for ch in link['result']['channels']] == ['connect']
    rc, results, out = run_playbook(fleet, 'playbooks/reset_and_harden.yml', tmp_path, extra_vars=extra,
                                    limit='store')
    assert rc == 0, out
    assert changed_hosts(results) == []
    assert [resets(fleet, n) for n in ('s-nvr1', 's-cam1')] == [1, 1]
