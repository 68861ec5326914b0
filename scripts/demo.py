#!/usr/bin/env python3
"""`make demo`: start an emulated fleet, run the activation playbook against it, stop the fleet.

What it produced stays in demo-out/ (or $CAMFLEET_DEMO_OUT); the next run replaces it and says so.

The fleet is emulator/fleets/demo.yml: two sites, each an NVR and four cameras, half of them
factory-fresh. The playbook activates the fresh ones with the unique passwords the emulator put
(vault-encrypted) in its inventory, then prints a table of every device.
"""
import os
import shutil
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from emulator.testing import RunningFleet  # noqa: E402


def main():
    fleet_file = os.path.join(ROOT, 'emulator', 'fleets', 'demo.yml')
    with open(fleet_file) as f:
        spec = yaml.safe_load(f)
    out_dir = os.path.abspath(os.environ.get('CAMFLEET_DEMO_OUT') or os.path.join(ROOT, 'demo-out'))
    here = os.getcwd() + os.sep
    rel = os.path.relpath(out_dir) + os.sep if out_dir.startswith(here) else out_dir + os.sep
    if os.path.exists(out_dir):
        # An earlier run's files would be mistaken for this run's (its passwords no longer open
        # anything: the emulated devices lived only as long as that run).
        shutil.rmtree(out_dir)
        print('demo: removed %s from the previous run; this run writes it afresh.' % rel)
    os.makedirs(out_dir)
    code = _run(spec, out_dir)
    print('demo: kept in %s\n'
          '  inventory.yml    the inventory the playbook ran with (passwords vault-encrypted)\n'
          '  vault-pass       its vault password\n'
          '  ca.pem           the CA that signed the emulated devices\' certificates\n'
          '  fleet.json       the emulator\'s own record of the fleet (passwords in clear)\n'
          '  fleet-input.yml  the fleet definition it started from\n'
          '  playbook.log     this run, with the fleet table\n'
          'The emulated devices stopped with the demo; to start them again and run playbooks '
          'yourself:\n  .venv/bin/python -m emulator serve --fleet emulator/fleets/demo.yml --out %s'
          % (rel, rel.rstrip(os.sep)))
    return code


def _run(spec, out_dir):
    with RunningFleet(fleet=spec, out_dir=out_dir) as fleet:
        fresh = sorted(n for n, d in fleet.devices.items() if not d['activated'])
        print('Emulated fleet of %d devices is up (%d factory-fresh: %s); outputs in %s' % (
            len(fleet.devices), len(fresh), ', '.join(fresh), os.path.relpath(out_dir)), flush=True)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
                   ANSIBLE_HOST_KEY_CHECKING='false', ANSIBLE_FORKS='10',
                   ANSIBLE_CALLBACK_RESULT_FORMAT='yaml')
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
               '-i', fleet.inventory_path, '--vault-password-file', fleet.vault_pass_path,
               os.path.join(ROOT, 'playbooks', 'activate_and_inventory.yml')]
        code = _tee(cmd, env, os.path.join(out_dir, 'playbook.log'))
        if code == 0:
            still_fresh = [n for n in fresh if not fleet.control.state(n)['activated']]
            if still_fresh:
                print('demo: these devices are still not activated: %s' % ', '.join(still_fresh))
                code = 1
            else:
                print('demo: all %d devices are active; the emulator confirms it.' % len(fleet.devices))
    return code


def _tee(cmd, env, log_path):
    """Run cmd, showing its output and keeping a copy in log_path."""
    with open(log_path, 'w') as log:
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            sys.stdout.write(line)
            log.write(line)
        return proc.wait()


if __name__ == '__main__':
    sys.exit(main())
