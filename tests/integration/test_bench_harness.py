"""`make bench` harness on a tiny fleet: results.json is complete and says what happened.

Not a timing test: it checks the harness's bookkeeping (every contestant, request counts from
the emulator's counters, the convergence proof, ratios to the floor), never how fast anything was.
"""
import json
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_bench_writes_well_formed_results(tmp_path):
    out = tmp_path / 'results.json'
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'scripts', 'bench.py'), '--devices', '3',
         '--slow-devices', '1', '--latency-ms', '0', '--forks', '5',
         '--subnet', '127.241.0.0/16', '--out', str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    summary = json.loads(out.read_text())
    with open(os.path.join(ROOT, 'bench', 'job.yml')) as f:
        job = yaml.safe_load(f)
    assert (summary['devices'], summary['slow_devices'], summary['latency_ms']) == (3, 1, 0)
    assert summary['machine']['nproc'] >= 1 and summary['machine']['cpu']
    runs = summary['contestants']
    assert set(runs) == {'floor', 'floor_converged', 'harden', 'harden_converged', 'harden_fleet',
                         'harden_fleet_converged', 'floor_slow', 'harden_slow', 'harden_fleet_slow',
                         'ansible_noop', 'uri_playbook', 'harden_module'}
    for name, r in runs.items():
        assert r['devices'] == (1 if name in ('floor_slow', 'harden_slow', 'harden_fleet_slow',
                                              'ansible_noop', 'uri_playbook', 'harden_module')
                                else 3), name
        assert len(r['load_average_1m']) == 2, name
        assert r['wall_s'] > 0 and r['cpu_s'] > 0, name
        assert r['not_converged'] == 0, name
        if name != 'ansible_noop':
            assert set(r['vs_floor']) == {'wall', 'cpu'}, name
    changed = len(job['writes'])
    # The floor sends exactly the job: every document read once, each drifted one written once.
    floor = runs['floor']['per_device']
    assert floor == {'requests': len(job['reads']) + 2 * changed, 'challenges': 1,
                     'writes': changed}
    assert runs['floor_converged']['per_device']['writes'] == 0
    assert runs['floor']['vs_floor'] == {'wall': 1.0, 'cpu': 1.0}
    # The uri playbook sends the floor's requests, each one challenged (urllib keeps no nonce).
    uri = runs['uri_playbook']['per_device']
    assert uri['requests'] == floor['requests'] and uri['challenges'] == uri['requests']
    # The collection writes on the drifted fleet only; converged it sends GETs only.
    for name in ('harden', 'harden_slow', 'harden_module', 'harden_fleet', 'harden_fleet_slow'):
        assert runs[name]['per_device']['writes'] >= changed, name
    assert runs['harden_converged']['per_device']['writes'] == 0
    assert runs['harden_fleet_converged']['per_device']['writes'] == 0
    # One Digest handshake per device for the whole baseline, in either mode.
    for name in ('harden', 'harden_converged', 'harden_fleet', 'harden_fleet_converged'):
        assert runs[name]['per_device']['challenges'] == 1, name
    # Each target of issue 14 is stated with its measured value, for both modes.
    assert summary['targets']['fleet']['converged_writes_per_device'] == 0
    assert summary['targets']['per_host']['wall_vs_floor'] == runs['harden']['vs_floor']['wall']
    assert summary['targets']['limits']['cpu_s_per_task_per_host'] == 0.03
    assert summary['machine']['load_average_1m_at_start'] >= 0
    # Ansible's own floor talks to no device.
    assert runs['ansible_noop']['per_device'] == {'requests': 0, 'challenges': 0, 'writes': 0}
    # harden.yml: 1 task per host (the converge); ansible_noop: 12 set_facts
    for name in ('harden', 'harden_converged', 'harden_fleet', 'harden_module', 'ansible_noop'):
        tasks = 12 if name == 'ansible_noop' else 1
        assert runs[name]['cpu_s_per_task_per_host'] == round(
            runs[name]['cpu_s'] / (tasks * runs[name]['devices']), 4), name
    per_host = summary['targets']['per_host']
    assert per_host['cpu_s_per_area_task_per_host'] == round(per_host['cpu_s_per_task_per_host'] / 12, 4)
    assert isinstance(summary['isapi_task_cpu_s_beyond_ansible'], float)
    assert 'harden_converged' in proc.stdout and 'vs floor' in proc.stdout
