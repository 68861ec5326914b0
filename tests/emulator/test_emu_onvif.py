"""The emulator's ONVIF device service (emulator/handlers/onvif.py): SOAP 1.2 on the HTTP and
HTTPS listeners, WS-Security UsernameToken PasswordDigest against the ONVIF user list, faults,
freshness and replay, the shared lock table, and the control API's ONVIF password check.
Subnet 127.45.0.0/16 (+50 per xdist worker), ports 80/443."""
import base64
import datetime
import hashlib
import os

import pytest
import requests

from emuhelp import net, Client
from emulator import xmlgen
from emulator.testing import RunningFleet

N = net(45)
PW = {"cur": "Current-Pass1", "leg": "Legacy-Pass1"}
ONVIF_PW = "Onvif-Pass-01"
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"lock_attempts": 3},
    "sites": [{"name": "onvif", "devices": [
        {"name": "cur", "profile": "current_camera", "password": PW["cur"]},
        {"name": "leg", "profile": "legacy_camera", "password": PW["leg"]},
    ]}],
}
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("onvif")) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(fleet):
    for name, password in PW.items():
        fleet.control.provision(name, activated=True, password=password)
    yield


def onvif_on(fleet, name="cur", users=(("vms", ONVIF_PW, "user"),)):
    c = Client(fleet, name, password=PW[name])
    r = c.put("/ISAPI/System/Network/Integrate",
              b"<Integrate><CGI><enable>true</enable><certificateType>digest</certificateType></CGI>"
              b"<ONVIF><enable>true</enable><certificateType>digest/wsse</certificateType></ONVIF></Integrate>")
    assert r.status_code == 200, r.text
    for user, password, kind in users:
        r = c.post("/ISAPI/Security/ONVIF/users", (
            "<User><userName>%s</userName><password>%s</password><userType>%s</userType></User>"
            % (user, password, kind)).encode())
        assert r.status_code == 200, r.text
    fleet.control.reset_counters(name)


def token(user, password, nonce=None, created=None):
    nonce = nonce or os.urandom(16)
    created = created or datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    digest = base64.b64encode(hashlib.sha1(nonce + created.encode() + password.encode()).digest()).decode()
    return ('<s:Header><wsse:Security xmlns:wsse="%s" xmlns:wsu="%s"><wsse:UsernameToken>'
            '<wsse:Username>%s</wsse:Username><wsse:Password Type="%s">%s</wsse:Password>'
            '<wsse:Nonce>%s</wsse:Nonce><wsu:Created>%s</wsu:Created></wsse:UsernameToken>'
            '</wsse:Security></s:Header>' % (WSSE, WSU, user, DIGEST, digest,
                                             base64.b64encode(nonce).decode(), created))


def call(fleet, operation, header="", name="cur", scheme="https"):
    body = ('<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
            '%s<s:Body><%s xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>'
            % (header, operation))
    return requests.post(fleet.url(name, "/onvif/device_service", scheme=scheme), data=body.encode(),
                         headers={"Content-Type": "application/soap+xml; charset=utf-8"},
                         verify=fleet.ca_path, timeout=10)


def subcode(resp):
    return xmlgen.text(xmlgen.parse(resp.content), "Body/Fault/Code/Subcode/Value")


def failed(fleet, name="cur"):
    return sum(fleet.control.counters(name)["failed_logins"].values())


def test_off_by_default_and_on_profiles_without_onvif_the_service_is_not_there(fleet):
    assert call(fleet, "GetSystemDateAndTime").status_code == 404
    assert call(fleet, "GetDeviceInformation", token("vms", ONVIF_PW)).status_code == 404
    assert call(fleet, "GetSystemDateAndTime", name="leg").status_code == 404
    assert failed(fleet) == 0 and fleet.control.counters("cur")["writes"] == 0


@pytest.mark.parametrize("scheme", ["https", "http"])
def test_date_and_time_without_auth_and_device_information_with_a_digest(fleet, scheme):
    onvif_on(fleet)
    r = call(fleet, "GetSystemDateAndTime", scheme=scheme)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/soap+xml")
    utc = xmlgen.parse(r.content).find("Body/GetSystemDateAndTimeResponse/SystemDateAndTime/UTCDateTime")
    now = datetime.datetime.now(datetime.timezone.utc)
    assert int(utc.findtext("Date/Year")) == now.year and 0 <= int(utc.findtext("Time/Hour")) < 24
    r = call(fleet, "GetDeviceInformation", token("vms", ONVIF_PW), scheme=scheme)
    assert r.status_code == 200, r.text
    info = xmlgen.parse(r.content).find("Body/GetDeviceInformationResponse")
    assert info.findtext("Manufacturer") == "HIKVISION"
    assert info.findtext("SerialNumber") == fleet.devices["cur"]["serial"]
    counters = fleet.control.counters("cur")
    assert counters["writes"] == 0 and failed(fleet) == 0 and counters["successful_logins"] == 1


def test_a_wrong_password_or_unknown_user_is_a_not_authorized_fault_and_a_failed_login(fleet):
    onvif_on(fleet)
    for header in (token("vms", "Wrong-Pass-01"), token("ghost", ONVIF_PW), ""):
        r = call(fleet, "GetDeviceInformation", header)
        assert r.status_code == 400 and subcode(r) == "ter:NotAuthorized", r.text
        assert xmlgen.text(xmlgen.parse(r.content), "Body/Fault/Code/Value") == "env:Sender"
    assert failed(fleet) == 2  # the two wrong credentials; no token at all is not a login
    # the ISAPI admin password is not an ONVIF credential
    assert call(fleet, "GetDeviceInformation", token("admin", PW["cur"])).status_code == 400
    assert failed(fleet) == 3


def test_failures_share_the_isapi_lock_table(fleet):
    onvif_on(fleet)
    for _ in range(3):
        assert call(fleet, "GetDeviceInformation", token("vms", "Wrong-Pass-01")).status_code == 400
    state = fleet.control.state("cur")
    assert state["locks"]["127.0.0.1"]["locked"] is True
    assert [e for e in state["log"] if e["event"] == "loginFailed"][-1]["failures"] == 3
    # locked: even the right ONVIF password is refused, and so is ISAPI
    r = call(fleet, "GetDeviceInformation", token("vms", ONVIF_PW))
    assert r.status_code == 400 and "locked" in r.text
    assert Client(fleet, "cur", password=PW["cur"]).get("/ISAPI/System/deviceInfo").status_code == 401
    assert failed(fleet) == 3  # a locked client's attempts are not counted


def test_stale_created_and_replayed_nonce_are_refused_but_not_counted(fleet):
    onvif_on(fleet)
    old = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = call(fleet, "GetDeviceInformation", token("vms", ONVIF_PW, created=old))
    assert r.status_code == 400 and subcode(r) == "wsse:MessageExpired"
    header = token("vms", ONVIF_PW)
    assert call(fleet, "GetDeviceInformation", header).status_code == 200
    r = call(fleet, "GetDeviceInformation", header)
    assert r.status_code == 400 and subcode(r) == "wsse:InvalidSecurity"
    assert failed(fleet) == 0


def test_device_clock_offset_is_what_created_is_checked_against(fleet):
    onvif_on(fleet)
    c = Client(fleet, "cur", password=PW["cur"])
    ahead = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=2)
    r = c.put("/ISAPI/System/time", ("<Time><timeMode>manual</timeMode><localTime>%s</localTime>"
                                     "<timeZone>CST+0:00:00</timeZone></Time>" % ahead.strftime("%Y-%m-%dT%H:%M:%S")).encode())
    assert r.status_code == 200, r.text
    r = call(fleet, "GetDeviceInformation", token("vms", ONVIF_PW))
    assert subcode(r) == "wsse:MessageExpired"
    utc = xmlgen.parse(call(fleet, "GetSystemDateAndTime").content).find(
        "Body/GetSystemDateAndTimeResponse/SystemDateAndTime/UTCDateTime")
    device = datetime.datetime(int(utc.findtext("Date/Year")), int(utc.findtext("Date/Month")),
                               int(utc.findtext("Date/Day")), int(utc.findtext("Time/Hour")),
                               int(utc.findtext("Time/Minute")), int(utc.findtext("Time/Second")))
    r = call(fleet, "GetDeviceInformation", token("vms", ONVIF_PW, created=device.strftime("%Y-%m-%dT%H:%M:%SZ")))
    assert r.status_code == 200, r.text
    assert failed(fleet) == 0


def test_a_changed_onvif_password_and_the_control_check(fleet):
    onvif_on(fleet)
    assert fleet.control.check_onvif_password("cur", "vms", ONVIF_PW)
    assert not fleet.control.check_onvif_password("cur", "vms", "Other-Pass-01")
    assert not fleet.control.check_onvif_password("cur", "admin", PW["cur"])
    c = Client(fleet, "cur", password=PW["cur"])
    r = c.put("/ISAPI/Security/ONVIF/users/1",
              b"<User><id>1</id><userName>vms</userName><password>Other-Pass-01</password><userType>user</userType></User>")
    assert r.status_code == 200
    assert fleet.control.check_onvif_password("cur", "vms", "Other-Pass-01")
    assert call(fleet, "GetDeviceInformation", token("vms", "Other-Pass-01")).status_code == 200
    assert call(fleet, "GetDeviceInformation", token("vms", ONVIF_PW)).status_code == 400
    assert failed(fleet) == 1
    assert fleet.control.counters("cur")["writes"] == 1  # the PUT; SOAP queries are no writes


def test_drop_response_next_spares_soap_queries_and_hits_the_next_write(fleet):
    onvif_on(fleet)
    fleet.control.faults("cur", drop_response_next=1)
    assert call(fleet, "GetDeviceInformation", token("vms", ONVIF_PW)).status_code == 200
    c = Client(fleet, "cur", password=PW["cur"])
    with pytest.raises(requests.ConnectionError):
        c.put("/ISAPI/Security/ONVIF/users/1",
              b"<User><id>1</id><userName>vms</userName><password>Other-Pass-01</password><userType>user</userType></User>")
    assert fleet.control.counters("cur")["dropped"] == 1
    assert fleet.control.check_onvif_password("cur", "vms", "Other-Pass-01")


def test_the_emulator_digest_matches_the_published_example():
    from emulator.handlers.onvif import password_digest
    nonce = base64.b64decode("LKqI6G/AikKCQrN0zqZFlg==")
    assert password_digest(nonce, "2010-09-16T07:50:45Z", "userpassword") == "tuOSpGlFlIXsozq4HFNeeGeFLEI="
