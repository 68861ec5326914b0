"""Scale-out (docs/docsite/rst/guide_scale_out.rst): the hardening job as K concurrent sliced jobs
through ansible-runner, the engine AWX runs jobs with, each slice limited to the hosts AWX's job
slicing gives it (host i of the inventory goes to slice i mod K) in its own private data
directory; and the proof that a run writes nothing on the controller outside the paths the user
names, so slices on different execution nodes (or on one) cannot collide.
"""
import json
import os
import pathlib
import shutil
import sys
import tempfile

import pytest

ansible_runner = pytest.importorskip('ansible_runner')

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), 'bench'))
import floor  # noqa: E402
import yaml  # noqa: E402

from .conftest import ROOT, run_playbook  # noqa: E402

K = 3
SLICE_PLAY = '''
- name: Harden this slice
  ansible.builtin.import_playbook: camfleet.hikvision.harden
- name: Audit this slice
  ansible.builtin.import_playbook: camfleet.hikvision.audit
'''


def job():
    with open(os.path.join(ROOT, 'bench', 'job.yml')) as handle:
        return yaml.safe_load(handle)


def runner_env():
    return {'ANSIBLE_COLLECTIONS_PATH': os.path.join(ROOT, '.collections'),
            'ANSIBLE_COLLECTIONS_SCAN_SYS_PATH': 'false', 'ANSIBLE_NOCOLOR': '1',
            'PATH': os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')}


def slice_job(fleet, tmp_path, number, hosts, extravars):
    """One slice as AWX starts it: its own private data directory and project, --limit."""
    pdd = tmp_path / ('slice-%d' % number)
    (pdd / 'project').mkdir(parents=True)
    (pdd / 'project' / 'site.yml').write_text(SLICE_PLAY)
    return ansible_runner.run_async(
        private_data_dir=str(pdd), playbook='site.yml', inventory=fleet.inventory_path,
        limit=','.join(hosts), ident='job', quiet=True, envvars=runner_env(),
        extravars=dict(extravars, audit_dest=str(tmp_path / 'reports' / ('slice-%d' % number))),
        cmdline='--vault-password-file %s --forks 4' % fleet.vault_pass_path)


def events_of(pdd):
    folder = os.path.join(pdd, 'artifacts', 'job', 'job_events')
    events = []
    for name in os.listdir(folder):
        with open(os.path.join(folder, name)) as handle:
            events.append(json.load(handle))
    return sorted(events, key=lambda e: e['counter'])


def test_sliced_runner_jobs_converge_the_fleet_with_per_slice_artifacts_and_one_report(fleet, new_device, tmp_path):
    devices = [new_device('current_camera', inventory_password=True) for _ in range(2 * K)]
    names = [d.name for d in devices]
    slices = [[n for i, n in enumerate(names) if i % K == s] for s in range(K)]
    work = job()
    assert all(floor.converge(dict(d.info, password=d.password), work, fleet.ca_path, check=True)
               for d in devices)  # all drifted before the jobs
    started = [slice_job(fleet, tmp_path, s + 1, hosts, work['harden_vars']) for s, hosts in enumerate(slices)]
    for thread, _runner in started:
        thread.join(timeout=600)
    for thread, runner in started:
        assert not thread.is_alive()
        assert (runner.status, runner.rc) == ('successful', 0), runner.stdout.read()[-3000:]

    # the same converged fleet a single job leaves, read back with the floor's check
    for device in devices:
        assert floor.converge(dict(device.info, password=device.password), work, fleet.ca_path,
                              check=True) == [], device.name
    # each slice's artifacts are its own and name its hosts only
    spans = []
    for number, hosts in enumerate(slices, start=1):
        pdd = str(tmp_path / ('slice-%d' % number))
        artifacts = os.path.join(pdd, 'artifacts', 'job')
        for name in ('stdout', 'status', 'rc', 'command'):
            assert os.path.exists(os.path.join(artifacts, name)), name
        assert '--limit' in json.load(open(os.path.join(artifacts, 'command')))['command']
        events = events_of(pdd)
        seen = set(e['event_data']['host'] for e in events if e['event_data'].get('host')) - {'localhost'}
        assert seen == set(hosts), (number, seen, hosts)
        stats = [e for e in events if e['event'] == 'playbook_on_stats'][-1]['event_data']
        assert set(stats['ok']) - {'localhost'} == set(hosts) and not stats['failures'] and not stats['dark']
        spans.append((events[0]['created'], events[-1]['created']))
        report = json.loads((tmp_path / 'reports' / ('slice-%d' % number) / 'audit.json').read_text())
        assert sorted(d['name'] for d in report['devices']) == sorted(hosts)
    # they ran side by side: every job started before any job finished
    assert max(start for start, _ in spans) < min(end for _, end in spans), spans

    # one report over all slices (playbooks/audit_merge.yml), nothing contacted to make it
    for device in devices:
        device.control.reset_counters(device.name)
    merged_dest = tmp_path / 'reports' / 'all'
    rc, results, out = run_playbook(fleet, 'playbooks/audit_merge.yml', tmp_path, extra_vars={
        'audit_merge_dir': str(tmp_path / 'reports'),
        'audit_dest': str(merged_dest)})
    assert rc == 0, out
    merged = json.loads((merged_dest / 'audit.json').read_text())
    parts = [json.loads((tmp_path / 'reports' / ('slice-%d' % n) / 'audit.json').read_text())
             for n in range(1, K + 1)]
    assert sorted(d['name'] for d in merged['devices']) == sorted(names)
    assert merged['device_count'] == 2 * K
    for status in ('pass', 'fail', 'not_supported', 'unknown'):
        assert merged['totals'][status] == sum(p['totals'][status] for p in parts)
    by_name = dict((d['name'], d) for p in parts for d in p['devices'])
    assert all(d == by_name[d['name']] for d in merged['devices'])
    assert (merged_dest / 'audit.html').read_text().count('class="device"') == 2 * K
    assert all(d.counters()['requests'] == {} for d in devices)


def test_merge_refuses_a_missing_slice_report(fleet, tmp_path):
    rc, results, out = run_playbook(fleet, 'playbooks/audit_merge.yml', tmp_path, extra_vars={
        'audit_merge_reports': [str(tmp_path / 'slice-9' / 'audit.json')], 'audit_dest': str(tmp_path / 'all')})
    assert rc != 0
    assert 'merge: %s is not an audit report (audit.json) of this role' % (tmp_path / 'slice-9' / 'audit.json') in out
    assert not (tmp_path / 'all').exists()


# -- no controller-local state ---------------------------------------------------------------------

# Every file-system change a Python process makes (the controller and each worker it forks
# inherit the hook), one line per path: the run is watched from the inside, so writes by other
# processes on a shared machine do not count.
WATCH = r'''
import os, sys
_fd = os.open(os.environ['CAMFLEET_WRITES_LOG'], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
_WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
_PATHS = {'os.mkdir': 1, 'os.rename': 2, 'os.symlink': 2, 'os.link': 2, 'os.remove': 1,
          'os.rmdir': 1, 'os.truncate': 1, 'os.chmod': 1, 'os.utime': 1, 'shutil.rmtree': 1}
def _note(path):
    if isinstance(path, (str, bytes, os.PathLike)):
        path = os.fsdecode(path)
        os.write(_fd, (os.path.abspath(path) + '\n').encode('utf-8', 'replace'))
def _hook(event, args):
    if event == 'open' and args[2] is not None and args[2] & _WRITE:
        _note(args[0])
    elif event in _PATHS:
        for path in args[:_PATHS[event]]:
            _note(path)
sys.addaudithook(_hook)
'''


def test_a_run_writes_nothing_outside_the_paths_the_user_names(fleet, new_device, tmp_path, request):
    """Import, rotation, hardening, backup and audit from an empty working directory: every
    file-system change the controller makes lands in the store, the change log, the output
    directory (backups, campaign records), the report directory or Ansible's own home and
    temporary directories, all named for the run, and nothing lands in the working directory."""
    devices = [new_device('current_camera', inventory_password=True) for _ in range(2)]
    named = dict((key, tmp_path / 'named' / key) for key in ('store', 'changelog', 'out', 'reports'))
    # short: ansible-core puts a Unix socket in its local temporary directory (108 bytes at most)
    short = tempfile.mkdtemp(prefix='cf-')
    request.addfinalizer(lambda: shutil.rmtree(short, ignore_errors=True))
    ansible_tmp = dict((key, pathlib.Path(short) / key) for key in ('home', 'local', 'remote', 'python'))
    for folder in list(ansible_tmp.values()) + [tmp_path / 'named', tmp_path / 'hook', tmp_path / 'cwd']:
        folder.mkdir(parents=True)
    (tmp_path / 'hook' / 'sitecustomize.py').write_text(WATCH)
    log = tmp_path / 'writes.log'
    env = {'CAMFLEET_WRITES_LOG': str(log),
           'PYTHONPATH': os.pathsep.join([str(tmp_path / 'hook'), os.environ.get('PYTHONPATH', '')]),
           'ANSIBLE_HOME': str(ansible_tmp['home']), 'ANSIBLE_LOCAL_TEMP': str(ansible_tmp['local']), 'ANSIBLE_REMOTE_TEMP': str(ansible_tmp['remote']),
           'TMPDIR': str(ansible_tmp['python'])}
    store = {'backend': 'file', 'path': str(named['store'])}
    limit = ','.join(d.name for d in devices)
    steps = [('import_credentials.yml', {}),
             ('rotate_credentials.yml', {'rotate_credentials_changelog_dir': str(named['changelog'])}),
             ('harden.yml', dict(job()['harden_vars'], isapi_password=(
                 "{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}"))),
             ('backup.yml', {'camfleet_output_dir': str(named['out']), 'isapi_password': (
                 "{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}")}),
             ('audit.yml', {'audit_dest': str(named['reports']), 'isapi_password': (
                 "{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}")})]
    for playbook, extra in steps:
        rc, results, out = run_playbook(
            fleet, os.path.join(ROOT, 'playbooks', playbook), tmp_path, limit=limit,
            extra_vars=dict(extra, camfleet_credential_store=store),
            env=env, cwd=str(tmp_path / 'cwd'))
        assert rc == 0, (playbook, out[-3000:])
    for key in ('store', 'changelog', 'out', 'reports'):
        assert any(named[key].iterdir()), key  # each named path was used

    written = set(log.read_text().splitlines())
    assert written, 'the hook saw nothing: it did not run'
    allowed = [str(p) for p in list(named.values()) + list(ansible_tmp.values())]
    # the test's own bookkeeping: the results callback's file and the hook's log
    allowed += [str(tmp_path / 'results-'), str(log), os.devnull]
    outside = sorted(p for p in written if not any(p == a or p.startswith(a.rstrip('/') + '/')
                                                   or p.startswith(a) and a.endswith('-') for a in allowed))
    assert outside == [], outside
    assert list((tmp_path / 'cwd').iterdir()) == []
