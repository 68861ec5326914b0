"""Start-up, output files, inventory loading, clean shutdown. Subnet 127.31.0.0/16 (+50 per xdist worker)."""
import json
import os
import stat
import subprocess
import sys

import pytest
import requests
import yaml

from emuhelp import net
from emulator.fleet import load_fleet_file
from emulator.testing import REPO_ROOT, RunningFleet

N = net(31)  # this module's 127.x prefix (distinct per xdist worker)

FLEET = {
    "time_scale": 0.01,
    "subnet": f"{N}.0.0/16",
    "defaults": {"http_port": 18080, "https_port": 18443},
    "sites": [
        {"name": "site-a", "devices": [
            {"name": "a-nvr1", "kind": "nvr", "profile": "nvr", "activated": True, "channels": ["a-cam1"]},
            {"name": "a-cam1", "profile": "current_camera", "activated": False, "address": f"{N}.1.11"},
        ]},
        {"name": "Site B.2", "devices": [
            {"name": "b-cam1", "profile": "legacy_camera", "activated": True, "password": "Given-Pass9"},
        ]},
    ],
}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    with RunningFleet(FLEET, out_dir=tmp_path_factory.mktemp("startup")) as running:
        yield running


def test_outputs_exist_with_modes(fleet):
    for name in ("ca.pem", "inventory.yml", "vault-pass", "fleet.json"):
        assert os.path.exists(os.path.join(fleet.out_dir, name)), name
    for secret in ("vault-pass", "fleet.json"):
        mode = stat.S_IMODE(os.stat(os.path.join(fleet.out_dir, secret)).st_mode)
        assert mode == 0o600, (secret, oct(mode))
    ctimes = [os.stat(os.path.join(fleet.out_dir, n)).st_mtime_ns
              for n in ("ca.pem", "inventory.yml", "vault-pass", "fleet.json")]
    assert ctimes == sorted(ctimes), "fleet.json must be written last"


def test_fleet_json_content(fleet):
    doc = fleet.fleet_doc
    assert doc["control_url"].startswith("http://127.0.0.1:")
    assert doc["ca_path"] == fleet.ca_path
    assert doc["out_dir"] == fleet.out_dir
    cam = fleet.devices["a-cam1"]
    assert cam["address"] == f"{N}.1.11" and cam["activated"] is False
    assert "password" not in cam and len(cam["intended_password"]) == 16
    legacy = fleet.devices["b-cam1"]
    assert legacy["password"] == "Given-Pass9" == legacy["intended_password"]
    assert legacy["firmware"] == "V5.4.5 build 170124" and legacy["kind"] == "camera"
    nvr = fleet.devices["a-nvr1"]
    assert nvr["kind"] == "nvr" and nvr["profile"] == "nvr" and nvr["address"].startswith(f"{N}.")
    passwords = [d.get("intended_password") for d in doc["devices"]]
    assert len(set(passwords)) == len(passwords)
    assert len({d["serial"] for d in doc["devices"]}) == 3 and len({d["mac"] for d in doc["devices"]}) == 3
    assert fleet.control.fleet() == doc


def test_generated_passwords_are_strong(fleet):
    pw = fleet.devices["a-nvr1"]["password"]
    assert len(pw) == 16
    assert any(c.isupper() for c in pw) and any(c.islower() for c in pw)
    assert any(c.isdigit() for c in pw) and any(not c.isalnum() for c in pw)


def test_inventory_loads_with_vault(fleet):
    out = subprocess.run(
        [os.path.join(os.path.dirname(sys.executable), "ansible-inventory"), "-i", fleet.inventory_path,
         "--vault-password-file", fleet.vault_pass_path, "--list"],
        capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
        env={**os.environ, "ANSIBLE_NOCOLOR": "1"},
    )
    assert out.returncode == 0, out.stderr
    inv = json.loads(out.stdout)
    hostvars = inv["_meta"]["hostvars"]
    assert set(inv["site_a"]["hosts"]) == {"a-nvr1", "a-cam1"}
    assert inv["Site_B_2"]["hosts"] == ["b-cam1"]
    assert set(inv["cameras"]["hosts"]) == {"a-cam1", "b-cam1"}
    assert inv["nvrs"]["hosts"] == ["a-nvr1"]
    cam = hostvars["a-cam1"]
    assert cam["isapi_host"] == f"{N}.1.11" and cam["isapi_port"] == 18443
    assert cam["isapi_http_port"] == 18080 and cam["device_kind"] == "camera"
    assert cam["isapi_scheme"] == "https" and cam["isapi_username"] == "admin"
    assert cam["isapi_ca_path"] == fleet.ca_path and cam["ansible_connection"] == "local"
    # inactive: the password the demo will activate with; active: the live one
    assert _unvault(fleet, cam["isapi_password"]) == fleet.devices["a-cam1"]["intended_password"]
    assert _unvault(fleet, hostvars["a-nvr1"]["isapi_password"]) == fleet.devices["a-nvr1"]["password"]
    assert hostvars["b-cam1"]["device_serial"] == fleet.devices["b-cam1"]["serial"]


def _unvault(fleet, value):
    from ansible.constants import DEFAULT_VAULT_ID_MATCH
    from ansible.parsing.vault import VaultLib, VaultSecret
    with open(fleet.vault_pass_path, "rb") as fh:
        secret = VaultSecret(fh.read().strip())
    blob = value["__ansible_vault"] if isinstance(value, dict) else value
    return VaultLib([(DEFAULT_VAULT_ID_MATCH, secret)]).decrypt(blob).decode()


def test_inventory_yaml_uses_vault_tag(fleet):
    with open(fleet.inventory_path) as fh:
        raw = fh.read()
    assert raw.count("!vault |") == 3
    assert fleet.devices["a-nvr1"]["password"] not in raw


def test_https_verifies_with_ca_and_http_answers(fleet):
    nvr = fleet.devices["a-nvr1"]
    r = requests.get(fleet.url("a-nvr1", "/ISAPI/System/deviceInfo"), verify=fleet.ca_path, timeout=5)
    assert r.status_code == 401
    r = requests.get(fleet.url("a-nvr1", "/ISAPI/System/deviceInfo", scheme="http"), timeout=5)
    assert r.status_code == 401
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(fleet.url("a-nvr1", "/"), timeout=5)  # system CAs do not know the fleet CA
    assert nvr["https_port"] == 18443


def test_sigterm_exits_zero(tmp_path):
    small = {"subnet": f"{N}.200.0/24", "sites": [{"name": "s", "devices": [{"name": "c1"}]}],
             "defaults": {"http_port": 18080, "https_port": 18443}}
    running = RunningFleet(small, out_dir=tmp_path).start()
    try:
        assert running.stop() == 0
    finally:
        running.stop()


def test_bad_fleet_reports_error(tmp_path):
    bad = {"sites": [{"name": "s", "devices": [{"name": "n1", "profile": "nvr", "channels": ["ghost"]}]}]}
    with pytest.raises(RuntimeError, match="ghost"):
        RunningFleet(bad, out_dir=tmp_path, startup_timeout=15).start()


def test_demo_fleet_is_valid():
    demo = load_fleet_file(os.path.join(REPO_ROOT, "emulator", "fleets", "demo.yml"))
    sites = {d.site for d in demo.devices}
    assert len(sites) == 2
    for site in sites:
        members = [d for d in demo.devices if d.site == site]
        nvrs = [d for d in members if d.kind == "nvr"]
        cams = [d for d in members if d.kind == "camera"]
        assert len(nvrs) == 1 and len(cams) == 4
        assert set(nvrs[0].channels) == {c.name for c in cams}
    assert sum(not d.activated for d in demo.devices) == len(demo.devices) // 2
    assert {d.profile.name for d in demo.devices} == {"nvr", "current_camera", "legacy_camera"}
    with open(os.path.join(REPO_ROOT, "emulator", "fleets", "demo.yml")) as fh:
        assert yaml.safe_load(fh)["sites"]
