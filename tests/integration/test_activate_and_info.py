"""activate and device_info against emulated devices of every profile, state read back."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.modules.activate import SPEC as ACTIVATE
from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO

from .conftest import run, strong_password

PROFILES = ['current_camera', 'legacy_camera', 'nvr']


@pytest.mark.parametrize('profile', PROFILES)
def test_activation_then_login_then_idempotent(new_device, profile):
    device = new_device(profile, activated=False)
    password = strong_password()
    result = run(ACTIVATE, device.params(password=password))
    assert result['changed'] is True, result
    assert result['device']['serial_number'] == device.info['serial']
    assert device.state()['activated'] is True
    assert device.control.check_password(device.name, 'admin', password) is True

    device.control.reset_counters(device.name)
    again = run(ACTIVATE, device.params(password=password))
    assert again['changed'] is False and again['activated'] is True
    assert device.counters()['writes'] == 0


def test_check_mode_leaves_the_device_fresh(new_device):
    device = new_device('current_camera', activated=False)
    result = run(ACTIVATE, device.params(password=strong_password()), check_mode=True)
    assert result['changed'] is True
    assert result['diff'] == {'before': {'activated': False}, 'after': {'activated': True}}
    assert device.state()['activated'] is False
    assert device.counters()['writes'] == 0


@pytest.mark.parametrize('password,message', [
    ('short1A', 'password must be 8 to 16 characters long (it has 7)'),
    ('alllowercaseonly', 'password must mix at least two of: digits, lower-case, upper-case, special'),
    ('Admin', 'password must be 8 to 16 characters long (it has 5)'),
    ('nimda', 'password must be 8 to 16 characters long'),
])
def test_weak_password_refused_before_anything_is_sent(new_device, password, message):
    device = new_device('current_camera', activated=False)
    result = run(ACTIVATE, device.params(password=password))
    assert result['failed'] is True
    assert message in result['msg']
    assert device.counters()['requests'] == {}
    assert device.state()['activated'] is False


def test_username_must_be_admin(new_device):
    device = new_device('current_camera', activated=False)
    result = run(ACTIVATE, device.params(username='installer', password=strong_password()))
    assert result['failed'] and "username must be admin" in result['msg']


def test_device_info_on_an_inactive_device_needs_no_credentials(new_device):
    device = new_device('current_camera', activated=False)
    result = run(INFO, device.params(password=None))
    assert result['activated'] is False and result['changed'] is False
    assert 'not activated' in result['msg']
    assert sum(device.counters()['failed_logins'].values()) == 0


@pytest.mark.parametrize('profile,kind,namespace', [
    ('current_camera', 'camera', 'http://www.hikvision.com/ver20/XMLSchema'),
    ('legacy_camera', 'camera', 'http://www.hikvision.com/ver20/XMLSchema'),
    ('nvr', 'nvr', 'http://www.isapi.org/ver20/XMLSchema'),
])
def test_device_info_reports_identity_as_the_emulator_has_it(new_device, profile, kind, namespace):
    device = new_device(profile)
    result = run(INFO, device.params())
    assert result['activated'] is True
    info = result['device']
    assert info['serial_number'] == device.info['serial']
    assert info['model'] == device.info['model']
    assert info['mac_address'].lower() == device.info['mac'].lower()
    assert info['firmware_version'] == device.info['firmware'].split()[0]
    assert info['kind'] == kind and info['namespace'] == namespace
    assert isinstance(result['capabilities'], dict) and result['capabilities']
    if kind == 'nvr':
        assert result['capabilities']['ip_channels'] > 0
    assert device.counters()['writes'] == 0


def test_device_info_without_password_on_an_active_device_says_what_to_set(new_device):
    device = new_device('current_camera')
    result = run(INFO, device.params(password=None))
    assert result['failed'] is True
    assert 'password is required' in result['msg'] and 'HIKVISION_PASSWORD' in result['msg']
