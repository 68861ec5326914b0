"""Structure of what ships for scheduled rotation: the AWX/AAP credential type, job template and
schedule (extras/awx/), the systemd units (extras/systemd/) and the camfleet-rotate wrapper."""
import os
import re
import subprocess

import yaml

from ansible_collections.camfleet.hikvision.plugins.module_utils.store_options import SETTINGS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXTRAS = os.path.join(ROOT, 'extras')
REFERENCE = re.compile(r'{{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*}}')


def load(*parts):
    with open(os.path.join(EXTRAS, *parts)) as handle:
        return yaml.safe_load(handle)


def test_credential_type_injectors_reference_only_declared_inputs_and_secrets_are_secret():
    ctype = load('awx', 'credential_type.yml')
    fields = dict((f['id'], f) for f in ctype['inputs']['fields'])
    assert set(ctype['inputs']['required']) <= set(fields)
    files = set(k.split('.', 1)[1] for k in ctype['injectors'].get('file', {}))
    assert files <= set(fields)
    for section in ('env', 'extra_vars', 'file'):
        for key, value in ctype['injectors'].get(section, {}).items():
            for name in REFERENCE.findall(value):
                if name.startswith('tower.filename.'):
                    assert name.split('.', 2)[2] in files, (key, name)
                else:
                    assert name in fields, (key, name)
    for fid, field in fields.items():
        if re.search('token|password|secret', fid):
            assert field.get('secret') is True, fid
        else:
            assert not field.get('secret'), fid
        if 'choices' in field and 'default' in field:
            assert field['default'] in field['choices']
    # every injected store variable is one the store reads
    known = set(env for names, dummy, dummy2 in SETTINGS.values() for env in names)
    assert set(ctype['injectors']['env']) <= known


def test_job_template_and_schedule_point_at_what_exists():
    ctype = load('awx', 'credential_type.yml')
    doc = load('awx', 'job_template.yml')
    template, schedule = doc['job_template'], doc['schedule']
    assert os.path.exists(os.path.join(ROOT, template['playbook']))
    assert ctype['name'] in template['credentials']
    assert schedule['unified_job_template'] == template['name']
    assert re.match(r'^DTSTART:\d{8}T\d{6}Z RRULE:FREQ=(MONTHLY|WEEKLY|DAILY)', schedule['rrule'])
    assert template['allow_simultaneous'] is False and template['job_slice_count'] >= 1
    specs = load('..', 'roles', 'rotate_credentials', 'meta', 'argument_specs.yml')
    options = specs['argument_specs']['main']['options']
    for name in template['extra_vars']:
        assert name in options or name in ('rotate_serial', 'rotate_max_fail_percentage'), name


def test_wrapper_and_systemd_agree_on_the_locked_exit_code():
    with open(os.path.join(EXTRAS, 'camfleet-rotate')) as handle:
        wrapper = handle.read()
    assert re.search(r'^EX_LOCKED=75$', wrapper, re.M)
    assert subprocess.run(['sh', '-n', os.path.join(EXTRAS, 'camfleet-rotate')]).returncode == 0
    assert os.access(os.path.join(EXTRAS, 'camfleet-rotate'), os.X_OK)
    with open(os.path.join(EXTRAS, 'systemd', 'camfleet-rotate.service')) as handle:
        unit = handle.read()
    assert 'SuccessExitStatus=75' in unit and 'Type=oneshot' in unit
    with open(os.path.join(EXTRAS, 'systemd', 'camfleet-rotate.timer')) as handle:
        timer = handle.read()
    assert 'OnCalendar=' in timer and 'Persistent=true' in timer


def test_credential_type_env_as_awx_renders_it_resolves_to_working_store_settings():
    """AWX renders every injector, unset inputs as empty strings: the store must take those as
    unset (defaults), and the given ones as its settings."""
    import jinja2
    from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import resolve_settings
    ctype = load('awx', 'credential_type.yml')
    inputs = dict((f['id'], '') for f in ctype['inputs']['fields'])
    inputs.update(backend='vault', url='https://vault.example.net:8200', token='s.example')
    context = dict(inputs, tower={'filename': {'vault_password': '/tmp/awx-vault-pass'}})
    env = dict((k, jinja2.Template(v).render(**context)) for k, v in ctype['injectors']['env'].items())
    settings = resolve_settings(None, environ=env)
    assert (settings['backend'], settings['url'], settings['token']) == (
        'vault', 'https://vault.example.net:8200', 's.example')
    assert settings['mount'] == 'secret' and settings['prefix'] == 'camfleet/hikvision'
