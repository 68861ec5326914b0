#!/usr/bin/env python3
"""`make soak`: rotation and hardening over a large emulated fleet with random injected faults.

Starts --devices (default 500) emulated cameras with realistic timing, imports their passwords
once into a file credential store (ansible-vault), then runs playbooks/rotate_credentials.yml
and playbooks/harden.yml --runs times (default 3) with --fault-rate (default 10%) of all
requests hit by a random fault (the emulator's random fault mode: an answer dropped after an
applied write, a timeout, 503/deviceBusy, a refused connection, a real reboot), then once more
without faults. Rotation goes first in each run: a password a fault left pending is refused by
the credential lookup harden.yml logs in with until a rotation reconciles it.

Printed per run (one JSON line, and all of them in --out): faults injected by kind and the share
of requests they hit, devices converged (bench/floor.py --check with the password the device
has), passwords verified against the store through the emulator's control API (never a device
login), failed logins per device from the emulator's counters, and devices whose password (not
the store's current or pending one) or address is unknown.
Exits 1 if any run leaves a password or address unknown, costs a device more than one failed
login (only admin is rotated), or leaves a traceback; or if the run without faults does not
converge and rotate every device with both playbooks succeeding.
"""
import argparse
import collections
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, 'bench'))
sys.path.insert(0, os.path.join(ROOT, '.collections'))

import floor  # noqa: E402
from emulator.state import RANDOM_KINDS  # noqa: E402
from emulator.testing import RunningFleet  # noqa: E402

LOOKUP = "{{ lookup('camfleet.hikvision.credential', inventory_hostname, user='admin') }}"
# What in a playbook's output means the collection itself broke (not a device fault it reported).
BROKEN = re.compile(r'Traceback \(most recent call last\)|MODULE FAILURE|An exception occurred '
                    r'during task execution|The error was: [A-Za-z]*Error')


def on_each(fn, items):
    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(fn, items))


def machine():
    def cpu():
        try:
            with open('/proc/cpuinfo') as handle:
                return next((line.split(':', 1)[1].strip() for line in handle
                             if line.startswith('model name')), platform.processor())
        except OSError:
            return platform.processor()
    from ansible.release import __version__ as ansible_core
    return {'nproc': os.cpu_count(), 'cpu': cpu(), 'python': platform.python_version(),
            'ansible_core': ansible_core, 'platform': platform.platform()}


class Soak(object):
    def __init__(self, args, kinds, fleet, work):
        self.args, self.kinds, self.fleet, self.work = args, kinds, fleet, work
        self.names = sorted(fleet.devices)
        with open(os.path.join(ROOT, 'bench', 'job.yml')) as handle:
            self.job = yaml.safe_load(handle)
        self.store_settings = {'backend': 'file', 'path': os.path.join(work, 'credentials')}
        from ansible.parsing.vault import VaultSecret
        from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import (
            open_store, resolve_settings)
        with open(fleet.vault_pass_path) as handle:
            secret = [('default', VaultSecret(handle.read().strip().encode()))]
        self.store = open_store(resolve_settings(self.store_settings, environ={}), vault_secrets=secret)

    # -- playbooks -----------------------------------------------------------------------------
    def playbook(self, name, label, extra):
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i',
               self.fleet.inventory_path, '--vault-password-file', self.fleet.vault_pass_path,
               '-f', str(self.args.forks), '-e', json.dumps(extra),
               os.path.join(ROOT, 'playbooks', name)]
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
                   ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', ANSIBLE_NOCOLOR='1',
                   ANSIBLE_HOST_KEY_CHECKING='false', HIKVISION_TIMEOUT=str(self.args.timeout))
        started = time.monotonic()
        proc = subprocess.run(cmd, env=env, cwd=self.work, capture_output=True, text=True)
        out = proc.stdout + proc.stderr
        with open(os.path.join(self.work, '%s.log' % label), 'w') as handle:
            handle.write(out)
        failed = [line for line in out.splitlines() if line.startswith(('fatal:', 'failed:'))]
        return {'rc': proc.returncode, 'wall_s': round(time.monotonic() - started, 1),
                'hosts_failed': len(failed), 'broken': [ln[:300] for ln in out.splitlines() if BROKEN.search(ln)],
                'errors': top_errors(failed)}

    def run_once(self, run, faulty):
        ctl, names = self.fleet.control, self.names
        on_each(ctl.clear_faults, names)
        on_each(ctl.reset_counters, names)
        before = {n: self.store.record(n, 'admin').current for n in names}
        if faulty:
            spec = {'rate': self.args.fault_rate, 'kinds': self.kinds, 'seed': self.args.seed * 1000 + run,
                    'timeout_ms': int(self.args.timeout * 1000 + 1000)}
            on_each(lambda n: ctl.faults(n, random=spec), names)
        common = {'camfleet_credential_store': self.store_settings}
        rotate = self.playbook('rotate_credentials.yml', 'run%d-rotate' % run, dict(
            common, rotate_credentials_changelog_dir=os.path.join(self.work, 'changelog')))
        harden = self.playbook('harden.yml', 'run%d-harden' % run, dict(
            common, isapi_password=LOOKUP, **self.job['harden_vars']))
        counters = dict(zip(names, on_each(ctl.counters, names), strict=True))
        on_each(ctl.clear_faults, names)
        down = wait_online(ctl, names)
        row = {'run': run, 'faults': faulty, 'rotate': rotate, 'harden': harden,
               'not_back_online': down}
        row.update(self.tally(counters, before))
        return row

    # -- what the fleet looks like afterwards ----------------------------------------------------
    def holds(self, name):
        """'current', 'pending' or None: which store password the device has (control API)."""
        record = self.store.record(name, 'admin')
        for state, password in (('current', record.current), ('pending', record.pending)):
            if password and self.fleet.control.check_password(name, 'admin', password):
                return state, password
        return None, None

    def converged(self, name, password):
        if password is None:
            return False
        device = dict(self.fleet.devices[name], password=password)
        try:
            return not floor.converge(device, self.job, self.fleet.ca_path, check=True)
        except Exception:  # noqa: BLE001 - any failure to read the device back means not converged
            return False

    def tally(self, counters, before):
        names, ctl = self.names, self.fleet.control
        held = dict(zip(names, on_each(self.holds, names), strict=True))
        states = dict(zip(names, on_each(ctl.state, names), strict=True))
        converged = on_each(lambda n: self.converged(n, held[n][1]), names)
        after = {n: self.store.record(n, 'admin').current for n in names}
        injected = collections.Counter()
        for c in counters.values():
            injected.update(c.get('faults_injected', {}))
        seen = sum(c.get('random_requests', 0) for c in counters.values())
        failed = {n: sum(c['failed_logins'].values()) for n, c in counters.items()}
        return {
            'requests': seen, 'faults_injected': sum(injected.values()),
            'faults_by_kind': dict(sorted(injected.items())),
            'fault_share': round(sum(injected.values()) / seen, 4) if seen else 0.0,
            'converged': converged.count(True),
            'rotated': sum(1 for n in names if after[n] != before[n]),
            'passwords_verified': sum(1 for n in names if held[n][0] == 'current'),
            'passwords_pending': sorted(n for n in names if held[n][0] == 'pending'),
            'unknown_password': sorted(n for n in names if held[n][0] is None),
            'unknown_address': sorted(n for n in names
                                      if states[n]['address'] != self.fleet.devices[n]['address']),
            'failed_logins_per_device': dict(sorted(collections.Counter(failed.values()).items())),
            'failed_logins_over_budget': sorted(n for n, c in failed.items() if c > 1),
        }


def top_errors(lines, keep=6):
    """The most frequent failure messages, with device names and numbers taken out."""
    kinds = collections.Counter()
    for line in lines:
        match = re.search(r'"msg": "([^"]{0,160})', line)
        text = match.group(1) if match else line[:160]
        kinds[re.sub(r'\b(cam\d+|\d+(\.\d+)*)\b', '#', text)] += 1
    return dict(kinds.most_common(keep))


def wait_online(ctl, names, limit=900):
    """Until every device is back (a reboot takes one to two minutes with realistic timing), as
    an operator re-runs a job once the devices are up; returns the names still not online."""
    deadline = time.monotonic() + limit
    while True:
        down = [n for n, st in zip(names, on_each(ctl.state, names), strict=True)
                if st['status'] != 'online']
        if not down or time.monotonic() > deadline:
            return down
        time.sleep(2)


def verdict(rows, count):
    """What went wrong, in words (empty: the soak lost nothing)."""
    problems = []
    for row in rows:
        for key in ('unknown_password', 'unknown_address', 'failed_logins_over_budget'):
            if row[key]:
                problems.append('run %d: %s: %s' % (row['run'], key, ', '.join(row[key][:20])))
        for book in ('rotate', 'harden'):
            if row[book]['broken']:
                problems.append('run %d: %s output shows a failure of the collection itself: %s'
                                % (row['run'], book, row[book]['broken'][0]))
    last = rows[-1]
    if last['faults'] is False:
        if last['converged'] != count or last['passwords_verified'] != count:
            problems.append('the run without faults left %d unconverged, %d not on the store\'s '
                            'current password' % (count - last['converged'],
                                                  count - last['passwords_verified']))
        if last['rotate']['rc'] or last['harden']['rc']:
            problems.append('the run without faults failed (rotate rc %d, harden rc %d)'
                            % (last['rotate']['rc'], last['harden']['rc']))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--devices', type=int, default=500)
    parser.add_argument('--runs', type=int, default=3, help='runs with faults (one without follows)')
    parser.add_argument('--fault-rate', type=float, default=0.10,
                        help='share of all requests hit by a random fault (default 0.10)')
    parser.add_argument('--faults', default=','.join(RANDOM_KINDS),
                        help='comma-separated kinds to draw from: %s' % ', '.join(RANDOM_KINDS))
    parser.add_argument('--timing', choices=('realistic', 'scaled'), default='realistic')
    parser.add_argument('--time-scale', type=float, default=None,
                        help='with --timing scaled: device durations x this (reboots, locks)')
    parser.add_argument('--timeout', type=float, default=30,
                        help='the collection\'s read timeout (HIKVISION_TIMEOUT); a timeout fault '
                             'holds a request one second longer')
    parser.add_argument('--forks', type=int, default=50)
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--subnet', default='127.243.0.0/16')
    parser.add_argument('--out', default=os.path.join(ROOT, 'bench', 'soak-results.json'),
                        help='the JSON result (default bench/soak-results.json)')
    parser.add_argument('--work', help='directory for the store, logs and change log (default: a new temporary one)')
    args = parser.parse_args()
    kinds = [k for k in args.faults.split(',') if k]
    if set(kinds) - set(RANDOM_KINDS):
        parser.error('unknown fault kinds: %s' % ', '.join(sorted(set(kinds) - set(RANDOM_KINDS))))
    work = os.path.abspath(args.work or tempfile.mkdtemp(prefix='camfleet-soak-'))
    os.makedirs(work, exist_ok=True)
    spec = {'subnet': args.subnet, 'control_port': 0, 'timing': args.timing,
            **({'time_scale': args.time_scale} if args.time_scale is not None else {}),
            'sites': [{'name': 'lab', 'devices': [{'name': 'cam%04d' % i}
                                                  for i in range(1, args.devices + 1)]}]}
    started = datetime.datetime.now(datetime.timezone.utc)
    rows = []
    print('soak: %d devices, %d runs with %.0f%% of requests faulted (%s), then one without; '
          'logs in %s' % (args.devices, args.runs, args.fault_rate * 100, ', '.join(kinds), work),
          flush=True)
    with RunningFleet(spec, out_dir=os.path.join(work, 'fleet'),
                      startup_timeout=60 + args.devices / 10) as fleet:
        soak = Soak(args, kinds, fleet, work)
        imported = soak.playbook('import_credentials.yml', 'import', {
            'camfleet_credential_store': soak.store_settings})
        if imported['rc']:
            sys.exit('soak: importing the fleet\'s passwords failed (see %s/import.log)' % work)
        for run in range(1, args.runs + 2):
            row = soak.run_once(run, faulty=run <= args.runs)
            rows.append(row)
            print(json.dumps(row), flush=True)
    problems = verdict(rows, args.devices)
    result = {'devices': args.devices, 'runs_with_faults': args.runs, 'fault_rate': args.fault_rate,
              'fault_kinds': kinds, 'seed': args.seed, 'timing': args.timing, 'forks': args.forks,
              'timeout_s': args.timeout, 'started': started.strftime('%Y-%m-%dT%H:%M:%SZ'),
              'wall_s': round((datetime.datetime.now(datetime.timezone.utc) - started).total_seconds()),
              'machine': dict(machine(), load_average_1m_at_end=round(os.getloadavg()[0], 2)),
              'import': imported, 'runs': rows, 'lost_nothing': not problems, 'problems': problems}
    with open(args.out, 'w') as handle:
        json.dump(result, handle, indent=1)
        handle.write('\n')
    print('soak: %s (%s)' % ('lost nothing' if not problems else 'FAILED: ' + '; '.join(problems),
                              args.out), flush=True)
    if problems:
        sys.exit(1)


if __name__ == '__main__':
    main()
