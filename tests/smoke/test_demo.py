"""`make demo` (scripts/demo.py): what it produced is kept and listed, a previous run's folder is
replaced with a message, and the fleet table stays aligned whatever the field widths."""
import os
import re
import subprocess
import sys

from .conftest import ROOT
from .fleetlock import fleet_lock

BIN = os.path.dirname(sys.executable)


def _env(**extra):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
               ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', ANSIBLE_NOCOLOR='1',
               ANSIBLE_CALLBACK_RESULT_FORMAT='yaml')
    env.update(extra)
    return env


def _table(text):
    """The lines of the fleet table in ansible-playbook's YAML output."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith('device '))
    indent = len(lines[start]) - len(lines[start].lstrip())
    table = []
    for line in lines[start:]:
        if not line.strip():
            break
        table.append(line[indent:])
    return table


def assert_aligned(table):
    header = table[0]
    starts = [m.start() for m in re.finditer(r'(?:(?<=  )|^)\S', header)]
    assert len(starts) == 8, header  # 'this run' is one column
    for row in table[1:]:
        for column, offset in enumerate(starts):
            assert row[offset] != ' ' and (offset == 0 or row[offset - 2:offset] == '  '), (column, row)
        assert row == row.rstrip()
    return starts


INVENTORY = '''
all:
  children:
    a_site_with_a_very_long_group_name:
      hosts:
        cam1: {isapi_host: 127.0.0.1, activation: {changed: true},
               info: {activated: true, device: {kind: camera, model: DS-2CD2T86G2-ISU/SL-AND-THEN-SOME, firmware: V5.7.18 build 240826}}}
    cameras: {hosts: {cam1: , b: }}
    nvrs: {hosts: {an-nvr-whose-name-is-longer-than-any-column: }}
    s2:
      hosts:
        b: {isapi_host: 10.200.200.200, info: {activated: false, device: {kind: camera, model: X, firmware: V5}}}
        an-nvr-whose-name-is-longer-than-any-column: {isapi_host: 10.0.0.1, device_kind: nvr, info: {failed: true}}
'''

PLAY = '''
- hosts: localhost
  gather_facts: false
  vars:
    fleet_hosts: "{{ groups['all'] | map('extract', hostvars) | selectattr('info', 'defined') | map(attribute='inventory_hostname') | list }}"
  tasks:
    - ansible.builtin.debug:
        msg: "{{ lookup('ansible.builtin.template', '%s') }}"
''' % os.path.join(ROOT, 'playbooks', 'templates', 'fleet_table.j2')


def test_table_is_aligned_with_fields_longer_than_any_fixed_width(tmp_path):
    (tmp_path / 'inv.yml').write_text(INVENTORY)
    (tmp_path / 'play.yml').write_text(PLAY)
    proc = subprocess.run([os.path.join(BIN, 'ansible-playbook'), '-i', str(tmp_path / 'inv.yml'),
                           str(tmp_path / 'play.yml')], env=_env(), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    table = _table(proc.stdout)
    assert [row.split()[0] for row in table] == ['device', 'an-nvr-whose-name-is-longer-than-any-column', 'b', 'cam1']
    starts = assert_aligned(table)
    assert table[3][starts[1]:].startswith('a_site_with_a_very_long_group_name  camera  DS-2CD2T86G2-ISU/SL-AND-THEN-SOME')
    assert table[1].split()[-1] == 'failed' and table[3].split()[-1] == 'activated'


def test_demo_keeps_its_outputs_and_says_what_it_replaced(tmp_path, tmp_path_factory):
    out = tmp_path / 'demo-out'
    out.mkdir()
    (out / 'stale.txt').write_text('from an earlier run')
    with fleet_lock(tmp_path_factory, 'demo-fleet'):
        proc = subprocess.run([sys.executable, os.path.join(ROOT, 'scripts', 'demo.py')],
                              env=_env(CAMFLEET_DEMO_OUT=str(out)), cwd=ROOT, capture_output=True,
                              text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'demo: removed %s' % out in proc.stdout
    assert not (out / 'stale.txt').exists()
    kept = sorted(os.listdir(out))
    assert kept == ['ca.pem', 'fleet-input.yml', 'fleet.json', 'inventory.yml', 'playbook.log', 'vault-pass']
    for name in kept:
        assert name in proc.stdout.split('demo: kept in', 1)[1], name
    log = (out / 'playbook.log').read_text()
    table = _table(log)
    assert len(table) == 11  # header + 10 devices of emulator/fleets/demo.yml
    assert_aligned(table)
    assert (out / 'inventory.yml').read_text().count('$ANSIBLE_VAULT') == 10
