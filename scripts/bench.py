#!/usr/bin/env python3
"""`make bench`: the collection against a hand-written uri playbook and the plain-Python floor.

Starts one emulated fleet (N devices, a per-request latency) and runs each contestant of
CONTESTANTS in turn on the same fleet state: a contestant that starts from the drifted fleet
first provisions its devices back to the fleet file's defaults. The job is bench/job.yml. For
each it records wall seconds, controller CPU seconds (user+system of the finished child
processes: ansible-playbook and every worker it forked) and the requests each device counted
(emulator control API); after a converging run, bench/floor.py --check proves the fleet
converged. The slow contestants (uri playbook, modules shipped per task) run on the first
--slow-devices devices, next to the floor and the collection on the same subset: every ratio
compares runs on the same devices. Writes bench/results.json and prints a table. Only ratios
from one run on one machine compare; absolute seconds depend on the machine's load.
"""
import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')
sys.path.insert(0, ROOT)
sys.path.insert(0, BENCH)

import floor  # noqa: E402
from emulator.testing import RunningFleet  # noqa: E402

# Fleet mode of the baseline role: one task converges the batch (camfleet.hikvision.harden, fleet).
FLEET = {'baseline_fleet': True}
# name: (what runs, device set, start from the drifted fleet, extra environment, extra vars)
CONTESTANTS = {
    'floor': ('floor', 'all', True, {}, {}),
    'floor_converged': ('floor', 'all', False, {}, {}),
    'harden': ('harden', 'all', True, {}, {}),
    'harden_converged': ('harden', 'all', False, {}, {}),
    'harden_fleet': ('harden', 'all', True, {}, FLEET),
    'harden_fleet_converged': ('harden', 'all', False, {}, FLEET),
    'floor_slow': ('floor', 'slow', True, {}, {}),
    'harden_slow': ('harden', 'slow', True, {}, {}),
    'harden_fleet_slow': ('harden', 'slow', True, {}, FLEET),
    'ansible_noop': ('noop', 'slow', False, {}, {}),
    'uri_playbook': ('uri', 'slow', True, {}, {}),
    'harden_module': ('harden', 'slow', True, {'CAMFLEET_FORCE_MODULE': '1'}, {}),
}
PLAYBOOKS = {'harden': os.path.join(ROOT, 'playbooks', 'harden.yml'),
             'uri': os.path.join(BENCH, 'uri_harden.yml'),
             'noop': os.path.join(BENCH, 'ansible_noop.yml')}
# Tasks each host goes through: harden.yml runs 1 per host (the role's converge entry point, one
# camfleet.hikvision.harden task that also makes the role's argument check; in fleet mode one
# task for the whole batch, still counted once per host); its other tasks run once per batch.
# ansible_noop.yml has 12 set_facts (harden.yml's task count when it ran a task per area plus
# the argument check and the report), to measure Ansible's own cost of a task per host. The uri
# playbook's loops make a per-task figure meaningless for it.
TASKS_PER_HOST = {'harden': 1, 'noop': 12}
# The tasks one harden task does the work of (10 areas, the argument check, the report).
AREA_TASKS = 12
ISAPI_TASKS_PER_HOST = 1
# Each contestant's floor: the floor's run on the same devices from the same start.
FLOOR_OF = {('all', True): 'floor', ('all', False): 'floor_converged', ('slow', True): 'floor_slow'}


def command(what, fleet, names, forks, job, extra_vars=None):
    bin_dir = os.path.dirname(sys.executable)
    if what == 'floor':
        return [sys.executable, os.path.join(BENCH, 'floor.py'), fleet.fleet_json_path,
                '--workers', str(forks), '--limit', ','.join(names)]
    return [os.path.join(bin_dir, 'ansible-playbook'), '-i', fleet.inventory_path,
            '--vault-password-file', fleet.vault_pass_path, '--limit', ','.join(names),
            '-f', str(forks), '-e', json.dumps(dict(job['harden_vars'], **(extra_vars or {}))),
            PLAYBOOKS[what]]


def timed(cmd, env):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-4000:] + proc.stderr[-4000:])
        raise SystemExit('bench: %s failed (rc %d)' % (cmd[1], proc.returncode))
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return wall, cpu


def on_each(fn, names):
    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(fn, names))


def per_device(counters):
    """Mean requests per device: authenticated (or needing none), challenges (401), writes."""
    n = len(counters)
    return {'requests': round(sum(sum(c['requests'].values()) for c in counters) / n, 2),
            'challenges': round(sum(c['unauthorized'] for c in counters) / n, 2),
            'writes': round(sum(c['writes'] for c in counters) / n, 2)}


def run_contestant(name, fleet, sets, job, forks):
    what, which, drifted, extra_env, extra_vars = CONTESTANTS[name]
    names = sets[which]
    ctl = fleet.control
    if drifted:
        on_each(lambda n: ctl.provision(n, password=fleet.devices[n]['password']), names)
        if not any(floor.run(fleet.fleet_doc, job, set(names[:1]), check=True).values()):
            raise SystemExit('bench: provisioning did not bring the drift back')
    on_each(ctl.reset_counters, names)
    load_before = os.getloadavg()[0]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'),
               ANSIBLE_HOST_KEY_CHECKING='false', **extra_env)
    wall, cpu = timed(command(what, fleet, names, forks, job, extra_vars), env)
    counted = per_device(on_each(ctl.counters, names))
    pending = [] if what == 'noop' else [
        n for n, p in floor.run(fleet.fleet_doc, job, set(names), check=True).items() if p]
    total = (counted['requests'] + counted['challenges']) * len(names)
    return {'devices': len(names), 'drifted_start': drifted, 'wall_s': round(wall, 2),
            'cpu_s': round(cpu, 2), 'per_device': counted,
            'requests_per_s': round(total / wall, 1), 'not_converged': len(pending),
            # other jobs on the machine inflate wall and CPU alike: say how loaded it was
            'load_average_1m': [round(load_before, 2), round(os.getloadavg()[0], 2)]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--devices', type=int, default=int(os.environ.get('BENCH_DEVICES', 200)))
    parser.add_argument('--slow-devices', type=int,
                        default=int(os.environ.get('BENCH_SLOW_DEVICES', 40)),
                        help='devices the slow contestants (uri playbook, modules) run on')
    parser.add_argument('--latency-ms', type=int, default=int(os.environ.get('BENCH_LATENCY_MS', 20)))
    parser.add_argument('--forks', type=int, default=int(os.environ.get('BENCH_FORKS', 50)))
    parser.add_argument('--subnet', default='127.240.0.0/16')
    parser.add_argument('--only', help='comma-separated contestants (default: all of them)')
    parser.add_argument('--out', default=os.path.join(BENCH, 'results.json'))
    args = parser.parse_args()
    with open(os.path.join(BENCH, 'job.yml')) as f:
        job = yaml.safe_load(f)
    chosen = args.only.split(',') if args.only else list(CONTESTANTS)
    unknown = set(chosen) - set(CONTESTANTS)
    if unknown:
        raise SystemExit('bench: unknown contestants %s; known: %s' % (
            ', '.join(sorted(unknown)), ', '.join(CONTESTANTS)))
    load_at_start = os.getloadavg()[0]
    work = tempfile.mkdtemp(prefix='camfleet-bench-')
    spec = {'subnet': args.subnet, 'control_port': 0,
            'defaults': {'latency_ms': args.latency_ms},
            'sites': [{'name': 'lab', 'devices': [{'name': 'cam%04d' % i}
                                                  for i in range(1, args.devices + 1)]}]}
    results = {}
    with RunningFleet(spec, out_dir=os.path.join(work, 'fleet'),
                      startup_timeout=60 + args.devices / 10) as fleet:
        everyone = sorted(fleet.devices)
        sets = {'all': everyone, 'slow': everyone[:args.slow_devices]}
        for name in chosen:
            results[name] = run_contestant(name, fleet, sets, job, args.forks)
            print('bench: %-17s done in %.1f s' % (name, results[name]['wall_s']), flush=True)
    for name, r in results.items():
        what, which, drifted, _env, _vars = CONTESTANTS[name]
        base = results.get(FLOOR_OF.get((which, drifted)))
        if base:
            r['vs_floor'] = {'wall': round(r['wall_s'] / max(base['wall_s'], 0.01), 2),
                             'cpu': round(r['cpu_s'] / max(base['cpu_s'], 0.01), 2)}
        if what in TASKS_PER_HOST:
            r['cpu_s_per_task_per_host'] = round(
                r['cpu_s'] / (TASKS_PER_HOST[what] * r['devices']), 4)
    summary = {
        'devices': args.devices, 'slow_devices': min(args.slow_devices, args.devices),
        'latency_ms': args.latency_ms, 'forks': args.forks,
        'machine': {'nproc': os.cpu_count(), 'cpu': cpu_model(), 'python': platform.python_version(),
                    'load_average_1m_at_start': round(load_at_start, 2),
                    'load_average_1m_at_end': round(os.getloadavg()[0], 2)},
        'tasks_per_host': TASKS_PER_HOST, 'isapi_tasks_per_host': ISAPI_TASKS_PER_HOST,
        'contestants': results,
    }
    if 'harden_slow' in results and 'ansible_noop' in results:
        # What the task that talks ISAPI costs beyond Ansible's own cost of a task, per host:
        # harden.yml's CPU less what its tasks would cost as set_facts.
        slow = results['harden_slow']
        ansible = results['ansible_noop']['cpu_s_per_task_per_host'] * TASKS_PER_HOST['harden']
        summary['isapi_task_cpu_s_beyond_ansible'] = round(
            (slow['cpu_s'] / slow['devices'] - ansible) / ISAPI_TASKS_PER_HOST, 4)
    summary['targets'] = targets(results, args.devices)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(summary, f, indent=2)
        f.write('\n')
    print_table(summary, args.out)


def targets(results, devices):
    """Issue 14's targets, each as measured in this run (None where a contestant did not run)."""
    def get(name, *keys):
        value = results.get(name)
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    def ratio(a, b):
        return round(a / b, 2) if a is not None and b else None

    out = {}
    for mode, run, converged, slow in (('per_host', 'harden', 'harden_converged', 'harden_slow'),
                                       ('fleet', 'harden_fleet', 'harden_fleet_converged',
                                        'harden_fleet_slow')):
        per_task = max(filter(None, [get(run, 'cpu_s_per_task_per_host'),
                                     get(converged, 'cpu_s_per_task_per_host')]), default=None)
        out[mode] = {
            'cpu_s_per_task_per_host': per_task,
            # the same CPU spread over the 12 tasks the one harden task replaces
            'cpu_s_per_area_task_per_host': round(per_task / AREA_TASKS, 4) if per_task else None,
            'wall_vs_floor': get(run, 'vs_floor', 'wall'),
            'converge_wall_s': get(run, 'wall_s'),
            'converged_writes_per_device': get(converged, 'per_device', 'writes'),
            'converged_vs_converge_wall': ratio(get(converged, 'wall_s'), get(run, 'wall_s')),
            'uri_playbook_vs_this_wall': ratio(get('uri_playbook', 'wall_s'), get(slow, 'wall_s')),
        }
    out['limits'] = {'cpu_s_per_task_per_host': 0.03, 'wall_vs_floor': 2.0,
                     'converge_wall_s': 300 if devices >= 1000 else None,
                     'converged_vs_converge_wall': 0.5, 'uri_playbook_vs_this_wall': 10.0,
                     'emulator_requests_per_s': 500}
    out['emulator_requests_per_s'] = get('floor', 'requests_per_s')
    return out


def cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            return next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
    except (OSError, StopIteration):
        return platform.processor() or 'unknown'


def print_table(summary, path):
    print('%(devices)d devices (slow contestants on %(slow_devices)d), latency %(latency_ms)d ms, '
          'forks %(forks)d' % summary)
    print('%-17s %4s %8s %8s %7s %7s %6s %8s %10s' % (
        'contestant', 'devs', 'wall s', 'cpu s', 'req/dev', '401/dev', 'writes', 'req/s', 'vs floor'))
    for name, r in summary['contestants'].items():
        d, vs = r['per_device'], r.get('vs_floor')
        print('%-17s %4d %8.1f %8.1f %7.1f %7.1f %6.1f %8.0f %10s' % (
            name, r['devices'], r['wall_s'], r['cpu_s'], d['requests'], d['challenges'],
            d['writes'], r['requests_per_s'], 'x%.1f/x%.1f' % (vs['wall'], vs['cpu']) if vs else '-'))
    print('(vs floor: wall/cpu ratios to the floor on the same devices)  -> %s' % path)


if __name__ == '__main__':
    main()
