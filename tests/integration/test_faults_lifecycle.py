"""The fault suite for the lifecycle steps that do not change a credential: network change,
firmware upgrade, configuration restore, factory reset and reboot, each under each fault the
emulator injects (emulator/control.py):

  latency past the task's timeout, refused connections, 503 deviceBusy for K requests, a write
  applied but its answer dropped, a reboot in the middle of the task, a locked client.

For every pair the promise is the same:
  * no device ends with an unknown password or address: the password is still the one the task
    used (checked by the emulator, not by a login), and the device is at its old address, or at
    the new one and the task's result or message names that address;
  * a failure message names the device and the fault in plain words;
  * no login fails (the emulator's failed-login counter stays 0: the faults are not credential
    faults, so none may cost a login attempt);
  * one re-run, after the fault is gone, completes the work.

The fleet runs at time_scale 0.01 (a 60 s reboot takes 0.6 s); timeouts are short so the suite
stays fast.
"""
import copy
import time

import pytest

from emulator import firmware_image

from ansible_collections.camfleet.hikvision.plugins.module_utils import backup
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import Task
from ansible_collections.camfleet.hikvision.plugins.modules.config_restore import SPEC as RESTORE
from ansible_collections.camfleet.hikvision.plugins.modules.factory_reset import SPEC as RESET
from ansible_collections.camfleet.hikvision.plugins.modules.firmware import SPEC as FIRMWARE
from ansible_collections.camfleet.hikvision.plugins.modules.network import SPEC as NETWORK
from ansible_collections.camfleet.hikvision.plugins.modules.reboot import SPEC as REBOOT

from .conftest import run

TIMEOUT = 1  # seconds, the tasks' own timeout
# fault name -> (control API fault, words the failure message must contain, any of them)
FAULTS = {
    'latency': ({'latency_ms': 1600}, ('no answer within', 'got no answer')),
    'refused': ({'refuse_seconds': 30}, ('connection refused', 'cannot talk to', 'no answer')),
    'busy': ({'busy_next': 12}, ('busy',)),
    'busy_briefly': ({'busy_next': 2}, ('busy',)),  # fewer than the client's retries: must pass
    'dropped_answer': ({'drop_response_next': 1}, ('no answer', 'answer was lost', 'closed')),
    'reboot_midway': ({'reboot_after': 2}, ('restart', 'reboot', 'cannot talk to', 'no answer')),
    'locked_client': ({'lock_seconds': 30}, ('locked this client',)),
}


def wait_online(device, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = device.state()
        if state['status'] == 'online':
            return state
        time.sleep(0.05)
    raise AssertionError('%s not online: %s' % (device.name, device.state()['status']))


# -- the steps: (prepare, params for a run at host, done?) ---------------------------------------
class Step(object):
    profile = 'current_camera'
    spec = None

    def prepare(self, device, tmp_path):
        pass

    def params(self, device, host):
        raise NotImplementedError

    def done(self, device):
        raise NotImplementedError

    def run(self, device, host, **extra):
        return run(self.spec, dict(self.params(device, host), **extra))


class NetworkChange(Step):
    spec = NETWORK

    def prepare(self, device, tmp_path):
        parts = device.address.split('.')
        self.new = '.'.join(parts[:2] + ['252', parts[3]])

    def params(self, device, host):
        return device.params(host=host, address=self.new, netmask='16', timeout=TIMEOUT,
                             wait_timeout=15)

    def done(self, device):
        return device.state()['address'] == self.new


class FirmwareUpgrade(Step):
    spec = FIRMWARE

    def prepare(self, device, tmp_path):
        self.src = str(tmp_path / 'digicap.dav')
        firmware_image.write_image(self.src, size=256 * 1024, models=['DS-2CD2*'],
                                   kinds=['camera'], version='V5.7.20', build='build 250101')

    def params(self, device, host):
        return device.params(host=host, src=self.src, version='V5.7.20 build 250101',
                             timeout=TIMEOUT, wait_timeout=20, upload_timeout=10)

    def done(self, device):
        return device.state()['areas']['firmware']['version'] == 'V5.7.20'


class ConfigRestore(Step):
    spec = RESTORE

    def prepare(self, device, tmp_path):
        task = Task(device.params())
        try:
            self.content = backup.export_config(task.client)
            task.client.put('/ISAPI/System/deviceInfo', _named('drifted'))
        finally:
            task.close()
        self.name = wait_online(device)['device_name']

    def params(self, device, host):
        return device.params(host=host, src='unused', timeout=TIMEOUT)

    def run(self, device, host, **extra):
        spec = copy.copy(RESTORE)
        spec.run = lambda task: backup.run_config_restore(task, content=self.content)
        return run(spec, dict(self.params(device, host), **extra))

    def done(self, device):
        return device.state()['device_name'] != 'drifted'


class FactoryReset(Step):
    spec = RESET

    def prepare(self, device, tmp_path):
        task = Task(device.params())
        try:
            task.client.put('/ISAPI/System/deviceInfo', _named('configured'))
        finally:
            task.close()

    def params(self, device, host):
        return device.params(host=host, mode='basic', timeout=TIMEOUT, wait_timeout=15)

    def done(self, device):
        state = device.state()
        return state['device_name'] != 'configured' and any(
            e['event'] == 'factoryReset:basic' for e in state['log'])


class Reboot(Step):
    spec = REBOOT

    def params(self, device, host):
        return device.params(host=host, timeout=TIMEOUT, wait_timeout=15)

    def done(self, device):
        return any(e['event'] == 'reboot' for e in device.state()['log'])


def _named(name):
    from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
    return xmldoc.element('DeviceInfo', {'deviceName': name},
                          ns='http://www.hikvision.com/ver20/XMLSchema')


STEPS = {'network': NetworkChange, 'firmware': FirmwareUpgrade, 'config_restore': ConfigRestore,
         'factory_reset': FactoryReset, 'reboot': Reboot}


@pytest.mark.parametrize('fault', sorted(FAULTS))
@pytest.mark.parametrize('step_name', sorted(STEPS))
def test_lifecycle_step_under_fault(new_device, tmp_path, step_name, fault):
    step = STEPS[step_name]()
    device = new_device(step.profile)
    step.prepare(device, tmp_path)
    device.control.reset_counters(device.name)
    settings, words = FAULTS[fault]
    device.control.faults(device.name, **settings)
    try:
        first = step.run(device, device.address)
    finally:
        device.control.clear_faults(device.name)
    state = wait_online(device)

    # the password is the one the task used: checked by the emulator, no login spent
    assert device.control.check_password(device.name, 'admin', device.password)
    assert device.counters()['failed_logins'] == {}, (first, device.counters())
    # the address is known: unchanged, or named by the task
    if state['address'] != device.address:
        told = first.get('address') == state['address'] or state['address'] in first.get('msg', '')
        assert told, 'device moved to %s unannounced: %s' % (state['address'], first)
    if fault == 'busy_briefly':
        # a busy answer means the device did not take the request: retried, even for a reboot
        assert first.get('failed') is not True, first
    if first.get('failed'):
        msg = first['msg']
        assert device.address in msg, msg  # names the device
        assert any(w in msg.lower() for w in words), msg  # and the fault
        assert 'Traceback' not in msg
    else:
        assert step.done(device), (first, state)

    # one re-run completes the work, at the address the device answers at now
    again = step.run(device, state['address'], timeout=10)
    assert again.get('failed') is not True, again
    wait_online(device)
    assert step.done(device), (again, device.state())
    assert device.counters()['failed_logins'] == {}
