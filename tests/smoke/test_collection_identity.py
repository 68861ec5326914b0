"""What users see of the built collection: real project metadata, attributes from the shared
fragments, and no file that only serves development or testing."""
import json
import tarfile

import yaml

from .conftest import NAME, NAMESPACE, ROOT
from .test_docs import PREFIX, _module_names

# Top-level paths that serve only development and tests (galaxy.yml build_ignore).
DEV_ONLY = ('tests/', 'emulator/', 'scripts/', 'docs/sphinx/', 'docs/build/', 'Makefile',
            'pytest.ini', 'requirements-dev.txt', 'requirements.in', '.venv', '.collections',
            '.ci/', '.ansible-lint', 'demo-out/', 'dist/', 'build/')


def test_tarball_ships_no_test_or_tooling_files(installed_collection):
    with tarfile.open(installed_collection.tarball) as tar:
        names = [m.name for m in tar.getmembers()]
    # tests/sanity/ (ansible-test's ignore files) is the one part of tests/ a collection ships
    offending = [n for n in names if (n.startswith(DEV_ONLY) and not n.startswith('tests/sanity'))
                 or n.endswith(('.pyc', '.whl', '.tar.gz')) or '__pycache__' in n]
    assert offending == []
    for wanted in ('plugins/modules/device_log_info.py', 'plugins/doc_fragments/attributes.py',
                   'meta/runtime.yml', 'README.md', 'LICENSE', 'docs/docsite/extra-docs.yml',
                   'docs/developer/isapi-reference.md', 'playbooks/activate_and_inventory.yml'):
        assert wanted in names, wanted


def test_metadata_names_a_real_project(installed_collection):
    with tarfile.open(installed_collection.tarball) as tar:
        info = json.load(tar.extractfile('MANIFEST.json'))['collection_info']
    text = json.dumps(info)
    assert 'example.invalid' not in text and 'UNKNOWN' not in text
    assert info['repository'] == 'https://github.com/camfleet/hikvision'
    assert info['issues'].startswith(info['repository'])
    assert info['authors'] == ['camfleet.hikvision maintainers (@camfleet)']


def test_module_pages_have_an_author_handle_and_their_action_group(installed_collection):
    names = [PREFIX + m for m in _module_names()]
    proc = installed_collection.run(['ansible-doc', '-t', 'module'] + names)
    assert proc.returncode == 0, proc.stderr
    assert '!UNKNOWN' not in proc.stdout
    assert proc.stdout.count('AUTHOR: camfleet.hikvision maintainers (@camfleet)') == len(names)
    inventory = installed_collection.run(['ansible-doc', '-t', 'inventory', PREFIX + 'sadp'])
    assert 'AUTHOR: camfleet.hikvision maintainers (@camfleet)' in inventory.stdout

    with open(ROOT + '/meta/runtime.yml') as f:
        groups = yaml.safe_load(f)['action_groups']
    proc = installed_collection.run(['ansible-doc', '--json', '-t', 'module'] + names)
    docs = json.loads(proc.stdout)
    for group, members in groups.items():
        for module in members:
            attributes = docs[PREFIX + module]['doc']['attributes']
            assert attributes['action_group']['membership'] == ['%s.%s.%s' % (NAMESPACE, NAME, group)]
            # the roles' helpers run on the controller and talk to no device API
            assert attributes['platform']['platforms'] == ('controller' if group == 'controller' else 'hikvision')
            assert attributes['check_mode']['support'] in ('full', 'partial', 'none')
