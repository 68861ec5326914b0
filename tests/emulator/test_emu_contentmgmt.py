"""NVR channel writes, recording search/download and log search in the emulator.
Subnet 127.46.0.0/16 (+50 per xdist worker), ports 80/443."""
import datetime
import hashlib

import pytest

from emuhelp import net, Client, sub_status, xml
from emulator.testing import RunningFleet

N = net(46)
PW = "Admin-Pass-46"
CAM_PW = "Cam-Pass-46a"
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "sites": [{"name": "s", "devices": [
        {"name": "nvr", "profile": "nvr", "password": PW},
        {"name": "cam", "profile": "current_camera", "password": CAM_PW},
    ]}],
}
CHANNELS = "/ISAPI/ContentMgmt/InputProxy/channels"


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("cm")) as running:
        yield running


@pytest.fixture
def nvr(fleet):
    fleet.control.provision("nvr", activated=True, password=PW)
    fleet.control.provision("cam", activated=True, password=CAM_PW)
    return Client(fleet, "nvr", password=PW)


def channel_body(address, password=None, protocol_element="proxyProtocol", channel_id=None, name="yard"):
    pw = f"<password>{password}</password>" if password is not None else ""
    ident = f"<id>{channel_id}</id>" if channel_id is not None else ""
    return (f'<InputProxyChannel version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">{ident}'
            f"<name>{name}</name><sourceInputPortDescriptor><{protocol_element}>HIKVISION</{protocol_element}>"
            f"<addressingFormatType>ipaddress</addressingFormatType><ipAddress>{address}</ipAddress>"
            f"<managePortNo>8000</managePortNo><srcInputPort>1</srcInputPort><userName>admin</userName>"
            f"{pw}<streamType>auto</streamType></sourceInputPortDescriptor></InputProxyChannel>").encode()


def detect(nvr, cid):
    return xml(nvr.get(f"{CHANNELS}/{cid}/status")).findtext("chanDetectResult")


def test_add_modify_delete_channel_keeps_password_write_only(fleet, nvr):
    cam = fleet.devices["cam"]["address"]
    r = nvr.post(CHANNELS, channel_body(cam, "Wrong-Pass-1", protocol_element="adminProtocol"))
    assert r.status_code == 200 and xml(r).findtext("id") == "1"
    assert detect(nvr, 1) == "errorUserNameOrPasswd"
    r = nvr.put(f"{CHANNELS}/1", channel_body(cam, CAM_PW, channel_id=1, name="gate"))
    assert r.status_code == 200 and detect(nvr, 1) == "connect"
    listed = nvr.get(CHANNELS)
    assert b"<password" not in listed.content and b"gate" in listed.content
    desc = xml(listed).find("InputProxyChannel/sourceInputPortDescriptor")
    assert desc.findtext("model") == fleet.devices["cam"]["model"]
    # a PUT without <password> keeps the stored one
    assert nvr.put(f"{CHANNELS}/1", channel_body(cam, None, channel_id=1)).status_code == 200
    assert detect(nvr, 1) == "connect"
    state = fleet.control.state("nvr")
    assert "password" not in str(state["channels"]) and state["channels"][0]["name"] == "yard"
    r = nvr.put(f"{CHANNELS}/1", channel_body(cam, None, channel_id=2))
    assert r.status_code == 400 and sub_status(r) == "badParameters"
    assert nvr.delete(f"{CHANNELS}/1").status_code == 200
    assert fleet.control.state("nvr")["channels"] == []
    r = nvr.delete(f"{CHANNELS}/1")
    assert r.status_code == 404 and sub_status(r) == "invalidID"


def test_channels_are_limited_by_input_proxy_nums(fleet, nvr):
    cap = xml(nvr.get("/ISAPI/System/capabilities")).findtext("RacmCap/inputProxyNums")
    limit = xml(nvr.get(f"{CHANNELS}/capabilities")).find("id").get("max")
    assert cap == limit == "8"
    for i in range(8):
        assert nvr.post(CHANNELS, channel_body(f"{N}.200.{i + 1}", "Some-Pass-1")).status_code == 200
    r = nvr.post(CHANNELS, channel_body(f"{N}.200.99", "Some-Pass-1"))
    assert r.status_code == 403 and sub_status(r) == "invalidOperation"
    r = nvr.post(CHANNELS, channel_body(f"{N}.200.1", "Some-Pass-1"))
    assert r.status_code == 403  # still full; a duplicate would be badParameters
    assert len(fleet.control.state("nvr")["channels"]) == 8


def search_body(tracks, start, end, position=0, max_results=50, search_id="A1"):
    ids = "".join(f"<trackID>{t}</trackID>" for t in tracks)
    return (f"<CMSearchDescription><searchID>{search_id}</searchID><trackIDList>{ids}</trackIDList>"
            f"<timeSpanList><timeSpan><startTime>{start}</startTime><endTime>{end}</endTime></timeSpan>"
            f"</timeSpanList><maxResults>{max_results}</maxResults>"
            f"<searchResultPostion>{position}</searchResultPostion></CMSearchDescription>").encode()


def device_hour(client, hours_ago):
    now = datetime.datetime.fromisoformat(xml(client.get("/ISAPI/System/time")).findtext("localTime"))
    base = now.replace(tzinfo=None, minute=0, second=0) - datetime.timedelta(hours=hours_ago)
    return base.strftime("%Y-%m-%dT%H:%M:%SZ"), (base + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_camera_recordings_search_pages_and_download_with_range(fleet):
    fleet.control.provision("cam", activated=True, password=CAM_PW)
    cam = Client(fleet, "cam", password=CAM_PW)
    start, end = device_hour(cam, 3)
    first = xml(cam.post("/ISAPI/ContentMgmt/search", search_body([101], start, end, max_results=4)))
    assert first.findtext("responseStatusStrg") == "MORE" and first.findtext("numOfMatches") == "4"
    second = xml(cam.post("/ISAPI/ContentMgmt/search", search_body([101], start, end, position=4, max_results=4)))
    assert second.findtext("responseStatusStrg") == "OK" and second.findtext("numOfMatches") == "2"
    item = first.find("matchList/searchMatchItem")
    assert item.findtext("trackID") == "101" and item.findtext("timeSpan/startTime") == start
    uri = item.findtext("mediaSegmentDescriptor/playbackURI")
    size = int(uri.rsplit("size=", 1)[1])
    body = f"<downloadRequest><playbackURI>{uri.replace('&', '&amp;')}</playbackURI></downloadRequest>"
    whole = cam.session.get(cam.base + "/ISAPI/ContentMgmt/download", data=body, verify=cam.verify, timeout=10)
    assert whole.status_code == 200 and len(whole.content) == size
    again = cam.session.get(cam.base + "/ISAPI/ContentMgmt/download", data=body, verify=cam.verify, timeout=10)
    assert hashlib.sha256(again.content).digest() == hashlib.sha256(whole.content).digest()
    tail = cam.session.get(cam.base + "/ISAPI/ContentMgmt/download", data=body, verify=cam.verify, timeout=10,
                           headers={"Range": "bytes=100-"})
    assert tail.status_code == 206 and tail.content == whole.content[100:]
    assert tail.headers["Content-Range"] == f"bytes 100-{size - 1}/{size}"
    none = xml(cam.post("/ISAPI/ContentMgmt/search", search_body([101], "2001-01-01T00:00:00Z", "2001-01-02T00:00:00Z")))
    assert none.findtext("responseStatusStrg") == "NO MATCHES"
    bad = cam.session.get(cam.base + "/ISAPI/ContentMgmt/download", verify=cam.verify, timeout=10,
                          data=body.replace("tracks/101", "tracks/901"))
    assert bad.status_code == 404


def test_nvr_records_configured_channels_only(fleet, nvr):
    start, end = device_hour(nvr, 2)
    empty = xml(nvr.post("/ISAPI/ContentMgmt/search", search_body([], start, end)))
    assert empty.findtext("responseStatusStrg") == "NO MATCHES"
    nvr.post(CHANNELS, channel_body(fleet.devices["cam"]["address"], CAM_PW))
    nvr.post(CHANNELS, channel_body(f"{N}.200.5", "Some-Pass-1"))
    found = xml(nvr.post("/ISAPI/ContentMgmt/search", search_body([101, 201], start, end)))
    tracks = [i.findtext("trackID") for i in found.findall("matchList/searchMatchItem")]
    assert tracks == ["101"] * 6 + ["201"] * 6


def log_body(major="", position=0, max_results=50):
    meta = "log.std-cgi.com" + (f"/{major}" if major else "")
    return (f"<CMSearchDescription><searchID>L1</searchID><metaId>{meta}</metaId><timeSpanList><timeSpan>"
            f"<startTime>2000-01-01T00:00:00Z</startTime><endTime>2037-12-31T23:59:59Z</endTime></timeSpan>"
            f"</timeSpanList><maxResults>{max_results}</maxResults>"
            f"<searchResultPostion>{position}</searchResultPostion></CMSearchDescription>").encode()


def meta_ids(client, major=""):
    root = xml(client.post("/ISAPI/ContentMgmt/logSearch", log_body(major)))
    return [d.findtext("logDescriptor/metaId") for d in root.findall("matchList/searchMatchItem")]


def test_log_records_logins_failures_config_and_user_changes(fleet, nvr):
    wrong = Client(fleet, "nvr", password="Wrong-Pass-46")
    assert wrong.get("/ISAPI/System/deviceInfo").status_code == 401
    nvr.put("/ISAPI/System/deviceInfo", b"<DeviceInfo><deviceName>renamed</deviceName></DeviceInfo>")
    nvr.post("/ISAPI/Security/users", f"<User><userName>op1</userName><password>Op-Pass-461</password>"
             f"<userLevel>Operator</userLevel><loginPassword>{PW}</loginPassword></User>".encode())
    ids = meta_ids(nvr)
    assert ids[0] == "log.hikvision.com/Operation/powerOn"  # oldest first
    assert ids.count("log.hikvision.com/Exception/illegalAccess") == 1
    assert ids.count("log.hikvision.com/Operation/remoteLogin") == 1
    assert "log.hikvision.com/Operation/remoteCfgParm" in ids
    assert ids[-1] == "log.hikvision.com/Operation/remoteAddUser"
    assert meta_ids(nvr, "Exception") == ["log.hikvision.com/Exception/illegalAccess"]
    root = xml(nvr.post("/ISAPI/ContentMgmt/logSearch", log_body("Operation", max_results=2)))
    assert root.findtext("responseStatusStrg") == "MORE" and root.findtext("numOfMatches") == "2"
    entry = root.find("matchList/searchMatchItem/logDescriptor")
    assert [c.tag for c in entry] == ["metaId", "StartDateTime", "paraType", "userName", "ipAddress"]
    r = nvr.post("/ISAPI/ContentMgmt/logSearch", log_body("Bogus"))
    assert r.status_code == 400 and sub_status(r) == "badParameters"


def test_reboot_and_factory_reset_are_logged(fleet, nvr):
    from emuhelp import wait_until
    nvr.put("/ISAPI/System/factoryReset?mode=basic")
    wait_until(lambda: fleet.control.state("nvr")["status"] == "online" and
               any(e["event"] == "boot" for e in fleet.control.state("nvr")["log"]), timeout=20)
    ids = meta_ids(nvr, "Operation")
    assert "log.hikvision.com/Operation/remoteRestoreCfg" in ids
    assert ids.index("log.hikvision.com/Operation/remoteRestoreCfg") < ids.index("log.hikvision.com/Operation/powerOn", 1)
