"""Activation crypto (docs/developer/isapi-reference.md, §3.6 vectors) and the full challenge/activate round trip.
Subnet 127.34.0.0/16 (+50 per xdist worker), ports 18080/18443."""
import json
import os
import base64

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from emuhelp import net, Client, sub_status, text, xml
from emulator import activation
from emulator.testing import RunningFleet

N = net(34)  # this module's 127.x prefix (distinct per xdist worker)

# Test vectors from docs/developer/isapi-reference.md, §3.6 (qb60/hikvision-configure tests/test_crypto.py, a public test key).
_VECTORS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
with open(os.path.join(_VECTORS_DIR, "activation-vectors.json")) as _f:
    _VECTORS = json.load(_f)
with open(os.path.join(_VECTORS_DIR, _VECTORS["private_key_file"]), "rb") as _f:
    QB_PRIVATE_KEY = _f.read()
QB_CHALLENGE_KEY = _VECTORS["challenge_key"]
QB_RANDOM = _VECTORS["random"]
QB_PASSWORD_FIELD = _VECTORS["password_field"]


def _client_key_text(private_key) -> str:
    n = private_key.public_key().public_numbers().n
    return base64.b64encode(n.to_bytes((n.bit_length() + 7) // 8, "big").hex().encode()).decode()


def _client_decrypt(private_key, key_text: str) -> str:
    ct = bytes.fromhex(base64.b64decode(key_text).decode())
    return private_key.decrypt(ct, padding.PKCS1v15())[-32:].decode()


# --- crypto vectors (no server) ------------------------------------------------------------------

def test_vector_password_decrypts_to_qwer1234():
    assert activation.decrypt_password(QB_PASSWORD_FIELD, QB_RANDOM) == "qwer1234"


def test_vector_client_encryption_matches():
    assert activation.client_encrypt_password("qwer1234", QB_RANDOM) == QB_PASSWORD_FIELD


def test_vector_challenge_key_format():
    key = serialization.load_pem_private_key(QB_PRIVATE_KEY, password=None)
    assert _client_decrypt(key, QB_CHALLENGE_KEY) == "1ad021adbbecb495fa4794e12f0ac63c"


def test_device_challenge_decrypts_with_the_vector_key():
    key = serialization.load_pem_private_key(QB_PRIVATE_KEY, password=None)
    random_string = activation.new_random_string()
    encrypted = activation.encrypt_challenge(_client_key_text(key), random_string)
    assert len(bytes.fromhex(base64.b64decode(encrypted).decode())) == 128
    assert _client_decrypt(key, encrypted) == random_string


def test_long_password_spans_blocks():
    field = activation.client_encrypt_password("Abcdefgh-1234567", QB_RANDOM)
    assert activation.decrypt_password(field, QB_RANDOM) == "Abcdefgh-1234567"


# --- against a running device --------------------------------------------------------------------

FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"http_port": 18080, "https_port": 18443},
    "sites": [{"name": "act", "devices": [
        {"name": "fresh", "profile": "current_camera", "activated": False},
        {"name": "fresh-nvr", "profile": "nvr", "activated": False},
        {"name": "fresh-legacy", "profile": "legacy_camera", "activated": False},
        {"name": "active", "profile": "current_camera", "activated": True},
    ]}],
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("act")) as running:
        yield running


def _plain(fleet, name, method, path, body=None):
    return requests.request(method, fleet.url(name, path), data=body, verify=fleet.ca_path, timeout=5)


def _activate(fleet, name, password, root="PublicKey"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    body = f"<{root}><key>{_client_key_text(key)}</key></{root}>"
    r = _plain(fleet, name, "POST", "/ISAPI/Security/challenge", body)
    assert r.status_code == 200, r.text
    assert b'xmlns="http://www.std-cgi.com/ver20/XMLSchema"' in r.content and xml(r).tag == "Challenge"
    random_string = _client_decrypt(key, text(r, "key"))
    assert len(random_string) == 32 and int(random_string, 16) >= 0
    field = activation.client_encrypt_password(password, random_string)
    return _plain(fleet, name, "PUT", "/ISAPI/System/activate",
                  f"<ActivateInfo><password>{field}</password></ActivateInfo>")


@pytest.mark.parametrize("name", ["fresh", "fresh-nvr", "fresh-legacy"])
def test_round_trip(fleet, name):
    fleet.control.provision(name, activated=False)
    r = _plain(fleet, name, "GET", "/SDK/activateStatus")
    assert r.status_code == 200 and text(r, "Activated") == "false"
    r = _plain(fleet, name, "GET", "/ISAPI/System/deviceInfo")
    assert r.status_code == 403 and sub_status(r) == "notActivated"
    r = _activate(fleet, name, "weak")
    assert r.status_code == 400 and sub_status(r) == "userPwdLenUnder8"
    r = _activate(fleet, name, "Admin-Pass-2024", root="Challenge")
    assert r.status_code == 200 and sub_status(r) == "ok", r.text
    assert text(_plain(fleet, name, "GET", "/SDK/activateStatus"), "Activated") == "true"
    assert fleet.control.check_password(name, "admin", "Admin-Pass-2024")
    state = fleet.control.state(name)
    assert state["activated"] and state["users"] == [{"id": 1, "name": "admin", "level": "Administrator"}]
    ok = Client(fleet, name, password="Admin-Pass-2024").get("/ISAPI/System/deviceInfo")
    assert ok.status_code == 200
    r = _activate(fleet, name, "Other-Pass-2024")
    assert r.status_code == 403 and sub_status(r) == "hasActivated"


def test_inactive_device_needs_no_auth_for_errors(fleet):
    fleet.control.provision("fresh", activated=False)
    for method, path in (("GET", "/ISAPI/Security/users"), ("PUT", "/ISAPI/System/reboot"),
                         ("GET", "/ISAPI/Nothing/here")):
        r = _plain(fleet, "fresh", method, path)
        assert r.status_code == 403 and sub_status(r) == "notActivated"
        assert text(r, "statusCode") == "4"


def test_activate_without_challenge(fleet):
    fleet.control.provision("fresh", activated=False)
    field = activation.client_encrypt_password("Admin-Pass-2024", QB_RANDOM)
    r = _plain(fleet, "fresh", "PUT", "/ISAPI/System/activate",
               f"<ActivateInfo><password>{field}</password></ActivateInfo>")
    assert r.status_code == 403 and sub_status(r) == "invalidOperation"


def test_last_challenge_wins(fleet):
    fleet.control.provision("fresh", activated=False)
    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    body = f"<PublicKey><key>{_client_key_text(key)}</key></PublicKey>"
    first = _client_decrypt(key, text(_plain(fleet, "fresh", "POST", "/ISAPI/Security/challenge", body), "key"))
    second = _client_decrypt(key, text(_plain(fleet, "fresh", "POST", "/ISAPI/Security/challenge", body), "key"))
    stale = activation.client_encrypt_password("Admin-Pass-2024", first)
    r = _plain(fleet, "fresh", "PUT", "/ISAPI/System/activate", f"<ActivateInfo><password>{stale}</password></ActivateInfo>")
    assert r.status_code == 400
    good = activation.client_encrypt_password("Admin-Pass-2024", second)
    r = _plain(fleet, "fresh", "PUT", "/ISAPI/System/activate",
               f"<Activate><ActivateInfo><password>{good}</password></ActivateInfo></Activate>")
    assert r.status_code == 200


def test_bad_challenge_bodies(fleet):
    assert sub_status(_plain(fleet, "fresh", "POST", "/ISAPI/Security/challenge", "<PublicKey>")) == "badXmlFormat"
    r = _plain(fleet, "fresh", "POST", "/ISAPI/Security/challenge", "<PublicKey><key>!!</key></PublicKey>")
    assert r.status_code == 400 and sub_status(r) == "badParameters"
    r = _plain(fleet, "fresh", "POST", "/ISAPI/Security/challenge", "<Other/>")
    assert sub_status(r) == "badXmlContent"


def test_activated_device_reports_true(fleet):
    assert text(_plain(fleet, "active", "GET", "/SDK/activateStatus"), "Activated") == "true"
    r = _activate(fleet, "active", "Admin-Pass-2024")
    assert r.status_code == 403 and sub_status(r) == "hasActivated"
