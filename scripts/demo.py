#!/usr/bin/env python3
"""`make demo`: start an emulated fleet, run the activation playbook against it, stop the fleet.

The fleet is emulator/fleets/demo.yml: two sites, each an NVR and four cameras, half of them
factory-fresh. The playbook activates the fresh ones with the unique passwords the emulator put
(vault-encrypted) in its inventory, then prints a table of every device.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from emulator.testing import RunningFleet  # noqa: E402


def main():
    fleet_file = os.path.join(ROOT, 'emulator', 'fleets', 'demo.yml')
    with open(fleet_file) as f:
        spec = yaml.safe_load(f)
    # The emulator's outputs (its fleet.json holds the emulated devices' passwords) go away with
    # the demo; CAMFLEET_DEMO_KEEP=1 keeps them for a look.
    keep = os.environ.get('CAMFLEET_DEMO_KEEP') == '1'
    out_dir = tempfile.mkdtemp(prefix='camfleet-demo-')
    try:
        return _run(spec, out_dir)
    finally:
        if not keep:
            shutil.rmtree(out_dir, ignore_errors=True)


def _run(spec, out_dir):
    with RunningFleet(fleet=spec, out_dir=out_dir) as fleet:
        fresh = sorted(n for n, d in fleet.devices.items() if not d['activated'])
        print('Emulated fleet of %d devices is up (%d factory-fresh: %s); outputs in %s' % (
            len(fleet.devices), len(fresh), ', '.join(fresh), out_dir), flush=True)
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
                   ANSIBLE_HOST_KEY_CHECKING='false', ANSIBLE_FORKS='10',
                   ANSIBLE_CALLBACK_RESULT_FORMAT='yaml')
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
               '-i', fleet.inventory_path, '--vault-password-file', fleet.vault_pass_path,
               os.path.join(ROOT, 'playbooks', 'activate_and_inventory.yml')]
        code = subprocess.call(cmd, env=env, cwd=ROOT)
        if code == 0:
            still_fresh = [n for n in fresh if not fleet.control.state(n)['activated']]
            if still_fresh:
                print('demo: these devices are still not activated: %s' % ', '.join(still_fresh))
                code = 1
            else:
                print('demo: all %d devices are active; the emulator confirms it.' % len(fleet.devices))
    return code


if __name__ == '__main__':
    sys.exit(main())
