"""The two fault kinds the lifecycle fault suite needs beyond latency, refusal, busy and drop:
a reboot in the middle of a task and a locked client. Subnet 127.41.0.0/16 (+50 per worker)."""
import re

import pytest

from emuhelp import net, Client, text, wait_until
from emulator.testing import RunningFleet

N = net(41)
PW = "Admin-Pass-01"
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"http_port": 18080, "https_port": 18443},
    "sites": [{"name": "faults", "devices": [
        {"name": "cam", "profile": "current_camera", "password": PW},
    ]}],
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("faults-lifecycle")) as running:
        yield running


@pytest.fixture
def cam(fleet):
    fleet.control.provision("cam", activated=True, password=PW)
    return Client(fleet, "cam", password=PW)


def test_reboot_after_k_requests_answers_then_reboots_applying_staged_network(fleet, cam):
    new = f"{N}.250.9"
    # current firmware takes only whole documents: change the address in the one it sends
    current = cam.get("/ISAPI/System/Network/interfaces/1/ipAddress").text
    body = re.sub(r"<ipAddress>[^<]*</ipAddress>", f"<ipAddress>{new}</ipAddress>", current, count=1)
    assert cam.put("/ISAPI/System/Network/interfaces/1/ipAddress", body).status_code == 200
    fleet.control.faults("cam", reboot_after=2)
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200
    assert fleet.control.state("cam")["reboot_count"] == 0
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200  # answered, then it reboots
    wait_until(lambda: fleet.control.state("cam")["reboot_count"] == 1, timeout=5)
    wait_until(lambda: fleet.control.state("cam")["status"] == "online", timeout=10)
    state = fleet.control.state("cam")
    assert state["address"] == new and state["staged_address"] is None
    assert any(e["event"] == "faultReboot" for e in state["log"])
    assert state["faults"]["reboot_after"] == 0


def test_lock_seconds_answers_every_login_as_locked_without_counting_failures(fleet, cam):
    fleet.control.reset_counters("cam")
    faults = fleet.control.faults("cam", lock_seconds=30)
    assert faults["lock_seconds_left"] > 25
    r = cam.get("/ISAPI/System/deviceInfo")
    assert r.status_code == 401 and text(r, "lockStatus") == "lock"
    assert int(text(r, "unlockTime")) > 0
    counters = fleet.control.counters("cam")
    assert counters["failed_logins"] == {} and counters["successful_logins"] == 0
    assert not any(e["failures"] or e["locked"] for e in fleet.control.state("cam")["locks"].values())
    fleet.control.faults("cam", lock_seconds=0)
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200


def test_clear_faults_lifts_lock_and_pending_reboot(fleet, cam):
    fleet.control.faults("cam", lock_seconds=30, reboot_after=1)
    faults = fleet.control.clear_faults("cam")
    assert faults["reboot_after"] == 0 and faults["locked_until"] is None
    assert cam.get("/ISAPI/System/deviceInfo").status_code == 200
    assert fleet.control.state("cam")["reboot_count"] == 0
