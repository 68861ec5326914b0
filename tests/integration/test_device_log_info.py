"""device_log_info against emulated devices: what the emulator logs comes back, paged and counted."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import client_from_params
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiAuthError
from ansible_collections.camfleet.hikvision.plugins.modules.device_log_info import SPEC as LOG
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import run, strong_password


def fail_login(device):
    with pytest.raises(IsapiAuthError):
        client_from_params(device.params(password='Wrong-pass-123')).get('/ISAPI/System/deviceInfo')


@pytest.mark.lockout_budget(2, reason='the test makes two failed logins for the log to count')
@pytest.mark.parametrize('profile', ['current_camera', 'legacy_camera', 'nvr'])
def test_failed_logins_are_counted(new_device, profile):
    device = new_device(profile)
    fail_login(device)
    fail_login(device)
    result = run(LOG, device.params(major_type='Exception', minor_type='illegalAccess'))
    assert result['changed'] is False and result['counts'] == {'illegalAccess': 2}
    assert all(e['major'] == 'Exception' and e['address'] == '127.0.0.1' for e in result['entries'])


def test_user_changes_logins_and_paging(new_device):
    device = new_device('current_camera')
    for i in range(4):
        run(USER, device.params(name='user%d' % i, user_password=strong_password()))
    everything = run(LOG, device.params())
    counts = everything['counts']
    assert counts['remoteAddUser'] == 4 and counts['remoteLogin'] >= 1 and counts['powerOn'] == 1
    assert everything['entries'][0]['minor'] == 'powerOn'  # oldest first
    assert everything['truncated'] is False
    added = [e for e in everything['entries'] if e['minor'] == 'remoteAddUser']
    assert added[0]['user'] == 'admin' and added[0]['description'] == 'user user0'
    assert added[0]['time'].endswith('Z')
    few = run(LOG, device.params(major_type='Operation', max_results=3))
    assert few['total'] == 3 and few['truncated'] is True
    assert few['entries'] == [e for e in everything['entries'] if e['major'] == 'Operation'][:3]


def test_time_range_and_bad_input(new_device):
    device = new_device('nvr')
    none = run(LOG, device.params(start='2001-01-01 00:00', end='2001-01-02T00:00:00Z'))
    assert none['entries'] == [] and none['start'] == '2001-01-01T00:00:00Z'
    device.control.reset_counters(device.name)
    bad = run(LOG, device.params(start='2024-05-01T00:00:00+02:00'))
    assert bad['failed'] and bad['msg'].startswith(
        "start must be the device's local time as YYYY-MM-DDTHH:MM:SS")
    reversed_range = run(LOG, device.params(start='2024-05-02T00:00:00', end='2024-05-01T00:00:00'))
    assert reversed_range['failed'] and reversed_range['msg'] == \
        'start (2024-05-02T00:00:00Z) is after end (2024-05-01T00:00:00Z)'
    assert device.counters()['requests'] == {}
