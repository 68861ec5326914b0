"""The verify role against the emulator: post-reset proof per device (login with one attempt,
accounts, restore in the log, channels, time, only the approved ports answering)."""
from ansible_collections.camfleet.hikvision.plugins.modules.factory_reset import SPEC as RESET
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import run, run_playbook, strong_password

PLAY = '''
- hosts: all
  gather_facts: false
  roles:
    - camfleet.hikvision.verify
'''


def report(results, host):
    facts = [r for r in results if r['host'] == host and r['task'].endswith('Judge the checks')]
    return facts[0]['result']['ansible_facts']['verify_report'] if facts else None


def test_hardened_device_verifies_and_plain_http_fails_the_port_check(fleet, new_device, tmp_path):
    device = new_device('current_camera', inventory_password=True)
    rc, results, out = run_playbook(fleet, 'playbooks/harden.yml', tmp_path, limit=device.name)
    assert rc == 0, out
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, limit=device.name)
    assert rc == 0, out
    checks = report(results, device.name)
    assert checks['login'] == 'pass' and checks['no_unknown_accounts'] == 'pass'
    assert checks['only_approved_ports'] == 'pass' and checks['open_ports'] == [443]
    assert checks['time_in_sync'] == 'pass' and checks['storage_healthy'] == 'not_supported'

    http = new_device('current_camera', inventory_password=True)  # plain HTTP still on
    run(USER, http.params(name='stranger', level='viewer', user_password=strong_password()))
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, limit=http.name)
    assert rc != 0
    checks = report(results, http.name)
    assert checks['only_approved_ports'] == 'fail' and 80 in checks['open_ports']
    assert checks['no_unknown_accounts'] == 'fail' and checks['unknown_accounts'] == ['stranger']
    assert 'failed no_unknown_accounts, only_approved_ports' in out


def test_restore_entry_is_required_when_asked(fleet, new_device, tmp_path):
    device = new_device('nvr', inventory_password=True)
    since = {'verify_restore_since': '2000-01-01T00:00:00', 'verify_approved_ports': [80, 443]}
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, limit=device.name, extra_vars=since)
    assert rc != 0 and report(results, device.name)['restore_logged'] == 'fail', out
    assert report(results, device.name)['channels_online'] in ('pass', 'fail')
    result = run(RESET, device.params(mode='basic', wait=True))
    assert result.get('failed') is not True, result
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, limit=device.name, extra_vars=since)
    assert report(results, device.name)['restore_logged'] == 'pass', out


def test_a_wrong_password_fails_after_one_attempt(fleet, new_device, tmp_path):
    device = new_device('current_camera')  # its password is not the inventory's
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, limit=device.name)
    assert rc != 0 and report(results, device.name) is None
    assert sum(device.counters()['failed_logins'].values()) == 1
