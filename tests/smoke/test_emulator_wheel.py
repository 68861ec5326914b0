"""The emulator as users install it: `make dist` builds its wheel, pip installs it into a fresh
virtualenv, and the `camfleet-emulator` command (not `python -m emulator` from the checkout)
serves a one-device fleet that answers over HTTPS with the CA it wrote.

Offline: the wheel is installed with --no-deps --no-index; its dependencies come from the
project's virtualenv through a .pth file, so only the wheel's own files provide `emulator`."""
import glob
import json
import os
import re
import signal
import site
import subprocess
import sys
import time

import requests

from .conftest import ROOT

BIN = os.path.dirname(sys.executable)


def _venv_with_wheel(tmp_path):
    dist = tmp_path / 'dist'
    # -o setup: the test runs inside the project's environment; never (re)install into it here
    proc = subprocess.run(['make', '--no-print-directory', '-o', 'setup', 'dist', 'DIST=%s' % dist], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (wheel,) = glob.glob(str(dist / 'camfleet_emulator-*-py3-none-any.whl'))
    assert glob.glob(str(dist / 'camfleet-hikvision-*.tar.gz'))
    # make dist leaves no setuptools scratch in the checkout
    assert not os.path.exists(os.path.join(ROOT, 'emulator', 'build'))
    assert not glob.glob(os.path.join(ROOT, 'emulator', '*.egg-info'))

    venv = tmp_path / 'venv'
    subprocess.run([sys.executable, '-m', 'venv', str(venv)], check=True, timeout=300)
    py = str(venv / 'bin' / 'python')
    venv_site = subprocess.run([py, '-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
                               capture_output=True, text=True, check=True).stdout.strip()
    with open(os.path.join(venv_site, 'project-deps.pth'), 'w') as f:
        f.write('\n'.join(site.getsitepackages()) + '\n')
    proc = subprocess.run([py, '-m', 'pip', 'install', '--quiet', '--no-deps', '--no-index', wheel],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return venv


def _clean_env():
    env = dict((k, v) for k, v in os.environ.items() if k != 'PYTHONPATH')
    env['PATH'] = os.pathsep.join(p for p in env.get('PATH', '').split(os.pathsep)
                                  if os.path.abspath(p) != os.path.abspath(BIN))
    return env


def test_wheel_installs_the_command_and_serves_a_fleet(tmp_path):
    venv = _venv_with_wheel(tmp_path)
    command = str(venv / 'bin' / 'camfleet-emulator')
    env = _clean_env()
    outside = tmp_path / 'elsewhere'
    outside.mkdir()

    where = subprocess.run([str(venv / 'bin' / 'python'), '-c', 'import emulator; print(emulator.__file__)'],
                           cwd=str(outside), env=env, capture_output=True, text=True, check=True)
    assert where.stdout.strip().startswith(str(venv))

    helped = subprocess.run([command, '--help'], cwd=str(outside), env=env, capture_output=True,
                            text=True, timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith('usage: camfleet-emulator')
    # the same sub-commands and options as `python -m emulator` from the checkout
    for args in (['--help'], ['serve', '--help']):
        installed = subprocess.run([command] + args, cwd=str(outside), env=env,
                                   capture_output=True, text=True, timeout=60)
        checkout = subprocess.run([sys.executable, '-m', 'emulator'] + args, cwd=ROOT,
                                  capture_output=True, text=True, timeout=60)
        assert installed.returncode == checkout.returncode == 0, installed.stderr + checkout.stderr
        # equal but for the program's name (argparse wraps the usage lines by its length)
        assert installed.stdout.split() == \
            checkout.stdout.replace('python -m emulator', 'camfleet-emulator').split()
        assert re.findall(r'--[a-z-]+', installed.stdout) == re.findall(r'--[a-z-]+', checkout.stdout)
    assert '--netns-interface' in installed.stdout and '--sadp-reply' in installed.stdout

    out = tmp_path / 'fleet'
    proc = subprocess.Popen([command, 'serve', '--devices', '1', '--subnet', '127.77.0.0/24',
                             '--control-port', '0', '--out', str(out)],
                            cwd=str(outside), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not (out / 'fleet.json').exists():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, 'no fleet.json'
            time.sleep(0.1)
        doc = json.loads((out / 'fleet.json').read_text())
        assert len(doc['devices']) == 1
        for name in ('ca.pem', 'inventory.yml', 'vault-pass'):
            assert (out / name).is_file(), name
        device = doc['devices'][0]
        answer = requests.get('https://%s:%s/SDK/activateStatus' % (device['address'], device['https_port']),
                              verify=str(out / 'ca.pem'), timeout=10)
        assert answer.status_code == 200 and 'Activated' in answer.text
        state = requests.get(doc['control_url'].rstrip('/') + '/devices/' + device['name'], timeout=10).json()
        assert state['activated'] is True
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)
    assert proc.returncode == 0
