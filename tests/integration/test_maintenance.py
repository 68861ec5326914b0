"""reboot and factory_reset: the device goes away, comes back, and its state is what the mode says."""
from ansible_collections.camfleet.hikvision.plugins.modules.factory_reset import SPEC as RESET
from ansible_collections.camfleet.hikvision.plugins.modules.reboot import SPEC as REBOOT
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import run, strong_password


def test_reboot_waits_until_the_device_answers_again(new_device):
    device = new_device('current_camera')
    result = run(REBOOT, device.params(wait_timeout=60))
    assert result['changed'] is True, result
    assert 'rebooted and answers again' in result['msg']
    assert device.counters()['requests']['PUT /ISAPI/System/reboot'] == 1
    assert sum(device.counters()['failed_logins'].values()) == 0


def test_reboot_check_mode_sends_nothing(new_device):
    device = new_device('current_camera')
    assert run(REBOOT, device.params(), check_mode=True)['changed'] is True
    assert device.counters()['writes'] == 0


def test_basic_reset_keeps_users_and_network(new_device):
    device = new_device('current_camera')
    run(USER, device.params(name='keeper', level='operator', user_password=strong_password()))
    address = device.state()['address']
    result = run(RESET, device.params(mode='basic', wait_timeout=60))
    assert result['changed'] is True and result['activated'] is True, result
    state = device.state()
    assert state['activated'] is True and state['address'] == address
    assert 'keeper' in {u['name'] for u in state['users']}


def test_full_reset_leaves_the_device_inactive(new_device):
    device = new_device('nvr')
    result = run(RESET, device.params(mode='full', wait_timeout=60))
    assert result['changed'] is True and result['activated'] is False, result
    assert 'factory-fresh' in result['msg']
    state = device.state()
    assert state['activated'] is False and state['users'] == []


def test_reset_mode_is_required_and_checked(new_device):
    device = new_device('current_camera')
    from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
    validation = ArgumentSpecValidator(RESET.argument_spec).validate(device.params(mode='part'))
    assert 'value of mode must be one of: basic, full, got: part' in ' '.join(validation.error_messages)
