"""Build + install smoke test: the installed tarball, FQCNs only, against an emulated fleet.

Catches what unit and integration tests (which use the checkout through .collections) cannot:
a file the build leaves out, a module_utils import that only resolves in the checkout, an
action plugin that does not ship, a broken action group in meta/runtime.yml.
"""
import json
import os
import re

from emulator.testing import RunningFleet

from .conftest import NAME, NAMESPACE

PLAYBOOK = '''
- name: Smoke test of the installed collection
  hosts: all
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      port: "{{ isapi_port }}"
      password: "{{ isapi_password }}"
      ca_path: "{{ isapi_ca_path }}"
  tasks:
    - name: Activate the device if it is factory-fresh
      camfleet.hikvision.activate:
      register: activation

    - name: Read identity and capabilities
      camfleet.hikvision.device_info:
      register: info

    - name: Activate again
      camfleet.hikvision.activate:
      register: again

    - name: Check what the modules reported
      ansible.builtin.assert:
        that:
          - activation.changed == (inventory_hostname in fresh_devices)
          - info.activated
          - info.device.serial_number == device_serial
          - not again.changed
'''

READ_ONLY_PLAYBOOK = '''
- name: Read every device through the shipped module (not the action plugin's in-process path)
  hosts: all
  gather_facts: false
  tasks:
    - name: Read identity
      camfleet.hikvision.device_info:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        password: "{{ isapi_password }}"
        ca_path: "{{ isapi_ca_path }}"
        gather_capabilities: false
      register: info

    - name: Check it
      ansible.builtin.assert:
        that:
          - info.activated
          - info.device.serial_number == device_serial
'''

RECAP = re.compile(r'^(\S+)\s*:\s*ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)', re.M)


def _worker_index():
    worker = os.environ.get('PYTEST_XDIST_WORKER', 'gw0')
    return int(worker[2:]) if worker.startswith('gw') else 0


def _recap(output):
    return dict((m.group(1), dict(ok=int(m.group(2)), changed=int(m.group(3)),
                                  unreachable=int(m.group(4)), failed=int(m.group(5))))
                for m in RECAP.finditer(output))


def test_build_leaves_out_what_users_do_not_need(installed_collection):
    root = installed_collection.root
    with open(os.path.join(root, 'FILES.json')) as fh:
        files = [entry['name'] for entry in json.load(fh)['files']]
    for name in ('activate', 'device_info', 'factory_reset', 'reboot', 'user'):
        assert 'plugins/modules/%s.py' % name in files
        assert 'plugins/action/%s.py' % name in files
    for needed in ('meta/runtime.yml', 'meta/execution-environment.yml', 'requirements.txt',
                   'bindep.txt', 'plugins/doc_fragments/connection.py', 'CHANGELOG.rst',
                   'changelogs/changelog.yaml'):
        assert needed in files
    for path in files:
        top = path.split('/')[0]
        assert top not in ('emulator', 'scripts', '.venv', '.collections', '.ansible', 'build'), path
        assert not path.startswith(('tests/unit', 'tests/integration', 'tests/emulator',
                                    'tests/smoke', 'docs/build')), path
        assert '__pycache__' not in path and not path.endswith('.pyc'), path


def test_installed_collection_runs_against_emulated_devices(installed_collection, tmp_path):
    inst = installed_collection
    # The modules resolve from the scratch install, nowhere else.
    proc = inst.run(['ansible-doc', '--json', '-t', 'module', '%s.%s.activate' % (NAMESPACE, NAME)])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)['%s.%s.activate' % (NAMESPACE, NAME)]['doc']
    assert os.path.realpath(doc['filename']).startswith(os.path.realpath(inst.root) + os.sep)

    fleet = {
        'time_scale': 0.01,
        'subnet': '127.%d.0.0/16' % (90 + _worker_index()),
        'defaults': {'http_port': 80, 'https_port': 443},
        'sites': [{'name': 'smoke', 'devices': [
            {'name': 'cam1', 'kind': 'camera', 'profile': 'current_camera', 'activated': False},
            {'name': 'nvr1', 'kind': 'nvr', 'profile': 'nvr', 'activated': True},
        ]}],
    }
    play = tmp_path / 'smoke.yml'
    play.write_text(PLAYBOOK)
    read_only = tmp_path / 'read_only.yml'
    read_only.write_text(READ_ONLY_PLAYBOOK)
    with RunningFleet(fleet=fleet, out_dir=str(tmp_path / 'fleet')) as running:
        fresh = sorted(n for n, d in running.devices.items() if not d['activated'])
        assert fresh == ['cam1']
        base = ['ansible-playbook', '-i', running.inventory_path,
                '--vault-password-file', running.vault_pass_path]

        proc = inst.run(base + ['-e', json.dumps({'fresh_devices': fresh}), str(play)],
                        cwd=str(tmp_path))
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, out
        recap = _recap(proc.stdout)
        assert set(recap) == {'cam1', 'nvr1'}, out
        assert recap['cam1']['changed'] == 1 and recap['nvr1']['changed'] == 0, out
        assert all(r['failed'] == 0 and r['unreachable'] == 0 for r in recap.values()), out
        assert running.control.state('cam1')['activated'] is True
        for device in running.devices.values():
            for secret in (device.get('password'), device.get('intended_password')):
                assert not secret or secret not in out

        proc = inst.run(base + [str(read_only)], cwd=str(tmp_path),
                        env={'CAMFLEET_FORCE_MODULE': '1'})
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0, out
        recap = _recap(proc.stdout)
        assert set(recap) == {'cam1', 'nvr1'}, out
        assert all(r['failed'] == 0 and r['changed'] == 0 for r in recap.values()), out
