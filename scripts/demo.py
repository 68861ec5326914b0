#!/usr/bin/env python3
"""`make demo`: start an emulated fleet, drift part of it, run playbooks/reset_and_harden.yml over
it, print a one-screen summary, stop the fleet.

What it produced stays in demo-out/ (or $CAMFLEET_DEMO_OUT); the next run replaces it and says so.

The fleet is emulator/fleets/demo.yml: two sites, each an NVR and four cameras. Half of the ten
devices are factory-fresh; the activated ones are drifted first (scripts/demo/drift.yml: SSH,
UPnP and DDNS on, an account nobody declared). The campaign records, backs up and resets the
drifted ones, activates every device with a unique password generated into the credential store
(file backend in demo-out/credentials, encrypted with demo-out/store-vault-pass), hardens them,
re-links each NVR to its site's cameras, verifies and writes the HTML audit report.
"""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from emulator.testing import RunningFleet  # noqa: E402

FLEET_FILE = os.path.join(ROOT, 'emulator', 'fleets', 'demo.yml')
UNKNOWN_ACCOUNT = 'installer'
RESET = 'PUT /ISAPI/System/factoryReset'
KEPT = (
    ('inventory.yml', 'the inventory the playbook ran with (the emulator\'s starting passwords, vaulted)'),
    ('vault-pass', 'that inventory\'s vault password'),
    ('credentials/', 'the credential store (file backend): each device\'s generated admin password'),
    ('store-vault-pass', 'the vault password the store is encrypted with'),
    ('report/', 'the audit report: audit.html (open it in a browser), audit.json, audit-junit.xml'),
    ('inventory/', 'the asset record (inventory.json, inventory.csv)'),
    ('backups/', 'the configuration backups taken before the reset (encrypted)'),
    ('campaigns/', 'the campaign state and its change log (changelog.jsonl)'),
    ('ca.pem', 'the CA that signed the emulated devices\' certificates'),
    ('fleet.json', 'the emulator\'s own record of the fleet (starting passwords in clear)'),
    ('fleet-input.yml', 'the fleet definition it started from'),
    ('campaign-vars.yml', 'the campaign\'s variables (output folders, NTP servers, NVR channels)'),
    ('playbook.log', 'the full output of the runs'),
)


def out_dir():
    return os.path.abspath(os.environ.get('CAMFLEET_DEMO_OUT') or os.path.join(ROOT, 'demo-out'))


def _shown(path):
    here = os.getcwd() + os.sep
    return os.path.relpath(path) if path.startswith(here) else path


def main(after=None):
    """after(fleet, out): called while the fleet still runs (the smoke test inspects it)."""
    with open(FLEET_FILE) as f:
        spec = yaml.safe_load(f)
    out = out_dir()
    if os.path.exists(out):
        # An earlier run's files would be mistaken for this run's (its passwords no longer open
        # anything: the emulated devices lived only as long as that run).
        shutil.rmtree(out)
        print('demo: removed %s from the previous run; this run writes it afresh.' % _shown(out))
    os.makedirs(out)
    started = time.monotonic()
    # SADP on: a fully reset device is found again by SADP (roles/factory_reset)
    with RunningFleet(fleet=spec, out_dir=out, extra_args=['--sadp']) as fleet:
        code = run(fleet, spec, out)
        if after is not None:
            after(fleet, out)
    print('demo: took %.0f s; kept in %s' % (time.monotonic() - started, _shown(out) + os.sep))
    width = max(len(name) for name, dummy in KEPT)
    for name, what in KEPT:
        print('  %s  %s' % (name.ljust(width), what))
    print('The emulated devices stopped with the demo (their state lived only as long as it did).')
    return code


def store_settings(out):
    return {'backend': 'file', 'path': os.path.join(out, 'credentials'),
            'vault_password_file': os.path.join(out, 'store-vault-pass')}


def playbook_env(out):
    store = store_settings(out)
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
                ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false', ANSIBLE_HOST_KEY_CHECKING='false',
                ANSIBLE_FORKS='10', ANSIBLE_CALLBACK_RESULT_FORMAT='yaml', ANSIBLE_NOCOLOR='1',
                HIKVISION_STORE_BACKEND=store['backend'], HIKVISION_STORE_PATH=store['path'],
                HIKVISION_STORE_VAULT_PASSWORD_FILE=store['vault_password_file'])


def campaign_vars(spec, out):
    """The extra vars of the demo's campaign (written to demo-out/campaign-vars.yml)."""
    channels = {d['name']: d['channels'] for s in spec['sites'] for d in s['devices'] if d.get('channels')}
    return {'camfleet_output_dir': out, 'camfleet_campaign': 'demo',
            'audit_dest': os.path.join(out, 'report'),
            # documentation addresses (RFC 5737): the emulator takes any server
            'baseline_ntp_servers': ['192.0.2.123', '192.0.2.124'],
            # the controller's own changes are expected; the drift's are flagged in the report
            'audit_expected_log_sources': ['127.0.0.1'],
            'demo_channels': channels,
            'nvr_channels_cameras': "{{ demo_channels[inventory_hostname] | default([]) }}"}


def run_campaign(fleet, spec, out, log):
    """One run of playbooks/reset_and_harden.yml over the whole demo fleet: (exit code, output)."""
    vars_path = os.path.join(out, 'campaign-vars.yml')
    if not os.path.exists(vars_path):
        with open(vars_path, 'w') as fh:
            yaml.safe_dump(campaign_vars(spec, out), fh, sort_keys=False)
    return _playbook(fleet, out, os.path.join(ROOT, 'playbooks', 'reset_and_harden.yml'), log,
                     ['-e', '@' + vars_path])


def run(fleet, spec, out):
    fresh = sorted(n for n, d in fleet.devices.items() if not d['activated'])
    drifted = sorted(n for n, d in fleet.devices.items() if d['activated'])
    sites = sorted({d['site'] for d in fleet.devices.values()})
    print('demo: emulated fleet of %d devices at %d sites is up: %d factory-fresh (%s), %d drifted (%s)' % (
        len(fleet.devices), len(sites), len(fresh), ', '.join(fresh), len(drifted), ', '.join(drifted)),
        flush=True)
    with open(store_settings(out)['vault_password_file'], 'w') as fh:
        fh.write(secrets.token_urlsafe(32) + '\n')
    os.chmod(store_settings(out)['vault_password_file'], 0o600)
    with open(os.path.join(out, 'playbook.log'), 'w') as log:
        code, dummy = _playbook(fleet, out, os.path.join(ROOT, 'scripts', 'demo', 'drift.yml'), log,
                                ['-e', 'demo_drifted=' + ','.join(drifted),
                                 '-e', 'demo_unknown_account=' + UNKNOWN_ACCOUNT])
        if code != 0:
            print('demo: drifting the fleet failed; see %s' % _shown(os.path.join(out, 'playbook.log')))
            return code
        print('demo: drifted %s (SSH, UPnP, DDNS on; account %r added); running '
              'playbooks/reset_and_harden.yml ...' % (', '.join(drifted), UNKNOWN_ACCOUNT), flush=True)
        started = time.monotonic()
        code, dummy = run_campaign(fleet, spec, out, log)
        print('demo: reset_and_harden.yml ended with exit code %d after %.0f s' % (
            code, time.monotonic() - started), flush=True)
        if code == 0:
            code = second_run(fleet, spec, out, log)
    rows = summary_rows(fleet, out)
    print('\n'.join(table(rows)))
    report = os.path.join(out, 'report', 'audit.html')
    if os.path.exists(report):
        print('demo: the audit report: %s (open it in a browser; it stays after the demo)' % _shown(report))
    else:
        print('demo: no audit report was written; see %s' % _shown(os.path.join(out, 'playbook.log')))
        code = code or 1
    print('demo: the devices\' passwords are in the credential store %s (file backend, vault password file %s);\n'
          '  read one with: HIKVISION_STORE_PATH=%s HIKVISION_STORE_VAULT_PASSWORD_FILE=%s '
          '.venv/bin/ansible localhost -m debug -a "msg={{ lookup(\'camfleet.hikvision.credential\', \'%s\') }}"' % (
              _shown(store_settings(out)['path']), _shown(store_settings(out)['vault_password_file']),
              _shown(store_settings(out)['path']), _shown(store_settings(out)['vault_password_file']),
              sorted(fleet.devices)[0]))
    unfinished = [r['device'] for r in rows if r['activated'] != 'yes' or r['services'] != 'off'
                  or r['accounts'] != 'admin']
    if unfinished:
        print('demo: not converged: %s' % ', '.join(unfinished))
        code = code or 1
    return code


def resets(fleet):
    return dict((name, fleet.control.counters(name)['requests'].get(RESET, 0)) for name in fleet.devices)


def second_run(fleet, spec, out, log):
    """The campaign again: it must change nothing and reset nobody again."""
    before = resets(fleet)
    started = time.monotonic()
    code, output = run_campaign(fleet, spec, out, log)
    changed = sorted(host for host, counts in recap(output).items() if counts.get('changed'))
    again = sorted(name for name, count in resets(fleet).items() if count != before[name])
    print('demo: a second run (%.0f s, exit code %d) changed %s and reset %s again' % (
        time.monotonic() - started, code, ', '.join(changed) or 'nothing', ', '.join(again) or 'no device'))
    return code or (1 if changed or again else 0)


def recap(output):
    """The last PLAY RECAP of an ansible-playbook output: host -> {'ok': n, 'changed': n, ...}."""
    hosts = {}
    for line in output.rsplit('PLAY RECAP', 1)[-1].splitlines()[1:]:
        match = re.match(r'^(\S+)\s+:\s+(.*)$', line)
        if match:
            hosts[match.group(1)] = dict((k, int(v)) for k, v in re.findall(r'(\w+)=(\d+)', match.group(2)))
    return hosts


def summary_rows(fleet, out):
    """Per device, from the emulator (what the device holds) and the audit report."""
    try:
        with open(os.path.join(out, 'report', 'audit.json')) as fh:
            audit = {d['name']: d for d in json.load(fh)['devices']}
    except (OSError, ValueError, KeyError):
        audit = {}
    states = dict((name, fleet.control.state(name)) for name in fleet.devices)
    rows = []
    for name in sorted(fleet.devices):
        dev, state = fleet.devices[name], states[name]
        # an NVR channel is linked when it points at a camera of the fleet where that camera is now
        linked = [ch['camera'] for ch in state['channels']
                  if ch.get('camera') in states and states[ch['camera']]['address'] == ch['address']]
        services = state['areas']['services']
        on = [s for s in ('ssh', 'telnet', 'ddns', 'hik_connect') if services.get(s)]
        if state.get('link', {}).get('upnp'):
            on.append('upnp')
        counts = audit.get(name, {}).get('counts')
        rows.append({'device': name, 'site': dev['site'], 'kind': dev['kind'], 'model': dev['model'],
                     'started': 'active' if dev['activated'] else 'fresh',
                     'activated': 'yes' if state['activated'] else 'no',
                     'services': ', '.join(on) or 'off',
                     'accounts': ', '.join(sorted(u['name'] for u in state['users'])) or '-',
                     'channels': ('%d/%d linked' % (len(linked), len(state['channels']))) if dev['kind'] == 'nvr' else '-',
                     'audit': ('%(pass)d pass, %(fail)d fail, %(not_supported)d n/s' % counts) if counts else '-'})
    return rows


COLUMNS = ('device', 'site', 'kind', 'model', 'started', 'activated', 'services', 'accounts', 'channels',
           'audit')


def table(rows):
    """Aligned columns, each as wide as its longest value, two spaces apart, no trailing blanks."""
    widths = [max([len(c)] + [len(str(r[c])) for r in rows]) for c in COLUMNS]
    lines = []
    for values in [COLUMNS] + [[str(r[c]) for c in COLUMNS] for r in rows]:
        lines.append('  '.join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip())
    return lines


def _playbook(fleet, out, playbook, log, extra):
    cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'),
           '-i', fleet.inventory_path, '--vault-password-file', fleet.vault_pass_path, playbook] + extra
    proc = subprocess.run(cmd, env=playbook_env(out), cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    log.write('$ %s\n%s\n' % (' '.join(cmd), proc.stdout))
    log.flush()
    return proc.returncode, proc.stdout


if __name__ == '__main__':
    sys.exit(main())
