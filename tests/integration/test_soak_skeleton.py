"""`make soak` skeleton on a tiny fleet: faults go in, the run without faults converges all.

Scaled timing and no timeout faults keep it short; the soak itself runs 500 devices.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_soak_reports_faults_and_converges_without_them():
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'scripts', 'soak.py'), '--devices', '4', '--runs', '1',
         '--fault-share', '0.5', '--timing', 'scaled', '--time-scale', '0.02', '--faults', 'drop,busy,refuse,reboot',
         '--seed', '7', '--forks', '4', '--subnet', '127.244.0.0/16'],
        cwd=ROOT, capture_output=True, text=True, timeout=280)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('{')]
    assert [r['run'] for r in rows] == [1, 2]
    assert rows[0]['faults_injected'] == 2 and rows[1]['faults_injected'] == 0
    assert len(rows[0]['fault_kinds']) == 2 and rows[1]['fault_kinds'] == []
    last = rows[1]
    assert last['playbook_rc'] == 0 and last['converged'] == 4
    assert last['unknown_password'] == [] and last['unknown_address'] == []
    assert last['not_back_online'] == []
    for row in rows:
        # harden.yml changes no password: a fault must never cost a failed login
        assert row['failed_logins_max_per_device'] == 0, row
