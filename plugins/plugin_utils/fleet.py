# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet mode of an in-process action: one task converges every host of the play's batch.

ansible-core forks a worker per task per host and pays about 0.02 CPU-seconds for it before any
work is done (docs/developer/design.md, §3); on a fleet that is most of the run. A ``run_once``
task whose action converges the batch's hosts itself, with a thread pool in its one worker, pays
that once. What keeps it equivalent to one task per host:

* each host's options are the task's own, templated again with that host's variables (the ones
  a task on that host would see: inventory, group and host vars, role defaults, play and task
  vars), so addresses, credentials (vault, credential store lookups) and per-site settings are
  each host's own;
* each host runs through ``run_in_process`` as the per-host task does (argument validation,
  check mode, diff, no_log values of that host stripped from that host's result);
* the task never fails for one host: each host's result, failure included, is in ``hosts``, and
  the caller turns it into that host's own failure with a cheap per-host task.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import contextlib
import os
import pickle
from concurrent.futures import ThreadPoolExecutor

from ansible.errors import AnsibleError
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.parsing.mod_args import ModuleArgsParser

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_in_process
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.rolevars import role_variable_errors

LOCAL = ('local', 'ansible.builtin.local', 'ansible.legacy.local')
# The options that steer fleet mode itself, never passed on to a host's run.
FLEET_OPTIONS = ('fleet', 'fleet_workers', 'fleet_processes')


def refuse_unless_possible(action):
    """Why fleet mode cannot run this task (an AnsibleError), before anything is templated."""
    task = action._task
    name = task.resolved_action
    if not task.run_once:
        raise AnsibleError('%s: fleet: true needs run_once: true on the task (it converges the '
                           'whole batch from one host\'s task)' % name)
    if task.async_val:
        raise AnsibleError('%s: fleet: true cannot run async' % name)
    if task.delegate_to:
        raise AnsibleError('%s: fleet: true runs every host\'s work on the controller; it cannot '
                           'be delegated (drop delegate_to, or run without fleet)' % name)
    if not action._runs_on_controller():
        raise AnsibleError('%s: fleet: true needs the in-process path on the controller '
                           '(connection local, CAMFLEET_FORCE_MODULE unset)' % name)


def raw_args(task):
    """The task's options as written, before Ansible templated them for the first host."""
    ds = getattr(task, '_ds', None)
    if not isinstance(ds, dict):
        raise AnsibleError('%s: fleet: true cannot find the task\'s options as written'
                           % task.resolved_action)
    dummy_action, args, dummy_delegate = ModuleArgsParser(
        task_ds=ds, collection_list=task.collections).parse()
    return args


def host_args(action, raw, host_name, task_vars):
    """The task's options templated with ``host_name``'s own variables; AnsibleError when that
    host cannot run in this task."""
    task = action._task
    manager = task.get_variable_manager()
    # VariableManager keeps the inventory it was made with; no public accessor exists.
    host = manager._inventory.get_host(host_name)
    if host is None:
        raise AnsibleError('not in the inventory')
    variables = manager.get_vars(play=task.get_play(), host=host, task=task,
                                 _hosts=task_vars.get('ansible_play_hosts'),
                                 _hosts_all=task_vars.get('ansible_play_hosts_all'))
    # One templar for the batch (a copy per host would build a Jinja environment per host).
    templar = _templar_for(action)
    templar.available_variables = variables
    connection = templar.template(variables.get('ansible_connection', 'local'))
    if connection not in LOCAL:
        raise AnsibleError('uses connection %s; fleet: true converges only hosts whose task runs '
                           'on the controller (connection local)' % connection)
    args = templar.template(raw)
    for key in FLEET_OPTIONS:
        args.pop(key, None)
    if boolean(args.get('check_role_variables', False), strict=False):
        errors = role_variable_errors(task, variables, templar)
        if errors:
            raise AnsibleError('; '.join(errors))
    return args


def _templar_for(action):
    templar = getattr(action, '_fleet_templar', None)
    if templar is None:
        templar = action._fleet_templar = action._templar.copy_with_new_env()
    return templar


def run_fleet(action, spec, task_vars, workers, processes=0):
    """Every host of the batch converged through ``spec``; the task's result."""
    task = action._task
    raw = raw_args(task)
    first = dict(task.args)
    hosts = list(task_vars.get('ansible_play_batch') or [task_vars.get('inventory_hostname')])
    check, diff = bool(task.check_mode), bool(task.diff)
    shares = _shares(hosts, _process_count(processes, len(hosts)))
    threads = max(1, -(-workers // max(1, len(shares))))

    def converge(share):
        # Templating a host's options (its variables, lookups) is most of a share's Python
        # work besides the devices' own, so each process templates its own share.
        prepared, results = {}, {}
        with compile_cache():
            for name in share:
                prepare(action, raw, name, task_vars, first, prepared, results)

        def one(name):
            return name, run_in_process(spec, prepared[name], check_mode=check, diff=diff,
                                        name=name)
        with ThreadPoolExecutor(max(1, min(threads, len(prepared) or 1))) as pool:
            results.update(pool.map(one, list(prepared)))
        return results

    return summarise(hosts, _in_processes(shares, converge), diff)


# Below this many hosts a process of its own costs more than it saves.
HOSTS_PER_PROCESS = 10
LOST = ('the controller process converging this device ended without a result, so what it '
        'changed is unknown; run again (each area converges from what the device reports)')


def _process_count(wanted, hosts):
    if wanted and wanted > 0:
        return max(1, min(wanted, hosts))
    return max(1, min(os.cpu_count() or 1, hosts // HOSTS_PER_PROCESS))


def _shares(names, count):
    return [share for share in (names[i::count] for i in range(count)) if share]


def _in_processes(shares, converge):
    """converge(share) for each share, the first in this process and each other one in a child
    forked from it: the work is Python (Digest, XML, TLS) under one GIL, so one process uses one
    core. A child inherits the hosts' templated options and sends back only their results
    (pickled over a pipe); it runs nothing of Ansible's and leaves with os._exit."""
    children = []
    for share in shares[1:]:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            try:
                data = pickle.dumps(converge(share))
            except BaseException:  # noqa: B036 - a child must never return into Ansible
                data = pickle.dumps({})
            with os.fdopen(write_end, 'wb') as pipe:
                pipe.write(data)
            os._exit(0)
        os.close(write_end)
        children.append((pid, read_end, share))
    results = converge(shares[0]) if shares else {}
    for pid, read_end, share in children:
        with os.fdopen(read_end, 'rb') as pipe:
            data = pipe.read()
        os.waitpid(pid, 0)
        try:
            got = pickle.loads(data)
        except Exception:
            got = {}
        for name in share:
            results[name] = got.get(name) or {'failed': True, 'changed': False, 'msg': LOST}
    return results


def prepare(action, raw, name, task_vars, first, prepared, results):
    """One host's options into ``prepared``, or its failure into ``results``."""
    try:
        args = host_args(action, raw, name, task_vars)
        if name == task_vars.get('inventory_hostname'):
            defaulted = sorted(set(first) - set(args) - set(FLEET_OPTIONS))
            if defaulted:
                # module_defaults are merged after templating; they cannot be re-templated per
                # host, and silently using the first host's would be wrong for the rest.
                raise AnsibleError('fleet: true cannot take %s from module_defaults; give them '
                                   'on the task' % ', '.join(defaulted))
        prepared[name] = action._prepare_args(args, task_vars)
    except AnsibleError as exc:
        results[name] = {'failed': True, 'changed': False,
                         'msg': '%s: %s' % (name, getattr(exc, 'message', None) or exc)}


@contextlib.contextmanager
def compile_cache():
    """Compile each template once for the whole batch instead of once per host.

    ansible-core compiles a template every time it renders one (no cache as of 2.21), which is
    most of what templating a task's options costs: about 30 templates per host for the baseline
    role, some 60 % of this task's templating CPU (measured on 100 hosts: 5.8 s without the cache,
    2.3 s with it). The batch renders the same sources with one templar, so a compiled template is
    reused with each host's variables, which is what compiling it again would give. Only while
    this task's worker templates its hosts (one thread, one process that exits after the task);
    on an ansible-core without these internals nothing is cached and nothing else changes."""
    try:
        from ansible._internal._templating import _jinja_bits
        environment = _jinja_bits.AnsibleEnvironment
        compile_context = _jinja_bits._TemplateCompileContext
        original = environment.from_string
    except (ImportError, AttributeError):
        yield
        return
    compiled = {}

    def from_string(self, source, *args, **kwargs):
        if args or kwargs or not isinstance(source, str):
            return original(self, source, *args, **kwargs)
        context = compile_context.current(optional=True)
        key = (id(self), str(source), getattr(context, 'escape_backslashes', None))
        template = compiled.get(key)
        if template is None:
            template = compiled[key] = original(self, source)
        return template

    environment.from_string = from_string
    try:
        yield
    finally:
        environment.from_string = original


def summarise(hosts, results, diff):
    ordered = dict((name, results[name]) for name in hosts)
    failed = [name for name, r in ordered.items() if r.get('failed')]
    changed = [name for name, r in ordered.items() if r.get('changed')]
    outcome = {
        'changed': bool(changed), 'hosts': ordered, 'failed_hosts': failed,
        'msg': '%d host(s): %d changed, %d failed%s' % (
            len(hosts), len(changed), len(failed), (' (%s)' % ', '.join(failed)) if failed else ''),
    }
    warnings = ['%s: %s' % (name, w) for name, r in ordered.items() for w in r.get('warnings') or []]
    if warnings:
        outcome['warnings'] = warnings
    if diff:
        diffs = []
        for name, r in ordered.items():
            for d in r.get('diff') or []:
                diffs.append(dict(d, before_header='%s: %s' % (name, d.get('before_header', '')),
                                  after_header='%s: %s' % (name, d.get('after_header', ''))))
        if diffs:
            outcome['diff'] = diffs
    return outcome
