"""The collection as users get it: built with ansible-galaxy, installed into a scratch path.

Tests here see the collection only through ANSIBLE_COLLECTIONS_PATH=<that path>, never through
the checkout's .collections link, so they catch anything the build leaves out.
"""
import glob
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)
NAMESPACE, NAME = 'camfleet', 'hikvision'


def clean_env(collections_path, home):
    """The environment for ansible-* commands: only the scratch install, no settings of ours."""
    env = dict((k, v) for k, v in os.environ.items()
               if not k.startswith('ANSIBLE_') and k not in ('PYTHONPATH', 'CAMFLEET_FORCE_MODULE'))
    env.update(ANSIBLE_COLLECTIONS_PATH=collections_path,
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
               ANSIBLE_HOME=home, ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_HOST_KEY_CHECKING='false', ANSIBLE_RETRY_FILES_ENABLED='false')
    return env


class Installed(object):
    def __init__(self, base):
        self.base = base
        self.tarball = None
        self.collections_path = os.path.join(base, 'collections')
        self.root = os.path.join(self.collections_path, 'ansible_collections', NAMESPACE, NAME)
        self.home = os.path.join(base, 'ansible-home')
        self.env = clean_env(self.collections_path, self.home)

    def run(self, cmd, cwd=None, env=None, timeout=300):
        """Run an ansible-* command of the venv in the clean environment."""
        cmd = [os.path.join(BIN, cmd[0])] + list(cmd[1:])
        run_env = dict(self.env, **(env or {}))
        return subprocess.run(cmd, cwd=cwd or self.base, env=run_env, capture_output=True,
                              text=True, timeout=timeout)


@pytest.fixture(scope='session')
def installed_collection(tmp_path_factory):
    """Build the collection from the checkout and install the tarball into a scratch path."""
    inst = Installed(str(tmp_path_factory.mktemp('installed-collection')))
    dist = os.path.join(inst.base, 'dist')
    proc = inst.run(['ansible-galaxy', 'collection', 'build', '--output-path', dist, ROOT])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (inst.tarball,) = glob.glob(os.path.join(dist, '%s-%s-*.tar.gz' % (NAMESPACE, NAME)))
    proc = inst.run(['ansible-galaxy', 'collection', 'install', '--no-deps', '--offline',
                     '-p', inst.collections_path, inst.tarball])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert os.path.isfile(os.path.join(inst.root, 'MANIFEST.json'))
    return inst
