#!/usr/bin/env python3
"""`make soak` (skeleton): harden.yml over a large emulated fleet with random injected faults.

Starts --devices (default 500) emulated devices with realistic timing, then runs harden.yml
--runs times (default 3); before each run a random --fault-share (default 10%) of the devices
gets one fault from FAULTS through the control API. A last run without faults must complete
everything. Prints, per run: faults injected, devices converged (bench/floor.py --check), failed
logins per device, and devices whose admin password or address is no longer the known one
(must be 0). Exits 1 if the last run leaves anything unconverged or unknown.
Not yet: rotate_credentials.yml (rotation lands separately) and passwords checked against the
credential store.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, 'bench'))

import floor  # noqa: E402
from emulator.testing import RunningFleet  # noqa: E402

# One fault per chosen device (control API, emulator/README.md "How faults work").
FAULTS = {
    'drop': {'drop_response_next': 1},   # an applied write whose answer is lost
    'timeout': {'latency_ms': 40000},    # slower than the client's 30 s timeout
    'busy': {'busy_next': 2},            # 503 deviceBusy
    'refuse': {'refuse_seconds': 5},     # connection refused
    'reboot': {'reboot_after': 8},       # a reboot in the middle of a task
}


def on_each(fn, items):
    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(fn, items))


def run_harden(fleet, job, forks):
    cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i',
           fleet.inventory_path, '--vault-password-file', fleet.vault_pass_path, '-f', str(forks),
           '-e', json.dumps(job['harden_vars']), os.path.join(ROOT, 'playbooks', 'harden.yml')]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'))
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        if line.startswith(('fatal:', 'failed:')):
            print('  ' + line[:400], file=sys.stderr)
    return proc.returncode


def wait_online(fleet, names, limit=900):
    """Until every device is back (reboots take minutes with realistic timing), as an operator
    re-runs a job once the devices are up; returns the names still not online."""
    deadline = time.monotonic() + limit
    while True:
        down = [n for n, st in zip(names, on_each(fleet.control.state, names), strict=True)
                if st['status'] != 'online']
        if not down or time.monotonic() > deadline:
            return down
        time.sleep(2)


def still_drifted(fleet, job, name):
    """True unless the device answers and needs no change (a rebooting one counts as drifted)."""
    try:
        return bool(floor.converge(fleet.devices[name], job, fleet.ca_path, check=True))
    except Exception:  # noqa: BLE001 - any failure to read the device back means not converged
        return True


def tally(fleet, job, names):
    ctl = fleet.control
    drifted = on_each(lambda n: still_drifted(fleet, job, n), names)
    counters = dict(zip(names, on_each(ctl.counters, names), strict=True))
    states = dict(zip(names, on_each(ctl.state, names), strict=True))
    unknown_password = [n for n, ok in zip(names, on_each(
        lambda n: ctl.check_password(n, 'admin', fleet.devices[n]['password']), names),
        strict=True) if not ok]
    moved = [n for n in names if states[n]['address'] != fleet.devices[n]['address']]
    failed = {n: sum(c['failed_logins'].values()) for n, c in counters.items()}
    return {'converged': drifted.count(False),
            'failed_logins_max_per_device': max(failed.values()),
            'unknown_password': unknown_password, 'unknown_address': moved}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--devices', type=int, default=500)
    parser.add_argument('--runs', type=int, default=3)
    parser.add_argument('--fault-share', type=float, default=0.10)
    parser.add_argument('--timing', choices=('realistic', 'scaled'), default='realistic')
    parser.add_argument('--time-scale', type=float, default=None,
                        help='with --timing scaled: device durations x this (reboots, locks)')
    parser.add_argument('--forks', type=int, default=50)
    parser.add_argument('--seed', type=int, default=None)
    parser.add_argument('--faults', default=','.join(FAULTS),
                        help='comma-separated kinds to draw from: %s' % ', '.join(FAULTS))
    parser.add_argument('--subnet', default='127.243.0.0/16')
    args = parser.parse_args()
    rng = random.Random(args.seed)
    kinds = args.faults.split(',')
    if set(kinds) - set(FAULTS):
        parser.error('unknown fault kinds: %s' % ', '.join(sorted(set(kinds) - set(FAULTS))))
    with open(os.path.join(ROOT, 'bench', 'job.yml')) as f:
        job = yaml.safe_load(f)
    spec = {'subnet': args.subnet, 'control_port': 0, 'timing': args.timing,
            **({'time_scale': args.time_scale} if args.time_scale is not None else {}),
            'sites': [{'name': 'lab', 'devices': [{'name': 'cam%04d' % i}
                                                  for i in range(1, args.devices + 1)]}]}
    report = []
    with RunningFleet(spec, out_dir=os.path.join(tempfile.mkdtemp(prefix='camfleet-soak-'), 'f'),
                      startup_timeout=60 + args.devices / 10) as fleet:
        names = sorted(fleet.devices)
        for run in range(1, args.runs + 2):
            faulty = run <= args.runs
            on_each(fleet.control.clear_faults, names)
            on_each(fleet.control.reset_counters, names)
            chosen = rng.sample(names, max(1, int(len(names) * args.fault_share))) if faulty else []
            drawn = {n: rng.choice(kinds) for n in chosen}
            faults = {n: FAULTS[k] for n, k in drawn.items()}
            on_each(lambda item: fleet.control.faults(item[0], **item[1]), list(faults.items()))
            rc = run_harden(fleet, job, args.forks)
            on_each(fleet.control.clear_faults, names)
            down = wait_online(fleet, names)
            row = dict(run=run, faults_injected=len(faults),
                       fault_kinds=sorted(drawn.values()), playbook_rc=rc, not_back_online=down,
                       **tally(fleet, job, names))
            report.append(row)
            print(json.dumps(row), flush=True)
    last = report[-1]
    if last['converged'] != len(names) or last['unknown_password'] or last['unknown_address']:
        sys.exit('soak: the run without faults left devices unconverged or unknown')


if __name__ == '__main__':
    main()
