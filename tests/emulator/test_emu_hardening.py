"""Security configuration and network services of the emulator: web auth mode, listeners that
follow the protocol list, the IP filter, per-profile services, NTP lists.
Subnet 127.48.0.0/16 (+50 per xdist worker), ports 80/443."""
import http.client
import xml.etree.ElementTree as ET

import pytest
import requests

from emuhelp import net, Client, refused, sub_status, text, wait_until, xml
from emulator.testing import RunningFleet

N = net(48)  # this module's 127.x prefix (distinct per xdist worker)
PW = {"cur": "Current-Pass1", "leg": "Legacy-Pass1", "nvr": "Nvr-Pass-01"}
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "sites": [{"name": "hard", "devices": [
        {"name": "cur", "profile": "current_camera", "password": PW["cur"]},
        {"name": "leg", "profile": "legacy_camera", "password": PW["leg"]},
        {"name": "nvr", "profile": "nvr", "password": PW["nvr"]},
    ]}],
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("hardening")) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(fleet):
    for name, password in PW.items():
        fleet.control.provision(name, activated=True, password=password)
    yield


def client(fleet, name):
    return Client(fleet, name, password=PW[name])


def areas(fleet, name):
    return fleet.control.state(name)["areas"]


def test_web_auth_digest_basic_offers_and_accepts_basic(fleet):
    url = fleet.url("cur", "/ISAPI/System/deviceInfo")
    basic = ("admin", PW["cur"])
    first = requests.get(url, auth=basic, verify=fleet.ca_path, timeout=5)
    assert first.status_code == 401
    assert not any(h.startswith("Basic") for h in first.raw.headers.getlist("WWW-Authenticate"))
    c = client(fleet, "cur")
    body = xml(c.get("/ISAPI/Security/webCertificate"))
    assert body.tag == "WebCertificate" and body.findtext("CertificateType") == "digest"
    r = c.put("/ISAPI/Security/webCertificate",
              b"<WebCertificate><CertificateType>digest/basic</CertificateType></WebCertificate>")
    assert r.status_code == 200
    second = requests.get(url, auth=basic, verify=fleet.ca_path, timeout=5)
    assert second.status_code == 200
    bad = c.put("/ISAPI/Security/webCertificate",
                b"<WebCertificate><CertificateType>basic</CertificateType></WebCertificate>")
    assert bad.status_code == 400 and sub_status(bad) == "badParameters"


def test_legacy_has_no_web_certificate_and_no_rtsp_auth_switch(fleet):
    c = client(fleet, "leg")
    r = c.get("/ISAPI/Security/webCertificate")
    assert r.status_code == 404 and sub_status(r) == "notSupport"
    stream = xml(c.get("/ISAPI/Streaming/channels/101"))
    assert stream.find("Transport/Security/enabled") is not None
    assert stream.find("Transport/Security/certificateType") is None
    assert client(fleet, "nvr").get("/ISAPI/Streaming/channels/101").status_code == 404


def test_rtsp_auth_lives_per_profile(fleet):
    nvr = client(fleet, "nvr")
    r = nvr.put("/ISAPI/Security/RTSPCertificate",
                b"<RTSPCertificate><certificateType>digest/basic</certificateType></RTSPCertificate>")
    assert r.status_code == 200 and areas(fleet, "nvr")["securitycfg"]["rtsp_auth"] == "digest/basic"
    cam = client(fleet, "cur")
    assert cam.get("/ISAPI/Security/RTSPCertificate").status_code == 404
    doc = cam.get("/ISAPI/Streaming/channels/101").content.replace(
        b"<certificateType>digest</certificateType>", b"<certificateType>digest/basic</certificateType>")
    assert cam.put("/ISAPI/Streaming/channels/101", doc).status_code == 200
    assert areas(fleet, "cur")["securitycfg"]["rtsp_auth"] == "digest/basic"


def test_admin_accesses_shapes_follow_the_dumps(fleet):
    cur = xml(client(fleet, "cur").get("/ISAPI/Security/adminAccesses"))
    protocols = [e.findtext("protocol") for e in cur.findall("AdminAccessProtocol")]
    assert protocols == ["HTTP", "HTTPS", "DEV_MANAGE", "RTSP", "SDK_OVER_TLS", "WebSocket",
                         "WebSocketS", "SRTP", "Bonjour"]
    https = cur.findall("AdminAccessProtocol")[1]
    assert [c.tag for c in https] == ["id", "enabled", "protocol", "redirectToHttps", "portNo",
                                      "TLS1_1Enable", "TLS1_2Enable", "TLS1_3Enable"]
    nvr = xml(client(fleet, "nvr").get("/ISAPI/Security/adminAccesses"))
    assert [e.findtext("protocol") for e in nvr.findall("AdminAccessProtocol")][:3] == ["HTTP", "RTSP", "HTTPS"]
    leg = xml(client(fleet, "leg").get("/ISAPI/Security/adminAccesses"))
    assert leg.findall("AdminAccessProtocol")[1].find("TLS1_2Enable") is None


def test_http_off_and_https_port_move_the_listeners_until_provision(fleet):
    dev = fleet.devices["cur"]
    c = client(fleet, "cur")
    # current firmware takes only the whole document (README, whole-document writes)
    doc = xml(c.get("/ISAPI/Security/adminAccesses"))
    for entry in doc.findall("AdminAccessProtocol"):
        if entry.findtext("protocol") == "HTTP":
            entry.find("enabled").text = "false"
        if entry.findtext("protocol") == "HTTPS":
            entry.find("portNo").text = "8443"
    body = ET.tostring(doc)
    clash = c.put("/ISAPI/Security/adminAccesses", body)  # 8443 is SDK_OVER_TLS's port
    assert clash.status_code == 400 and sub_status(clash) == "badPort"
    next(e for e in doc.findall("AdminAccessProtocol") if e.findtext("protocol") == "HTTPS").find("portNo").text = "9443"
    body = ET.tostring(doc)
    assert c.put("/ISAPI/Security/adminAccesses", body).status_code == 200
    wait_until(lambda: refused(dev["address"], 80) and refused(dev["address"], 443)
               and not refused(dev["address"], 9443))
    moved = requests.get(f"https://{dev['address']}:9443/ISAPI/Security/adminAccesses", verify=fleet.ca_path,
                         auth=requests.auth.HTTPDigestAuth("admin", PW["cur"]), timeout=5)
    assert moved.status_code == 200
    fleet.control.provision("cur", activated=True, password=PW["cur"])
    assert not refused(dev["address"], 80) and not refused(dev["address"], 443)
    assert refused(dev["address"], 9443)


def _plain_get(address, source):
    conn = http.client.HTTPConnection(address, 80, timeout=3, source_address=(source, 0))
    try:
        conn.request("GET", "/ISAPI/System/deviceInfo")
        return conn.getresponse().status
    finally:
        conn.close()


def test_ip_filter_refuses_clients_off_an_enabled_allow_list(fleet):
    dev = fleet.devices["nvr"]
    c = client(fleet, "nvr")
    staged = (b"<IPFilter><enabled>false</enabled><permissionType>allow</permissionType>"
              b"<IPFilterAddressList><IPFilterAddress><id>1</id><permissionType>allow</permissionType>"
              b"<addressFilterType>mask</addressFilterType><AddressMask><ipAddress>127.0.0.2</ipAddress>"
              b"</AddressMask></IPFilterAddress></IPFilterAddressList></IPFilter>")
    assert c.put("/ISAPI/System/Network/ipFilter", staged).status_code == 200
    root = xml(c.get("/ISAPI/System/Network/ipFilter"))
    assert root.find("IPFilterAddressList").get("size") == "32"
    assert root.findtext("IPFilterAddressList/IPFilterAddress/AddressMask/ipAddress") == "127.0.0.2"
    assert c.put("/ISAPI/System/Network/ipFilter", staged.replace(b"false", b"true", 1)).status_code == 200
    with pytest.raises(requests.ConnectionError):
        c.get("/ISAPI/System/deviceInfo")
    assert _plain_get(dev["address"], "127.0.0.2") == 401  # on the list: answered (challenge)
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        _plain_get(dev["address"], "127.0.0.3")


@pytest.mark.parametrize("name, present, absent", [
    ("leg", ["ssh", "EZVIZ", "SNMP", "ftp", "DDNS"], ["telnetd", "Integrate", "../discoveryMode"]),
    ("cur", ["ssh", "EZVIZ", "Integrate", "SNMP", "ftp", "DDNS", "../discoveryMode"], ["telnetd"]),
    ("nvr", ["ssh", "telnetd", "EZVIZ", "Integrate", "SNMP", "DDNS"], ["ftp", "../discoveryMode"]),
])
def test_services_per_profile(fleet, name, present, absent):
    c = client(fleet, name)
    for res in present:
        path = "/ISAPI/System/" + res[3:] if res.startswith("../") else "/ISAPI/System/Network/" + res
        assert c.get(path).status_code == 200, path
    for res in absent:
        path = "/ISAPI/System/" + res[3:] if res.startswith("../") else "/ISAPI/System/Network/" + res
        r = c.get(path)
        assert r.status_code == 404 and sub_status(r) == "notSupport", path


def test_shipped_defaults_and_the_onvif_enable_element(fleet):
    cur = client(fleet, "cur")
    integrate = xml(cur.get("/ISAPI/System/Network/Integrate"))
    assert integrate.findtext("ONVIF/enable") == "false" and integrate.findtext("CGI/enable") == "true"
    assert text(cur.get("/ISAPI/System/Network/ssh"), "enabled") == "false"
    assert text(cur.get("/ISAPI/System/Network/EZVIZ"), "enabled") == "true"
    assert text(client(fleet, "leg").get("/ISAPI/System/Network/EZVIZ"), "enabled") == "false"
    snmp = xml(cur.get("/ISAPI/System/Network/SNMP"))
    assert [e.tag for e in snmp] == ["SNMPv1", "SNMPv2c", "SNMPv3", "listenPort"]


def test_ezviz_needs_a_code_to_switch_on(fleet):
    c = client(fleet, "leg")
    r = c.put("/ISAPI/System/Network/EZVIZ", b"<EZVIZ><enabled>true</enabled></EZVIZ>")
    assert r.status_code == 400 and sub_status(r) == "badParameters"
    ok = c.put("/ISAPI/System/Network/EZVIZ",
               b"<EZVIZ><enabled>true</enabled><verificationCode>ABCDEF</verificationCode></EZVIZ>")
    assert ok.status_code == 200
    assert text(c.get("/ISAPI/System/Network/EZVIZ"), "verificationCode") == ""  # never shown


def test_onvif_users_hide_passwords_and_reset_with_basic_factory_reset(fleet):
    c = client(fleet, "cur")
    r = c.post("/ISAPI/Security/ONVIF/users",
               b"<User><userName>vms</userName><password>Onvif-Pass-1</password><userType>user</userType></User>")
    assert r.status_code == 200 and text(r, "id") == "1"
    listed = c.get("/ISAPI/Security/ONVIF/users")
    assert b"Onvif-Pass-1" not in listed.content and text(listed, "User/userName") == "vms"
    dup = c.post("/ISAPI/Security/ONVIF/users",
                 b"<User><userName>vms</userName><password>Onvif-Pass-2</password></User>")
    assert sub_status(dup) == "userExist"
    assert c.put("/ISAPI/System/factoryReset?mode=basic").status_code == 200
    wait_until(lambda: fleet.control.state("cur")["status"] == "online", timeout=15)
    assert areas(fleet, "cur")["services"]["onvif_users"] == []


def test_ntp_server_lists_per_profile(fleet):
    three = b"<NTPServerList>" + b"".join(
        b"<NTPServer><id>%d</id><addressingFormatType>ipaddress</addressingFormatType>"
        b"<ipAddress>10.0.0.%d</ipAddress><portNo>123</portNo><synchronizeInterval>60</synchronizeInterval>"
        b"</NTPServer>" % (i, i) for i in (1, 2, 3)) + b"</NTPServerList>"
    c = client(fleet, "cur")
    assert c.put("/ISAPI/System/time/ntpServers", three).status_code == 200
    assert [s["ip_address"] for s in fleet.control.state("cur")["ntp"]] == ["10.0.0.1", "10.0.0.2", "10.0.0.3"]
    assert text(c.get("/ISAPI/System/time/ntpServers/3"), "ipAddress") == "10.0.0.3"
    assert c.get("/ISAPI/System/time/ntpServers/4").status_code == 404
    r = client(fleet, "leg").put("/ISAPI/System/time/ntpServers", three)
    assert r.status_code == 400 and sub_status(r) == "badParameters"
