"""The time module against the emulator: zones in user form, modes, NTP list, drift."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.modules.time import SPEC as TIME

from .conftest import run


@pytest.mark.parametrize('profile', ['current_camera', 'legacy_camera', 'nvr'])
def test_ntp_mode_zone_and_server_read_back(new_device, profile):
    device = new_device(profile)
    result = run(TIME, device.params(timezone='UTC+05:30', mode='ntp', ntp_servers=['pool.ntp.org'],
                                     ntp_interval=60))
    assert result['changed'] is True, result
    assert result['diff']['before'] == {'timezone': 'UTC+08:00', 'mode': 'manual',
                                        'ntp_servers': ['time.windows.com'], 'ntp_interval': 1440}
    assert result['diff']['after'] == {'timezone': 'UTC+05:30', 'mode': 'ntp',
                                       'ntp_servers': ['pool.ntp.org'], 'ntp_interval': 60}
    state = device.state()
    assert state['time']['time_zone'] == 'CST-5:30:00' and state['time']['mode'] == 'NTP'
    assert [(s['host_name'], s['interval']) for s in state['ntp']] == [('pool.ntp.org', 60)]
    assert abs(result['drift_seconds']) < 3

    device.control.reset_counters(device.name)
    again = run(TIME, device.params(timezone='+0530', mode='ntp', ntp_servers=['pool.ntp.org'],
                                    ntp_interval=60))
    assert again['changed'] is False and device.counters()['writes'] == 0


def test_device_string_and_offset_compare_equal(new_device):
    device = new_device('current_camera')  # ships with CST-8:00:00
    for zone in ('+08:00', 'UTC+8', '8', 'CST-8:00:00'):
        result = run(TIME, device.params(timezone=zone))
        assert result['changed'] is False, zone
    assert device.counters()['writes'] == 0


def test_several_ntp_servers_ip_and_hostname(new_device):
    device = new_device('nvr')
    result = run(TIME, device.params(mode='ntp', ntp_servers=['10.0.0.123', 'ntp.site.example']))
    assert result['changed'] is True
    servers = device.state()['ntp']
    assert [(s['id'], s['addressing'], s['ip_address'], s['host_name']) for s in servers] == [
        (1, 'ipaddress', '10.0.0.123', ''), (2, 'hostname', '0.0.0.0', 'ntp.site.example')]
    assert servers[0]['interval'] == 1440  # kept from the device's entry
    again = run(TIME, device.params(mode='ntp', ntp_servers=['10.0.0.123', 'ntp.site.example']))
    assert again['changed'] is False


def test_legacy_takes_one_ntp_server_and_says_so(new_device):
    device = new_device('legacy_camera')
    result = run(TIME, device.params(ntp_servers=['10.0.0.1', '10.0.0.2']))
    assert result['failed'] is True and 'badParameters' in result['msg']


def test_manual_clock_is_set_and_drift_reported(new_device):
    device = new_device('current_camera')
    run(TIME, device.params(mode='ntp'))
    result = run(TIME, device.params(mode='manual', timezone='UTC',
                                     local_time='2030-01-01T00:00:00'))
    assert result['changed'] is True and result['diff']['after']['local_time'] == '2030-01-01T00:00:00+00:00'
    assert device.state()['time']['time_zone'] == 'CST+0:00:00'
    assert result['drift_seconds'] > 100000  # the clock is now years ahead of the controller
    # back to the controller's time: manual without local_time
    synced = run(TIME, device.params(mode='manual'))
    assert synced['changed'] is True and abs(synced['drift_seconds']) < 3
    assert run(TIME, device.params(mode='manual'))['changed'] is False


def test_zone_change_in_manual_mode_keeps_the_clock(new_device):
    device = new_device('current_camera')
    run(TIME, device.params(mode='manual', local_time='2030-06-01T12:00:00+00:00'))
    before = run(TIME, device.params())['drift_seconds']
    run(TIME, device.params(timezone='-3'))
    after = run(TIME, device.params())['drift_seconds']
    assert device.state()['time']['time_zone'] == 'CST+3:00:00'
    assert abs(after - before) < 5


def test_check_mode_changes_nothing(new_device):
    device = new_device('current_camera')
    result = run(TIME, device.params(timezone='UTC-05:00', mode='ntp', ntp_servers=['10.1.1.1']),
                 check_mode=True)
    assert result['changed'] is True and result['diff']['after']['timezone'] == 'UTC-05:00'
    assert device.counters()['writes'] == 0
    assert device.state()['time']['time_zone'] == 'CST-8:00:00'


@pytest.mark.parametrize('options, message', [
    ({'timezone': 'Europe/Berlin'}, "timezone 'Europe/Berlin' is not understood"),
    ({'timezone': 'UTC+15'}, "timezone 'UTC+15' is beyond UTC-14:00..UTC+14:00"),
    ({'ntp_interval': 0}, 'ntp_interval 0 is outside 1 to 10800 minutes'),
    ({'ntp_servers': ['bad host']}, "ntp_servers: 'bad host' is neither an IPv4 address nor a host name"),
    ({'mode': 'manual', 'local_time': 'yesterday'}, "local_time 'yesterday' is not ISO 8601"),
    ({'mode': 'ntp', 'local_time': '2030-01-01T00:00:00'}, 'local_time sets a manual clock'),
])
def test_bad_input_names_the_field_and_writes_nothing(new_device, options, message):
    device = new_device('current_camera')
    result = run(TIME, device.params(**options))
    assert result['failed'] is True and message in result['msg'], result['msg']
    assert device.counters()['writes'] == 0
