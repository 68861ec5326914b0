"""Resources real devices answer, shaped as recorded (issue 10 items 8 and 10): storage, events,
streams, IO, video detection, session login, capability documents, UPnP, e-mail, log server,
multipart firmware upload, online upgrade and ?format=json. Subnet 127.39.0.0/16 (+50 per worker).

Expected values come from tests/data/recorded_expectations.json (taken from the recordings of
real devices the emulator carries, see that file's source note), not from the emulator's code.
"""
import hashlib
import json
import os
import re
import time

import pytest
import requests

from emuhelp import Client, net, sub_status, text, wait_until, xml
from emulator import firmware_image
from emulator.testing import RunningFleet

N = net(39)
PW = {"cur": "Cur-Pass-0001", "leg": "Leg-Pass-0001", "c2": "C2-Pass-00001", "nvr": "Nvr-Pass-0001"}
FLEET = {
    "time_scale": 0.01, "subnet": f"{N}.0.0/16",
    "sites": [{"name": "res", "devices": [
        {"name": "cur", "profile": "current_camera", "password": PW["cur"], "model": "DS-2CD2T86G2-ISU/SL"},
        {"name": "leg", "profile": "legacy_camera", "password": PW["leg"]},
        {"name": "c2", "profile": "current_camera", "password": PW["c2"], "model": "DS-2CD2346G2-ISU/SL"},
        {"name": "nvr", "profile": "nvr", "password": PW["nvr"], "channels": ["cur", "c2"]},
    ]}],
}
DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "recorded_expectations.json")
with open(DATA, encoding="utf-8") as _fh:
    RECORDED = json.load(_fh)["models"]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("res")) as running:
        yield running


@pytest.fixture
def dev(fleet):
    def make(name):
        fleet.control.provision(name, activated=True, password=PW[name])
        return Client(fleet, name, password=PW[name])
    return make


def tags(el):
    return [child.tag for child in el]


# --- storage --------------------------------------------------------------------------------------
def test_storage_camera_sd_card_shape_and_moving_free_space(fleet, dev):
    cam = dev("cur")
    r = cam.get("/ISAPI/ContentMgmt/Storage")
    assert r.status_code == 200
    assert b'<hddList version="1.0" xmlns="http://www.hikvision.com/ver10/XMLSchema" size="8">' in r.content
    hdd = xml(r).find("hddList/hdd")
    want = RECORDED["DS-2CD2T86G2-ISU"]["storage"]
    assert tags(hdd) == want["hdd_elements"]
    assert hdd.findtext("capacity") == str(want["capacity"])
    assert hdd.find("Encryption/encryptionStatus").get("opt") == "unencrypted,encrypted,verfyFailed"
    first = int(hdd.findtext("freeSpace"))
    assert 0 < first <= want["freeSpace"]
    # The SD card fills at the main stream's bit rate (12288 kbit/s = 1.5 MB/s): it moves.
    later = wait_until(lambda: int(text(cam.get("/ISAPI/ContentMgmt/Storage"), "hddList/hdd/freeSpace"))
                       < first and True, timeout=5)
    assert later
    assert cam.get("/ISAPI/ContentMgmt/Storage/hdd/1").status_code == 200
    assert sub_status(cam.get("/ISAPI/ContentMgmt/Storage/hdd/7")) == "invalidID"


def test_storage_format_empties_the_disk(fleet, dev):
    cam = dev("c2")
    capacity = int(text(cam.get("/ISAPI/ContentMgmt/Storage"), "hddList/hdd/capacity"))
    fleet.control.time_scale(1.0)  # 20 s of formatting: long enough to see it in progress
    try:
        assert cam.put("/ISAPI/ContentMgmt/Storage/hdd/1/format").status_code == 200
        during = xml(cam.get("/ISAPI/ContentMgmt/Storage")).find("hddList/hdd")
        assert during.findtext("status") == "formating" and during.findtext("freeSpace") == "0"
        assert text(cam.get("/ISAPI/ContentMgmt/Storage/hdd/1/formatStatus"), "formating") == "true"
        assert sub_status(cam.put("/ISAPI/ContentMgmt/Storage/hdd/1/format")) == "deviceBusy"
    finally:
        fleet.control.time_scale(0.01)
    fleet.control.provision("c2", activated=True, password=PW["c2"])  # a fresh, unformatted card
    assert cam.put("/ISAPI/ContentMgmt/Storage/hdd/1/format").status_code == 200
    hdd = wait_until(lambda: (lambda h: h if h.findtext("status") == "ok" else None)(
        xml(cam.get("/ISAPI/ContentMgmt/Storage")).find("hddList/hdd")), timeout=5)
    assert capacity - 5 <= int(hdd.findtext("freeSpace")) <= capacity
    assert sub_status(cam.put("/ISAPI/ContentMgmt/Storage/hdd/4/format")) == "invalidID"


def test_storage_nvr_disk_shape(fleet, dev):
    nvr = dev("nvr")
    doc = xml(nvr.get("/ISAPI/ContentMgmt/Storage"))
    want = RECORDED["DS-7608NXI-I2"]["storage"]
    hdd = doc.find("hddList/hdd")
    assert tags(hdd) == want["hdd_elements"]  # group, no formatType/Encryption
    assert hdd.findtext("capacity") == str(want["capacity"])
    assert doc.find("workMode").get("opt") == "group,quota" and doc.findtext("workMode") == "quota"
    assert doc.find("ssdList") is not None


# --- events ---------------------------------------------------------------------------------------
def test_triggers_per_firmware(fleet, dev):
    cur = xml(dev("cur").get("/ISAPI/Event/triggers"))
    assert cur.tag == "EventTriggerList"
    assert [t.findtext("id") for t in cur.findall("EventTrigger")] == RECORDED["DS-2CD2T86G2-ISU"]["trigger_ids"]
    leg = xml(dev("leg").get("/ISAPI/Event/triggers"))
    # Old firmware wraps the list in EventNotification (recorded DS-2CD2532F).
    assert leg.tag == "EventNotification" and leg.find("EventTriggerList/EventTrigger") is not None
    nvr = xml(dev("nvr").get("/ISAPI/Event/triggers"))
    vmd = [t for t in nvr.findall("EventTrigger") if t.findtext("eventType") == "VMD"]
    assert [t.findtext("dynVideoInputChannelID") for t in vmd] == ["1", "2"]  # one per channel


def test_trigger_put_changes_notification_methods(fleet, dev):
    cam = dev("cur")
    body = (b"<EventTrigger><id>VMD-1</id><EventTriggerNotificationList><EventTriggerNotification>"
            b"<notificationMethod>center</notificationMethod></EventTriggerNotification>"
            b"</EventTriggerNotificationList></EventTrigger>")
    assert cam.put("/ISAPI/Event/triggers/VMD-1", body).status_code == 200
    got = xml(cam.get("/ISAPI/Event/triggers/VMD-1"))
    assert [n.findtext("notificationMethod") for n in got.findall(
        "EventTriggerNotificationList/EventTriggerNotification")] == ["center"]
    bad = cam.put("/ISAPI/Event/triggers/VMD-1", body.replace(b"center", b"carrierPigeon"))
    assert bad.status_code == 400 and sub_status(bad) == "badParameters"
    assert sub_status(cam.get("/ISAPI/Event/triggers/VMD-9")) == "invalidID"


def test_http_hosts_recorded_elements_and_round_trip(fleet, dev):
    cam = dev("cur")
    doc = xml(cam.get("/ISAPI/Event/notification/httpHosts"))
    hosts = doc.findall("HttpHostNotification")
    assert len(hosts) == 3
    assert tags(hosts[0]) == RECORDED["DS-2CD2T86G2-ISU"]["http_host_elements_ipaddress"]
    body = (b"<HttpHostNotification><id>1</id><url>/alarm</url><protocolType>HTTP</protocolType>"
            b"<addressingFormatType>ipaddress</addressingFormatType><ipAddress>127.0.0.5</ipAddress>"
            b"<portNo>8123</portNo></HttpHostNotification>")
    assert cam.put("/ISAPI/Event/notification/httpHosts/1", body).status_code == 200
    one = xml(cam.get("/ISAPI/Event/notification/httpHosts/1"))
    assert (one.findtext("url"), one.findtext("ipAddress"), one.findtext("portNo")) == ("/alarm", "127.0.0.5", "8123")
    bad = cam.put("/ISAPI/Event/notification/httpHosts/1", body.replace(b"8123", b"70000"))
    assert bad.status_code == 400 and sub_status(bad) == "badParameters"
    nvr_hosts = xml(dev("nvr").get("/ISAPI/Event/notification/httpHosts")).findall("HttpHostNotification")
    assert len(nvr_hosts) == 1 and nvr_hosts[0].find("Extensions/intervalBetweenEvents") is not None


# --- streams (model-specific values, item 10) ---------------------------------------------------------
@pytest.mark.parametrize("name,recording", [("cur", "DS-2CD2T86G2-ISU"), ("c2", "DS-2CD2346G2-ISU"),
                                            ("leg", "DS-2CD2532F-IWS")])
def test_stream_codec_and_resolution_per_model(fleet, dev, name, recording):
    cam = dev(name)
    for sid in ("101", "102"):
        video = xml(cam.get(f"/ISAPI/Streaming/channels/{sid}")).find("Video")
        want = RECORDED[recording]["streams"][sid]
        assert [video.findtext("videoCodecType"), video.findtext("videoResolutionWidth"),
                video.findtext("videoResolutionHeight")] == want
    listing = xml(cam.get("/ISAPI/Streaming/channels"))
    assert [s.findtext("id") for s in listing.findall("StreamingChannel")] == ["101", "102"]


def test_stream_put_is_stored_and_checked(fleet, dev):
    cam = dev("c2")
    doc = cam.get("/ISAPI/Streaming/channels/102").content
    doc = re.sub(rb"<videoCodecType>[^<]*</videoCodecType>", b"<videoCodecType>H.265</videoCodecType>", doc)
    assert cam.put("/ISAPI/Streaming/channels/102", doc).status_code == 200
    assert text(cam.get("/ISAPI/Streaming/channels/102"), "Video/videoCodecType") == "H.265"
    bad = re.sub(rb"<videoResolutionWidth>[^<]*<", b"<videoResolutionWidth>99999<", doc)
    r = cam.put("/ISAPI/Streaming/channels/102", bad)
    assert r.status_code == 400 and sub_status(r) == "badParameters"
    assert sub_status(cam.get("/ISAPI/Streaming/channels/105")) == "invalidID"


def test_nvr_streams_follow_its_channels(fleet, dev):
    nvr = dev("nvr")
    listing = xml(nvr.get("/ISAPI/Streaming/channels"))
    assert [s.findtext("id") for s in listing.findall("StreamingChannel")] == ["101", "102", "201", "202"]
    second = xml(nvr.get("/ISAPI/Streaming/channels/201"))
    assert second.findtext("Video/videoInputChannelID") == "2" and second.findtext("channelName") == "201"


# --- IO and video detection -------------------------------------------------------------------------
def test_io_ports_and_output_trigger(fleet, dev):
    cam, nvr = dev("cur"), dev("nvr")
    assert len(xml(cam.get("/ISAPI/System/IO/inputs")).findall("IOInputPort")) == 1
    assert len(xml(nvr.get("/ISAPI/System/IO/inputs")).findall("IOInputPort")) == 4
    status = xml(cam.get("/ISAPI/System/IO/outputs/1/status"))
    assert tags(status) == ["ioPortID", "ioPortType", "ioState"] and status.findtext("ioState") == "inactive"
    on = b"<IOPortData><outputState>high</outputState></IOPortData>"
    assert cam.put("/ISAPI/System/IO/outputs/1/trigger", on).status_code == 200
    assert text(cam.get("/ISAPI/System/IO/outputs/1/status"), "ioState") == "active"
    assert cam.put("/ISAPI/System/IO/inputs/1", b"<IOInputPort><triggering>high</triggering></IOInputPort>").status_code == 200
    assert text(cam.get("/ISAPI/System/IO/inputs/1"), "triggering") == "high"
    assert sub_status(cam.get("/ISAPI/System/IO/inputs/2/status")) == "invalidID"
    # An IO alarm raised on the device shows in the input's status.
    fleet.control.event("cur", "IO", 1, "active")
    assert text(cam.get("/ISAPI/System/IO/inputs/1/status"), "ioState") == "active"


def test_video_inputs_motion_and_tamper(fleet, dev):
    cam = dev("cur")
    channel = xml(cam.get("/ISAPI/System/Video/inputs/channels")).find("VideoInputChannel")
    assert tags(channel) == ["id", "inputPort", "name", "videoFormat"]
    motion = cam.get("/ISAPI/System/Video/inputs/channels/1/motionDetection")
    assert text(motion, "enabled") == "true" and text(motion, "MotionDetectionLayout/sensitivityLevel") == "60"
    off = motion.content.replace(b"<enabled>true</enabled>", b"<enabled>false</enabled>", 1)
    assert cam.put("/ISAPI/System/Video/inputs/channels/1/motionDetection", off).status_code == 200
    assert text(cam.get("/ISAPI/System/Video/inputs/channels/1/motionDetection"), "enabled") == "false"
    tamper = xml(cam.get("/ISAPI/System/Video/inputs/channels/1/tamperDetection"))
    assert tamper.find("TamperDetectionRegionList/TamperDetectionRegion/RegionCoordinatesList") is not None
    r = cam.put("/ISAPI/System/Video/inputs/channels/1/tamperDetection",
                b"<TamperDetection><tampersensitivityLevel>101</tampersensitivityLevel></TamperDetection>")
    assert r.status_code == 400 and sub_status(r) == "badParameters"
    nvr = dev("nvr")
    assert nvr.get("/ISAPI/System/Video/inputs/channels").status_code != 200
    assert text(nvr.get("/ISAPI/ContentMgmt/InputProxy/channels/2/video/motionDetection"), "enabled") == "false"
    assert sub_status(nvr.get("/ISAPI/ContentMgmt/InputProxy/channels/5/video/motionDetection")) == "invalidID"


# --- session login --------------------------------------------------------------------------------
def test_session_hash_matches_the_guide_vectors():
    from emulator.handlers.sessionlogin import session_hash
    salt, salt2 = "0123456789abcdef" * 4, "fedcba9876543210" * 4
    challenge = "00112233445566778899aabbccddeeff"
    assert session_hash("admin", "Abc12345", salt, challenge, 100, True) == \
        "8c8a3095b93e10df6303d92b9fde853bdd727dc2066c3d79701b66cea5cc75ce"
    assert session_hash("admin", "Abc12345", salt, challenge, 100, True, salt2) == \
        "52c4677f40e0d92b5cc549ea4c22831c864c1ac860471fffbad63861fb2cec74"
    assert session_hash("admin", "Abc12345", salt, challenge, 100, False) == \
        "85c6fab83a688945448a026d55ae8473404856f5af56228802f8eb99e6511c79"


def _client_hash(user, password, cap):
    def sha(s):
        return hashlib.sha256(s.encode()).hexdigest()
    challenge, iterations = cap.findtext("challenge"), int(cap.findtext("iterations"))
    if cap.findtext("isIrreversible") == "true":
        r = sha(sha(user + cap.findtext("salt") + password) + challenge)
        for _ in range(iterations - 2):
            r = sha(r)
        return r
    r = sha(password) + challenge
    for _ in range(iterations - 1):
        r = sha(r)
    return r


@pytest.mark.parametrize("name", ["cur", "leg"])
def test_session_login_cookie_heartbeat_logout(fleet, dev, name):
    dev(name)
    base = fleet.url(name)
    s = requests.Session()
    cap = xmlparse(s.get(base + "/ISAPI/Security/sessionLogin/capabilities?username=admin",
                         verify=fleet.ca_path, timeout=5))
    body = (f"<SessionLogin><userName>admin</userName><password>{_client_hash('admin', PW[name], cap)}"
            f"</password><sessionID>{cap.findtext('sessionID')}</sessionID></SessionLogin>").encode()
    r = s.post(base + f"/ISAPI/Security/sessionLogin?timeStamp={int(time.time() * 1000)}", data=body,
               verify=fleet.ca_path, timeout=5)
    assert r.status_code == 200 and "WebSession" in s.cookies
    # The cookie authenticates ISAPI requests without Digest.
    assert s.get(base + "/ISAPI/System/deviceInfo", verify=fleet.ca_path, timeout=5).status_code == 200
    assert s.put(base + "/ISAPI/Security/sessionHeartbeat", verify=fleet.ca_path, timeout=5).status_code == 200
    assert s.put(base + "/ISAPI/Security/sessionLogout", verify=fleet.ca_path, timeout=5).status_code == 200
    assert s.get(base + "/ISAPI/System/deviceInfo", verify=fleet.ca_path, timeout=5).status_code == 401


def xmlparse(resp):
    assert resp.status_code == 200, resp.text
    return xml(resp)


def test_session_login_wrong_password_counts_as_failed_login(fleet, dev):
    dev("cur")
    base = fleet.url("cur")
    cap = xmlparse(requests.get(base + "/ISAPI/Security/sessionLogin/capabilities?username=admin",
                                verify=fleet.ca_path, timeout=5))
    body = (f"<SessionLogin><userName>admin</userName><password>{'0' * 64}</password>"
            f"<sessionID>{cap.findtext('sessionID')}</sessionID></SessionLogin>").encode()
    r = requests.post(base + "/ISAPI/Security/sessionLogin", data=body, verify=fleet.ca_path, timeout=5)
    assert r.status_code == 401 and b"<retryLoginTime>" in r.content
    assert sum(fleet.control.counters("cur")["failed_logins"].values()) == 1


# --- capability documents, UPnP, mailing, logServer ---------------------------------------------------------
@pytest.mark.parametrize("path,root", [
    ("/ISAPI/System/deviceInfo/capabilities", "DeviceInfo"),
    ("/ISAPI/System/time/capabilities", "Time"),
    ("/ISAPI/System/time/ntpServers/capabilities", "NTPServerList"),
    ("/ISAPI/Security/adminAccesses/capabilities", "AdminAccessProtocolList"),
    ("/ISAPI/System/Network/ssh/capabilities", "SSH"),
    ("/ISAPI/Security/sessionLogin/capabilities?username=admin", "SessionLoginCap"),
    ("/ISAPI/System/onlineUpgrade/capabilities", "OnlineUpgradeCap"),
])
def test_capability_documents(fleet, dev, path, root):
    doc = xml(dev("cur").get(path))
    assert doc.tag == root


def test_capabilities_state_the_limits_the_device_enforces(fleet, dev):
    cam = dev("cur")
    name = xml(cam.get("/ISAPI/System/deviceInfo/capabilities")).find("deviceName")
    assert (name.get("min"), name.get("max")) == ("1", "32")
    too_long = b"<DeviceInfo><deviceName>" + b"x" * 33 + b"</deviceName></DeviceInfo>"
    assert cam.put("/ISAPI/System/deviceInfo", too_long).status_code == 400
    assert xml(cam.get("/ISAPI/System/Network/ssh/capabilities")).find("enabled").get("opt") == "true,false"
    assert xml(dev("leg").get("/ISAPI/System/time/ntpServers/capabilities")).get("size") == "1"


def test_upnp_is_the_interface_discovery_switch(fleet, dev):
    cam = dev("cur")
    assert text(cam.get("/ISAPI/System/Network/UPnP"), "enabled") == "false"
    assert cam.put("/ISAPI/System/Network/UPnP", b"<UPnP><enabled>true</enabled></UPnP>").status_code == 200
    assert text(cam.get("/ISAPI/System/Network/interfaces/1"), "Discovery/UPnP/enabled") == "true"
    assert fleet.control.state("cur")["link"]["upnp"] is True


def test_mailing_per_kind_and_log_server(fleet, dev):
    cam = dev("cur")
    body = (b"<mailing><id>1</id><sender><emailAddress>cam@example.org</emailAddress><smtp>"
            b"<hostName>smtp.example.org</hostName><portNo>587</portNo><password>Secret-1</password>"
            b"</smtp></sender></mailing>")
    assert cam.put("/ISAPI/System/Network/mailing/1", body).status_code == 200
    got = cam.get("/ISAPI/System/Network/mailing/1")
    assert text(got, "sender/smtp/portNo") == "587" and text(got, "sender/emailAddress") == "cam@example.org"
    assert b"Secret-1" not in got.content
    assert len(xml(got).findall("receiverList/receiver")) == 3
    assert xml(dev("nvr").get("/ISAPI/System/Network/mailing")).tag == "mailingList"
    assert cam.get("/ISAPI/System/Network/mailing").status_code == 404
    assert cam.put("/ISAPI/System/logServer", b"<LogServer><enabled>true</enabled><portNo>6514</portNo>"
                   b"<transmissionEncryption>true</transmissionEncryption></LogServer>").status_code == 200
    log_server = cam.get("/ISAPI/System/logServer")
    assert text(log_server, "portNo") == "6514" and text(log_server, "transmissionEncryption") == "true"
    assert dev("leg").get("/ISAPI/System/logServer").status_code == 404


# --- firmware POST multipart, online upgrade, JSON ------------------------------------------------------
def test_post_multipart_update_firmware(fleet, dev, tmp_path):
    cam = dev("c2")
    path = tmp_path / "digicap.dav"
    firmware_image.write_image(str(path), models=["DS-2CD2*"], version="V5.7.21", build="build 250301",
                               kinds=["camera"], size=300 * 1024)
    no_part = cam.session.post(cam.base + "/ISAPI/System/updateFirmware", verify=cam.verify, timeout=10,
                               files={"other": ("x", b"abc")})
    assert no_part.status_code == 400 and sub_status(no_part) == "badParameters"
    with open(path, "rb") as fh:
        r = cam.session.post(cam.base + "/ISAPI/System/updateFirmware", verify=cam.verify, timeout=30,
                             files={"updateFile": ("digicap.dav", fh, "application/octet-stream")})
    assert r.status_code == 200, r.text
    area = fleet.control.state("c2")["areas"]["firmware"]
    assert area["pending_version"] == "V5.7.21" and area["last_upload_bytes"] == os.path.getsize(path)
    wait_until(lambda: fleet.control.state("c2")["areas"]["firmware"]["version"] == "V5.7.21", timeout=20)
    wait_until(lambda: fleet.control.state("c2")["status"] == "online", timeout=20)


def test_online_upgrade_xml_json_and_not_supported(fleet, dev):
    cam = dev("cur")
    assert text(cam.get("/ISAPI/System/onlineUpgrade/status"), "status") == "notUpgrade"
    js = cam.get("/ISAPI/System/onlineUpgrade/status?format=json")
    assert js.headers["Content-Type"].startswith("application/json")
    assert js.json() == {"OnlineUpgradeStatus": {"status": "notUpgrade", "percent": 0}}
    put = cam.put("/ISAPI/System/onlineUpgrade/downloadPackage?format=json")
    assert put.status_code == 403 and put.json()["subStatusCode"] == "invalidOperation"
    assert set(put.json()) == {"requestURL", "statusCode", "statusString", "subStatusCode", "errorCode", "errorMsg"}
    leg = dev("leg").get("/ISAPI/System/onlineUpgrade/status")
    assert sub_status(leg) == "notSupport" and text(leg, "description")


# --- status values move (item 10) ----------------------------------------------------------------
def test_status_values_move(fleet, dev):
    cam = dev("cur")

    def sample():
        doc = xml(cam.get("/ISAPI/System/status"))
        return (doc.findtext("deviceUpTime"), doc.findtext("currentDeviceTime"),
                doc.findtext("CPUList/CPU/cpuUtilization"), doc.findtext("MemoryList/Memory/memoryUsage"))

    first = sample()
    time.sleep(2.2)
    second = sample()
    assert first[0] != second[0] and first[1] != second[1]
    # CPU and memory drift; over a few samples at least one changes.
    samples = {sample()[2:] for _ in range(3) if not time.sleep(1.5)}
    assert len(samples | {first[2:], second[2:]}) > 1
