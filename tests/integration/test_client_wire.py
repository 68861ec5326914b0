"""The ISAPI client against emulated devices over real sockets: auth, lockout, TLS, faults."""
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import client_from_params
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiAuthError, IsapiConnectionError, IsapiError, IsapiLockedError, IsapiNotActivatedError,
    IsapiProtocolError, IsapiTLSError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.onvif import onvif_login
from ansible_collections.camfleet.hikvision.plugins.modules.services import SPEC as SERVICES

from .conftest import LOCK_ATTEMPTS, run


def failed_logins(device):
    return sum(device.counters()['failed_logins'].values())


@pytest.mark.parametrize('profile', ['current_camera', 'legacy_camera', 'nvr'])
def test_one_session_logs_in_once_and_reuses_the_digest(new_device, profile):
    device = new_device(profile)
    with client_from_params(device.params()) as client:
        for _ in range(3):
            assert xmldoc.text(client.get('/ISAPI/System/deviceInfo'), 'serialNumber') == device.info['serial']
        # one unauthenticated request to learn the challenge, then three authenticated ones
        assert client.requests_sent == 4
    counters = device.counters()
    assert failed_logins(device) == 0
    assert counters['unauthorized'] == 1  # the challenge, which is not a failed login
    assert counters['requests']['GET /ISAPI/System/deviceInfo'] == 3


def test_wrong_password_costs_exactly_one_failed_login_and_is_never_resent(new_device):
    device = new_device('current_camera')
    client = client_from_params(device.params(password='Wrong-pass-123'), name=device.name)
    with pytest.raises(IsapiAuthError) as err:
        client.get('/ISAPI/System/deviceInfo')
    message = str(err.value)
    assert message.startswith('%s (https://%s:443): authentication failed for user \'admin\'' % (
        device.name, device.address))
    assert '(%d attempts left before the device locks this client)' % (LOCK_ATTEMPTS - 1) in message
    assert 'Not retried' in message
    sent = client.requests_sent
    with pytest.raises(IsapiAuthError):
        client.get('/ISAPI/System/time')
    assert client.requests_sent == sent  # the rejected credential was not sent again
    assert failed_logins(device) == 1


@pytest.mark.lockout_budget(LOCK_ATTEMPTS, reason='the test locks the client out on purpose')
def test_locked_client_gets_a_distinct_message_even_with_the_right_password(new_device):
    device = new_device('current_camera')
    for _ in range(LOCK_ATTEMPTS):
        with pytest.raises(IsapiAuthError):
            client_from_params(device.params(password='Wrong-pass-123')).get('/ISAPI/System/deviceInfo')
    locked_out = client_from_params(device.params())
    with pytest.raises(IsapiLockedError) as err:
        locked_out.get('/ISAPI/System/deviceInfo')
    # the challenge already said "locked", so the right password was not even sent
    assert locked_out.requests_sent == 1
    assert 'the device has locked this client for ' in str(err.value)
    assert err.value.details['unlock_seconds'] > 0
    assert failed_logins(device) == LOCK_ATTEMPTS


def test_legacy_device_offering_basic_still_gets_digest(new_device):
    device = new_device('legacy_camera')
    with client_from_params(device.params()) as client:
        client.get('/ISAPI/System/deviceInfo')
        assert client._challenge[0] == 'digest'


def test_tls_is_verified_and_the_error_says_how_to_fix_it(new_device):
    device = new_device('current_camera')
    with pytest.raises(IsapiTLSError) as err:
        client_from_params(device.params(ca_path=None)).get('/ISAPI/System/deviceInfo')
    assert 'certificate verify failed' in str(err.value)
    assert 'set ca_path to that CA' in str(err.value)
    assert device.counters()['requests'] == {}  # nothing reached the device


def test_https_to_the_http_port_says_scheme(new_device):
    device = new_device('current_camera')
    with pytest.raises(IsapiTLSError) as err:
        client_from_params(device.params(port=device.info['http_port'])).get('/ISAPI/System/deviceInfo')
    assert 'use scheme: http' in str(err.value)


def test_unreachable_port_is_a_clear_connection_error(new_device):
    device = new_device('current_camera')
    client = client_from_params(device.params(port=1), name=device.name)
    client._sleep = lambda s: None
    with pytest.raises(IsapiConnectionError) as err:
        client.get('/ISAPI/System/deviceInfo')
    assert 'cannot talk to https://%s:1 (Connection refused): check host, port and scheme' % device.address in str(err.value)


def test_inactive_device_refuses_and_the_message_says_activate(new_device):
    device = new_device('current_camera', activated=False)
    with pytest.raises(IsapiNotActivatedError) as err:
        client_from_params(device.params()).get('/ISAPI/System/deviceInfo')
    assert 'is not activated (factory-fresh)' in str(err.value)
    assert 'camfleet.hikvision.activate' in str(err.value)
    assert failed_logins(device) == 0


def test_busy_device_is_retried_for_reads(new_device):
    device = new_device('current_camera')
    device.control.faults(device.name, busy_next=2)
    with client_from_params(device.params()) as client:
        client._sleep = lambda s: None
        assert client.get('/ISAPI/System/deviceInfo') is not None
    counters = device.counters()
    assert counters['busy'] == 2 and counters['requests']['GET /ISAPI/System/deviceInfo'] == 1


def test_dropped_answer_to_an_idempotent_put_is_retried_and_applied(new_device):
    device = new_device('current_camera')
    with client_from_params(device.params()) as client:
        client._sleep = lambda s: None
        doc = client.get('/ISAPI/System/time')
        xmldoc.set_text(doc, 'timeZone', 'CST-2:00:00')
        device.control.faults(device.name, drop_response_next=1)
        client.put('/ISAPI/System/time', doc)
    assert device.counters()['requests']['PUT /ISAPI/System/time'] == 2
    assert xmldoc.text(client_from_params(device.params()).get('/ISAPI/System/time'), 'timeZone') == 'CST-2:00:00'


def test_refused_connections_are_retried_with_backoff_for_reads(new_device):
    device = new_device('current_camera')
    device.control.faults(device.name, refuse_seconds=1)
    with client_from_params(device.params()) as client:
        started = time.monotonic()
        assert client.get('/ISAPI/System/deviceInfo') is not None
        assert time.monotonic() - started >= 0.4


def test_non_reads_are_not_retried_after_a_lost_answer(new_device):
    device = new_device('current_camera')
    device.control.faults(device.name, drop_response_next=1)
    with client_from_params(device.params()) as client:
        with pytest.raises(IsapiConnectionError):
            client.put('/ISAPI/System/reboot', idempotent=False)
    assert device.counters()['requests']['PUT /ISAPI/System/reboot'] == 1


class _NotIsapi(BaseHTTPRequestHandler):
    size = 100

    def do_GET(self):
        body = b'x' * self.size if self.path.startswith('/big') else b'<html><body>router login</body></html>'
        self.send_response(200)
        self.send_header('Content-Type', 'text/html')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def not_isapi_server():
    _NotIsapi.size = 5 * 1024 * 1024
    server = HTTPServer(('127.0.0.1', 0), _NotIsapi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_non_xml_and_oversized_answers_are_protocol_errors(not_isapi_server):
    params = dict(host='127.0.0.1', port=not_isapi_server, scheme='http', username='admin',
                  password='Irrelevant-123', validate_certs=True, ca_path=None, timeout=5)
    with client_from_params(params) as client:
        with pytest.raises(IsapiProtocolError) as err:
            client.get('/ISAPI/System/deviceInfo', auth=False)
        assert 'with text/html instead of XML (HTTP 200): is this a Hikvision ISAPI device' in str(err.value)
        with pytest.raises(IsapiProtocolError) as err:
            client.get('/big', auth=False)
        assert 'with more than 4194304 bytes' in str(err.value)


@pytest.mark.parametrize('profile,namespace', [
    ('current_camera', 'http://www.hikvision.com/ver20/XMLSchema'),
    ('legacy_camera', 'http://www.hikvision.com/ver20/XMLSchema'),
    ('nvr', 'http://www.isapi.org/ver20/XMLSchema'),
])
def test_read_modify_write_keeps_the_profile_namespace_and_element_order(new_device, profile, namespace):
    device = new_device(profile)
    with client_from_params(device.params()) as client:
        before = client.get('/ISAPI/System/time')
        assert xmldoc.namespace(before) == namespace
        order = [child.tag for child in before]
        xmldoc.set_text(before, 'timeZone', 'CST-3:00:00')
        result = client.put('/ISAPI/System/time', before)
        assert result.reboot_required is False
        after = client.get('/ISAPI/System/time')
    assert xmldoc.namespace(after) == namespace
    assert [child.tag for child in after] == order
    assert xmldoc.text(after, 'timeZone') == 'CST-3:00:00'


def test_a_write_as_first_request_sends_its_body_once(new_device):
    device = new_device('current_camera')
    with client_from_params(device.params()) as reader:
        doc = reader.get('/ISAPI/System/time')
    device.control.reset_counters(device.name)
    with client_from_params(device.params()) as writer:
        writer.put('/ISAPI/System/time', doc)
        assert writer.requests_sent == 2  # a bodiless challenge probe, then the PUT once
    counters = device.counters()
    assert counters['requests'] == {'PUT /ISAPI/System/time': 1}
    assert counters['unauthorized'] == 1 and sum(counters['failed_logins'].values()) == 0


# -- the ONVIF login (module_utils/onvif.py) over the same client -----------------------------------

def onvif_device(new_device, password='Onvif-Pass-01'):
    device = new_device('current_camera')
    run(SERVICES, device.params(onvif=True, onvif_users=[{'name': 'vms', 'password': password}]))
    device.control.reset_counters(device.name)
    return device


def test_onvif_login_accepts_refuses_once_and_follows_the_connection(new_device):
    device = onvif_device(new_device)
    assert onvif_login(device.params(), 'vms', 'Onvif-Pass-01', name=device.name) is True
    assert onvif_login(device.params(), 'vms', 'Wrong-Pass-01', name=device.name) is False
    assert failed_logins(device) == 1  # one refused ONVIF login, never repeated
    # plain HTTP only when the task asks for it (the body carries a digest, not the password)
    http = device.params(scheme='http', port=device.info['http_port'])
    assert onvif_login(http, 'vms', 'Onvif-Pass-01', name=device.name) is True
    log = [r for r in device.control.requests(device.name) if r['target'] == '/onvif/device_service']
    # per login one clock read and one GetDeviceInformation, never an Authorization header
    assert len(log) == 6 and not any('Authorization' in r['headers'] for r in log)
    assert device.counters()['successful_logins'] == 2 and device.counters()['writes'] == 0


def test_onvif_login_verifies_tls_and_says_when_onvif_is_off_or_the_client_is_locked(new_device):
    device = onvif_device(new_device)
    with pytest.raises(IsapiTLSError):
        onvif_login(device.params(ca_path=None), 'vms', 'Onvif-Pass-01')
    assert device.counters()['requests'] == {}  # nothing reached the device
    device.control.faults(device.name, lock_seconds=60)
    with pytest.raises(IsapiLockedError) as err:
        onvif_login(device.params(), 'vms', 'Onvif-Pass-01', name=device.name)
    assert 'no further login was attempted' in str(err.value)
    device.control.clear_faults(device.name)
    run(SERVICES, device.params(onvif=False))
    with pytest.raises(IsapiError) as err:
        onvif_login(device.params(), 'vms', 'Onvif-Pass-01', name=device.name)
    assert 'ONVIF is off on the device (Integrate/ONVIF/enable is false)' in str(err.value)
    assert failed_logins(device) == 0
