"""isapi_resource (generic converge through the engine) and isapi_request (raw) against the emulator."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.modules.isapi_request import SPEC as REQUEST
from ansible_collections.camfleet.hikvision.plugins.modules.isapi_resource import SPEC as RESOURCE

from .conftest import run, strong_password

LOCK = '/ISAPI/Security/illegalLoginLock'


@pytest.mark.parametrize('profile', ['current_camera', 'nvr'])
def test_resource_converges_reads_back_and_is_idempotent(new_device, profile):
    device = new_device(profile)
    values = {'maxIllegalLoginTimes': 6, 'enabled': True}
    result = run(RESOURCE, device.params(path=LOCK, values=values))
    assert result['changed'] is True and result['reboot_required'] is False
    assert result['diff']['after'] == {'maxIllegalLoginTimes': '6', 'enabled': True}
    assert device.state()['lock']['attempts'] == 6

    device.control.reset_counters(device.name)
    again = run(RESOURCE, device.params(path=LOCK, values=values))
    assert again['changed'] is False and device.counters()['writes'] == 0


def test_resource_check_mode_and_missing_elements(new_device):
    device = new_device('current_camera')
    before = device.state()['lock']
    checked = run(RESOURCE, device.params(path=LOCK, values={'enabled': False}), check_mode=True)
    assert checked['changed'] is True and checked['diff'] == {'before': {'enabled': True},
                                                              'after': {'enabled': False}}
    assert device.state()['lock'] == before and device.counters()['writes'] == 0
    typo = run(RESOURCE, device.params(path=LOCK, values={'enable': False, 'Nested': {'x': 1}}))
    assert typo['failed'] and typo['msg'].endswith(
        '%s has no enable, Nested/x; check the element names against a GET of %s (names are '
        'case-sensitive), or set create_missing: true to add them' % (LOCK, LOCK))
    outside = run(RESOURCE, device.params(path='/cgi-bin/admin', values={'a': 1}))
    assert outside['failed'] and outside['msg'] == (
        'path /cgi-bin/admin is outside /ISAPI/ and /SDK/; set allow_any_path: true if you really mean it')
    assert device.counters()['writes'] == 0


def test_request_get_put_and_errors(new_device):
    device = new_device('current_camera')
    got = run(REQUEST, device.params(path='/ISAPI/System/deviceInfo'))
    assert got['changed'] is False and got['status'] == 200 and got['root'] == 'DeviceInfo'
    assert got['data']['serialNumber'] == device.info['serial'] and got['response_status'] is None

    put = run(REQUEST, device.params(method='PUT', path='/ISAPI/System/deviceInfo', root='DeviceInfo',
                                     body={'deviceName': 'lobby'}))
    assert put['changed'] is True and put['response_status']['status_code'] == 1
    assert device.state()['device_name'] == 'lobby'

    text = '<DeviceInfo><deviceName>hall</deviceName></DeviceInfo>'
    checked = run(REQUEST, device.params(method='PUT', path='/ISAPI/System/deviceInfo', body=text),
                  check_mode=True)
    assert checked['changed'] is True and 'status' not in checked
    assert device.state()['device_name'] == 'lobby'

    missing = run(REQUEST, device.params(path='/ISAPI/Nothing/here'))
    assert missing['failed'] and missing['sub_status_code'] == 'notSupport' and missing['http_status'] == 404

    device.control.reset_counters(device.name)
    broken = run(REQUEST, device.params(method='PUT', path='/ISAPI/System/deviceInfo', body='<a><b></a>'))
    assert broken['failed'] and broken['msg'].startswith('body is not well-formed XML')
    no_root = run(REQUEST, device.params(method='PUT', path='/ISAPI/System/deviceInfo', body={'a': 1}))
    assert no_root['failed'] and no_root['msg'].startswith('root is required when body is a dict')
    assert run(REQUEST, device.params(path='/etc/passwd'))['failed']
    assert device.counters()['requests'] == {}


def test_request_body_with_a_password_stays_out_of_the_result(new_device):
    device = new_device('current_camera')
    secret = strong_password()
    body = ('<User><userName>svc</userName><password>%s</password><userLevel>Viewer</userLevel>'
            '<loginPassword>%s</loginPassword></User>' % (secret, device.password))
    result = run(REQUEST, device.params(method='POST', path='/ISAPI/Security/users', body=body))
    assert result['changed'] is True and result['response_status']['id'] == '2'
    assert secret not in str(result) and device.password not in str(result)
    assert device.control.check_password(device.name, 'svc', secret)
