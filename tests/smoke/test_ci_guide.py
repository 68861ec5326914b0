"""The CI job of the guide "Testing your own playbooks with the emulator", run as written: its
fleet file and the GitLab job's script lines (all but the two that install from the network,
which the checkout stands in for). The job must pass for an idempotent playbook and fail for one
whose second run changes something."""
import os
import re
import signal
import stat
import subprocess
import sys

import yaml

from .conftest import ROOT
from .fleetlock import fleet_lock

GUIDE = os.path.join(ROOT, 'docs', 'docsite', 'rst', 'guide_testing_with_emulator.rst')
INSTALL = ('pip install ', 'ansible-galaxy collection install ')

IDEMPOTENT = '''
- hosts: all
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      port: "{{ isapi_port }}"
      password: "{{ isapi_password }}"
      ca_path: "{{ isapi_ca_path }}"
  tasks:
    - camfleet.hikvision.activate:
    - camfleet.hikvision.time: {timezone: "UTC+02:00"}
'''

NOT_IDEMPOTENT = IDEMPOTENT + '''    - camfleet.hikvision.reboot:
      when: "'cam' in inventory_hostname"
'''


def guide_blocks():
    with open(GUIDE) as f:
        text = f.read()
    section = text.split('Test your playbooks in CI\n-------------------------\n', 1)[1]
    section = section.split('\nCheck what the devices really hold\n', 1)[0]
    blocks = re.findall(r'\.\. code-block:: yaml\n\n((?:   .*\n|\n)+)', section)
    return [yaml.safe_load('\n'.join(line[3:] for line in b.splitlines())) for b in blocks]


def run_gitlab_job(tmp_path, tmp_path_factory, playbook):
    with fleet_lock(tmp_path_factory, 'ci-guide-fleet'):
        return _run_gitlab_job(tmp_path, playbook)


def _run_gitlab_job(tmp_path, playbook):
    fleet, github, gitlab = guide_blocks()
    assert github['jobs']['emulated-fleet']['steps'][0]['uses'].startswith('actions/checkout')
    script = gitlab['playbooks']['script']
    assert [line for line in script if line.startswith(INSTALL)] and script[0] == 'set -o pipefail'
    work = tmp_path / 'repo'
    (work / 'ci').mkdir(parents=True)
    (work / 'ci' / 'fleet.yml').write_text(yaml.safe_dump(fleet))
    (work / 'site.yml').write_text(playbook)
    # camfleet-emulator as `pip install` would provide it, from the checkout
    bindir = tmp_path / 'bin'
    bindir.mkdir()
    shim = bindir / 'camfleet-emulator'
    shim.write_text('#!/bin/sh\nPYTHONPATH=%s exec %s -m emulator "$@"\n' % (ROOT, sys.executable))
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(('ANSIBLE_', 'CAMFLEET_')))
    env.update(PATH=os.pathsep.join([str(bindir), os.path.dirname(sys.executable), env['PATH']]),
               ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.collections'), ANSIBLE_NOCOLOR='1')
    body = '\n'.join(line for line in script if not line.startswith(INSTALL))
    # GitLab stops a job at its first failing line (bash -e). The job's shell and the emulator it
    # started in the background end with the job; here the test ends them (one process group).
    job = subprocess.Popen(['bash', '-e', '-c', body], cwd=str(work), env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           start_new_session=True)
    try:
        out, _ = job.communicate(timeout=600)
    finally:
        try:
            os.killpg(job.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    proc = subprocess.CompletedProcess(job.args, job.returncode, out, '')
    return proc, work


def test_job_passes_for_an_idempotent_playbook(tmp_path, tmp_path_factory):
    proc, work = run_gitlab_job(tmp_path, tmp_path_factory, IDEMPOTENT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    second = (work / 'second-run.log').read_text()
    assert re.findall(r' changed=(\d+)', second) == ['0'] * 3
    assert (work / 'fleet' / 'fleet.json').exists()


def test_job_fails_when_the_second_run_changes_something(tmp_path, tmp_path_factory):
    proc, work = run_gitlab_job(tmp_path, tmp_path_factory, NOT_IDEMPOTENT)
    assert proc.returncode != 0
    second = (work / 'second-run.log').read_text()
    assert re.search(r'depot-cam1\s+: ok=\d+\s+changed=1', second), second
