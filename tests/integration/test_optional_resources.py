"""Read-only modules never fail because a secondary resource is missing or forbidden (issue 8,
item 13). The emulator's ``deny`` fault makes one path answer as firmware without it does:
404 or 403 with a notSupport/invalidOperation ResponseStatus, the same sub codes with HTTP 400 or
500, or an HTML error page. Results still carry what could be read, with a warning."""
import pytest
import requests

from ansible_collections.camfleet.hikvision.plugins.modules.config_backup import SPEC as BACKUP
from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO
from ansible_collections.camfleet.hikvision.plugins.modules.recordings import SPEC as RECORDINGS

from .conftest import run
from .test_backup import backup_in_process, vault_of
from .test_recordings import device_hour

CAPS = '/ISAPI/System/capabilities'
ANSWERS = [
    ({'http': 404, 'sub': 'notSupport'}, 'HTTP 404 notSupport'),
    ({'http': 403, 'sub': 'notSupport'}, 'HTTP 403 notSupport'),
    ({'http': 403, 'sub': 'invalidOperation'}, 'HTTP 403 invalidOperation'),
    ({'http': 403, 'sub': 'lowPrivilege'}, 'HTTP 403 lowPrivilege'),
    ({'http': 400, 'sub': 'notSupport'}, 'HTTP 400 notSupport'),
    ({'http': 500, 'sub': 'notSupport'}, 'HTTP 500 notSupport'),
    ({'http': 500, 'sub': 'invalidOperation'}, 'HTTP 500 invalidOperation'),
    ({'http': 404, 'sub': None}, 'HTTP 404'),
]


@pytest.mark.parametrize('answer, shown', ANSWERS, ids=[s for a, s in ANSWERS])
def test_device_info_without_capabilities_still_returns_the_identity(new_device, answer, shown):
    device = new_device('current_camera')
    device.control.faults(device.name, deny={CAPS: answer})
    result = run(INFO, device.params())
    assert result.get('failed') is not True, result
    assert result['device']['serial_number'] == device.info['serial']
    assert result['capabilities'] == {} and result['capabilities_known'] is False
    assert result['warnings'] == [
        'https://%s:443: GET %s answered %s; the capability summary is unknown '
        '(capabilities_known: false)' % (device.address, CAPS, shown)]
    assert device.counters()['requests'][('GET %s' % CAPS)] == 1  # asked once, not retried


def test_device_info_with_capabilities_reports_them_known(new_device):
    device = new_device('nvr')
    result = run(INFO, device.params())
    assert result['capabilities_known'] is True and result['capabilities']['ip_channels'] > 0
    assert 'warnings' not in result


def test_a_real_device_error_is_still_reported(new_device):
    device = new_device('current_camera')
    device.control.faults(device.name, deny={CAPS: {'http': 500, 'sub': 'deviceError'}})
    result = run(INFO, device.params())
    assert result['failed'] is True and 'subStatusCode deviceError' in result['msg']


@pytest.mark.parametrize('answer', [{'http': 403, 'sub': 'notSupport'}, {'http': 404, 'sub': None}])
def test_device_info_when_activation_status_is_missing_or_forbidden(new_device, answer):
    device = new_device('current_camera')
    device.control.faults(device.name, deny={'/SDK/activateStatus': answer})
    result = run(INFO, device.params())
    assert result['activated'] is True
    assert result['device']['serial_number'] == device.info['serial']


def test_recordings_without_the_channel_list_search_the_own_track(new_device):
    cam = new_device('current_camera')
    cam.control.faults(cam.name, deny={'/ISAPI/ContentMgmt/InputProxy/channels': {'http': 404,
                                                                                 'sub': None}})
    start, end = device_hour(5)
    found = run(RECORDINGS, cam.params(start=start, end=end))
    assert found.get('failed') is not True, found
    assert found['tracks'] == [101] and found['count'] > 0


def test_config_backup_with_forbidden_snapshot_reads(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    device.control.faults(device.name, deny={
        '/ISAPI/Security/users': {'http': 403, 'sub': 'lowPrivilege'},
        '/ISAPI/System/Network/ssh': {'http': 404, 'sub': None},
        '/ISAPI/System/Network/ftp': {'http': 500, 'sub': 'notSupport'},
    })
    made = backup_in_process(device, vault_of(fleet), str(tmp_path) + '/')
    assert made.get('failed') is not True, made
    assert made['changed'] is True and open(made['dest'], 'rb').read().startswith(b'$ANSIBLE_VAULT')


def test_config_backup_device_key_without_security_capabilities(new_device, tmp_path):
    device = new_device('current_camera')
    device.control.faults(device.name, deny={'/ISAPI/Security/capabilities': {'http': 404,
                                                                             'sub': 'notSupport'}})
    result = run(BACKUP, device.params(dest=str(tmp_path) + '/', encryption='device',
                                       secret_key='Key-123456', _staging_path=str(tmp_path / 'x')))
    assert result.get('failed') is not True, result
    assert result['warnings'] == [
        'https://%s:443: GET /ISAPI/Security/capabilities answered HTTP 404 notSupport; the '
        'secret_key length limits are unknown; the device judges the key' % device.address]


def test_emulator_deny_fault_is_checked_and_cleared(new_device):
    device = new_device('current_camera')
    with pytest.raises(requests.HTTPError, match="400"):
        device.control.faults(device.name, deny={CAPS: {'http': 200}})
    device.control.faults(device.name, deny={CAPS: {'http': 404, 'sub': 'notSupport'}})
    assert device.state()['faults']['deny'] == {CAPS: {'http': 404, 'sub': 'notSupport'}}
    device.control.faults(device.name, deny={})
    assert run(INFO, device.params())['capabilities_known'] is True
