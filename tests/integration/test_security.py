"""The security module against the emulator: auth modes, lock, protocols, ports, IP filter, and
the refusal of changes that would cut the controller off."""
import socket
import time

import pytest
import requests

from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO
from ansible_collections.camfleet.hikvision.plugins.modules.security import SPEC as SECURITY

from .conftest import run


def sec(device):
    return device.state()['areas']['securitycfg']


def accesses(device):
    return {a['protocol']: a for a in sec(device)['accesses']}


def listening(host, port):
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def eventually(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def basic_get(device):
    return requests.get('https://%s:%d/ISAPI/System/deviceInfo' % (device.address, device.info['https_port']),
                        auth=('admin', device.password), verify=device.fleet.ca_path, timeout=5)


BASELINE = dict(web_auth='digest', rtsp_auth='digest', illegal_login_lock={'enabled': True, 'attempts': 5},
                https=True, tls_versions=['1.2'])


@pytest.mark.parametrize('profile, unsupported', [
    ('current_camera', []),
    ('nvr', []),
    ('legacy_camera', ['web_auth', 'rtsp_auth', 'illegal_login_lock.attempts', 'tls_versions']),
])
def test_baseline_reads_back_and_is_idempotent(new_device, profile, unsupported):
    device = new_device(profile)
    result = run(SECURITY, device.params(**BASELINE))
    assert result.get('failed') is not True, result
    assert result['unsupported'] == unsupported
    assert result['controller_address'] == '127.0.0.1'
    if profile != 'legacy_camera':
        assert device.state()['lock']['attempts'] == 5
        https = accesses(device)['HTTPS']
        assert https['TLS1_2Enable'] is True and https.get('TLS1_1Enable') is False
        assert https.get('TLS1_3Enable', False) is False
    device.control.reset_counters(device.name)
    again = run(SECURITY, device.params(**BASELINE))
    assert again['changed'] is False and device.counters()['writes'] == 0


@pytest.mark.parametrize('profile', ['current_camera', 'nvr'])
def test_web_auth_digest_basic_really_admits_basic(new_device, profile):
    device = new_device(profile)
    assert basic_get(device).status_code == 401
    result = run(SECURITY, device.params(web_auth='digest/basic', rtsp_auth='digest/basic'))
    assert result['changed'] is True
    assert result['diff'] == {'before': {'web_auth': 'digest', 'rtsp_auth': 'digest'},
                              'after': {'web_auth': 'digest/basic', 'rtsp_auth': 'digest/basic'}}
    assert sec(device)['web_auth'] == 'digest/basic' and sec(device)['rtsp_auth'] == 'digest/basic'
    assert basic_get(device).status_code == 200
    run(SECURITY, device.params(web_auth='digest'))
    assert basic_get(device).status_code == 401


def test_lock_duration_in_the_unit_of_the_firmware(new_device):
    camera = new_device('current_camera')  # minutes
    result = run(SECURITY, camera.params(illegal_login_lock={'duration_minutes': 10}))
    assert result['diff'] == {'before': {'illegal_login_lock': {'duration': 1800}},
                              'after': {'illegal_login_lock': {'duration': 600}}}
    assert camera.state()['lock']['seconds'] == 600
    assert run(SECURITY, camera.params(illegal_login_lock={'duration': 600}))['changed'] is False
    odd = run(SECURITY, camera.params(illegal_login_lock={'duration': 90}))
    assert odd['failed'] is True
    assert 'illegal_login_lock duration 90 s is not a whole number of minutes' in odd['msg']
    nvr = new_device('nvr')  # seconds
    assert run(SECURITY, nvr.params(illegal_login_lock={'duration': 90}))['changed'] is True
    assert nvr.state()['lock']['seconds'] == 90


def test_allow_list_without_the_controller_is_refused(new_device):
    device = new_device('current_camera')
    result = run(SECURITY, device.params(ip_filter={'enabled': True, 'mode': 'allow',
                                                    'addresses': ['10.0.0.5']}))
    assert result['failed'] is True
    assert ('refusing to change anything: the IP filter would allow only 10.0.0.5, not this '
            'controller (127.0.0.1); set i_know_this_cuts_me_off: true') in result['msg']
    assert device.counters()['writes'] == 0 and sec(device)['ip_filter']['enabled'] is False


def test_allow_list_with_the_controller_is_staged_then_enabled(new_device):
    device = new_device('nvr')
    wanted = {'enabled': True, 'mode': 'allow', 'addresses': ['127.0.0.1', '10.0.0.5']}
    result = run(SECURITY, device.params(ip_filter=wanted))
    assert result['changed'] is True
    assert result['diff']['after']['ip_filter'] == {'enabled': True, 'mode': 'allow',
                                                    'addresses': ['10.0.0.5', '127.0.0.1']}
    assert device.counters()['requests']['PUT /ISAPI/System/Network/ipFilter'] == 2  # staged
    assert sec(device)['ip_filter'] == {'enabled': True, 'permission': 'allow',
                                        'addresses': ['10.0.0.5', '127.0.0.1']}
    device.control.reset_counters(device.name)
    assert run(SECURITY, device.params(ip_filter=dict(wanted, addresses=['10.0.0.5', '127.0.0.1'])))[
        'changed'] is False
    assert device.counters()['writes'] == 0


def test_i_know_this_cuts_me_off_applies_it_and_the_device_stops_answering(new_device):
    device = new_device('current_camera')
    result = run(SECURITY, device.params(ip_filter={'enabled': True, 'mode': 'deny',
                                                    'addresses': ['127.0.0.1']},
                                         i_know_this_cuts_me_off=True))
    assert result['changed'] is True and sec(device)['ip_filter']['enabled'] is True
    locked_out = run(INFO, device.params(timeout=2))
    assert locked_out['failed'] is True and 'cannot talk to' in locked_out['msg']


def test_disabling_http_stops_its_listener_but_https_in_use_is_refused(new_device):
    device = new_device('current_camera')
    assert listening(device.address, device.info['http_port'])
    assert run(SECURITY, device.params(http=False))['changed'] is True
    assert accesses(device)['HTTP']['enabled'] is False
    assert eventually(lambda: not listening(device.address, device.info['http_port']))
    refused = run(SECURITY, device.params(https=False))
    assert refused['failed'] is True
    assert 'this task is connected over HTTPS, which would be switched off' in refused['msg']
    assert accesses(device)['HTTPS']['enabled'] is True


def test_moving_ports(new_device):
    device = new_device('current_camera')
    refused = run(SECURITY, device.params(https_port=8443 + 1))
    assert refused['failed'] is True
    assert 'this task is connected to HTTPS port 443, which would move to 8444' in refused['msg']
    moved = run(SECURITY, device.params(http_port=8080, rtsp_port=10554))
    assert moved['changed'] is True
    assert accesses(device)['HTTP']['portNo'] == 8080 and accesses(device)['RTSP']['portNo'] == 10554
    assert eventually(lambda: listening(device.address, 8080) and not listening(device.address, 80))
    clash = run(SECURITY, device.params(http_port=8000))
    assert clash['failed'] is True and 'badPort' in clash['msg']


def test_tls_and_unsupported_settings(new_device):
    device = new_device('nvr')
    result = run(SECURITY, device.params(tls_versions=['1.2', '1.3']))
    assert result['failed'] is True
    assert 'tls_versions: this device has no switch for TLS 1.3 (it has 1.1, 1.2)' in result['msg']
    timeout = run(SECURITY, device.params(session_timeout=15))
    assert timeout['changed'] is False and timeout['unsupported'] == ['session_timeout']
    strict = run(SECURITY, device.params(session_timeout=15, web_auth='digest/basic', strict=True))
    assert strict['failed'] is True and 'not supported by this device: session_timeout' in strict['msg']
    assert device.counters()['writes'] == 0


def test_check_mode_changes_nothing(new_device):
    device = new_device('current_camera')
    result = run(SECURITY, device.params(web_auth='digest/basic', http=False, tls_versions=['1.3'],
                                         ip_filter={'enabled': True, 'mode': 'allow',
                                                    'addresses': ['127.0.0.1']}), check_mode=True)
    assert result['changed'] is True
    assert device.counters()['writes'] == 0
    assert sec(device)['web_auth'] == 'digest' and sec(device)['ip_filter']['enabled'] is False


@pytest.mark.parametrize('options, message', [
    ({'http_port': 70000}, 'http_port 70000 is not a TCP port (1 to 65535)'),
    ({'tls_versions': ['1.0']}, "tls_versions: '1.0' is not one of 1.1, 1.2, 1.3"),
    ({'illegal_login_lock': {'duration': 60, 'duration_minutes': 1}},
     'give duration (seconds) or duration_minutes, not both'),
    ({'ip_filter': {'addresses': ['10.0.0.0/8']}}, "ip_filter.addresses: '10.0.0.0/8' is not an IPv4 host address"),
    ({'illegal_login_lock': {'attempts': 50}},
     'illegal_login_lock.attempts 50 is outside what this device takes (3 to 20)'),
    ({'web_auth': 'digest/basic', 'illegal_login_lock': {'duration_minutes': 500}},
     'illegal_login_lock duration 30000 is outside what this device takes (60 to 7200 seconds)'),
])
def test_bad_input_names_the_field_and_writes_nothing(new_device, options, message):
    device = new_device('current_camera')
    result = run(SECURITY, device.params(**options))
    assert result['failed'] is True and message in result['msg'], result['msg']
    assert device.counters()['writes'] == 0
