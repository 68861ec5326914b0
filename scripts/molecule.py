"""Run the molecule scenarios of extensions/molecule/ against one emulated fleet.

    .venv/bin/python scripts/molecule.py              # every scenario (molecule test --all)
    .venv/bin/python scripts/molecule.py -s backup    # one scenario (arguments go to molecule test)
    .venv/bin/python scripts/molecule.py converge -s backup   # another molecule command

The fleet (extensions/molecule/fleet.yml) starts once, in a temporary directory, and stops when
molecule ends; scenarios use disjoint sites of it. CAMFLEET_MOLECULE_NET moves its subnet
(127.N.0.0/16) when two runs share a machine's loopback.
"""
import os
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from emulator.testing import RunningFleet  # noqa: E402


def main(argv):
    with open(os.path.join(ROOT, 'extensions', 'molecule', 'fleet.yml'), encoding='utf-8') as fh:
        spec = yaml.safe_load(fh)
    net = os.environ.get('CAMFLEET_MOLECULE_NET')
    if net:
        spec['subnet'] = '127.%d.0.0/16' % int(net)
        for site in spec['sites']:
            for dev in site['devices']:
                if 'factory_address' in dev:
                    dev['factory_address'] = '127.%d.%s' % (int(net), dev['factory_address'].split('.', 2)[2])
    bindir = os.path.dirname(sys.executable)
    with tempfile.TemporaryDirectory(prefix='camfleet-molecule-') as out:
        # --sadp: factory-fresh devices answer SADP, which inventory_record and factory_reset read.
        with RunningFleet(fleet=spec, out_dir=out, extra_args=['--sadp']) as fleet:
            env = dict(os.environ,
                       CAMFLEET_MOLECULE_FLEET=out,
                       CAMFLEET_MOLECULE_CONTROL=fleet.control.url,
                       ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
                       ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
                       PATH=bindir + os.pathsep + os.environ.get('PATH', ''))
            # a leading molecule command (converge, verify, ...) is passed through as it is
            args = argv if argv and not argv[0].startswith('-') else ['test'] + (argv or ['--all'])
            cmd = [os.path.join(bindir, 'molecule')] + args
            started = time.monotonic()
            rc = subprocess.call(cmd, cwd=ROOT, env=env)
            print('molecule: %s in %.1f s (fleet of %d devices)'
                  % ('passed' if rc == 0 else 'FAILED rc=%d' % rc, time.monotonic() - started,
                     len(fleet.devices)), file=sys.stderr)
            return rc


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
