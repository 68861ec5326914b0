"""The README's first run, exactly as written: its emulator command, its playbook (saved as
first-run.yml) and its ansible-playbook commands, run with bash in a scratch folder laid out like
a clone. Then the devices' state is read back from the emulator's control API, and a second run
must change nothing."""
import json
import os
import re
import signal
import subprocess
import time

import requests

from .conftest import ROOT

SECTION = '## First run: the minimal playbook against the emulator'


def readme_blocks():
    with open(os.path.join(ROOT, 'README.md')) as f:
        text = f.read()
    section = text.split(SECTION, 1)[1].split('\n## ', 1)[0]
    return re.findall(r'```(\w+)\n(.*?)```', section, re.S)


def _recap(out):
    return {m.group(1): dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', m.group(2)))
            for m in re.finditer(r'^(\S+)\s+: (ok=.*)$', out, re.M)}


def test_readme_first_run_works_as_written(tmp_path):
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
