"""Network, reboot, factory reset, time/NTP, illegal-login-lock config.
Subnet 127.36.0.0/16 (+50 per xdist worker), ports 18080/18443."""
import time

import pytest

from emuhelp import net, Client, refused, sub_status, text, wait_until, xml
from emulator.testing import RunningFleet

N = net(36)  # this module's 127.x prefix (distinct per xdist worker)

PW = "Admin-Pass-01"
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"http_port": 18080, "https_port": 18443, "reboot_seconds": 50},
    "sites": [{"name": "sys", "devices": [
        {"name": "cam", "profile": "current_camera", "password": PW, "address": f"{N}.1.10"},
        {"name": "other", "profile": "current_camera", "password": PW, "address": f"{N}.1.20"},
        {"name": "leg", "profile": "legacy_camera", "password": PW, "address": f"{N}.1.30"},
        {"name": "nvr", "profile": "nvr", "password": PW, "address": f"{N}.1.40"},
        {"name": "moved", "profile": "current_camera", "password": PW, "address": f"{N}.1.50",
         "factory_address": f"{N}.9.50"},
    ]}],
}
IP_DOC = """<IPAddress version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipVersion>dual</ipVersion><addressingType>static</addressingType>
<ipAddress>{ip}</ipAddress><subnetMask>{mask}</subnetMask>
<ipv6Address>::</ipv6Address><bitMask>0</bitMask>
<DefaultGateway><ipAddress>{gw}</ipAddress><ipv6Address>::</ipv6Address></DefaultGateway>
<PrimaryDNS><ipAddress>{dns}</ipAddress></PrimaryDNS><SecondaryDNS><ipAddress>0.0.0.0</ipAddress></SecondaryDNS>
<Ipv6Mode><ipV6AddressingType>ra</ipV6AddressingType></Ipv6Mode></IPAddress>"""


def ip_doc(ip, mask="255.255.0.0", gw=f"{N}.0.1", dns=f"{N}.0.1"):
    return IP_DOC.format(ip=ip, mask=mask, gw=gw, dns=dns)


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("sys")) as running:
        yield running


@pytest.fixture
def cam(fleet):
    fleet.control.provision("cam", activated=True, password=PW)
    return Client(fleet, "cam", password=PW)


def test_interfaces_shape(cam):
    r = cam.get("/ISAPI/System/Network/interfaces")
    root = xml(r)
    assert root.tag == "NetworkInterfaceList"
    iface = root.find("NetworkInterface")
    assert [c.tag for c in iface] == ["id", "IPAddress", "Discovery", "Link"]
    assert iface.findtext("IPAddress/ipAddress") == f"{N}.1.10"
    assert iface.findtext("IPAddress/subnetMask") == "255.255.0.0"
    assert iface.findtext("Link/MTU") == "1500"
    one = xml(cam.get("/ISAPI/System/Network/interfaces/1"))
    assert one.tag == "NetworkInterface" and one.findtext("id") == "1"
    ip = xml(cam.get("/ISAPI/System/Network/interfaces/1/ipAddress"))
    assert ip.tag == "IPAddress" and ip.findtext("DefaultGateway/ipAddress") == f"{N}.0.1"
    assert cam.get("/ISAPI/System/Network/interfaces/2").status_code == 404


@pytest.mark.parametrize("doc,sub", [
    (ip_doc(f"{N}.1.300"), "badIPv4Address"),
    (ip_doc("not-an-ip"), "badIPv4Address"),
    (ip_doc("0.0.0.0"), "badIPv4Address"),
    (ip_doc(f"{N}.1.11", mask="255.0.255.0"), "badNetMask"),
    (ip_doc(f"{N}.1.11", mask="300.0.0.0"), "badNetMask"),
    (ip_doc(f"{N}.1.20"), "conflictIPv4Address"),
    (ip_doc(f"{N}.1.11", gw="1.2.3"), "badIPv4Address"),
    ("<IPAddress><ipVersion>v4</ipVersion></IPAddress>", "badXmlContent"),
    ("<IPAddress><ipVersion>v4</ipVersion", "badXmlFormat"),
], ids=["octet-300", "not-ip", "zero", "mask-gap", "mask-300", "conflict", "gateway", "missing", "malformed"])
def test_bad_ip_settings(cam, doc, sub):
    r = cam.put("/ISAPI/System/Network/interfaces/1/ipAddress", doc)
    assert r.status_code == 400 and sub_status(r) == sub, r.text


def test_unchanged_ip_is_plain_ok(cam):
    r = cam.put("/ISAPI/System/Network/interfaces/1/ipAddress", ip_doc(f"{N}.1.10"))
    assert r.status_code == 200 and sub_status(r) == "ok"


def test_address_change_reboot_new_address(fleet, cam):
    r = cam.put("/ISAPI/System/Network/interfaces/1/ipAddress", ip_doc(f"{N}.2.10"))
    assert r.status_code == 200 and text(r, "statusCode") == "7" and sub_status(r) == "rebootRequired"
    assert text(r, "statusString") == "Reboot Required"
    state = fleet.control.state("cam")
    assert state["address"] == f"{N}.1.10" and state["staged_address"] == f"{N}.2.10"
    # saved config reads back; the device still answers on the old address
    assert text(cam.get("/ISAPI/System/Network/interfaces/1/ipAddress"), "ipAddress") == f"{N}.2.10"
    # another device may not take the staged address
    other = Client(fleet, "other", password=PW)
    r = other.put("/ISAPI/System/Network/interfaces/1/ipAddress", ip_doc(f"{N}.2.10"))
    assert sub_status(r) == "conflictIPv4Address"

    r = cam.put("/ISAPI/System/reboot")
    assert r.status_code == 200 and sub_status(r) == "ok"
    wait_until(lambda: refused(f"{N}.1.10", 18443), timeout=5)
    assert fleet.control.state("cam")["status"] == "rebooting"
    wait_until(lambda: not refused(f"{N}.2.10", 18443), timeout=10)
    assert refused(f"{N}.1.10", 18443) and refused(f"{N}.1.10", 18080)
    moved = Client(fleet, "cam", password=PW, address=f"{N}.2.10")
    r = moved.get("/ISAPI/System/deviceInfo")  # TLS verifies: the certificate names the new IP
    assert r.status_code == 200
    state = fleet.control.state("cam")
    assert state["address"] == f"{N}.2.10" and state["staged_address"] is None
    assert state["reboot_count"] == 1 and state["online"]
    assert any(e["event"] == "reboot" for e in state["log"])


def test_reboot_takes_reboot_seconds(fleet, cam):
    started = time.monotonic()
    assert cam.put("/ISAPI/System/reboot").status_code == 200
    wait_until(lambda: refused(f"{N}.1.10", 18443), timeout=5)
    wait_until(lambda: not refused(f"{N}.1.10", 18443), timeout=10)
    assert time.monotonic() - started >= 0.4  # 50 s x 0.01
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200
    up = int(text(cam.get("/ISAPI/System/status"), "deviceUpTime"))
    assert up <= 2


def test_address_outside_loopback_is_unreachable(fleet):
    fleet.control.provision("other", activated=True, password=PW)
    other = Client(fleet, "other", password=PW)
    r = other.put("/ISAPI/System/Network/interfaces/1/ipAddress", ip_doc("192.0.2.10", gw="192.0.2.1"))
    assert sub_status(r) == "rebootRequired"
    other.put("/ISAPI/System/reboot")
    wait_until(lambda: fleet.control.state("other")["status"] == "unreachable", timeout=10)
    state = fleet.control.state("other")
    assert state["address"] == "192.0.2.10" and not state["online"] and state["bind_error"]
    fleet.control.provision("other", activated=True, password=PW)
    assert fleet.control.state("other")["online"]


def test_dhcp_keeps_address(fleet, cam):
    doc = ip_doc(f"{N}.1.10").replace("<addressingType>static", "<addressingType>dynamic")
    r = cam.put("/ISAPI/System/Network/interfaces/1/ipAddress", doc)
    assert sub_status(r) == "rebootRequired"
    cam.put("/ISAPI/System/reboot")
    wait_until(lambda: refused(f"{N}.1.10", 18443), timeout=5)
    wait_until(lambda: not refused(f"{N}.1.10", 18443), timeout=10)
    assert text(cam.get("/ISAPI/System/Network/interfaces/1/ipAddress"), "addressingType") == "dynamic"


def test_put_interface_changes_mtu_without_reboot(cam):
    doc = cam.get("/ISAPI/System/Network/interfaces/1").text.replace(">1500<", ">1400<")
    r = cam.put("/ISAPI/System/Network/interfaces/1", doc)
    assert r.status_code == 200 and sub_status(r) == "ok", r.text
    assert xml(cam.get("/ISAPI/System/Network/interfaces/1")).findtext("Link/MTU") == "1400"


def test_factory_reset_basic(fleet, cam):
    cam.put("/ISAPI/System/deviceInfo", "<DeviceInfo><deviceName>renamed</deviceName></DeviceInfo>")
    cam.post("/ISAPI/Security/users", "<User><userName>op1</userName><password>Op-Pass-001</password>"
             f"<userLevel>Operator</userLevel><loginPassword>{PW}</loginPassword></User>")
    cam.put("/ISAPI/System/time", "<Time><timeMode>NTP</timeMode><timeZone>CST-2:00:00</timeZone></Time>")
    r = cam.put("/ISAPI/System/factoryReset", params={"mode": "basic"})
    assert r.status_code == 200 and sub_status(r) == "ok"
    wait_until(lambda: refused(f"{N}.1.10", 18443), timeout=5)
    wait_until(lambda: not refused(f"{N}.1.10", 18443), timeout=10)
    assert text(cam.get("/ISAPI/System/deviceInfo"), "deviceName") == "IP CAMERA"
    assert text(cam.get("/ISAPI/System/time"), "timeZone") == "CST-8:00:00"
    state = fleet.control.state("cam")
    assert [u["name"] for u in state["users"]] == ["admin", "op1"] and state["activated"]
    assert state["address"] == f"{N}.1.10"


def test_factory_reset_full(fleet):
    fleet.control.provision("moved", activated=True, password=PW)
    moved = Client(fleet, "moved", password=PW)
    assert moved.put("/ISAPI/System/factoryReset", params={"mode": "full"}).status_code == 200
    wait_until(lambda: refused(f"{N}.1.50", 18443), timeout=5)
    wait_until(lambda: not refused(f"{N}.9.50", 18443), timeout=10)
    state = fleet.control.state("moved")
    assert not state["activated"] and state["users"] == [] and state["address"] == f"{N}.9.50"
    fresh = Client(fleet, "moved", password=PW, address=f"{N}.9.50")
    assert sub_status(fresh.get("/ISAPI/System/deviceInfo")) == "notActivated"
    fleet.control.provision("moved", activated=True, password=PW)
    assert fleet.control.state("moved")["address"] == f"{N}.1.50"


def test_factory_reset_bad_mode(cam):
    for params in ({"mode": "part"}, {}):
        r = cam.put("/ISAPI/System/factoryReset", params=params)
        assert r.status_code == 400 and sub_status(r) == "badParameters"


def test_time_round_trip(cam):
    r = cam.get("/ISAPI/System/time")
    assert [c.tag for c in xml(r)] == ["timeMode", "localTime", "timeZone"]
    assert text(r, "localTime").endswith("+08:00")
    doc = ("<Time><timeMode>manual</timeMode><localTime>2030-01-02T03:04:05+01:00</localTime>"
           "<timeZone>CST-1:00:00</timeZone></Time>")
    assert cam.put("/ISAPI/System/time", doc).status_code == 200
    r = cam.get("/ISAPI/System/time")
    assert text(r, "timeMode") == "manual" and text(r, "localTime").startswith("2030-01-02T03:0")
    assert text(cam.get("/ISAPI/System/status"), "currentDeviceTime").startswith("2030-01-02T03:0")
    doc = "<Time><timeMode>NTP</timeMode><timeZone>CST+5:30:00DST01:00:00,M3.5.0/02:00:00,M10.5.0/03:00:00</timeZone></Time>"
    assert cam.put("/ISAPI/System/time", doc).status_code == 200
    assert text(cam.get("/ISAPI/System/time"), "localTime").endswith("-05:30")


@pytest.mark.parametrize("doc,sub", [
    ("<Time><timeZone>CST-1:00:00</timeZone></Time>", "badXmlContent"),
    ("<Time><timeMode>manual</timeMode><timeZone>CST-1:00:00</timeZone></Time>", "badXmlContent"),
    ("<Time><timeMode>NTP</timeMode></Time>", "badXmlContent"),
    ("<Time><timeMode>GPS</timeMode><timeZone>CST-1:00:00</timeZone></Time>", "badParameters"),
    ("<Time><timeMode>NTP</timeMode><timeZone>garbage</timeZone></Time>", "badParameters"),
    ("<NotTime/>", "badXmlContent"),
    ("not xml", "badXmlFormat"),
])
def test_time_validation(cam, doc, sub):
    r = cam.put("/ISAPI/System/time", doc)
    assert r.status_code == 400 and sub_status(r) == sub


NTP = ("<NTPServer><id>1</id><addressingFormatType>{fmt}</addressingFormatType><hostName>{host}</hostName>"
       "<ipAddress>{ip}</ipAddress><portNo>{port}</portNo><synchronizeInterval>{interval}</synchronizeInterval></NTPServer>")


def test_ntp_round_trip(cam):
    r = cam.get("/ISAPI/System/time/ntpServers")
    assert xml(r).tag == "NTPServerList" and xml(r).findtext("NTPServer/portNo") == "123"
    one = NTP.format(fmt="ipaddress", host="", ip=f"{N}.0.1", port=123, interval=60)
    assert cam.put("/ISAPI/System/time/ntpServers/1", one).status_code == 200
    r = cam.get("/ISAPI/System/time/ntpServers/1")
    assert text(r, "ipAddress") == f"{N}.0.1" and text(r, "synchronizeInterval") == "60"
    listed = "<NTPServerList>" + NTP.format(fmt="hostname", host="pool.ntp.org", ip="0.0.0.0", port=123,
                                              interval=1440) + "</NTPServerList>"
    assert cam.put("/ISAPI/System/time/ntpServers", listed).status_code == 200
    assert text(cam.get("/ISAPI/System/time/ntpServers/1"), "hostName") == "pool.ntp.org"
    assert cam.get("/ISAPI/System/time/ntpServers/2").status_code == 404


@pytest.mark.parametrize("doc,sub", [
    (NTP.format(fmt="ipaddress", host="", ip="1.2.3", port=123, interval=60), "badIPv4Address"),
    (NTP.format(fmt="ipaddress", host="", ip="1.2.3.4", port=70000, interval=60), "badPort"),
    (NTP.format(fmt="ipaddress", host="", ip="1.2.3.4", port=123, interval=0), "badParameters"),
    (NTP.format(fmt="carrier-pigeon", host="", ip="1.2.3.4", port=123, interval=60), "badParameters"),
    ("<NTPServer><id>1</id><addressingFormatType>hostname</addressingFormatType></NTPServer>", "badXmlContent"),
])
def test_ntp_validation(cam, doc, sub):
    r = cam.put("/ISAPI/System/time/ntpServers/1", doc)
    assert r.status_code == 400 and sub_status(r) == sub


def test_illegal_login_lock_config(fleet, cam):
    r = cam.get("/ISAPI/Security/illegalLoginLock")
    assert [c.tag for c in xml(r)] == ["enabled", "maxIllegalLoginTimes", "maxIllegalLoginLockTime"]
    assert text(r, "maxIllegalLoginTimes") == "7" and text(r, "maxIllegalLoginLockTime") == "30"  # minutes
    doc = ("<IllegalLoginLock><enabled>true</enabled><maxIllegalLoginTimes>3</maxIllegalLoginTimes>"
           "<maxIllegalLoginLockTime>1</maxIllegalLoginLockTime></IllegalLoginLock>")
    assert cam.put("/ISAPI/Security/illegalLoginLock", doc).status_code == 200
    assert fleet.control.state("cam")["lock"] == {"enabled": True, "attempts": 3, "seconds": 60}
    bad = Client(fleet, "cam", password="nope")
    for _ in range(2):
        bad.get("/ISAPI/System/deviceInfo")  # requests' digest auth: 2 wrong credentials per call
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 401
    fleet.control.unlock("cam")
    r = cam.put("/ISAPI/Security/illegalLoginLock", doc.replace(">3<", ">50<"))
    assert r.status_code == 400 and sub_status(r) == "badParameters"
    r = cam.put("/ISAPI/Security/illegalLoginLock", "<IllegalLoginLock><enabled>true</enabled></IllegalLoginLock>")
    assert sub_status(r) == "badXmlContent"


def test_legacy_lock_has_enabled_only(fleet):
    fleet.control.provision("leg", activated=True, password=PW)
    leg = Client(fleet, "leg", password=PW)
    r = leg.get("/ISAPI/Security/illegalLoginLock")
    assert [c.tag for c in xml(r)] == ["enabled"]
    r = leg.put("/ISAPI/Security/illegalLoginLock", "<IllegalLoginLock><enabled>false</enabled></IllegalLoginLock>")
    assert r.status_code == 200
    assert fleet.control.state("leg")["lock"]["enabled"] is False


def test_nvr_lock_time_in_seconds(fleet):
    fleet.control.provision("nvr", activated=True, password=PW)
    r = Client(fleet, "nvr", password=PW).get("/ISAPI/Security/illegalLoginLock")
    assert text(r, "maxIllegalLoginLockTime") == "1800"
