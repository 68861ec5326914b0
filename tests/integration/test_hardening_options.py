"""Module options the baseline role relies on: tls_min_version (security), ntp_max_servers (time),
onvif_users_purge (services), and the settings return every declarative module gives."""
from ansible_collections.camfleet.hikvision.plugins.modules.security import SPEC as SECURITY
from ansible_collections.camfleet.hikvision.plugins.modules.services import SPEC as SERVICES
from ansible_collections.camfleet.hikvision.plugins.modules.time import SPEC as TIME

from .conftest import run

ONVIF_PW = 'Aa1!onvifpass'


def _https(device):
    return [a for a in device.state()['areas']['securitycfg']['accesses'] if a['protocol'] == 'HTTPS'][0]


def test_tls_min_version_keeps_every_newer_version_the_firmware_has(new_device):
    device = new_device('current_camera')
    run(SECURITY, device.params(tls_versions=['1.1', '1.2']))
    result = run(SECURITY, device.params(tls_min_version='1.2'))
    assert result['changed'] is True, result
    https = _https(device)
    # 1.3 stays on: a literal ['1.2'] would have turned it off
    assert (https['TLS1_1Enable'], https['TLS1_2Enable'], https['TLS1_3Enable']) == (False, True, True)
    assert result['settings']['tls_versions'] == ['1.2', '1.3']
    assert run(SECURITY, device.params(tls_min_version='1.2'))['changed'] is False
    both = run(SECURITY, device.params(tls_min_version='1.2', tls_versions=['1.2']))
    assert both['failed'] is True and 'mutually exclusive' in both['msg']


def test_ntp_list_longer_than_the_model_takes_is_trimmed_with_a_warning(new_device):
    device = new_device('legacy_camera')
    result = run(TIME, device.params(mode='ntp', ntp_servers=['10.0.0.1', '10.0.0.2'], ntp_max_servers=1))
    assert result.get('failed') is not True, result
    assert result['warnings'] == ['ntp_servers: this device takes 1 NTP server(s); kept 10.0.0.1, dropped 10.0.0.2']
    assert [s['ip_address'] for s in device.state()['ntp']] == ['10.0.0.1']
    assert result['settings']['ntp_servers'] == ['10.0.0.1']


def test_onvif_accounts_nobody_declared_are_deleted(new_device):
    device = new_device('current_camera')
    users = [{'name': 'vms', 'password': ONVIF_PW}, {'name': 'old', 'password': ONVIF_PW}]
    assert run(SERVICES, device.params(onvif=True, onvif_users=users)).get('failed') is not True
    kept = [{'name': 'vms', 'password': ONVIF_PW}]
    check = run(SERVICES, device.params(onvif=True, onvif_users=kept, onvif_users_purge=True), check_mode=True)
    assert check['changed'] is True and len(device.state()['areas']['services']['onvif_users']) == 2
    result = run(SERVICES, device.params(onvif=True, onvif_users=kept, onvif_users_purge=True))
    assert result['changed'] is True, result
    assert [u['name'] for u in device.state()['areas']['services']['onvif_users']] == ['vms']
    again = run(SERVICES, device.params(onvif=True, onvif_users=kept, onvif_users_purge=True))
    assert again['changed'] is False and 'password' not in str(again['settings'])
