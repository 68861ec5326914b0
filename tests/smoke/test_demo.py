"""`make demo` (scripts/demo.py): playbooks/reset_and_harden.yml over the demo fleet converges it
(read back through the emulator's control API), a second run changes and resets nothing, the
report and the credential store stay in demo-out/, a previous run's folder is replaced with a
message, and the tables stay aligned whatever the field widths."""
import importlib.util
import json
import os
import re
import subprocess
import sys

import yaml

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


def assert_aligned(table, columns=8):
    header = table[0]
    starts = [m.start() for m in re.finditer(r'(?:(?<=  )|^)\S', header)]
    assert len(starts) == columns, header  # no header has a two-space gap inside
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


def load_demo():
    spec = importlib.util.spec_from_file_location('camfleet_demo', os.path.join(ROOT, 'scripts', 'demo.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_demo_summary_table_is_aligned_with_long_fields():
    demo = load_demo()
    row = dict((c, 'x') for c in demo.COLUMNS)
    rows = [dict(row, device='a-camera-with-a-name-longer-than-any-column', services='ssh, upnp, ddns'),
            dict(row, device='b', model='DS-2CD2T86G2-ISU/SL-AND-THEN-SOME', audit='21 pass, 0 fail, 6 n/s')]
    table = demo.table(rows)
    starts = assert_aligned(table, columns=len(demo.COLUMNS))
    assert table[2][starts[3]:].startswith('DS-2CD2T86G2-ISU/SL-AND-THEN-SOME  x')
    assert table[2].endswith('21 pass, 0 fail, 6 n/s')


def test_demo_resets_and_hardens_the_fleet_and_a_second_run_changes_nothing(
        tmp_path, tmp_path_factory, monkeypatch, capsys):
    from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import open_store, resolve_settings

    demo = load_demo()
    out = tmp_path / 'demo-out'
    out.mkdir()
    (out / 'stale.txt').write_text('from an earlier run')
    monkeypatch.setenv('CAMFLEET_DEMO_OUT', str(out))
    with open(demo.FLEET_FILE) as fh:
        spec = yaml.safe_load(fh)
    seen = {}

    def after(fleet, out_dir):
        # the fleet as the demo left it, read back through the control API
        seen['devices'] = fleet.devices
        seen['states'] = dict((n, fleet.control.state(n)) for n in fleet.devices)
        store = open_store(resolve_settings(demo.store_settings(out_dir), environ={}))
        passwords = dict((n, store.current(n, 'admin')) for n in fleet.devices)
        seen['passwords'] = passwords
        seen['store_logs_in'] = dict((n, fleet.control.check_password(n, 'admin', p)) for n, p in passwords.items())
        seen['start_logs_in'] = dict((n, fleet.control.check_password(n, 'admin', d['intended_password']))
                                     for n, d in fleet.devices.items())
        seen['resets'] = demo.resets(fleet)
        # our own re-run of the campaign on the same fleet
        with open(os.path.join(out_dir, 'rerun.log'), 'w') as log:
            seen['rerun'] = demo.run_campaign(fleet, spec, out_dir, log)
        seen['resets_after'] = demo.resets(fleet)
        seen['store_after'] = dict((n, store.current(n, 'admin')) for n in fleet.devices)

    with fleet_lock(tmp_path_factory, 'demo-fleet'):
        code = demo.main(after=after)
    stdout = capsys.readouterr().out
    assert code == 0, stdout
    assert 'demo: removed %s' % out in stdout
    assert not (out / 'stale.txt').exists()

    devices, states = seen['devices'], seen['states']
    drifted = sorted(n for n, d in devices.items() if d['activated'])
    fresh = sorted(n for n, d in devices.items() if not d['activated'])
    assert len(drifted) >= 2 and len(fresh) >= 2 and len({d['site'] for d in devices.values()}) >= 2
    for name, state in states.items():
        assert state['activated'] is True, name
        # the store's generated password opens the device; the emulator's starting one does not
        assert seen['store_logs_in'][name] is True, name
        assert seen['start_logs_in'][name] is False, name
        assert [u['name'] for u in state['users']] == ['admin'], (name, state['users'])
        services = state['areas']['services']
        assert (services['ssh'], services['ddns'], state['link']['upnp']) == (False, False, False), name
    # each NVR records its own site's cameras, at their current addresses
    for site in spec['sites']:
        for dev in site['devices']:
            if dev.get('channels'):
                channels = states[dev['name']]['channels']
                assert [ch['camera'] for ch in channels] == dev['channels']
                assert [ch['address'] for ch in channels] == [states[c]['address'] for c in dev['channels']]
    # the drifted devices were reset once each, the factory-fresh ones not at all
    assert seen['resets'] == dict([(n, 1) for n in drifted] + [(n, 0) for n in fresh])

    # the report: one row per device; the log review saw the drift's unknown account being added
    html = (out / 'report' / 'audit.html').read_text()
    assert html.count('class="device"') == len(devices)
    for name in devices:
        assert 'data-name="%s"' % name in html
    report = json.loads((out / 'report' / 'audit.json').read_text())
    flags = dict((d['name'], d['log']['flags']) for d in report['devices'])
    for name in drifted:
        assert any('remoteAddUser' in f for f in flags[name]), (name, flags[name])

    # a second run of reset_and_harden.yml on the same fleet: no change, no reset, no new password
    rc, output = seen['rerun']
    assert rc == 0, output
    recap = demo.recap(output)
    assert sorted(recap) == sorted(devices)
    assert [h for h, c in recap.items() if c['changed'] or c['failed'] or c['unreachable']] == [], output
    assert seen['resets_after'] == seen['resets']
    assert seen['store_after'] == seen['passwords']
    assert 'changed nothing and reset no device again' in stdout

    # the one-screen summary: an aligned table, a row per device, and where things are
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith('device  '))
    table = lines[start:start + 1 + len(devices)]
    assert_aligned(table, columns=len(demo.COLUMNS))
    assert [row.split()[0] for row in table[1:]] == sorted(devices)
    assert all(row.split()[5:8] == ['yes', 'off', 'admin'] for row in table[1:]), table
    assert len(lines) <= 50, stdout
    assert 'audit report: %s' % (out / 'report' / 'audit.html') in stdout
    assert 'credential store %s' % (out / 'credentials') in stdout
    assert 'vault password file %s' % (out / 'store-vault-pass') in stdout
    kept = sorted(os.listdir(out))
    assert kept == sorted([name.rstrip('/') for name, dummy in demo.KEPT] + ['rerun.log'])
    listing = stdout.split('kept in', 1)[1]
    for name in dict(demo.KEPT):
        assert name in listing, name
    # no password in what the demo keeps in clear (the change log, the logs)
    texts = [(out / 'playbook.log').read_text(), (out / 'rerun.log').read_text(), stdout,
             (out / 'campaigns' / 'demo' / 'changelog.jsonl').read_text()]
    for password in seen['passwords'].values():
        assert not any(password in text for text in texts)
