"""The services module against the emulator: one task, many switches, per-profile support."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.modules.services import SPEC as SERVICES

from .conftest import run

BASELINE = dict(upnp=False, zeroconf=False, ssh=False, telnet=False, hik_connect=False, onvif=False,
                cgi=False, snmp='off', ftp=False, email=False, ddns=False, bonjour=False,
                sadp_discovery=False)
UNSUPPORTED = {
    'current_camera': ['telnet', 'email'],
    'legacy_camera': ['telnet', 'onvif', 'cgi', 'email', 'bonjour', 'sadp_discovery'],
    'nvr': ['ftp', 'email', 'bonjour', 'sadp_discovery'],
}


@pytest.mark.parametrize('profile', sorted(UNSUPPORTED))
def test_baseline_in_one_task_reads_back_and_is_idempotent(new_device, profile):
    device = new_device(profile)
    run(SERVICES, device.params(ssh=True, zeroconf=True))
    device.control.reset_counters(device.name)
    result = run(SERVICES, device.params(**BASELINE))
    assert result.get('failed') is not True, result
    assert result['changed'] is True and result['unsupported'] == UNSUPPORTED[profile]
    assert result['diff']['before']['ssh'] is True and result['diff']['after']['ssh'] is False
    gets = {k: n for k, n in device.counters()['requests'].items() if k.startswith('GET')}
    assert all(n == 1 for n in gets.values()), gets  # one GET per document
    svc = device.state()['areas']['services']
    assert svc['ssh'] is False and svc['ezviz'] is False and svc['ddns'] is False
    assert not any(svc['snmp'].values())
    link = device.state()['link']
    assert link['upnp'] is False and link['zeroconf'] is False
    if profile == 'current_camera':
        assert svc['sadp'] == 'nonDiscoverable' and svc['cgi'] is False and svc['ftp'] is False
        bonjour = [a for a in device.state()['areas']['securitycfg']['accesses']
                   if a['protocol'] == 'Bonjour']
        assert bonjour[0]['enabled'] is False

    device.control.reset_counters(device.name)
    again = run(SERVICES, device.params(**BASELINE))
    assert again['changed'] is False and device.counters()['writes'] == 0


def test_writes_only_documents_that_differ(new_device):
    device = new_device('current_camera')
    result = run(SERVICES, device.params(ssh=False, upnp=False, onvif=False, snmp='v3'))
    assert result['changed'] is True
    assert result['diff'] == {'before': {'ssh': False, 'upnp': False, 'onvif': False, 'snmp': 'off'},
                              'after': {'ssh': False, 'upnp': False, 'onvif': False, 'snmp': 'v3'}}
    writes = {k for k in device.counters()['requests'] if not k.startswith('GET')}
    assert writes == {'PUT /ISAPI/System/Network/SNMP'}
    assert device.state()['areas']['services']['snmp'] == {'SNMPv1': False, 'SNMPv2c': False,
                                                           'SNMPv3': True}


def test_strict_fails_before_writing(new_device):
    device = new_device('legacy_camera')
    result = run(SERVICES, device.params(ssh=True, telnet=False, strict=True))
    assert result['failed'] is True
    assert 'not supported by this device: telnet (strict: true; nothing was changed)' in result['msg']
    assert device.counters()['writes'] == 0 and device.state()['areas']['services']['ssh'] is False


def test_hik_connect_needs_the_code_to_switch_on(new_device):
    device = new_device('legacy_camera')  # ships with Hik-Connect off
    result = run(SERVICES, device.params(hik_connect=True))
    assert result['failed'] is True and 'hik_connect: true needs hik_connect_code' in result['msg']
    assert device.counters()['writes'] == 0
    done = run(SERVICES, device.params(hik_connect=True, hik_connect_code='ABCDEF'))
    assert done['changed'] is True and device.state()['areas']['services']['ezviz'] is True
    assert 'ABCDEF' not in str(done)


def test_onvif_on_with_its_own_account(new_device):
    device = new_device('nvr')
    users = [{'name': 'vms', 'password': 'Onvif-Pass-1', 'type': 'media_user'}]
    result = run(SERVICES, device.params(onvif=True, onvif_users=users))
    assert result['changed'] is True
    assert result['diff']['after']['onvif_users'] == [{'name': 'vms', 'type': 'user'}]
    assert 'Onvif-Pass-1' not in str(result)
    svc = device.state()['areas']['services']
    assert svc['onvif'] is True and svc['onvif_users'] == [{'id': 1, 'name': 'vms', 'type': 'user'}]
    device.control.reset_counters(device.name)
    assert run(SERVICES, device.params(onvif=True, onvif_users=users))['changed'] is False
    assert device.counters()['writes'] == 0
    users[0]['type'] = 'operator'
    assert run(SERVICES, device.params(onvif_users=users))['changed'] is True
    assert device.state()['areas']['services']['onvif_users'][0]['type'] == 'operator'


def test_onvif_users_left_alone_while_onvif_is_off(new_device):
    device = new_device('current_camera')
    result = run(SERVICES, device.params(onvif_users=[{'name': 'vms', 'password': 'Onvif-Pass-1'}]))
    assert result['changed'] is False
    assert any('ONVIF is off' in w for w in result['warnings'])
    assert device.state()['areas']['services']['onvif_users'] == []


def test_check_mode_changes_nothing(new_device):
    device = new_device('current_camera')
    result = run(SERVICES, device.params(**BASELINE), check_mode=True)
    assert result['changed'] is True and device.counters()['writes'] == 0
    assert device.state()['areas']['services']['ezviz'] is True


def test_bad_onvif_user_input_is_refused_before_anything_is_sent(new_device):
    device = new_device('current_camera')
    result = run(SERVICES, device.params(onvif=True, onvif_users=[{'name': 'vms', 'password': 'short'}]))
    assert result['failed'] is True
    assert result['msg'] == 'onvif_users[0] (vms): password must have at least 8 characters'
    assert device.counters()['requests'] == {}
