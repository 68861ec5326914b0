"""Pure checks behind issue 8 items 7, 8 and 10: which requests carry a secret in clear, the
connection option checks, and POSIX TZ / DNS refusals."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import client as c
from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import check_connection
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.network import check_dns
from ansible_collections.camfleet.hikvision.plugins.module_utils.timecfg import parse_user_zone


@pytest.mark.parametrize('data, params, found', [
    (b'<User><password>Secret-1</password></User>', None, 'a <password> in its body'),
    (b'<User><loginPassword>Secret-1</loginPassword></User>', None, 'a <loginPassword> in its body'),
    (b'<x:User xmlns:x="u"><x:password>Secret-1</x:password></x:User>', None, 'a <password> in its body'),
    (b'<EZVIZ><verificationCode>ABCDEF</verificationCode></EZVIZ>', None,
     'a <verificationCode> in its body'),
    (b'<EZVIZ><verificationCode/></EZVIZ>', None, None),
    (b'<EZVIZ><verificationCode>  </verificationCode></EZVIZ>', None, None),
    (b'<Cap><passwordLevel>high</passwordLevel></Cap>', None, None),
    (None, {'loginPassword': 'Secret-1'}, 'the loginPassword in its URL query'),
    (None, {'secretkey': 'k'}, 'the secretkey in its URL query'),
    (None, {'format': 'json'}, None),
    (b'\x00\x01binary', None, None),
])
def test_secret_in(data, params, found):
    assert c.secret_in(data, params) == found


def test_https_sends_secrets_and_http_refuses_them_before_sending():
    safe = c.IsapiClient('192.0.2.10', scheme='https', password='x')
    safe._guard_secret('POST', '/ISAPI/Security/users', 'a <password> in its body')
    plain = c.IsapiClient('192.0.2.10', scheme='http', password='x')
    with pytest.raises(IsapiInputError) as err:
        plain.post('/ISAPI/Security/users', b'<User><password>Secret-1</password></User>')
    assert 'refused to send POST /ISAPI/Security/users over plain HTTP' in str(err.value)
    assert plain.requests_sent == 0
    allowed = c.IsapiClient('192.0.2.10', scheme='http', password='x', allow_insecure_secrets=True)
    allowed._guard_secret('POST', '/p', 'a <password> in its body')
    allowed._guard_secret('POST', '/p', 'a <password> in its body')
    assert allowed.warnings == ['http://192.0.2.10:80: POST /p sent a <password> in its body in '
                                'clear text over plain HTTP because allow_insecure_secrets is set; '
                                'use scheme: https']


def _params(**extra):
    base = dict(host='192.0.2.10', port=443, timeout=30, username='admin', ca_path=None,
                validate_certs=True)
    base.update(extra)
    return base


@pytest.mark.parametrize('extra, start', [
    (dict(host=None), 'host is empty'),
    (dict(host='http://cam'), "host 'http://cam' is a URL"),
    (dict(host='cam\t1'), "host 'cam\\t1' contains a space"),
    (dict(port=65536), 'port 65536 is outside 1-65535'),
    (dict(timeout=0), 'timeout 0 must be a positive number'),
    (dict(username=u'\u0101dmin'), u"username '\u0101dmin' has characters outside ASCII"),
    (dict(ca_path='/nonexistent/ca.pem'), 'ca_path /nonexistent/ca.pem does not exist'),
])
def test_check_connection_refuses(extra, start):
    with pytest.raises(IsapiInputError) as err:
        check_connection(_params(**extra))
    assert str(err.value).startswith(start)


def test_check_connection_accepts_good_options_and_skips_ca_without_verification(tmp_path):
    check_connection(_params(host='cam-1.example', port=1))
    check_connection(_params(host='2001:db8::1', port=65535))
    check_connection(_params(ca_path=str(tmp_path / 'missing.pem'), validate_certs=False))


@pytest.mark.parametrize('value, offset, dst', [
    ('CST-1:00:00DST01:00:00,M3.5.0/02:00:00,M10.5.0/03:00:00', 3600,
     'DST01:00:00,M3.5.0/02:00:00,M10.5.0/03:00:00'),
    ('CST-8:00:00DST', 8 * 3600, 'DST'),
    ('CST+5:00:00DST,J60/2,300/2', -5 * 3600, 'DST,J60/2,300/2'),
    ('UTC+05:30', 5 * 3600 + 1800, None),
])
def test_valid_zones(value, offset, dst):
    zone = parse_user_zone(value)
    assert (zone.offset, zone.dst) == (offset, dst)


@pytest.mark.parametrize('value, words', [
    ('CST-8:00:00DSTjunk', "the DST part 'DSTjunk' is not a POSIX TZ rule"),
    ('CST-8:00:00DST,J0/2,300/2', 'rule J0 needs a day J1-J365'),
    ('CST-8:00:00DST,M3.6.0,M10.5.0', 'rule M3.6.0 needs M<month 1-12>.<week 1-5>.<weekday 0-6>'),
    ('CST-8:00:00DST25:00:00,M3.5.0,M10.5.0', 'hours 25 are out of range (0-24)'),
    ('-03:60', 'minutes 60 are out of range (00-59)'),
])
def test_invalid_zones_say_why(value, words):
    with pytest.raises(IsapiInputError) as err:
        parse_user_zone(value)
    assert words in str(err.value)


@pytest.mark.parametrize('value', ['0.0.0.0', '255.255.255.255', '224.0.0.1', '239.1.2.3'])
def test_dns_refusals(value):
    with pytest.raises(IsapiInputError):
        check_dns(value, 'dns[0]')


def test_dns_accepts_unicast():
    assert str(check_dns('192.0.2.53', 'dns[0]')) == '192.0.2.53'
