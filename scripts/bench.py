#!/usr/bin/env python3
"""`make bench`: what running module logic in-process saves, measured as ratios in one run.

Starts an emulated fleet, then runs the same playbook (device_info + an idempotent user task per
device) twice: through the action plugins in the controller's worker (the default) and with
CAMFLEET_FORCE_MODULE=1, which ships the module per task as a delegated run would. Reports wall
time and controller CPU (children's user+system) of each and their ratio, and writes
build/bench/summary.json. Ratios from one run on one machine compare; absolute seconds do not.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from emulator.testing import RunningFleet  # noqa: E402

PLAYBOOK = '''
- hosts: all
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      port: "{{ isapi_port }}"
      password: "{{ isapi_password }}"
      ca_path: "{{ isapi_ca_path }}"
  tasks:
    - camfleet.hikvision.device_info:
    - camfleet.hikvision.user:
        name: admin
        update_password: on_create
'''


def run(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-3000:] + proc.stderr[-3000:])
        raise SystemExit('bench: the playbook failed (rc %d)' % proc.returncode)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {'wall_s': round(wall, 2), 'cpu_s': round(cpu, 2)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--devices', type=int, default=int(os.environ.get('BENCH_DEVICES', 40)))
    parser.add_argument('--forks', type=int, default=20)
    parser.add_argument('--out', default=os.path.join(ROOT, 'build', 'bench'))
    parser.add_argument('--timing', choices=('scaled', 'realistic'), default='scaled',
                        help="the emulator's timing mode: realistic gives real reboot, upgrade and "
                             "lock durations (emulator/README.md)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix='camfleet-bench-')
    play = os.path.join(work, 'bench.yml')
    with open(play, 'w') as f:
        f.write(PLAYBOOK)
    with RunningFleet(devices=args.devices, out_dir=os.path.join(work, 'fleet'),
                      subnet='127.240.0.0/16', extra_args=['--timing', args.timing]) as fleet:
        base_env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
                        ANSIBLE_FORKS=str(args.forks), ANSIBLE_HOST_KEY_CHECKING='false')
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i',
               fleet.inventory_path, '--vault-password-file', fleet.vault_pass_path, play]
        tasks = args.devices * 2
        results = {'in_process': run(cmd, base_env),
                   'module': run(cmd, dict(base_env, CAMFLEET_FORCE_MODULE='1'))}
    summary = {
        'devices': args.devices, 'task_executions': tasks, 'forks': args.forks,
        'timing': args.timing,
        'results': results,
        'ratio_module_over_in_process': {
            'wall': round(results['module']['wall_s'] / results['in_process']['wall_s'], 2),
            'cpu': round(results['module']['cpu_s'] / max(results['in_process']['cpu_s'], 0.01), 2)},
        'cpu_s_per_task': {k: round(v['cpu_s'] / tasks, 3) for k, v in results.items()},
    }
    path = os.path.join(args.out, 'summary.json')
    with open(path, 'w') as f:
        json.dump(summary, f, indent=2)
    print('%d devices, %d task executions, forks %d' % (args.devices, tasks, args.forks))
    for name, r in results.items():
        print('  %-10s wall %6.1f s  cpu %6.1f s  (%.3f cpu-s/task)' % (
            name, r['wall_s'], r['cpu_s'], summary['cpu_s_per_task'][name]))
    print('  module / in-process: wall x%.1f, cpu x%.1f   -> %s' % (
        summary['ratio_module_over_in_process']['wall'],
        summary['ratio_module_over_in_process']['cpu'], path))


if __name__ == '__main__':
    main()
