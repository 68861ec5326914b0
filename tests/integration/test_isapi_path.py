"""isapi_request / isapi_resource normalise the path before the /ISAPI/ guard (issue 8, item 9):
dot segments and percent-encoding are resolved first, the guard judges the path that will be
sent, and results and errors show that path. Checked on the emulator's request counters."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils.resource import normalise_path
from ansible_collections.camfleet.hikvision.plugins.modules.isapi_request import SPEC as REQUEST
from ansible_collections.camfleet.hikvision.plugins.modules.isapi_resource import SPEC as RESOURCE

from .conftest import run

GUARD = 'is outside /ISAPI/ and /SDK/; set allow_any_path: true if you really mean it'


@pytest.mark.parametrize('path, sent', [
    ('/ISAPI/../admin/reset', '/admin/reset'),
    ('/ISAPI/%2e%2e/admin/reset', '/admin/reset'),
    ('/ISAPI/%2E%2E/%2e%2e/etc/passwd', '/etc/passwd'),
    ('/ISAPI/System/../../cgi-bin/x', '/cgi-bin/x'),
    ('/ISAPI/./../SDK/../admin', '/admin'),
])
@pytest.mark.parametrize('spec', ['request', 'resource'])
def test_dot_segments_cannot_escape_the_guard(new_device, path, sent, spec):
    device = new_device('current_camera')
    if spec == 'request':
        result = run(REQUEST, device.params(method='DELETE', path=path))
    else:
        result = run(RESOURCE, device.params(path=path, values={'enabled': True}))
    assert result['failed'] is True
    assert result['msg'] == 'path %s (sent as %s) %s' % (path, sent, GUARD)
    counters = device.counters()
    assert counters['requests'] == {} and counters['unauthorized'] == 0  # nothing sent at all


@pytest.mark.parametrize('path, problem', [
    ('/ISAPI/a%2fb', "path '/ISAPI/a%2fb' hides '/' in percent-encoding; write the path plainly"),
    ('/ISAPI/a%5c..%5cb', "path '/ISAPI/a%5c..%5cb' hides '\\\\' in percent-encoding; write the "
                          'path plainly'),
    ('/ISAPI/x%zz', "path '/ISAPI/x%zz' has a backslash or a stray %; give a plain URL path such "
                    'as /ISAPI/System/time'),
])
def test_hidden_separators_are_refused(new_device, path, problem):
    device = new_device('current_camera')
    result = run(REQUEST, device.params(path=path))
    assert result['failed'] is True and result['msg'] == problem
    assert device.counters()['requests'] == {}


def test_the_path_sent_is_shown_and_is_what_the_device_got(new_device):
    device = new_device('current_camera')
    result = run(REQUEST, device.params(path='/ISAPI/System/./network/../%64eviceInfo'))
    assert result['path'] == '/ISAPI/System/deviceInfo'
    assert result['data']['serialNumber'] == device.info['serial']
    assert device.counters()['requests'] == {'GET /ISAPI/System/deviceInfo': 1}

    missing = run(REQUEST, device.params(path='/ISAPI/System/x/../nothingHere'))
    assert missing['failed'] is True and missing['path'] == '/ISAPI/System/nothingHere'
    assert 'GET /ISAPI/System/nothingHere failed' in missing['msg']

    resource = run(RESOURCE, device.params(path='/ISAPI/Security/x/../illegalLoginLock',
                                           values={'enabled': True}))
    assert resource['path'] == '/ISAPI/Security/illegalLoginLock' and resource['changed'] is False


def test_allow_any_path_sends_the_normalised_path(new_device):
    device = new_device('current_camera')
    result = run(REQUEST, device.params(path='/ISAPI/../SDK/activateStatus', allow_any_path=True))
    assert result['path'] == '/SDK/activateStatus'
    assert device.counters()['requests'] == {'GET /SDK/activateStatus': 1}


@pytest.mark.parametrize('raw, sent', [
    ('/ISAPI/System/time', '/ISAPI/System/time'),
    ('/ISAPI/System/time/..', '/ISAPI/System/'),
    ('/ISAPI/%53ystem/%74ime', '/ISAPI/System/time'),
    ('/ISAPI/a b', '/ISAPI/a%20b'),
    ('/ISAPI/%c3%a9', '/ISAPI/%C3%A9'),
])
def test_normalise_path(raw, sent):
    assert normalise_path(raw) == sent
