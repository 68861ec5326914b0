"""The README's first run, exactly as written: its emulator command, its playbook (saved as
first-run.yml) and its ansible-playbook commands, run with bash in a scratch folder laid out like
a clone. Then the devices' state is read back from the emulator's control API, and a second run
must change nothing."""
import json
import os
import re
import signal
import subprocess
import sys
import time

import requests
import yaml

from .conftest import ROOT
from .fleetlock import fleet_lock

BIN = os.path.dirname(sys.executable)
SECTION = '## First run: the minimal playbook against the emulator'


def readme_blocks():
    with open(os.path.join(ROOT, 'README.md')) as f:
        text = f.read()
    section = text.split(SECTION, 1)[1].split('\n## ', 1)[0]
    return re.findall(r'```(\w+)\n(.*?)```', section, re.S)


def _recap(out):
    return {m.group(1): dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', m.group(2)))
            for m in re.finditer(r'^(\S+)\s+: (ok=.*)$', out, re.M)}


def test_readme_first_run_works_as_written(tmp_path, tmp_path_factory):
    with fleet_lock(tmp_path_factory, 'demo-fleet'):
        _first_run(tmp_path)


def _first_run(tmp_path):
    blocks = readme_blocks()
    assert [kind for kind, _ in blocks] == ['sh', 'yaml', 'sh'], blocks
    (_, serve), (_, playbook), (_, run) = blocks
    assert playbook.startswith('# first-run.yml\n')

    # A folder with what a clone has after `make setup`, so that the relative paths of the README
    # resolve and the emulator's output lands here, not in the checkout.
    clone = tmp_path / 'clone'
    clone.mkdir()
    for name in ('.venv', '.collections', 'emulator'):
        os.symlink(os.path.join(ROOT, name), str(clone / name))
    (clone / 'first-run.yml').write_text(playbook)
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith(('ANSIBLE_', 'CAMFLEET_')) and k != 'PYTHONPATH')
    env['ANSIBLE_NOCOLOR'] = '1'

    emulator = subprocess.Popen(['bash', '-e', '-c', serve], cwd=str(clone), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True)
    try:
        fleet_json = clone / 'demo-out' / 'fleet.json'
        deadline = time.monotonic() + 120
        while not fleet_json.exists():
            assert emulator.poll() is None, emulator.stderr.read().decode()
            assert time.monotonic() < deadline, 'the fleet did not come up'
            time.sleep(0.1)
        fleet = json.loads(fleet_json.read_text())
        cameras = {d['name']: d for d in fleet['devices'] if d['kind'] == 'camera'}
        fresh = sorted(n for n, d in cameras.items() if not d['activated'])
        assert len(cameras) == 8 and len(fresh) == 4

        first = subprocess.run(['bash', '-e', '-c', run], cwd=str(clone), env=env,
                               capture_output=True, text=True, timeout=600)
        assert first.returncode == 0, first.stdout + first.stderr
        recap = _recap(first.stdout)
        assert sorted(recap) == sorted(cameras)  # hosts: cameras, not the NVRs
        assert all(r['failed'] == 0 and r['unreachable'] == 0 for r in recap.values()), recap
        assert all(r['changed'] >= 1 for r in recap.values()), recap
        for cam in cameras.values():
            assert '%s, firmware %s' % (cam['model'], cam['firmware']) in first.stdout

        control = fleet['control_url'].rstrip('/')
        for name in cameras:
            state = requests.get('%s/devices/%s' % (control, name), timeout=10).json()
            assert state['activated'] is True, name
            assert state['time']['time_zone'] == 'CST-1:00:00', (name, state['time'])
            assert state['time']['mode'].lower() == 'ntp', (name, state['time'])
            assert [s['host_name'] for s in state['ntp']] == ['pool.ntp.org'], (name, state['ntp'])
            assert state['link']['upnp'] is False, name
            assert state['areas']['services']['ezviz'] is False, name

        second = subprocess.run(['bash', '-e', '-c', run], cwd=str(clone), env=env,
                                capture_output=True, text=True, timeout=600)
        assert second.returncode == 0, second.stdout + second.stderr
        again = _recap(second.stdout)
        assert sorted(again) == sorted(cameras)
        assert all(r['changed'] == 0 and r['failed'] == 0 for r in again.values()), again
        for cam in cameras.values():
            assert (cam.get('password') or cam['intended_password']) not in first.stdout + first.stderr + second.stdout
    finally:
        os.killpg(emulator.pid, signal.SIGTERM)
        emulator.wait(30)


def test_same_playbook_on_the_real_device_layout_the_readme_describes(tmp_path):
    """The README's inventory layout for real devices (one group per site, a vaulted password per
    device in host_vars, the site CA beside it through inventory_dir), with emulated devices
    standing in for real ones; first-run.yml unchanged."""
    from emulator.testing import RunningFleet

    playbook = readme_blocks()[1][1]
    fleet_spec = {'time_scale': 0.01, 'control_port': 0, 'subnet': '127.78.0.0/24',
                  'defaults': {'http_port': 80, 'https_port': 443},
                  'sites': [{'name': 'north-depot', 'devices': [
                      {'name': 'north-cam1', 'kind': 'camera', 'profile': 'current_camera', 'activated': False},
                      {'name': 'north-cam2', 'kind': 'camera', 'profile': 'legacy_camera', 'activated': True},
                  ]}]}
    with RunningFleet(fleet=fleet_spec, out_dir=str(tmp_path / 'fleet')) as fleet:
        inv = tmp_path / 'inventories' / 'production'
        (inv / 'group_vars' / 'all').mkdir(parents=True)
        (inv / 'files').mkdir()
        (inv / 'files' / 'site-ca.pem').write_bytes(open(fleet.ca_path, 'rb').read())
        hosts = {name: {'isapi_host': d['address']} for name, d in fleet.devices.items()}
        (inv / 'hosts.yml').write_text(yaml.safe_dump({'all': {'children': {
            'north_depot': {'hosts': hosts},
            'cameras': {'hosts': dict.fromkeys(hosts)}}}}))
        (inv / 'group_vars' / 'all' / 'main.yml').write_text(
            'ansible_connection: local\nisapi_port: 443\n'
            'isapi_ca_path: "{{ inventory_dir }}/files/site-ca.pem"\n')
        vault_pass = tmp_path / 'prod-vault-pass'
        vault_pass.write_text('a vault password only the operator knows\n')
        passwords = {}
        for name, dev in fleet.devices.items():
            passwords[name] = dev.get('password') or dev['intended_password']
            enc = subprocess.run([os.path.join(BIN, 'ansible-vault'), 'encrypt_string', '--vault-id',
                                  'prod@%s' % vault_pass, '--name', 'isapi_password', passwords[name]],
                                 capture_output=True, text=True, check=True, timeout=60)
            (inv / 'host_vars' / name).mkdir(parents=True)
            (inv / 'host_vars' / name / 'vault.yml').write_text(enc.stdout)
        (tmp_path / 'first-run.yml').write_text(playbook)
        env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'CAMFLEET_')))
        env.update(ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'), ANSIBLE_NOCOLOR='1')
        cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', str(inv), '--vault-id', 'prod@%s' % vault_pass,
               'first-run.yml']
        run = subprocess.run(cmd, cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stdout + run.stderr
        assert sorted(_recap(run.stdout)) == ['north-cam1', 'north-cam2']
        for name in fleet.devices:
            state = fleet.control.state(name)
            assert state['activated'] is True and state['time']['time_zone'] == 'CST-1:00:00'
            assert fleet.control.check_password(name, 'admin', passwords[name]) is True
            assert passwords[name] not in run.stdout + run.stderr
