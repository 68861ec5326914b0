"""ansible-doc renders every plugin of the installed collection, with the shared doc fragments."""
import glob
import json
import os

import yaml

from .conftest import NAME, NAMESPACE, ROOT

PREFIX = '%s.%s.' % (NAMESPACE, NAME)
CONNECTION_OPTIONS = {'host', 'port', 'scheme', 'username', 'password', 'validate_certs',
                      'ca_path', 'timeout', 'allow_insecure_basic_auth', 'allow_insecure_secrets'}


def _module_names():
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(ROOT, 'plugins', 'modules', '*.py'))
                  if not os.path.basename(p).startswith('_'))


def _isapi_group():
    """Modules of the isapi action group: every one takes the shared connection options."""
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as f:
        return set(yaml.safe_load(f)['action_groups']['isapi'])


def test_every_module_is_in_exactly_one_action_group():
    with open(os.path.join(ROOT, 'meta', 'runtime.yml')) as f:
        groups = yaml.safe_load(f)['action_groups']
    grouped = sorted(m for members in groups.values() for m in members)
    assert grouped == _module_names()


def test_metadata_dump_has_every_plugin_and_no_errors(installed_collection):
    proc = installed_collection.run(['ansible-doc', '--metadata-dump', '--no-fail-on-errors',
                                     NAMESPACE + '.' + NAME])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dump = json.loads(proc.stdout)
    assert dump.get('errors', []) == []
    modules = dump['all']['module']
    assert sorted(n[len(PREFIX):] for n in modules) == _module_names()
    for plugin_type, plugins in dump['all'].items():
        for name, entry in plugins.items():
            if name.startswith(PREFIX):
                # roles are documented by their argument specs' entry points, plugins by doc
                assert entry.get('entry_points' if plugin_type == 'role' else 'doc'), (plugin_type, name)


def test_every_module_renders_with_the_shared_options_and_attributes(installed_collection):
    names = [PREFIX + m for m in _module_names()]
    proc = installed_collection.run(['ansible-doc', '--json', '-t', 'module'] + names)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    docs = json.loads(proc.stdout)
    assert sorted(docs) == sorted(names)
    isapi = _isapi_group()
    for name, data in docs.items():
        doc = data['doc']
        if name[len(PREFIX):] in isapi:
            assert CONNECTION_OPTIONS <= set(doc['options']), name
        assert {'check_mode', 'diff_mode', 'platform'} <= set(doc['attributes']), name
        assert data['examples'].strip(), name
        assert data['return'], name

    proc = installed_collection.run(['ansible-doc', '-t', 'module'] + names)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'WARNING' not in proc.stderr and 'ERROR' not in proc.stderr, proc.stderr
    for name in names:
        assert '> MODULE %s' % name in proc.stdout, name
    assert 'HIKVISION_PASSWORD' in proc.stdout
