"""The execution environment definition: ansible-builder turns it into a build context (no image
is built here), and the installed collection declares its dependencies the way ansible-builder's
introspection reads them when the collection is part of someone else's EE."""
import os
import re
import subprocess
import sys

import yaml
from bindep.depends import Depends

from .conftest import ROOT


def _read(path):
    with open(path) as fh:
        return fh.read()


def test_ansible_builder_creates_the_build_context(installed_collection, tmp_path):
    out = tmp_path / 'ee'
    proc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'ee_context.py'), str(out),
                           '--tarball', installed_collection.tarball],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    context = out / 'context'
    containerfile = _read(str(context / 'Containerfile'))
    definition = yaml.safe_load(_read(os.path.join(ROOT, 'meta', 'execution-environment.yml')))
    assert definition['version'] == 3
    assert 'FROM $EE_BASE_IMAGE AS base' in containerfile
    assert definition['images']['base_image']['name'] in containerfile
    assert 'ansible-galaxy collection install' in containerfile
    build = context / '_build'
    assert _read(str(build / 'requirements.txt')) == _read(os.path.join(ROOT, 'requirements.txt'))
    assert _read(str(build / 'bindep.txt')) == _read(os.path.join(ROOT, 'bindep.txt'))
    assert (build / 'collections' / 'camfleet-hikvision.tar.gz').stat().st_size > 0
    galaxy = yaml.safe_load(_read(str(build / 'requirements.yml')))
    assert galaxy['collections'][0]['name'] == '/build/collections/camfleet-hikvision.tar.gz'


def test_ee_installs_the_ansible_core_the_tests_run():
    definition = yaml.safe_load(_read(os.path.join(ROOT, 'meta', 'execution-environment.yml')))
    pinned = re.search(r'^ansible-core==(\S+)$', _read(os.path.join(ROOT, 'requirements-dev.txt')), re.M)
    assert definition['dependencies']['ansible_core']['package_pip'] == 'ansible-core==' + pinned.group(1)


def test_bindep_file_parses():
    depends = Depends(_read(os.path.join(ROOT, 'bindep.txt')))
    names = [rule[0] for rule in depends._rules]
    assert 'ca-certificates' in names


def test_collection_dependencies_introspect_from_the_installed_copy(installed_collection):
    from ansible_builder._target_scripts.introspect import process
    data = process(data_dir=installed_collection.collections_path)
    python = data['python']['camfleet.hikvision']
    system = data['system']['camfleet.hikvision']
    assert any(line.startswith('requests') for line in python)
    assert any(line.startswith('cryptography') for line in python)
    assert any(line.startswith('ca-certificates') for line in system)
