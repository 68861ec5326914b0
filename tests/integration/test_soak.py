"""`make soak` in small: six cameras, two runs of rotate_credentials.yml + harden.yml with 30% of
requests hit by random faults, then one without (scripts/soak.py; the soak itself runs 500
devices with realistic timing). Scaled timing and a 3 s client timeout keep it short.

The invariants are the soak's: no password the store does not hold and no moved address after
any run, at most one failed login per device per run (only admin is rotated), the faults counted
by the emulator, and the run without faults rotating and converging every device.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEVICES = 6


def test_soak_under_random_faults_loses_nothing_and_converges_without_them(tmp_path):
    out = tmp_path / 'soak.json'
    proc = subprocess.run(
        [sys.executable, os.path.join(ROOT, 'scripts', 'soak.py'), '--devices', str(DEVICES),
         '--runs', '2', '--fault-rate', '0.3', '--timing', 'scaled', '--time-scale', '0.02',
         '--timeout', '3', '--seed', '7', '--forks', str(DEVICES), '--subnet', '127.244.0.0/16',
         '--out', str(out), '--work', str(tmp_path / 'work')],
        cwd=ROOT, capture_output=True, text=True, timeout=560)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    assert 'soak: lost nothing' in proc.stdout
    result = json.loads(out.read_text())
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith('{')]
    assert rows == result['runs'] and [r['run'] for r in rows] == [1, 2, 3]
    assert result['lost_nothing'] is True and result['problems'] == []
    assert set(result['machine']) >= {'nproc', 'cpu', 'python', 'ansible_core'}
    for row in rows:
        assert row['unknown_password'] == [] and row['unknown_address'] == [], row
        assert row['failed_logins_over_budget'] == [], row
        assert set(row['failed_logins_per_device']) <= {'0', '1'}, row
        assert row['not_back_online'] == [] and row['rotate']['broken'] == [] and row['harden']['broken'] == []
        # every device is on the store's current password or (a change unsettled) its pending one
        assert row['passwords_verified'] + len(row['passwords_pending']) == DEVICES
    for row in rows[:2]:
        # the faults went in, counted by the emulator, at about the rate asked for
        assert row['faults'] is True and row['faults_injected'] == sum(row['faults_by_kind'].values()) > 0
        assert 0.15 <= row['fault_share'] <= 0.45, row
    kinds = set().union(*(r['faults_by_kind'] for r in rows[:2]))
    assert len(kinds) >= 3, kinds
    last = rows[2]
    assert last['faults'] is False and last['faults_injected'] == 0 and last['requests'] == 0
    assert last['rotate']['rc'] == 0 and last['harden']['rc'] == 0
    assert last['converged'] == DEVICES and last['passwords_verified'] == DEVICES
    assert last['rotated'] == DEVICES and last['passwords_pending'] == []
    # a rotation costs exactly its one deliberate refused login (the old password)
    assert last['failed_logins_per_device'] == {'1': DEVICES}
