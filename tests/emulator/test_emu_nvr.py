"""NVR IP channels and their live status. Subnet 127.37.0.0/16 (+50 per xdist worker), ports 80/443."""
import pytest

from emuhelp import net, Client, refused, sub_status, wait_until, xml
from emulator.testing import RunningFleet

N = net(37)  # this module's 127.x prefix (distinct per xdist worker)

PW = "Admin-Pass-01"
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"reboot_seconds": 30},
    "sites": [{"name": "nvr-site", "devices": [
        {"name": "nvr", "profile": "nvr", "password": PW, "channels": ["cam1", "cam2", "cam3", "cam4"]},
        {"name": "cam1", "profile": "current_camera", "password": "Cam1-Pass-01"},
        {"name": "cam2", "profile": "legacy_camera", "password": "Cam2-Pass-01"},
        {"name": "cam3", "profile": "current_camera", "activated": False},
        {"name": "cam4", "profile": "current_camera", "password": "Cam4-Pass-01"},
    ]}],
}

CAMERA_PASSWORDS = {d["name"]: d.get("password") for d in FLEET["sites"][0]["devices"]}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("nvr")) as running:
        yield running


@pytest.fixture
def nvr(fleet):
    for cam in ("cam1", "cam2", "cam4"):
        fleet.control.provision(cam, activated=True, password=CAMERA_PASSWORDS[cam])
    fleet.control.provision("cam3", activated=False)
    return Client(fleet, "nvr", password=PW)


def statuses(nvr):
    root = xml(nvr.get("/ISAPI/ContentMgmt/InputProxy/channels/status"))
    assert root.tag == "InputProxyChannelStatusList"
    return {s.findtext("id"): (s.findtext("online"), s.findtext("chanDetectResult"))
            for s in root.findall("InputProxyChannelStatus")}


def test_channel_list_has_no_passwords(fleet, nvr):
    r = nvr.get("/ISAPI/ContentMgmt/InputProxy/channels")
    root = xml(r)
    assert root.tag == "InputProxyChannelList" and root.get("size") == "4"
    assert b"http://www.isapi.org/ver20/XMLSchema" in r.content
    assert b"<password" not in r.content
    first = root.find("InputProxyChannel")
    assert [c.tag for c in first] == ["id", "name", "sourceInputPortDescriptor", "certificateValidationEnabled",
                                      "defaultAdminPortEnabled", "enableAnr", "enableTiming", "devIndex"]
    desc = first.find("sourceInputPortDescriptor")
    assert desc.findtext("ipAddress") == fleet.devices["cam1"]["address"]
    assert desc.findtext("proxyProtocol") == "HIKVISION" and desc.findtext("userName") == "admin"
    assert desc.findtext("firmwareVersion") == "V5.7.18 build 240826"
    one = xml(nvr.get("/ISAPI/ContentMgmt/InputProxy/channels/2"))
    assert one.tag == "InputProxyChannel" and one.findtext("name") == "cam2"
    r = nvr.get("/ISAPI/ContentMgmt/InputProxy/channels/9")
    assert r.status_code == 404 and sub_status(r) == "invalidID"
    assert "password" not in str(fleet.control.state("nvr")["channels"])


def test_status_online_and_offline(fleet, nvr):
    assert statuses(nvr) == {"1": ("true", "connect"), "2": ("true", "connect"),
                             "3": ("false", "errorUserNameOrPasswd"), "4": ("true", "connect")}
    # a camera whose admin password changed no longer accepts the stored credential
    fleet.control.provision("cam1", activated=True, password="Changed-Pass-9")
    # a camera that refuses connections is unreachable
    fleet.control.faults("cam2", refuse_seconds=30)
    try:
        result = statuses(nvr)
        assert result["1"] == ("false", "errorUserNameOrPasswd")
        assert result["2"] == ("false", "netUnreachable")
        one = xml(nvr.get("/ISAPI/ContentMgmt/InputProxy/channels/2/status"))
        assert one.tag == "InputProxyChannelStatus" and one.findtext("chanDetectResult") == "netUnreachable"
    finally:
        fleet.control.clear_faults("cam2")
    assert statuses(nvr)["2"] == ("true", "connect")


def test_moved_camera_is_not_found(fleet, nvr):
    cam4 = Client(fleet, "cam4", password="Cam4-Pass-01")
    doc = cam4.get("/ISAPI/System/Network/interfaces/1/ipAddress").text.replace(
        fleet.devices["cam4"]["address"], f"{N}.5.44")
    assert sub_status(cam4.put("/ISAPI/System/Network/interfaces/1/ipAddress", doc)) == "rebootRequired"
    cam4.put("/ISAPI/System/reboot")
    assert statuses(nvr)["4"] == ("false", "netUnreachable")  # rebooting
    wait_until(lambda: not refused(f"{N}.5.44", 443), timeout=10)
    assert statuses(nvr)["4"] == ("false", "notExist")


def test_cameras_do_not_support_input_proxy(fleet, nvr):
    cam = Client(fleet, "cam1", password="Cam1-Pass-01")
    for method, path in (("get", "/ISAPI/ContentMgmt/InputProxy/channels"),
                         ("get", "/ISAPI/ContentMgmt/InputProxy/channels/status"),
                         ("put", "/ISAPI/ContentMgmt/InputProxy/channels/1")):
        r = getattr(cam, method)(path)
        assert r.status_code == 403 and sub_status(r) == "notSupport", path


def test_nvr_capabilities(nvr):
    cap = xml(nvr.get("/ISAPI/System/capabilities"))
    assert cap.tag == "DeviceCap" and cap.findtext("RacmCap/inputProxyNums") == "8"
    assert cap.findtext("SecurityCap/isSupportUserCheck") == "true"
    info = xml(nvr.get("/ISAPI/System/deviceInfo"))
    assert info.findtext("deviceType") == "NVR" and info.findtext("telecontrolID") == "255"
    assert info.find("manufacturer") is None and info.find("bootVersion") is None
