"""Timing modes (issue 10 item 6): `realistic` gives real durations (reboots of one to two
minutes, firmware flashes of minutes, a 30-minute lock) without a test waiting for them: the
control API shows the computed schedule. Per-device request latency. Subnet 127.40.0.0/16
(+50 per worker)."""
import time

import pytest
import requests

from emuhelp import Client, net, wait_until
from emulator import firmware_image
from emulator.fleet import FleetError, load_fleet
from emulator.testing import RunningFleet

N = net(40)
PW = "Timing-Pass-01"


def fleet_dict(timing, **extra):
    data = {"subnet": f"{N}.0.0/16", "time_scale": 0.01, "sites": [{"name": "t", "devices": [
        {"name": "cam", "profile": "current_camera", "password": PW, "address": f"{N}.1.1"},
        {"name": "slow", "profile": "current_camera", "password": PW, "address": f"{N}.1.2",
         "latency_ms": 400},
        {"name": "nvr", "profile": "nvr", "password": PW, "address": f"{N}.1.3"}]}]}
    if timing:
        data["timing"] = timing
    data.update(extra)
    return data


def test_realistic_durations_are_drawn_per_device_in_the_documented_ranges():
    specs = load_fleet(fleet_dict("realistic")).devices
    for spec in specs:
        assert 60 <= spec.reboot_seconds <= 120
        assert 150 <= spec.flash_seconds <= 420
        assert spec.lock_seconds == 1800
    assert load_fleet(fleet_dict("realistic")).time_scale == 1.0
    scaled = load_fleet(fleet_dict(None))
    assert scaled.timing == "scaled" and scaled.time_scale == 0.01
    assert {s.reboot_seconds for s in scaled.devices} == {60}
    # What the fleet file sets explicitly still wins in realistic mode.
    pinned = fleet_dict("realistic", defaults={"reboot_seconds": 75})
    assert {s.reboot_seconds for s in load_fleet(pinned).devices} == {75}
    with pytest.raises(FleetError, match="time_scale 1"):
        load_fleet(fleet_dict("realistic"), time_scale=0.01)
    with pytest.raises(FleetError, match="timing must be one of"):
        load_fleet(fleet_dict("instant"))


@pytest.fixture(scope="module")
def realistic(tmp_path_factory):
    # Selected on the command line, over a fleet file that says nothing about timing.
    with RunningFleet(fleet_dict(None), out_dir=tmp_path_factory.mktemp("timing"),
                      extra_args=["--timing", "realistic"]) as running:
        yield running


def test_realistic_reboot_is_scheduled_for_minutes(realistic):
    view = realistic.control.state("cam")
    assert view["timing"]["mode"] == "realistic" and view["timing"]["time_scale"] == 1.0
    planned = view["timing"]["reboot_seconds"]
    assert 60 <= planned <= 120
    cam = Client(realistic, "cam", password=PW)
    assert cam.put("/ISAPI/System/reboot").status_code == 200
    state = wait_until(lambda: (lambda s: s if s["rebooting"] else None)(realistic.control.state("cam")))
    assert planned - 5 <= state["reboot_seconds_left"] <= planned
    realistic.control.provision("cam", activated=True, password=PW)  # do not wait minutes


def test_realistic_lock_lasts_thirty_minutes(realistic):
    realistic.control.provision("nvr", activated=True, password=PW)
    url = realistic.url("nvr", "/ISAPI/System/deviceInfo")
    bad = requests.auth.HTTPDigestAuth("admin", "Wrong-Pass-99")
    for _ in range(realistic.control.state("nvr")["lock"]["attempts"]):
        requests.get(url, auth=bad, verify=realistic.ca_path, timeout=5)
    locks = realistic.control.state("nvr")["locks"]
    (entry,) = locks.values()
    assert entry["locked"] and 1790 <= entry["unlock_in"] <= 1800
    assert realistic.control.state("nvr")["timing"]["lock_seconds"] == 1800
    realistic.control.provision("nvr", activated=True, password=PW)


def test_realistic_firmware_flash_takes_minutes(realistic, tmp_path):
    path = tmp_path / "fw.dav"
    firmware_image.write_image(str(path), models=["DS-2CD2*"], version="V5.7.30", build="build 250601",
                               kinds=["camera"], size=128 * 1024)
    cam = Client(realistic, "cam", password=PW)
    with open(path, "rb") as body:
        r = cam.session.put(cam.base + "/ISAPI/System/updateFirmware", data=body, timeout=30,
                            verify=cam.verify, headers={"Content-Type": "application/octet-stream"})
    assert r.status_code == 200
    area = realistic.control.state("cam")["areas"]["firmware"]
    assert area["upgrading"] and area["duration"] == realistic.control.state("cam")["timing"]["flash_seconds"]
    assert 150 <= area["duration"] <= 420
    assert abs(area["started"] - time.time()) < 10
    realistic.control.provision("cam", activated=True, password=PW)


def test_per_device_latency(realistic):
    fast, slow = Client(realistic, "cam", password=PW), Client(realistic, "slow", password=PW)
    fast.get("/ISAPI/System/deviceInfo"), slow.get("/ISAPI/System/deviceInfo")  # Digest negotiated

    def timed(client):
        started = time.monotonic()
        assert client.get("/ISAPI/System/deviceInfo").status_code == 200
        return time.monotonic() - started

    assert timed(slow) >= 0.4
    assert timed(fast) < 0.4
    assert realistic.control.state("slow")["timing"]["latency_ms"] == 400
    # An injected latency fault adds to the device's own and clears without removing it.
    realistic.control.faults("slow", latency_ms=300)
    assert timed(slow) >= 0.7
    realistic.control.clear_faults("slow")
    assert 0.4 <= timed(slow) < 0.7
