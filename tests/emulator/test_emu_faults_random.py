"""The random fault mode (emulator/chaos.py): a share of requests hit by faults drawn from a set of
kinds, seeded, counted per kind in the device's counters. Subnet 127.45.0.0/16 (+50 per xdist
worker), ports 18080/18443."""
import pytest
import requests

from emuhelp import net, Client, refused, sub_status, wait_until
from emulator.testing import RunningFleet

N = net(45)
PW = "Admin-Pass-01"
NAME_XML = "<DeviceInfo><deviceName>%s</deviceName></DeviceInfo>"
FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"http_port": 18080, "https_port": 18443, "reboot_seconds": 60},
    "sites": [{"name": "chaos", "devices": [
        {"name": "cam", "profile": "current_camera", "password": PW},
        {"name": "twin", "profile": "current_camera", "password": PW},
    ]}],
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("chaos")) as running:
        yield running


@pytest.fixture
def cam(fleet):
    fleet.control.provision("cam", activated=True, password=PW)
    client = Client(fleet, "cam", password=PW)
    client.get("/ISAPI/System/deviceInfo")  # the digest challenge, before any fault
    fleet.control.reset_counters("cam")
    return client


def outcome(call):
    """'ok', 'busy' or 'lost' (no answer: closed, reset or refused) for one request."""
    try:
        r = call()
    except requests.exceptions.ConnectionError:
        return "lost"
    if r.status_code == 503 and sub_status(r) == "deviceBusy":
        return "busy"
    assert r.status_code == 200, r.text
    return "ok"


def test_busy_rate_is_literal_and_counted(fleet, cam):
    fleet.control.faults("cam", random={"rate": 0.25, "kinds": ["busy"], "seed": 3})
    seen = [outcome(lambda: cam.get("/ISAPI/System/deviceInfo")) for _ in range(400)]
    counters = fleet.control.counters("cam")
    assert counters["random_requests"] == 400
    assert counters["faults_injected"] == {"busy": seen.count("busy")}
    assert counters["busy"] == seen.count("busy")
    assert 70 <= seen.count("busy") <= 130  # 25% of 400, well inside a binomial spread
    assert fleet.control.state("cam")["faults"]["random"] == {
        "rate": 0.25, "kinds": ["busy"], "seed": 3, "timeout_ms": 31000, "refuse_seconds": 5.0}


def test_same_seed_same_faults(fleet):
    """Seeded per device: the same seed gives the same sequence again, another seed another one."""
    def sequence(seed):
        fleet.control.provision("twin", activated=True, password=PW)
        client = Client(fleet, "twin", password=PW)
        client.get("/ISAPI/System/deviceInfo")
        fleet.control.faults("twin", random={"rate": 0.3, "kinds": ["busy"], "seed": seed})
        return [outcome(lambda: client.get("/ISAPI/System/deviceInfo")) for _ in range(60)]
    first = sequence(11)
    assert sequence(11) == first
    assert sequence(12) != first


def test_drop_applies_the_write_and_hits_no_read(fleet, cam):
    fleet.control.faults("cam", random={"rate": 1.0, "kinds": ["drop"], "seed": 1})
    assert outcome(lambda: cam.get("/ISAPI/System/deviceInfo")) == "ok"  # reads are never dropped
    assert outcome(lambda: cam.put("/ISAPI/System/deviceInfo", NAME_XML % "applied")) == "lost"
    assert fleet.control.state("cam")["device_name"] == "applied"
    counters = fleet.control.counters("cam")
    assert counters["faults_injected"] == {"drop": 1} and counters["dropped"] == 1
    assert counters["random_requests"] == 2


def test_timeout_holds_then_closes_without_applying(fleet, cam):
    fleet.control.faults("cam", random={"rate": 1.0, "kinds": ["timeout"], "seed": 1, "timeout_ms": 1500})
    with pytest.raises(requests.exceptions.ReadTimeout):
        cam.session.put(cam.base + "/ISAPI/System/deviceInfo", data=NAME_XML % "late",
                        timeout=0.5, verify=cam.verify)
    wait_until(lambda: fleet.control.counters("cam")["faults_injected"] == {"timeout": 1})
    fleet.control.faults("cam", random=None)
    assert fleet.control.state("cam")["faults"]["random"] is None
    assert outcome(lambda: cam.get("/ISAPI/System/deviceInfo")) == "ok"
    assert fleet.control.state("cam")["device_name"] != "late"


def test_refuse_closes_and_stops_listening(fleet, cam):
    fleet.control.faults("cam", random={"rate": 1.0, "kinds": ["refuse"], "seed": 1,
                                        "refuse_seconds": 1.0})
    assert outcome(lambda: cam.put("/ISAPI/System/deviceInfo", NAME_XML % "refused")) == "lost"
    address = fleet.devices["cam"]["address"]
    assert refused(address, 18443)
    assert fleet.control.state("cam")["status"] == "refusing"
    fleet.control.faults("cam", random=None)
    wait_until(lambda: not refused(address, 18443), timeout=5)
    assert fleet.control.state("cam")["device_name"] != "refused"
    assert fleet.control.counters("cam")["faults_injected"] == {"refuse": 1}


def test_reboot_is_a_real_reboot_after_the_answer(fleet, cam):
    before = fleet.control.state("cam")["reboot_count"]
    fleet.control.faults("cam", random={"rate": 1.0, "kinds": ["reboot"], "seed": 1})
    assert outcome(lambda: cam.put("/ISAPI/System/deviceInfo", NAME_XML % "kept")) == "ok"
    state = wait_until(lambda: (lambda s: s if s["status"] == "rebooting" else None)(fleet.control.state("cam")))
    assert state["reboot_count"] == before + 1 and state["device_name"] == "kept"
    assert state["log"][-1]["event"] == "faultReboot"
    assert fleet.control.counters("cam")["faults_injected"] == {"reboot": 1}
    wait_until(lambda: fleet.control.state("cam")["status"] == "online", timeout=10)


def test_rate_zero_or_clear_switches_it_off(fleet, cam):
    fleet.control.faults("cam", random={"rate": 1.0, "kinds": ["busy"]})
    fleet.control.clear_faults("cam")
    assert outcome(lambda: cam.get("/ISAPI/System/deviceInfo")) == "ok"
    fleet.control.faults("cam", random={"rate": 0})
    assert outcome(lambda: cam.get("/ISAPI/System/deviceInfo")) == "ok"
    assert fleet.control.counters("cam")["faults_injected"] == {}


@pytest.mark.parametrize("bad, words", [
    ({"rate": 2}, "rate must be between 0 and 1"),
    ({"rate": 0.1, "kinds": ["meteor"]}, "unknown kinds ['meteor']"),
    ({"rate": 0.1, "often": True}, "unknown random keys ['often']"),
    ("often", "random must be an object"),
])
def test_bad_random_spec_is_refused(fleet, bad, words):
    r = requests.post(fleet.fleet_doc["control_url"] + "/devices/cam/faults", json={"random": bad}, timeout=5)
    assert r.status_code == 400 and words in r.json()["error"]


def test_reboot_follows_a_401_too(fleet, cam):
    """A reboot hits whatever request drew it: an unauthenticated one is answered 401 first."""
    before = fleet.control.state("cam")["reboot_count"]
    fleet.control.faults("cam", random={"rate": 1.0, "kinds": ["reboot"], "seed": 2})
    r = requests.get(cam.base + "/ISAPI/System/deviceInfo", verify=cam.verify, timeout=5)
    assert r.status_code == 401
    wait_until(lambda: fleet.control.state("cam")["reboot_count"] == before + 1)
    assert fleet.control.counters("cam")["faults_injected"] == {"reboot": 1}
    wait_until(lambda: fleet.control.state("cam")["status"] == "online", timeout=10)
