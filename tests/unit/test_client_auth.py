"""Pure parts of the client's authentication: challenge parsing, digest answers, lock bodies.
Behaviour over the wire is tested against the emulator in tests/integration."""
from ansible_collections.camfleet.hikvision.plugins.module_utils import client as c


def test_digest_answer_matches_a_real_v5_5_camera_capture():
    # From the recorded exchange with a DS-2CD2155FWD-I on V5.5.0 (tests/data/
    # real-devices/hikvision-client/test_auth_firmware_v5_5.yaml): the camera accepted this answer.
    params = dict(realm='IP Camera(83813)', qop='auth',
                  nonce='5a6d466d4d5467314d3251365a446b31597a51355a413d3d')
    header = c.digest_authorization(params, 'admin', 'cainthus123', 'GET', '/ISAPI/System/status',
                                    1, '42669a73b46eb115')
    assert 'response="d5a45576cf89a2dbd133c971c4a672b8"' in header
    assert 'qop=auth, nc=00000001, cnonce="42669a73b46eb115"' in header


def test_digest_rfc2617_example():
    params = dict(realm='testrealm@host.com', qop='auth,auth-int',
                  nonce='dcd98b7102dd2f0e8b11d0f600bfb0c093', opaque='5ccc069c403ebaf9f0171e9517f40e41')
    header = c.digest_authorization(params, 'Mufasa', 'Circle Of Life', 'GET', '/dir/index.html',
                                    1, '0a4f113b')
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header


def test_digest_sha256_rfc7616_example():
    params = dict(realm='http-auth@example.org', qop='auth, auth-int', algorithm='SHA-256',
                  nonce='7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', opaque='FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS')
    header = c.digest_authorization(params, 'Mufasa', 'Circle of Life', 'GET', '/dir/index.html',
                                    1, 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ')
    assert 'response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"' in header
    assert 'algorithm="SHA-256"' in header


def test_parse_two_headers_and_a_combined_one():
    got = c.parse_challenges([
        'Digest realm="abc", domain="::", qop="auth", nonce="n1:1700000000000", opaque="", algorithm="MD5", stale="FALSE"',
        'Basic realm="abc"'])
    assert [g[0] for g in got] == ['digest', 'basic']
    assert got[0][1]['nonce'] == 'n1:1700000000000' and got[0][1]['opaque'] == ''
    combined = c.parse_challenges(['Digest qop="auth", realm="IP Camera(1)", nonce="x", stale="TRUE", Basic realm="IP Camera(1)"'])
    assert [g[0] for g in combined] == ['digest', 'basic'] and combined[0][1]['stale'] == 'TRUE'


def test_lock_bodies_in_both_documented_shapes():
    user_check = b'''<?xml version="1.0" encoding="UTF-8" ?><userCheck><statusValue>401</statusValue>
<statusString>Unauthorized</statusString><lockStatus>lock</lockStatus><unlockTime>210</unlockTime>
<retryLoginTime>0</retryLoginTime></userCheck>'''
    assert c.lock_info(user_check) == (True, 210, 0)
    unlocked = user_check.replace(b'>lock<', b'>unlock<').replace(b'<retryLoginTime>0', b'<retryLoginTime>3')
    assert c.lock_info(unlocked) == (False, 210, 3)
    guide = b'''<ResponseStatus xmlns="http://www.std-cgi.org/ver20/XMLSchema"><statusCode>4</statusCode>
<lockStatus>locked</lockStatus><retryTimes>0</retryTimes><resLockTime>1800</resLockTime></ResponseStatus>'''
    assert c.lock_info(guide) == (True, 1800, 0)
    assert c.lock_info(b'<html><body>Document Error: Unauthorized</body></html>') == (False, None, None)


def test_basic_only_over_http_is_refused_unless_allowed():
    import pytest
    from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiAuthError
    plain = c.IsapiClient('192.0.2.10', scheme='http', password='x')
    with pytest.raises(IsapiAuthError) as err:
        plain._choose([('basic', {'realm': 'r'})], '/ISAPI/System/deviceInfo')
    assert 'offers only Basic authentication' in str(err.value)
    assert 'allow_insecure_basic_auth: true' in str(err.value)
    allowed = c.IsapiClient('192.0.2.10', scheme='http', password='x', allow_insecure_basic_auth=True)
    assert allowed._choose([('basic', {})], '/p') == ('basic', {})
    tls = c.IsapiClient('192.0.2.10', scheme='https', password='x')
    assert tls._choose([('basic', {})], '/p') == ('basic', {})


def test_digest_is_preferred_and_sha256_over_md5():
    client = c.IsapiClient('192.0.2.10', password='x')
    challenges = [('basic', {}), ('digest', {'algorithm': 'MD5', 'nonce': 'a'}),
                  ('digest', {'algorithm': 'SHA-256', 'nonce': 'b'})]
    assert client._choose(challenges, '/p')[1]['nonce'] == 'b'
    assert client._choose(challenges[:2], '/p')[1]['nonce'] == 'a'


def test_tls_trust_order(monkeypatch, tmp_path):
    monkeypatch.setenv('REQUESTS_CA_BUNDLE', '/etc/site-bundle.pem')
    assert c.IsapiClient('192.0.2.10', password='x').session.verify == '/etc/site-bundle.pem'
    assert c.IsapiClient('192.0.2.10', password='x', ca_path=str(tmp_path / 'ca.pem')).session.verify == str(tmp_path / 'ca.pem')
    assert c.IsapiClient('192.0.2.10', password='x', validate_certs=False).session.verify is False
    monkeypatch.delenv('REQUESTS_CA_BUNDLE')
    monkeypatch.delenv('CURL_CA_BUNDLE', raising=False)
    assert c.IsapiClient('192.0.2.10', password='x').session.verify is True
