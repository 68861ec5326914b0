"""A staged address is pending, not current: network and reboot compare against the running
address, report pending_address, and apply it (and follow the device) when asked.

Devices answer an addressing change with rebootRequired and keep running at the old address until a
reboot, while GET .../ipAddress already shows the saved one (docs/developer/isapi-reference.md,
§7.3); the emulator keeps the running and the saved configuration apart the same way."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils.client import IsapiClient
from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO
from ansible_collections.camfleet.hikvision.plugins.modules.factory_reset import SPEC as RESET
from ansible_collections.camfleet.hikvision.plugins.modules.network import SPEC as NETWORK
from ansible_collections.camfleet.hikvision.plugins.modules.reboot import SPEC as REBOOT

from .conftest import run
from .test_network import moved_address


def stage(device, last_octet):
    new = moved_address(device, last_octet)
    staged = run(NETWORK, device.params(address=new, reboot=False))
    assert staged['changed'] is True and staged['pending_address'] == new, staged
    device.control.reset_counters(device.name)
    return new


def test_emulator_keeps_running_and_saved_address_apart(new_device):
    device = new_device('current_camera')
    new = stage(device, 40)
    state = device.state()
    assert (state['address'], state['staged_address'], state['network']['address']) == (
        device.address, new, device.address)
    params = device.params()
    client = IsapiClient(params['host'], password=device.password, port=params['port'],
                         ca_path=params['ca_path'])
    try:
        # the device answers at the running address and shows the saved one
        assert client.get('/ISAPI/System/Network/interfaces/1/ipAddress').find('ipAddress').text == new
    finally:
        client.close()


@pytest.mark.parametrize('profile', ['current_camera', 'nvr'])
def test_same_task_with_reboot_true_applies_the_staged_address(new_device, profile):
    device = new_device(profile)
    new = stage(device, {'current_camera': 41, 'nvr': 42}[profile])
    result = run(NETWORK, device.params(address=new, wait_timeout=30))
    assert result.get('failed') is not True, result
    assert result['changed'] is True and result['rebooted'] is True
    assert result['address'] == new and result['previous_address'] == device.address
    assert result['diff'] == {'before': {'address': device.address}, 'after': {'address': new}}
    state = device.state()
    assert state['address'] == new and state['staged_address'] is None and state['reboot_count'] == 1
    assert device.counters()['writes'] == 1  # the reboot; the address needed no second write
    again = run(NETWORK, device.params(host=new, address=new))
    assert again['changed'] is False and 'pending_address' not in again
    assert again['reboot_required'] is False


def test_staging_twice_with_reboot_false_is_no_change_and_still_pending(new_device):
    device = new_device('current_camera')
    new = stage(device, 43)
    result = run(NETWORK, device.params(address=new, reboot=False))
    assert result['changed'] is False and result['reboot_required'] is True
    assert result['pending_address'] == new and result['address'] == device.address
    assert device.counters()['writes'] == 0 and device.state()['reboot_count'] == 0


def test_check_mode_and_diff_see_the_pending_address(new_device):
    device = new_device('current_camera')
    new = stage(device, 44)
    result = run(NETWORK, device.params(address=new), check_mode=True)
    assert result['changed'] is True and result['reboot_required'] is True
    assert result['pending_address'] == new
    assert result['diff'] == {'before': {'address': device.address}, 'after': {'address': new}}
    assert device.counters()['writes'] == 0 and device.state()['staged_address'] == new


def test_a_pending_address_the_task_does_not_ask_for_is_reported_not_applied(new_device):
    device = new_device('current_camera')
    new = stage(device, 45)
    dns = device.state()['staged_network']['dns1']
    result = run(NETWORK, device.params(dns=[dns]))
    assert result['changed'] is False and result['pending_address'] == new
    assert result['reboot_required'] is True
    assert device.state()['reboot_count'] == 0 and device.counters()['writes'] == 0


def test_asking_for_the_running_address_cancels_the_pending_one(new_device):
    device = new_device('current_camera')
    stage(device, 46)
    result = run(NETWORK, device.params(address=device.address))
    assert result['changed'] is True and result['reboot_required'] is False, result
    assert 'rebooted' not in result and 'pending_address' not in result
    assert device.state()['staged_address'] is None and device.state()['reboot_count'] == 0


def test_reboot_follows_a_pending_address_and_returns_it(new_device):
    device = new_device('current_camera')
    new = stage(device, 47)
    result = run(REBOOT, device.params(wait_timeout=30))
    assert result.get('failed') is not True, result
    assert result['address'] == new and result['previous_address'] == device.address
    assert 'pending address %s' % new in result['msg']
    assert device.state()['address'] == new
    assert sum(device.counters()['failed_logins'].values()) == 0
    assert run(INFO, device.params(host=new))['activated'] is True


def test_reboot_check_mode_and_no_wait_name_the_pending_address(new_device):
    device = new_device('nvr')
    new = stage(device, 48)
    checked = run(REBOOT, device.params(), check_mode=True)
    assert checked['address'] == new and 'pending address %s' % new in checked['msg']
    assert device.counters()['writes'] == 0
    sent = run(REBOOT, device.params(wait=False))
    assert sent['address'] == new and sent['previous_address'] == device.address


def test_reboot_without_pending_address_stays_in_place(new_device):
    device = new_device('legacy_camera')
    result = run(REBOOT, device.params(wait_timeout=30))
    assert result['address'] == device.address and 'previous_address' not in result


def test_an_mtu_change_does_not_reboot_onto_an_unasked_pending_address(new_device):
    device = new_device('current_camera')
    new = stage(device, 49)
    result = run(NETWORK, device.params(mtu=1400))
    assert result['changed'] is True and result['pending_address'] == new, result
    assert 'rebooted' not in result
    state = device.state()
    assert state['link']['mtu'] == 1400 and state['reboot_count'] == 0 and state['address'] == device.address


def test_a_basic_factory_reset_follows_a_pending_address(new_device):
    device = new_device('current_camera')
    new = stage(device, 50)
    result = run(RESET, device.params(mode='basic', wait_timeout=30))
    assert result.get('failed') is not True, result
    assert result['address'] == new and result['previous_address'] == device.address
    assert result['activated'] is True and device.state()['address'] == new
