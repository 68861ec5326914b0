"""The network module against the emulator: read-modify-write, reboot and follow to a new address."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO
from ansible_collections.camfleet.hikvision.plugins.modules.network import SPEC as NETWORK

from .conftest import run


def moved_address(device, last_octet):
    """An address in the device's own subnet that no other fleet device uses."""
    parts = device.address.split('.')
    return '.'.join(parts[:2] + ['250', str(last_octet)])


def net_state(device):
    state = device.state()
    return state['network'], state['staged_network']


@pytest.mark.parametrize('profile', ['current_camera', 'legacy_camera', 'nvr'])
def test_address_change_reboots_and_follows_the_device(new_device, profile):
    device = new_device(profile)
    new = moved_address(device, {'current_camera': 11, 'legacy_camera': 12, 'nvr': 13}[profile])
    network, dummy = net_state(device)
    result = run(NETWORK, device.params(address=new, netmask='16', gateway=network['gateway'],
                                        dns=['127.0.0.53'], wait_timeout=30))
    assert result.get('failed') is not True, result
    assert result['changed'] is True and result['rebooted'] is True
    assert result['address'] == new and result['previous_address'] == device.address
    assert result['reboot_required'] is False
    assert result['diff']['before']['address'] == device.address
    assert result['diff']['after'] == {'address': new, 'netmask': '255.255.0.0',
                                       'gateway': network['gateway'], 'dns_primary': '127.0.0.53',
                                       'dns_secondary': '0.0.0.0'}
    state = device.state()
    assert state['address'] == new and state['network']['dns1'] == '127.0.0.53'
    assert state['network']['ipv6_mode'] == network['ipv6_mode']  # IPv6 block kept
    # later tasks use the returned address; a second run there changes nothing and writes nothing
    device.control.reset_counters(device.name)
    again = run(NETWORK, device.params(host=new, address=new, netmask='255.255.0.0',
                                       gateway=network['gateway'], dns=['127.0.0.53']))
    assert again['changed'] is False and again['address'] == new
    assert device.counters()['writes'] == 0
    assert run(INFO, device.params(host=new))['activated'] is True


def test_reboot_false_returns_pending_address(new_device):
    device = new_device('current_camera')
    new = moved_address(device, 21)
    result = run(NETWORK, device.params(address=new, reboot=False))
    assert result['changed'] is True and result['reboot_required'] is True
    assert result['pending_address'] == new and result['address'] == device.address
    state = device.state()
    assert state['address'] == device.address and state['staged_address'] == new


def test_dns_only_change_reboots_in_place(new_device):
    device = new_device('nvr')
    result = run(NETWORK, device.params(dns=['127.0.0.53', '127.0.0.54'], wait_timeout=30))
    assert result['changed'] is True and result['rebooted'] is True
    assert result['address'] == device.address and 'previous_address' not in result
    state = device.state()
    assert (state['network']['dns1'], state['network']['dns2']) == ('127.0.0.53', '127.0.0.54')
    assert state['reboot_count'] == 1


def test_mtu_applies_without_reboot_and_is_idempotent(new_device):
    device = new_device('current_camera')
    result = run(NETWORK, device.params(mtu=1400))
    assert result['changed'] is True and result['reboot_required'] is False
    assert result['diff'] == {'before': {'mtu': 1500}, 'after': {'mtu': 1400}}
    assert device.state()['link']['mtu'] == 1400 and device.state()['reboot_count'] == 0
    device.control.reset_counters(device.name)
    assert run(NETWORK, device.params(mtu=1400))['changed'] is False
    assert device.counters()['writes'] == 0


def test_check_mode_reports_pending_address_and_writes_nothing(new_device):
    device = new_device('current_camera')
    new = moved_address(device, 31)
    result = run(NETWORK, device.params(address=new, mtu=1400), check_mode=True)
    assert result['changed'] is True and result['pending_address'] == new
    assert result['reboot_required'] is True
    assert device.counters()['writes'] == 0
    assert device.state()['staged_network'] is None and device.state()['link']['mtu'] == 1500


@pytest.mark.parametrize('options, message', [
    ({'address': '10.1.2.300'}, "address '10.1.2.300' is not an IPv4 address"),
    ({'netmask': '255.0.255.0'}, "netmask '255.0.255.0' is not a contiguous subnet mask"),
    ({'address': '10.1.2.3', 'netmask': '24', 'gateway': '10.1.3.1'},
     'gateway 10.1.3.1 is outside the subnet 10.1.2.0/24 of address 10.1.2.3'),
    ({'address': '10.1.2.0', 'netmask': '24', 'gateway': '10.1.2.1'},
     'address 10.1.2.0 is the network address of 10.1.2.0/24'),
    ({'address': '10.1.2.255', 'netmask': '24', 'gateway': '10.1.2.1'},
     'address 10.1.2.255 is the broadcast address of 10.1.2.0/24'),
    ({'addressing': 'dhcp', 'address': '10.1.2.3'},
     'address, netmask and gateway cannot be set with addressing: dhcp'),
    ({'mtu': 100}, 'mtu 100 is outside what this interface takes (500 to 9676)'),
    ({'dns': ['1.1.1.1', '8.8.8.8', '9.9.9.9']}, 'dns takes at most two servers'),
])
def test_bad_input_names_the_field_and_writes_nothing(new_device, options, message):
    device = new_device('current_camera')
    result = run(NETWORK, device.params(**options))
    assert result['failed'] is True and message in result['msg'], result['msg']
    assert device.counters()['writes'] == 0


def test_device_not_answering_at_the_new_address_fails_naming_both(new_device):
    device = new_device('current_camera')
    # outside loopback: the emulator stores it but cannot bind it, like an unroutable address
    result = run(NETWORK, device.params(address='10.99.0.5', netmask='8', gateway='10.0.0.1',
                                        wait_timeout=3, timeout=1))
    assert result['failed'] is True
    assert 'moved from %s to 10.99.0.5' % device.address in result['msg']
    assert 'does not answer at 10.99.0.5' in result['msg']
