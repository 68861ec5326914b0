"""The emulator answers like the recorded devices (README, "Conformance"): not-supported forms,
whole capability trees, ResponseStatus and layout, connection headers, strict Digest, lockout
thresholds and unknowns, whole-document writes. Each test names the fact it checks."""
from __future__ import annotations

import http.client
import json
import os
import re
import ssl
import xml.etree.ElementTree as ET

import pytest
import requests

from emuhelp import (Client, challenges, digest_header, digest_params, net, sub_status, text,
                     wait_until, xml)
from emulator.testing import RunningFleet

N = net(52)
PW = {"cur": "Current-Pass1", "leg": "Legacy-Pass1", "nvr": "Nvr-Pass-01", "odd": "Oddity-Pass1"}
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "sites": [{"name": "fid", "devices": [
        {"name": "cur", "profile": "current_camera", "password": PW["cur"]},
        {"name": "leg", "profile": "legacy_camera", "password": PW["leg"]},
        {"name": "nvr", "profile": "nvr", "password": PW["nvr"]},
        # the lockout unknowns set the other way from their defaults
        {"name": "odd", "profile": "current_camera", "password": PW["odd"],
         "lock_survives_reboot": True, "login_password_counts": True},
    ]}],
}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "emulator", "data")
PATH = "/ISAPI/System/deviceInfo"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("fidelity")) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(fleet):
    for name, password in PW.items():
        fleet.control.provision(name, activated=True, password=password)
    yield


def client(fleet, name):
    return Client(fleet, name, password=PW[name])


def plain(fleet, name, path=PATH, headers=None):
    return requests.get(fleet.url(name, path), headers=headers or {}, verify=fleet.ca_path, timeout=5)


def challenge(fleet, name):
    return digest_params(challenges(plain(fleet, name))[0])


def failed(fleet, name):
    return sum(fleet.control.counters(name)["failed_logins"].values())


# --- item 1: "not supported" as each firmware says it ---------------------------------------------
@pytest.mark.parametrize("name,path,http,sub", [
    ("leg", "/ISAPI/System/Holidays", 403, "notSupport"),     # HN DS-2CD2532F-IWS / 2443G0-IW
    ("leg", "/ISAPI/WLAlarm/PIR", 403, "notSupport"),
    ("leg", "/ISAPI/Streaming/channels/103", 500, "deviceError"),
    ("leg", "/ISAPI/Streaming/channels/104", 500, "deviceError"),
    ("cur", "/ISAPI/System/Holidays", 404, "notSupport"),     # HN DS-2CD2T86G2 V5.7.18
    ("nvr", "/ISAPI/System/Video/inputs/channels", 403, "notSupport"),  # HN DS-7608NXI-I2
    ("nvr", "/ISAPI/Streaming/channels/103", 403, "notSupport"),
    ("nvr", "/ISAPI/Streaming/channels/303", 403, "notSupport"),
    ("nvr", "/ISAPI/Streaming/channels/901", 403, "notSupport"),
])
def test_not_supported_as_recorded(fleet, name, path, http, sub):
    r = client(fleet, name).get(path)
    assert r.status_code == http and sub_status(r) == sub, r.text


def test_nvr_holidays_is_the_recorded_document(fleet):
    r = client(fleet, "nvr").get("/ISAPI/System/Holidays")
    assert r.status_code == 200
    root = xml(r)
    assert root.tag == "HolidayList" and len(root.findall("holiday")) == 32
    assert root.find("holiday/holidayMode").get("opt") == "date,week,month"


# --- item 2: capability trees as the real firmware sends them --------------------------------------
def as_dict(el):
    """xmltodict's shape (the dumps' shape) of an element, namespaces dropped."""
    attrs = {f"@{k}": v for k, v in el.attrib.items()}
    kids = {}
    for child in el:
        kids.setdefault(child.tag, []).append(as_dict(child))
    if not attrs and not kids:
        return el.text if el.text is not None and el.text.strip() else None
    out = dict(attrs)
    for tag, values in kids.items():
        out[tag] = values[0] if len(values) == 1 else values
    if el.text and el.text.strip():
        out["#text"] = el.text.strip()
    return out


def without_ns(tree):
    if isinstance(tree, dict):
        return {k: without_ns(v) for k, v in tree.items() if k != "@xmlns"}
    if isinstance(tree, list):
        return [without_ns(v) for v in tree]
    return tree


@pytest.mark.parametrize("name,profile", [("cur", "current_camera"), ("nvr", "nvr"), ("leg", "legacy_camera")])
def test_device_cap_is_the_recorded_tree(fleet, name, profile):
    with open(os.path.join(DATA, "capabilities", f"{profile}.json"), encoding="utf-8") as fh:
        doc = json.load(fh)
    want = without_ns(doc["DeviceCap"])
    for path, value in doc["overrides"].items():
        node = want
        *parents, leaf = path.split("/")
        for part in parents:
            node = node[part]
        node[leaf] = value
    got = as_dict(xml(client(fleet, name).get("/ISAPI/System/capabilities")))
    if "salt" in want.get("SecurityCap", {}):
        assert re.fullmatch(r"[0-9a-f]{64}", got["SecurityCap"]["salt"])
        assert got["SecurityCap"]["salt"] != want["SecurityCap"]["salt"]  # per device
        got["SecurityCap"]["salt"] = want["SecurityCap"]["salt"]
    assert got == want


def test_trimmed_flags_are_gone(fleet):
    nvr = xml(client(fleet, "nvr").get("/ISAPI/System/capabilities"))
    for path in ("SecurityCap/issupIllegalLoginLock", "SecurityCap/SecurityLimits",
                 "SysCap/NetworkCap/isSupportIPFilter", "SysCap/NetworkCap/isSupportMACFilter",
                 "SysCap/NetworkCap/isSupportEhome"):
        assert nvr.find(path) is None, path
    leg = xml(client(fleet, "leg").get("/ISAPI/Security/capabilities"))
    assert leg.find("issupIllegalLoginLock") is None and leg.find("SecurityLimits") is None
    cur = xml(client(fleet, "cur").get("/ISAPI/Security/capabilities"))
    assert cur.find("maxIllegalLoginTimes").get("def") == "7"
    assert cur.find("maxIllegalLoginLockTime").get("def") == "30"


# --- item 3: ResponseStatus and layout per firmware; connection headers ---------------------------
def test_response_status_fields_and_layout(fleet):
    r = client(fleet, "cur").get("/ISAPI/Does/not/exist")
    # HN badXmlContent.xml: version 1.0, requestURL, no errorCode, the V4 layout
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8" ?>\n<ResponseStatus version="1.0"\n'
                                b'  xmlns="http://www.hikvision.com/ver20/XMLSchema">\n'
                                b'  <requestURL>/ISAPI/Does/not/exist</requestURL>\n')
    assert [c.tag for c in xml(r)] == ["requestURL", "statusCode", "statusString", "subStatusCode"]
    r = client(fleet, "nvr").get("/ISAPI/Does/not/exist")
    # HN deviceError.xml: version 2.0, no requestURL, no errorCode
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8" ?>\n<ResponseStatus version="2.0"\n'
                                b'  xmlns="http://www.isapi.org/ver20/XMLSchema">\n  <statusCode>4</statusCode>\n')
    assert [c.tag for c in xml(r)] == ["statusCode", "statusString", "subStatusCode"]
    info = client(fleet, "nvr").get(PATH).content
    assert info.startswith(b'<?xml version="1.0" encoding="UTF-8" ?>\n<DeviceInfo version="2.0"\n'
                           b'  xmlns="http://www.isapi.org/ver20/XMLSchema">\n  <deviceName>')
    leg = client(fleet, "leg").get("/ISAPI/Does/not/exist")
    assert [c.tag for c in xml(leg)] == ["requestURL", "statusCode", "statusString", "subStatusCode"]


def _two_requests(fleet, name):
    dev = fleet.devices[name]
    ctx = ssl.create_default_context(cafile=fleet.ca_path)
    conn = http.client.HTTPSConnection(dev["address"], dev["https_port"], context=ctx, timeout=5)
    try:
        answers = []
        for _ in range(2):
            conn.request("GET", "/SDK/activateStatus")
            resp = conn.getresponse()
            resp.read()
            answers.append((resp.getheader("Connection"), resp.getheader("Keep-Alive")))
            if resp.getheader("Connection") == "close":
                conn.close()
        return answers
    finally:
        conn.close()


def test_connection_headers_as_in_the_cassettes(fleet):
    # MC V5.5 cassette: keep-alive, Keep-Alive timeout=10 and max counting down from 99.
    assert _two_requests(fleet, "cur") == [("keep-alive", "timeout=10, max=99"),
                                           ("keep-alive", "timeout=10, max=98")]
    # MC pre-V5.5 cassette: Connection: close, no Keep-Alive.
    assert _two_requests(fleet, "leg") == [("close", None), ("close", None)]


def test_server_and_content_type_headers(fleet):
    # MC cassettes: "Server: App-webs/" and "application/xml" (no charset) on V5.4/V5.5.
    for name, ctype in (("leg", "application/xml"), ("cur", 'application/xml; charset="UTF-8"'),
                        ("nvr", 'application/xml; charset="UTF-8"')):
        r = client(fleet, name).get(PATH)
        assert r.headers["Server"] == "App-webs/" and r.headers["Content-Type"] == ctype, name
        assert challenges(plain(fleet, name)) and plain(fleet, name).headers["Server"] == "App-webs/"


# --- item 4: strict Digest ---------------------------------------------------------------------------
def test_digest_uri_must_be_the_request_target(fleet):
    params = challenge(fleet, "cur")
    signed_without_query = digest_header("GET", PATH, "admin", PW["cur"], params)
    r = plain(fleet, "cur", PATH + "?format=xml", {"Authorization": signed_without_query})
    assert r.status_code == 400 and failed(fleet, "cur") == 0
    signed = digest_header("GET", PATH + "?format=xml", "admin", PW["cur"], params, nc=2)
    assert plain(fleet, "cur", PATH + "?format=xml", {"Authorization": signed}).status_code == 200


def test_replayed_nc_is_refused_and_not_counted(fleet):
    params = challenge(fleet, "cur")
    header = digest_header("GET", PATH, "admin", PW["cur"], params, nc=1)
    assert plain(fleet, "cur", headers={"Authorization": header}).status_code == 200
    replay = plain(fleet, "cur", headers={"Authorization": header})
    assert replay.status_code == 401 and 'stale="FALSE"' in challenges(replay)[0]
    assert failed(fleet, "cur") == 0
    # a new nc on the same nonce, even out of order, is fine
    for nc in (3, 2):
        h = digest_header("GET", PATH, "admin", PW["cur"], params, nc=nc)
        assert plain(fleet, "cur", headers={"Authorization": h}).status_code == 200


def test_nvr_serves_the_newer_challenge_form(fleet):
    header = challenges(plain(fleet, "nvr"))[0]
    assert re.fullmatch(r'Digest realm="[0-9a-f]{24}", domain="::", qop="auth", '
                        r'nonce="[0-9a-f]{32}:\d{13}", opaque="", algorithm="MD5", stale="FALSE"', header)
    assert re.fullmatch(r'Digest qop="auth", realm="IP Camera\([0-9A-F]{5}\)", nonce="[0-9a-f]+", '
                        r'stale="FALSE"', challenges(plain(fleet, "cur"))[0])
    # requests' own Digest client meets it (opaque="" echoed or not)
    assert client(fleet, "nvr").get(PATH).status_code == 200


# --- item 5: lockout as documented ------------------------------------------------------------------
def _fail(fleet, name, user, times):
    for _ in range(times):
        header = digest_header("GET", PATH, user, "Wrong-Pass-9", challenge(fleet, name))
        plain(fleet, name, headers={"Authorization": header})


def _locked(fleet, name):
    return any(v["locked"] for v in fleet.control.state(name)["locks"].values())


def test_admin_locks_after_seven_other_users_after_five(fleet):
    _fail(fleet, "cur", "admin", 6)
    assert not _locked(fleet, "cur")
    _fail(fleet, "cur", "admin", 1)
    assert _locked(fleet, "cur")
    fleet.control.unlock("cur")
    _fail(fleet, "cur", "operator1", 4)
    r = plain(fleet, "cur", headers={"Authorization": digest_header(
        "GET", PATH, "operator1", "Wrong-Pass-9", challenge(fleet, "cur"))})
    assert r.status_code == 401 and text(r, "lockStatus") == "lock"


def _reboot_from(fleet, name, source):
    """PUT /ISAPI/System/reboot from another loopback address (127.0.0.1 is the locked one)."""
    dev = fleet.devices[name]
    ctx = ssl.create_default_context(cafile=fleet.ca_path)
    conn = http.client.HTTPSConnection(dev["address"], dev["https_port"], context=ctx, timeout=5,
                                       source_address=(source, 0))
    try:
        conn.request("PUT", "/ISAPI/System/reboot")
        resp = conn.getresponse()
        resp.read()
        params = digest_params(resp.getheader("WWW-Authenticate"))
        conn.request("PUT", "/ISAPI/System/reboot", headers={"Authorization": digest_header(
            "PUT", "/ISAPI/System/reboot", "admin", PW[name], params)})
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def test_reboot_clears_a_lock_by_default_and_keeps_it_when_configured(fleet):
    for name in ("cur", "odd"):
        _fail(fleet, name, "admin", 7)
        assert _locked(fleet, name)
        assert _reboot_from(fleet, name, f"{N}.250.1") == 200
        wait_until(lambda n=name: fleet.control.state(n)["status"] == "rebooting", timeout=5)
        wait_until(lambda n=name: fleet.control.state(n)["status"] == "online", timeout=10)
    assert not _locked(fleet, "cur")  # lock_survives_reboot: false (default)
    assert _locked(fleet, "odd")      # lock_survives_reboot: true


def test_wrong_login_password_counts_only_when_configured(fleet):
    body = ("<User><userName>op9</userName><password>Op9-Pass-001</password><userLevel>Operator"
            "</userLevel><loginPassword>Not-The-One1</loginPassword></User>")
    for name, counted in (("cur", 0), ("odd", 1)):
        r = client(fleet, name).post("/ISAPI/Security/users", body)
        assert r.status_code == 400 and sub_status(r) == "loginPasswordError"
        assert failed(fleet, name) == counted, name


# --- item 7: whole-document writes ------------------------------------------------------------------
def test_partial_put_refused_on_current_and_nvr_accepted_on_legacy(fleet):
    path = "/ISAPI/System/Network/interfaces/1/ipAddress"
    for name in ("cur", "nvr", "leg"):
        c = client(fleet, name)
        doc = xml(c.get(path))
        partial = ("<IPAddress><ipVersion>v4</ipVersion><addressingType>static</addressingType>"
                   f"<ipAddress>{doc.findtext('ipAddress')}</ipAddress>"
                   f"<subnetMask>{doc.findtext('subnetMask')}</subnetMask></IPAddress>")
        r = c.put(path, partial)
        if name == "leg":
            assert r.status_code == 200, r.text
        else:
            assert r.status_code == 400 and sub_status(r) == "badXmlContent", (name, r.text)
        assert c.put(path, ET.tostring(doc)).status_code == 200  # the whole document is taken


def test_lists_may_drop_entries_but_each_entry_is_whole(fleet):
    c = client(fleet, "cur")
    doc = xml(c.get("/ISAPI/Security/adminAccesses"))
    https = next(e for e in doc.findall("AdminAccessProtocol") if e.findtext("protocol") == "HTTPS")
    only_https = ET.Element("AdminAccessProtocolList")
    only_https.append(https)
    assert c.put("/ISAPI/Security/adminAccesses", ET.tostring(only_https)).status_code == 200
    https.remove(https.find("TLS1_2Enable"))
    r = c.put("/ISAPI/Security/adminAccesses", ET.tostring(only_https))
    assert r.status_code == 400 and sub_status(r) == "badXmlContent"
    nvr = client(fleet, "nvr")
    flt = xml(nvr.get("/ISAPI/System/Network/ipFilter"))
    holder = flt.find("IPFilterAddressList")
    for entry in list(holder):
        holder.remove(entry)
    assert nvr.put("/ISAPI/System/Network/ipFilter", ET.tostring(flt)).status_code == 200
    flt.remove(flt.find("permissionType"))
    r = nvr.put("/ISAPI/System/Network/ipFilter", ET.tostring(flt))
    assert r.status_code == 400 and sub_status(r) == "badXmlContent"


# --- item 12: the conformance table names tests that exist --------------------------------------------
def test_conformance_table_names_real_tests():
    with open(os.path.join(ROOT, "emulator", "README.md"), encoding="utf-8") as fh:
        readme = fh.read()
    section = readme.split("## Conformance", 1)[1]
    named = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", section)
    assert len(named) >= 20
    for path, test in named:
        with open(os.path.join(ROOT, path), encoding="utf-8") as fh:
            assert re.search(rf"^def {test}\(", fh.read(), re.M), f"{path}::{test}"


def test_lockout_options_on_the_command_line(tmp_path):
    small = {"time_scale": 0.01, "subnet": f"{N}.240.0/24", "sites": [{"name": "cli", "devices": [
        {"name": "plain", "profile": "current_camera", "password": PW["cur"]},
        {"name": "own", "profile": "current_camera", "password": PW["cur"], "lock_attempts": 9}]}]}
    args = ["--lock-attempts", "4", "--user-lock-attempts", "2", "--lock-survives-reboot", "yes"]
    with RunningFleet(small, out_dir=tmp_path, extra_args=args) as running:
        assert running.control.state("plain")["lock"]["attempts"] == 4
        assert running.control.state("own")["lock"]["attempts"] == 9  # the device's key wins
        _fail(running, "plain", "someone", 2)
        assert _locked(running, "plain")
