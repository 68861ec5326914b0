"""Fault injection, the control API, error answers and per-profile document shapes.
Subnet 127.38.0.0/16 (+50 per xdist worker), ports 18080/18443."""
import time

import pytest
import requests

from emuhelp import net, Client, refused, sub_status, text, wait_until, xml
from emulator.testing import RunningFleet

N = net(38)  # this module's 127.x prefix (distinct per xdist worker)

PW = "Admin-Pass-01"
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"http_port": 18080, "https_port": 18443},
    "sites": [{"name": "faults", "devices": [
        {"name": "cam", "profile": "current_camera", "password": PW},
        {"name": "leg", "profile": "legacy_camera", "password": PW},
        {"name": "nvr", "profile": "nvr", "password": PW},
    ]}],
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("faults")) as running:
        yield running


@pytest.fixture
def cam(fleet):
    fleet.control.provision("cam", activated=True, password=PW)
    return Client(fleet, "cam", password=PW)


def test_busy_next(fleet, cam):
    fleet.control.faults("cam", busy_next=2)
    for _ in range(2):
        r = cam.get("/ISAPI/System/deviceInfo")
        assert r.status_code == 503 and text(r, "statusCode") == "2" and sub_status(r) == "deviceBusy"
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200
    assert fleet.control.counters("cam")["busy"] == 2


def test_drop_response_applies_write(fleet, cam):
    cam.get("/ISAPI/System/deviceInfo")  # authenticate first so the PUT is sent once
    fleet.control.faults("cam", drop_response_next=1)
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200  # reads are not dropped
    with pytest.raises(requests.exceptions.ConnectionError):
        cam.put("/ISAPI/System/deviceInfo", "<DeviceInfo><deviceName>dropped</deviceName></DeviceInfo>")
    assert fleet.control.state("cam")["device_name"] == "dropped"
    assert fleet.control.counters("cam")["dropped"] == 1
    assert cam.put("/ISAPI/System/deviceInfo",
                   "<DeviceInfo><deviceName>kept</deviceName></DeviceInfo>").status_code == 200


def test_refuse_then_back(fleet, cam):
    address = fleet.devices["cam"]["address"]
    fleet.control.faults("cam", refuse_seconds=0.5)
    assert refused(address, 18443) and refused(address, 18080)
    assert fleet.control.state("cam")["status"] == "refusing"
    wait_until(lambda: not refused(address, 18443), timeout=5)
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200
    fleet.control.faults("cam", refuse_seconds=60)
    assert refused(address, 18443)
    fleet.control.faults("cam", refuse_seconds=0)
    assert not refused(address, 18443)


def test_latency(fleet, cam):
    cam.get("/ISAPI/System/deviceInfo")
    fleet.control.faults("cam", latency_ms=300)
    started = time.monotonic()
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200
    assert time.monotonic() - started >= 0.3
    fleet.control.clear_faults("cam")
    started = time.monotonic()
    cam.get("/ISAPI/System/deviceInfo")
    assert time.monotonic() - started < 0.3


def test_clear_faults(fleet, cam):
    fleet.control.faults("cam", busy_next=5, latency_ms=10, drop_response_next=3, refuse_seconds=30)
    faults = fleet.control.clear_faults("cam")
    assert faults["busy_next"] == 0 and faults["latency_ms"] == 0 and faults["refuse_until"] is None
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200


def test_bad_fault_requests(fleet):
    url = fleet.fleet_doc["control_url"]
    assert requests.post(f"{url}/devices/cam/faults", json={"explode": 1}, timeout=5).status_code == 400
    assert requests.post(f"{url}/devices/nope/faults", json={}, timeout=5).status_code == 404
    assert requests.get(f"{url}/devices/nope", timeout=5).status_code == 404


def test_counters(fleet, cam):
    fleet.control.reset_counters("cam")
    cam.get("/ISAPI/System/deviceInfo")
    cam.get("/ISAPI/System/deviceInfo")
    cam.put("/ISAPI/System/deviceInfo", "<DeviceInfo><deviceName>n</deviceName></DeviceInfo>")
    c = fleet.control.counters("cam")
    assert c["requests"] == {"GET /ISAPI/System/deviceInfo": 2, "PUT /ISAPI/System/deviceInfo": 1}
    assert c["writes"] == 1 and c["successful_logins"] == 3 and c["unauthorized"] == 1
    assert c["failed_logins"] == {}
    assert fleet.control.reset_counters("cam")["requests"] == {}


def test_control_state_check_password_and_provision(fleet, cam):
    state = fleet.control.state("cam")
    for key in ("users", "activated", "address", "staged_address", "network", "time", "ntp", "lock",
                "channels", "online", "rebooting", "log", "faults"):
        assert key in state
    assert "password" not in str(state["users"])
    assert fleet.control.check_password("cam", "admin", PW)
    assert not fleet.control.check_password("cam", "admin", "nope")
    assert not fleet.control.check_password("cam", "ghost", PW)
    assert fleet.control.counters("cam")["failed_logins"] == {}
    state = fleet.control.provision("cam", activated=False)
    assert not state["activated"] and state["users"] == []
    assert not fleet.control.check_password("cam", "admin", PW)
    state = fleet.control.provision("cam", activated=True)
    assert fleet.control.check_password("cam", "admin", fleet.devices["cam"]["intended_password"])


def test_time_scale(fleet):
    assert fleet.control.time_scale(0.02) == {"scale": 0.02}
    fleet.control.time_scale(0.01)
    assert requests.post(fleet.fleet_doc["control_url"] + "/time-scale", json={"scale": 0}, timeout=5).status_code == 400


def test_unknown_path_and_wrong_method(cam):
    r = cam.get("/ISAPI/Does/not/exist")
    assert r.status_code == 404 and sub_status(r) == "notSupport" and text(r, "errorCode") is None
    r = cam.post("/ISAPI/System/deviceInfo", "<DeviceInfo/>")
    assert r.status_code == 405 and sub_status(r) == "methodNotAllowed"
    r = cam.put("/ISAPI/System/deviceInfo", "<DeviceInfo><deviceName>")
    assert r.status_code == 400 and sub_status(r) == "badXmlFormat" and text(r, "statusCode") == "5"
    r = cam.put("/ISAPI/System/deviceInfo", "<DeviceInfo/>")
    assert r.status_code == 400 and sub_status(r) == "badXmlContent"


def test_unknown_path_needs_auth(fleet):
    r = requests.get(fleet.url("cam", "/ISAPI/Does/not/exist"), verify=fleet.ca_path, timeout=5)
    assert r.status_code == 401


def test_response_status_shapes(fleet, cam):
    r = cam.get("/ISAPI/Does/not/exist")
    # The recorded hikvision-namespace ResponseStatus (HN badXmlContent.xml) has no errorCode.
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8" ?>')
    root = xml(r)
    assert root.get("version") == "1.0"
    assert [c.tag for c in root] == ["requestURL", "statusCode", "statusString", "subStatusCode"]
    assert text(r, "requestURL") == "/ISAPI/Does/not/exist" and text(r, "statusString") == "Invalid Operation"
    nvr = Client(fleet, "nvr", password=PW)
    r = nvr.get("/ISAPI/Does/not/exist")
    assert b'<ResponseStatus version="2.0"\n  xmlns="http://www.isapi.org/ver20/XMLSchema">' in r.content
    leg = Client(fleet, "leg", password=PW)
    r = leg.get("/ISAPI/Does/not/exist")
    assert [c.tag for c in xml(r)] == ["requestURL", "statusCode", "statusString", "subStatusCode"]
    assert b"\r\n" in r.content and r.headers["Content-Type"] == "application/xml"


def test_device_info_per_profile(fleet, cam):
    info = xml(cam.get("/ISAPI/System/deviceInfo"))
    tags = [c.tag for c in info]
    assert tags[:8] == ["deviceName", "deviceID", "deviceDescription", "deviceLocation", "systemContact",
                        "model", "serialNumber", "macAddress"]
    assert tags[-4:] == ["firmwareVersionInfo", "manufacturer", "subSerialNumber", "OEMCode"]
    assert info.findtext("firmwareVersion") == "V5.7.18" and info.findtext("firmwareReleasedDate") == "build 240826"
    assert info.findtext("serialNumber").startswith(info.findtext("model"))
    leg = xml(Client(fleet, "leg", password=PW).get("/ISAPI/System/deviceInfo"))
    assert [c.tag for c in leg][-1] == "supportVideoLoss" and leg.find("manufacturer") is None
    assert leg.findtext("firmwareVersion") == "V5.4.5" and leg.findtext("model") == "DS-2CD2155FWD-I"


def test_capabilities_per_profile(fleet, cam):
    cap = xml(cam.get("/ISAPI/System/capabilities"))
    assert cap.findtext("SysCap/NetworkCap/isSupportNtp") == "true"
    sec = xml(cam.get("/ISAPI/Security/capabilities"))
    assert sec.tag == "SecurityCap" and sec.findtext("isSupportUserCheck") == "true"
    limit = sec.find("SecurityLimits/LoginPasswordLenLimit")
    assert (limit.get("min"), limit.get("max")) == ("1", "16")  # as the V5.7.18 dump has it
    assert cap.find("RacmCap/inputProxyNums") is None
    leg = Client(fleet, "leg", password=PW)
    sec = xml(leg.get("/ISAPI/Security/capabilities"))
    assert sec.find("isSupportUserCheck") is None
    status = xml(cam.get("/ISAPI/System/status"))
    assert status.tag == "DeviceStatus" and int(status.findtext("deviceUpTime")) >= 0
    assert status.findtext("currentDeviceTime")


def test_device_rename(fleet, cam):
    assert cam.put("/ISAPI/System/deviceInfo", "<DeviceInfo><deviceName>lobby</deviceName></DeviceInfo>").status_code == 200
    assert text(cam.get("/ISAPI/System/deviceInfo"), "deviceName") == "lobby"
    r = cam.put("/ISAPI/System/deviceInfo", "<DeviceInfo><deviceName></deviceName></DeviceInfo>")
    assert sub_status(r) == "badParameters"
