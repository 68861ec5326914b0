"""Integration fixtures: one emulated fleet per pytest worker, one fresh device per test.

Tests talk to the emulator over real sockets. Each test takes devices no other test uses and
provisions them to a known state, so tests stay independent under pytest-xdist.
"""
import itertools
import json
import os
import secrets
import subprocess
import sys

import pytest

from emulator.testing import RunningFleet

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_in_process

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PER_PROFILE = {'current_camera': 40, 'legacy_camera': 16, 'nvr': 16}
LOCK_ATTEMPTS = 3


def strong_password():
    """A password that satisfies every profile's policy: 16 chars, four classes."""
    return 'Aa1!' + secrets.token_hex(6)


def _worker_index(request):
    worker = getattr(request.config, 'workerinput', {}).get('workerid', 'gw0')
    return int(worker[2:]) if worker.startswith('gw') else 0


@pytest.fixture(scope='session')
def fleet(request, tmp_path_factory):
    index = _worker_index(request)
    devices = []
    for profile, count in PER_PROFILE.items():
        for i in range(count):
            devices.append({'name': '%s-%02d' % (profile.replace('_camera', ''), i),
                            'kind': 'nvr' if profile == 'nvr' else 'camera',
                            'profile': profile, 'activated': True})
    # CAMFLEET_TEST_NET moves the fleet, so two test runs on one machine do not collide.
    base = int(os.environ.get('CAMFLEET_TEST_NET', '60'))
    spec = {
        'time_scale': 0.01,
        'subnet': '127.%d.0.0/16' % (base + index),
        'defaults': {'http_port': 80, 'https_port': 443, 'lock_attempts': LOCK_ATTEMPTS,
                     'lock_seconds': 1800, 'reboot_seconds': 60, 'nonce_seconds': 300},
        'sites': [{'name': 'lab', 'devices': devices}],
    }
    out = str(tmp_path_factory.mktemp('fleet'))
    with RunningFleet(fleet=spec, out_dir=out) as running:
        # Devices are handed out round-robin and provisioned afresh (state, locks, counters,
        # address), so a pool larger than any one test's needs can be reused without bleed-over.
        running.allocator = {p: itertools.cycle(range(n)) for p, n in PER_PROFILE.items()}
        yield running


class Device(object):
    """One emulated device handed to a test, with its connection parameters."""

    def __init__(self, fleet, info, password):
        self.fleet = fleet
        self.name = info['name']
        self.info = info
        self.address = info['address']
        self.password = password
        self.control = fleet.control

    def params(self, **extra):
        base = dict(host=self.address, port=self.info['https_port'], scheme='https',
                    username='admin', password=self.password, validate_certs=True,
                    ca_path=self.fleet.ca_path, timeout=10, allow_insecure_basic_auth=False)
        base.update(extra)
        return base

    def state(self):
        return self.control.state(self.name)

    def counters(self):
        return self.control.counters(self.name)


@pytest.fixture
def new_device(fleet, request):
    """Factory: new_device('current_camera', activated=True) -> a provisioned Device."""
    created = request.node.__dict__.setdefault('camfleet_devices', [])

    def make(profile='current_camera', activated=True, inventory_password=False):
        index = next(fleet.allocator[profile])
        name = '%s-%02d' % (profile.replace('_camera', ''), index)
        info = fleet.devices[name]
        # Playbook tests need the password the generated inventory holds for the device.
        password = (info.get('password') or info['intended_password']) if inventory_password \
            else strong_password()
        fleet.control.provision(name, activated=activated, password=password)
        fleet.control.reset_counters(name)
        device = Device(fleet, info, password)
        created.append(device)
        return device
    return make


def failed_logins(device):
    """Failed logins on the device since it was provisioned for the test. The device log keeps
    them even when a test resets the counters half-way; the counters cover a log that rolled
    over."""
    logged = sum(1 for entry in device.state()['log'] if entry['event'] == 'loginFailed')
    return max(logged, sum(device.counters()['failed_logins'].values()))


@pytest.fixture(autouse=True)
def lockout_budget(request):
    """The lockout budget: after every integration test, each device the test was handed has
    seen at most one failed login (devices lock the controller out after a few), unless the
    test declares more with @pytest.mark.lockout_budget(n, reason=...)."""
    yield
    devices = request.node.__dict__.get('camfleet_devices') or []
    if not devices:
        return
    marker = request.node.get_closest_marker('lockout_budget')
    budget = marker.args[0] if marker else 1
    if marker is not None and not marker.kwargs.get('reason'):
        pytest.fail('@pytest.mark.lockout_budget(%d) needs reason="why this test may spend more '
                    'than one failed login"' % budget)
    over = {}
    for device in {d.name: d for d in devices}.values():
        count = failed_logins(device)
        if count > budget:
            over[device.name] = count
    if over:
        pytest.fail('lockout budget exceeded: failed logins per device %r, allowed %d per device '
                    '(declare more with @pytest.mark.lockout_budget(n, reason=...))' % (over, budget))


def run(spec, params, check_mode=False, diff=True):
    """Run a module exactly as its action plugin does on the controller (validation included)."""
    return run_in_process(spec, params, check_mode=check_mode, diff=diff)


def run_playbook(fleet, playbook, tmp_path, extra_vars=None, env=None, limit=None, check=False, cwd=ROOT):
    """ansible-playbook against the fleet's inventory, from cwd; returns (rc, results, stdout).

    playbook is YAML text, or the path of a file under playbooks/ ending in .yml."""
    if playbook.endswith('.yml') and '\n' not in playbook:
        play_file = os.path.join(ROOT, playbook)
    else:
        play_file = tmp_path / 'play.yml'
        play_file.write_text(playbook)
    results_file = tmp_path / ('results-%s.jsonl' % secrets.token_hex(4))
    cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
           '-i', fleet.inventory_path, '--vault-password-file', fleet.vault_pass_path,
           str(play_file)]
    if extra_vars:
        cmd += ['-e', json.dumps(extra_vars)]
    if limit:
        cmd += ['--limit', limit]
    if check:
        cmd += ['--check', '--diff']
    run_env = dict(os.environ,
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
                   ANSIBLE_CALLBACK_PLUGINS=os.path.join(ROOT, 'tests', 'integration', 'callback_plugins'),
                   ANSIBLE_CALLBACKS_ENABLED='results_jsonl',
                   CAMFLEET_RESULTS=str(results_file),
                   ANSIBLE_FORKS='8', ANSIBLE_NOCOLOR='1')
    run_env.update(env or {})
    proc = subprocess.run(cmd, env=run_env, cwd=cwd, capture_output=True, text=True, timeout=600)
    results = []
    if results_file.exists():
        results = [json.loads(line) for line in results_file.read_text().splitlines()]
    return proc.returncode, results, proc.stdout + proc.stderr
