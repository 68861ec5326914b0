"""Digest/Basic authentication, nonces and the illegal-login lock. Subnet 127.33.0.0/16 (+50 per xdist worker), ports 80/443."""
import base64
import time

import pytest
import requests

from emuhelp import net, Client, challenges, digest_header, digest_params, text, xml
from emulator.testing import RunningFleet

N = net(33)  # this module's 127.x prefix (distinct per xdist worker)

FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"lock_attempts": 3, "lock_seconds": 100, "nonce_seconds": 100},
    "sites": [{"name": "auth", "devices": [
        {"name": "cur", "profile": "current_camera", "activated": True, "password": "Current-Pass1"},
        {"name": "leg", "profile": "legacy_camera", "activated": True, "password": "Legacy-Pass1"},
        {"name": "nvr", "profile": "nvr", "activated": True, "password": "Nvr-Pass-01"},
        {"name": "sha", "profile": "current_camera", "activated": True, "password": "Sha-Pass-01",
         "digest_algorithms": ["MD5", "SHA-256"]},
        {"name": "stale", "profile": "current_camera", "activated": True, "password": "Stale-Pass1",
         "nonce_seconds": 20},
    ]}],
}
PATH = "/ISAPI/System/deviceInfo"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("auth")) as running:
        yield running


@pytest.fixture(autouse=True)
def clean(fleet):
    for name in fleet.devices:
        fleet.control.unlock(name)
        fleet.control.reset_counters(name)
    yield


def url(fleet, name, path=PATH):
    return fleet.url(name, path)


def get(fleet, name, headers=None, path=PATH):
    return requests.get(url(fleet, name, path), headers=headers or {}, verify=fleet.ca_path, timeout=5)


def challenge(fleet, name):
    r = get(fleet, name)
    assert r.status_code == 401
    return digest_params(challenges(r)[0])


def signed(fleet, name, password, path=PATH, **kw):
    params = challenge(fleet, name)
    return get(fleet, name, {"Authorization": digest_header("GET", path, "admin", password, params, **kw)}, path)


def test_no_credentials_gets_challenge_not_counted(fleet):
    r = get(fleet, "cur")
    assert r.status_code == 401
    (header,) = challenges(r)
    assert header.startswith('Digest qop="auth", realm="IP Camera(') and header.endswith('stale="FALSE"')
    params = digest_params(header)
    assert len(params["realm"]) == len("IP Camera(12345)")
    assert r.headers["Content-Type"] == 'application/xml; charset="UTF-8"'
    body = xml(r)
    assert body.tag == "userCheck"
    assert [c.tag for c in body] == ["statusValue", "statusString", "lockStatus", "unlockTime", "retryLoginTime"]
    assert text(r, "lockStatus") == "unlock" and text(r, "retryLoginTime") == "3"
    assert fleet.control.counters("cur")["failed_logins"] == {}


def test_hand_written_digest_accepted(fleet):
    r = signed(fleet, "cur", "Current-Pass1")
    assert r.status_code == 200, r.text
    assert xml(r).tag == "DeviceInfo"
    counters = fleet.control.counters("cur")
    assert counters["successful_logins"] == 1
    assert counters["requests"] == {"GET /ISAPI/System/deviceInfo": 1}


def test_increasing_nc_on_same_nonce(fleet):
    params = challenge(fleet, "cur")
    for nc in (1, 2, 3):
        h = digest_header("GET", PATH, "admin", "Current-Pass1", params, nc=nc)
        assert get(fleet, "cur", {"Authorization": h}).status_code == 200


def test_requests_digest_auth_works_on_every_profile(fleet):
    for name, pw in (("cur", "Current-Pass1"), ("leg", "Legacy-Pass1"), ("nvr", "Nvr-Pass-01")):
        r = requests.get(url(fleet, name), auth=requests.auth.HTTPDigestAuth("admin", pw),
                         verify=fleet.ca_path, timeout=5)
        assert r.status_code == 200, (name, r.text)


def test_basic_accepted_on_legacy_only(fleet):
    basic = {"Authorization": "Basic " + base64.b64encode(b"admin:Legacy-Pass1").decode()}
    r = get(fleet, "leg", basic)
    assert r.status_code == 200
    basic_cur = {"Authorization": "Basic " + base64.b64encode(b"admin:Current-Pass1").decode()}
    r = get(fleet, "cur", basic_cur)
    assert r.status_code == 401
    assert all(not h.startswith("Basic") for h in challenges(r))
    assert fleet.control.counters("cur")["failed_logins"] == {}


def test_legacy_offers_basic_and_html_401(fleet):
    r = get(fleet, "leg")
    assert r.status_code == 401
    headers = challenges(r)
    assert headers[0].startswith("Digest ") and headers[1].startswith('Basic realm="IP Camera(')
    assert r.headers["Content-Type"] == "text/html"
    assert "Document Error: Unauthorized" in r.text


def test_legacy_wrong_basic_counts_and_locks_with_html(fleet):
    bad = {"Authorization": "Basic " + base64.b64encode(b"admin:nope").decode()}
    for _ in range(3):
        r = get(fleet, "leg", bad)
        assert r.status_code == 401 and "Unauthorized" in r.text
    good = {"Authorization": "Basic " + base64.b64encode(b"admin:Legacy-Pass1").decode()}
    assert get(fleet, "leg", good).status_code == 401
    assert fleet.control.state("leg")["locks"]["127.0.0.1"]["locked"] is True


def test_wrong_password_counted_once(fleet):
    r = signed(fleet, "cur", "wrong-password")
    assert r.status_code == 401
    assert text(r, "lockStatus") == "unlock" and text(r, "retryLoginTime") == "2"
    counters = fleet.control.counters("cur")
    assert counters["failed_logins"] == {"127.0.0.1": 1}
    assert counters["successful_logins"] == 0 and counters["requests"] == {}


def test_unknown_user_and_bad_response_are_failures(fleet):
    params = challenge(fleet, "cur")
    h = digest_header("GET", PATH, "nobody", "Current-Pass1", params)
    assert get(fleet, "cur", {"Authorization": h}).status_code == 401
    h = digest_header("GET", PATH, "admin", "Current-Pass1", params).replace('response="', 'response="0')
    assert get(fleet, "cur", {"Authorization": h}).status_code == 401
    assert fleet.control.counters("cur")["failed_logins"] == {"127.0.0.1": 2}


def test_success_resets_failure_count(fleet):
    signed(fleet, "cur", "bad-1")
    signed(fleet, "cur", "bad-2")
    assert signed(fleet, "cur", "Current-Pass1").status_code == 200
    r = signed(fleet, "cur", "bad-3")
    assert text(r, "retryLoginTime") == "2"


def test_lock_after_n_failures_refuses_correct_password(fleet):
    for expected_left in ("2", "1"):
        r = signed(fleet, "cur", "bad")
        assert text(r, "lockStatus") == "unlock" and text(r, "retryLoginTime") == expected_left
    r = signed(fleet, "cur", "bad")
    assert r.status_code == 401 and text(r, "lockStatus") == "lock"
    r = signed(fleet, "cur", "Current-Pass1")
    assert r.status_code == 401
    assert challenges(r)[0].startswith("Digest ")
    assert text(r, "lockStatus") == "lock" and text(r, "retryLoginTime") == "0"
    assert 0 < int(text(r, "unlockTime")) <= 1  # 100 s x 0.01
    # locked requests are not counted again
    assert fleet.control.counters("cur")["failed_logins"] == {"127.0.0.1": 3}
    # the lock expires after lock_seconds x time_scale
    time.sleep(1.1)
    assert signed(fleet, "cur", "Current-Pass1").status_code == 200


def test_control_unlock_clears_lock(fleet):
    for _ in range(3):
        signed(fleet, "nvr", "bad")
    assert signed(fleet, "nvr", "Nvr-Pass-01").status_code == 401
    fleet.control.unlock("nvr")
    assert signed(fleet, "nvr", "Nvr-Pass-01").status_code == 200


def test_disabled_lock_never_locks(fleet):
    client = Client(fleet, "nvr", password="Nvr-Pass-01")
    body = ('<IllegalLoginLock><enabled>false</enabled><maxIllegalLoginTimes>3</maxIllegalLoginTimes>'
            '<maxIllegalLoginLockTime>100</maxIllegalLoginLockTime></IllegalLoginLock>')
    assert client.put("/ISAPI/Security/illegalLoginLock", body).status_code == 200
    try:
        for _ in range(5):
            signed(fleet, "nvr", "bad")
        assert signed(fleet, "nvr", "Nvr-Pass-01").status_code == 200
    finally:
        client.put("/ISAPI/Security/illegalLoginLock", body.replace("false", "true"))


def test_stale_nonce_gets_fresh_challenge_not_failure(fleet):
    params = challenge(fleet, "stale")  # nonce lives 20 s x 0.01 = 0.2 s
    time.sleep(0.4)
    r = get(fleet, "stale", {"Authorization": digest_header("GET", PATH, "admin", "Stale-Pass1", params)})
    assert r.status_code == 401
    header = challenges(r)[0]
    assert 'stale="TRUE"' in header and digest_params(header)["nonce"] != params["nonce"]
    assert fleet.control.counters("stale")["failed_logins"] == {}
    # requests' HTTPDigestAuth recovers from stale by itself
    session = requests.Session()
    session.auth = requests.auth.HTTPDigestAuth("admin", "Stale-Pass1")
    assert session.get(url(fleet, "stale"), verify=fleet.ca_path).status_code == 200
    time.sleep(0.4)
    assert session.get(url(fleet, "stale"), verify=fleet.ca_path).status_code == 200
    # a wrong password with an expired nonce is still a failure
    time.sleep(0.4)
    r = get(fleet, "stale", {"Authorization": digest_header("GET", PATH, "admin", "bad", params)})
    assert r.status_code == 401 and fleet.control.counters("stale")["failed_logins"] == {"127.0.0.1": 1}


def test_unknown_nonce_is_stale(fleet):
    params = dict(challenge(fleet, "cur"), nonce="00" * 16)
    r = get(fleet, "cur", {"Authorization": digest_header("GET", PATH, "admin", "Current-Pass1", params)})
    assert r.status_code == 401 and 'stale="TRUE"' in challenges(r)[0]


def test_sha256_offered_first_and_verified(fleet):
    r = get(fleet, "sha")
    headers = challenges(r)
    assert len(headers) == 2
    assert "algorithm=SHA-256" in headers[0] and "algorithm=MD5" in headers[1]
    params = digest_params(headers[0])
    h = digest_header("GET", PATH, "admin", "Sha-Pass-01", params, algorithm="SHA-256")
    assert get(fleet, "sha", {"Authorization": h}).status_code == 200
    params = digest_params(challenges(get(fleet, "sha"))[1])
    h = digest_header("GET", PATH, "admin", "Sha-Pass-01", params)
    assert get(fleet, "sha", {"Authorization": h}).status_code == 200


def test_sha256_refused_when_not_configured(fleet):
    params = challenge(fleet, "cur")
    h = digest_header("GET", PATH, "admin", "Current-Pass1", params, algorithm="SHA-256")
    assert get(fleet, "cur", {"Authorization": h}).status_code == 401


def test_nvr_realm_and_namespace(fleet):
    params = challenge(fleet, "nvr")
    assert len(params["realm"]) == 24
    r = signed(fleet, "nvr", "Nvr-Pass-01")
    assert r.status_code == 200 and b'xmlns="http://www.isapi.org/ver20/XMLSchema"' in r.content


def test_lock_is_per_client_ip(fleet):
    dev = fleet.devices["cur"]
    for _ in range(3):
        signed(fleet, "cur", "bad")
    # same device, other loopback source address: not locked
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter()
    adapter.init_poolmanager(1, 1, source_address=(f"{N}.250.1", 0))
    session.mount("https://", adapter)
    session.auth = requests.auth.HTTPDigestAuth("admin", "Current-Pass1")
    assert session.get(f"https://{dev['address']}{PATH}", verify=fleet.ca_path).status_code == 200
    assert signed(fleet, "cur", "Current-Pass1").status_code == 401
