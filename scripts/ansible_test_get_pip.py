# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads from its own CI file
server (not a package registry, so unreachable here) to put pip into its sanity virtualenvs.

scripts/sanity.sh copies this file to ~/.ansible/test/cache/get_pip_<version>.py when no real
bootstrap script is cached there. ansible-test runs it inside a venv created --without-pip with
the arguments it would pass to get-pip.py (e.g. ``--disable-pip-version-check pip==24.2
--no-setuptools --no-wheel``): pip bundled with Python (ensurepip) is installed first, then it
installs the exact pip version asked for from the package index.
"""

import ensurepip
import os
import subprocess
import sys

FLAGS = ('--no-setuptools', '--no-wheel', '--no-pip')


def main():
    args = [a for a in sys.argv[1:] if a not in FLAGS]
    # ensurepip drops PIP_* variables and points PIP_CONFIG_FILE at /dev/null in os.environ;
    # the real install must see the machine's pip configuration (index, certificates).
    env = dict(os.environ)
    ensurepip.bootstrap(upgrade=False)
    pip = [sys.executable, '-m', 'pip']
    subprocess.check_call(pip + ['install', '--quiet', '--upgrade'] + args, env=env)
    # (Python 3.12+ bundles no setuptools with ensurepip: then there is nothing to remove)
    has_setuptools = subprocess.call([sys.executable, '-c', 'import setuptools'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0
    if '--no-setuptools' in sys.argv[1:] and has_setuptools:
        subprocess.check_call(pip + ['uninstall', '--quiet', '--yes', 'setuptools'], env=env)


if __name__ == '__main__':
    main()
