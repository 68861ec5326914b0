"""Firmware upgrade and configuration export/import in the emulator (docs/developer/isapi-reference.md, §9, §10).
Subnet 127.43.0.0/16 (+50 per xdist worker), ports 18080/18443."""
import pytest

from emuhelp import net, Client, sub_status, text, wait_until, xml
from emulator import firmware_image
from emulator.handlers import configdata
from emulator.testing import RunningFleet

N = net(43)  # this module's 127.x prefix (distinct per xdist worker)

PW = "Admin-Pass-01"
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"http_port": 18080, "https_port": 18443, "reboot_seconds": 50},
    "sites": [{"name": "fw", "devices": [
        {"name": "cam", "profile": "current_camera", "password": PW, "address": f"{N}.1.10",
         "model": "DS-2CD2386G2-IU"},
        {"name": "leg", "profile": "legacy_camera", "password": PW, "address": f"{N}.1.30"},
        {"name": "nvr", "profile": "nvr", "password": PW, "address": f"{N}.1.40"},
    ]}],
}
OCTET = {"Content-Type": "application/octet-stream"}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("fw")) as running:
        yield running


def fresh(fleet, name):
    fleet.control.provision(name, activated=True, password=PW)
    return Client(fleet, name, password=PW)


def image(tmp_path, name="fw.dav", **kw):
    path = tmp_path / name
    kw.setdefault("models", ["DS-2CD2*"])
    kw.setdefault("version", "V5.7.20")
    kw.setdefault("build", "build 250101")
    kw.setdefault("kinds", ["camera"])
    kw.setdefault("size", 256 * 1024)
    firmware_image.write_image(str(path), **kw)
    return path


def upload(client, path):
    with open(path, "rb") as body:
        return client.session.put(client.base + "/ISAPI/System/updateFirmware", data=body,
                                  headers=OCTET, timeout=30, verify=client.verify)


def test_image_header_round_trip(tmp_path):
    path = image(tmp_path, size=3000)
    head = path.read_bytes()
    meta, length = firmware_image.parse_header(head)
    assert meta["version"] == "V5.7.20" and meta["payload_size"] == 3000
    assert len(head) - length == 3000
    assert firmware_image.fits(meta, "DS-2CD2386G2-IU", "camera") is None
    assert "device is DS-7608NXI-I2/8P/S" in firmware_image.fits(
        dict(meta, kinds=[]), "DS-7608NXI-I2/8P/S", "nvr")
    with pytest.raises(firmware_image.ImageError):
        firmware_image.parse_header(b"MZ\x90\x00 not an image")


def test_upgrade_streams_progresses_reboots_into_the_new_version(fleet, tmp_path):
    cam = fresh(fleet, "cam")
    path = image(tmp_path, size=8 * 1024 * 1024)
    r = upload(cam, path)
    assert r.status_code == 200 and sub_status(r) == "ok"
    status = xml(cam.get("/ISAPI/System/upgradeStatus"))
    assert status.tag == "upgradeStatus" and status.findtext("upgrading") == "true"
    assert 0 <= int(status.findtext("percent")) < 100
    # a second upload while flashing is refused as busy
    again = upload(cam, path)
    assert sub_status(again) == "upgrading" and text(again, "statusCode") == "2"
    wait_until(lambda: fleet.control.state("cam")["status"] == "rebooting", timeout=10)
    wait_until(lambda: fleet.control.state("cam")["status"] == "online", timeout=10)
    info = xml(cam.get("/ISAPI/System/deviceInfo"))
    assert info.findtext("firmwareVersion") == "V5.7.20"
    assert info.findtext("firmwareReleasedDate") == "build 250101"
    area = fleet.control.state("cam")["areas"]["firmware"]
    assert area["version"] == "V5.7.20" and area["upgrades"] == 1
    assert area["last_upload_bytes"] == path.stat().st_size
    assert any(e["event"] == "firmwareUpgrade" for e in fleet.control.state("cam")["log"])


@pytest.mark.parametrize("kw, sub", [
    ({"models": ["DS-7608*"], "kinds": ["nvr"]}, "badDevType"),
    ({"models": ["DS-2CD2T*"]}, "badDevType"),
    ({"corrupt": True}, "badFlash"),
])
def test_bad_images_are_refused_with_the_right_sub_status(fleet, tmp_path, kw, sub):
    cam = fresh(fleet, "cam")
    r = upload(cam, image(tmp_path, **kw))
    assert r.status_code >= 400 and sub_status(r) == sub
    state = fleet.control.state("cam")
    assert state["areas"]["firmware"]["version"] == "V5.7.18" and state["status"] == "online"


def test_not_an_image_is_bad_version(fleet, tmp_path):
    cam = fresh(fleet, "cam")
    junk = tmp_path / "junk.dav"
    junk.write_bytes(b"\x00" * 5000)
    r = upload(cam, junk)
    assert sub_status(r) == "badVersion"
    assert text(cam.get("/ISAPI/System/upgradeStatus"), "upgrading") == "false"


def test_upgrade_status_shape_per_profile(fleet):
    leg = fresh(fleet, "leg")
    root = xml(leg.get("/ISAPI/System/upgradeStatus"))
    assert [c.tag for c in root] == ["upgrading", "percent"]
    nvr = fresh(fleet, "nvr")
    root = xml(nvr.get("/ISAPI/System/upgradeStatus"))
    assert [c.tag for c in root] == ["upgrading", "percent", "reboot", "upgradeStage"]


def test_export_contains_credentials_only_obfuscated_and_import_restores(fleet):
    cam = fresh(fleet, "cam")
    r = cam.get("/ISAPI/System/configurationData")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/octet-stream"
    blob = r.content
    assert blob.startswith(configdata.MAGIC) and PW.encode() not in blob
    assert configdata.decode(blob)["users"][0]["password"] == PW
    assert cam.get("/ISAPI/System/configurationData").content == blob  # deterministic
    # change the device, then import the old file
    user = ('<User version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><userName>op</userName>'
            '<password>Oper-Pass-01</password><userLevel>Operator</userLevel>'
            f'<loginPassword>{PW}</loginPassword></User>')
    assert cam.post("/ISAPI/Security/users", user).status_code == 200
    assert {u["name"] for u in fleet.control.state("cam")["users"]} == {"admin", "op"}
    r = cam.put("/ISAPI/System/configurationData", blob, headers=OCTET)
    assert r.status_code == 200 and text(r, "statusCode") == "7"
    assert {u["name"] for u in fleet.control.state("cam")["users"]} == {"admin"}
    assert cam.get("/ISAPI/System/configurationData").content == blob


def test_secretkey_export_and_wrong_key_on_import(fleet):
    cam = fresh(fleet, "cam")
    blob = cam.get("/ISAPI/System/configurationData", params={"secretkey": "Key-1234"}).content
    assert blob[len(configdata.MAGIC)] == configdata.KEYED
    wrong = cam.put("/ISAPI/System/configurationData", blob, headers=OCTET,
                    params={"secretkey": "Key-9999"})
    assert wrong.status_code == 400 and sub_status(wrong) == "importCfgFilePasswordErr"
    assert text(wrong, "statusCode") == "4"
    none = cam.put("/ISAPI/System/configurationData", blob, headers=OCTET)
    assert sub_status(none) == "importCfgFilePasswordErr"
    right = cam.put("/ISAPI/System/configurationData", blob, headers=OCTET,
                    params={"secretkey": "Key-1234"})
    assert text(right, "statusCode") == "7"
    too_long = cam.get("/ISAPI/System/configurationData", params={"secretkey": "k" * 17})
    assert sub_status(too_long) == "badParameters"


def test_legacy_exports_plain_only_and_files_do_not_cross_models(fleet):
    leg = fresh(fleet, "leg")
    assert sub_status(leg.get("/ISAPI/System/configurationData", params={"secretkey": "x"})) == \
        "invalidOperation"
    blob = leg.get("/ISAPI/System/configurationData").content
    assert blob[len(configdata.MAGIC)] == configdata.PLAIN
    cam = fresh(fleet, "cam")
    r = cam.put("/ISAPI/System/configurationData", blob, headers=OCTET)
    assert sub_status(r) == "badDevType"
