"""`serve --state DIR` (issue 10 item 9): identities, passwords and settings survive an emulator
restart, clean (SIGTERM) or a kill mid-run, as a unit keeps them over a power cycle.
Subnet 127.41.0.0/16 (+50 per worker)."""
import json
import os
import stat

import pytest

from emuhelp import Client, net, sub_status, text, wait_until, xml
from emulator import persist
from emulator.testing import RunningFleet

N = net(41)
OLD, NEW = "State-Pass-001", "State-Pass-002"
FLEET = {"subnet": f"{N}.0.0/16", "time_scale": 0.01, "sites": [{"name": "st", "devices": [
    {"name": "cam", "profile": "current_camera", "password": OLD, "address": f"{N}.1.1"},
    {"name": "fresh", "profile": "current_camera", "activated": False, "address": f"{N}.1.2"},
    {"name": "nvr", "profile": "nvr", "password": OLD, "address": f"{N}.1.3", "channels": ["cam"]}]}]}


def user_xml(password, login):
    return (f"<User><id>1</id><userName>admin</userName><password>{password}</password>"
            f"<loginPassword>{login}</loginPassword></User>").encode()


def test_settings_identity_and_password_survive_a_restart(tmp_path):
    state_dir = tmp_path / "state"
    args = ["--state", str(state_dir)]
    with RunningFleet(FLEET, out_dir=tmp_path / "out", extra_args=args) as fleet:
        before = {name: dict(fleet.devices[name]) for name in fleet.devices}
        cam = Client(fleet, "cam", password=OLD)
        assert cam.put("/ISAPI/System/deviceInfo",
                       b"<DeviceInfo><deviceName>gate</deviceName></DeviceInfo>").status_code == 200
        assert cam.post("/ISAPI/Security/users",
                        b"<User><userName>viewer1</userName><password>Viewer-Pass-01</password>"
                        b"<userLevel>Viewer</userLevel><loginPassword>" + OLD.encode()
                        + b"</loginPassword></User>").status_code == 200
        assert cam.put("/ISAPI/System/Network/UPnP", b"<UPnP><enabled>true</enabled></UPnP>").status_code == 200
        ip = xml(cam.get("/ISAPI/System/Network/interfaces/1/ipAddress"))
        body = cam.get("/ISAPI/System/Network/interfaces/1/ipAddress").content.replace(
            f"<ipAddress>{N}.1.1</ipAddress>".encode(), f"<ipAddress>{N}.1.9</ipAddress>".encode())
        assert ip.findtext("ipAddress") == f"{N}.1.1"
        r = cam.put("/ISAPI/System/Network/interfaces/1/ipAddress", body)
        assert sub_status(r) == "rebootRequired"  # staged, not rebooted: the power cycle applies it
        assert cam.put("/ISAPI/Security/users/1", user_xml(NEW, OLD)).status_code == 200
        old_boot = fleet.control.state("cam")["boot_time"]
        assert fleet.stop() == 0

        files = sorted(os.listdir(state_dir))
        assert files == ["cam.json", "fresh.json", "nvr.json", "tls-keys.pem"]  # no temporary files
        ca_before = open(fleet.ca_path, "rb").read()
        assert stat.S_IMODE(os.stat(state_dir / "cam.json").st_mode) == 0o600
        saved = json.loads((state_dir / "cam.json").read_text())
        assert saved["identity"]["serial"] == before["cam"]["serial"]

        fleet.start()
        assert open(fleet.ca_path, "rb").read() == ca_before  # the same CA: certificates survive
        after = fleet.devices
        for name in ("cam", "fresh", "nvr"):
            for key in ("serial", "mac"):
                assert after[name][key] == before[name][key], (name, key)
        assert after["cam"]["password"] == NEW  # fleet.json tells the password the device has now
        assert after["fresh"]["activated"] is False
        view = fleet.control.state("cam")
        assert view["device_name"] == "gate" and view["address"] == f"{N}.1.9"
        assert [u["name"] for u in view["users"]] == ["admin", "viewer1"]
        assert view["link"]["upnp"] is True and view["boot_time"] > old_boot
        assert view["log"][-1]["event"] == "powerOn"
        assert fleet.control.check_password("cam", "admin", NEW)
        moved = Client(fleet, "cam", password=NEW, address=f"{N}.1.9")
        assert text(moved.get("/ISAPI/System/deviceInfo"), "deviceName") == "gate"
        # The NVR's channel (with the camera's password it was given) is there too.
        assert [c["name"] for c in fleet.control.state("nvr")["channels"]] == ["cam"]


def test_a_killed_emulator_keeps_what_was_saved(tmp_path):
    state_dir = tmp_path / "state"
    with RunningFleet(FLEET, out_dir=tmp_path / "out", extra_args=["--state", str(state_dir)]) as fleet:
        nvr = Client(fleet, "nvr", password=OLD)
        assert nvr.put("/ISAPI/System/deviceInfo",
                       b"<DeviceInfo><deviceName>rack-7</deviceName></DeviceInfo>").status_code == 200
        wait_until(lambda: "rack-7" in (state_dir / "nvr.json").read_text(), timeout=5)
        fleet.proc.kill()  # power cut: no shutdown save
        fleet.proc.wait(5)
        fleet.start()
        assert fleet.control.state("nvr")["device_name"] == "rack-7"
        assert fleet.control.check_password("nvr", "admin", OLD)


def test_without_state_a_restart_is_a_new_unit(tmp_path):
    with RunningFleet(FLEET, out_dir=tmp_path / "out") as fleet:
        first = fleet.devices["cam"]["serial"]
        fleet.restart()
        assert fleet.devices["cam"]["serial"] != first


def test_a_state_file_of_another_unit_is_ignored(tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    (state_dir / "cam.json").write_text(json.dumps({"format": 1, "profile": "nvr", "model": "X",
                                                   "identity": {}, "state": {}}))
    with RunningFleet(FLEET, out_dir=tmp_path / "out", extra_args=["--state", str(state_dir)]) as fleet:
        assert fleet.control.check_password("cam", "admin", OLD)
        assert fleet.control.state("cam")["profile"] == "current_camera"


def test_atomic_write_keeps_the_old_file_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "dev.json"
    persist.atomic_write(str(target), b'{"v": 1}')

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(persist.os, "replace", broken)
    with pytest.raises(OSError):
        persist.atomic_write(str(target), b'{"v": 2}')
    assert target.read_bytes() == b'{"v": 1}'
    assert os.listdir(tmp_path) == ["dev.json"]


def test_only_emulator_dataclasses_are_rebuilt():
    from emulator.state import LinkConfig
    assert persist.decode(persist.encode(LinkConfig(mtu=1400))) == LinkConfig(mtu=1400)
    with pytest.raises(ValueError, match="not an emulator class"):
        persist.decode({"__dataclass__": "subprocess:Popen"})
