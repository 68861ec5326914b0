"""Start an emulated fleet in a subprocess for tests.

    with RunningFleet(fleet={...}, out_dir=tmp_path) as fleet:
        dev = fleet.devices["a-cam1"]
        fleet.control.state("a-cam1")
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from typing import Optional

import requests
import yaml

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class ControlClient:
    """Thin wrapper over the emulator's control API (see README)."""

    def __init__(self, url: str, timeout: float = 10.0):
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()

    def _call(self, method: str, path: str, payload: Optional[dict] = None):
        resp = self.session.request(method, self.url + path, json=payload, timeout=self.timeout)
        resp.raise_for_status()
        return resp.json()

    def fleet(self) -> dict:
        return self._call("GET", "/fleet")

    def state(self, name: str) -> dict:
        return self._call("GET", f"/devices/{name}")

    def counters(self, name: str) -> dict:
        return self._call("GET", f"/devices/{name}/counters")

    def requests(self, name: str) -> list:
        """The device's request log: request line and headers of each request, no bodies."""
        return self._call("GET", f"/devices/{name}/requests")

    def reset_counters(self, name: str) -> dict:
        return self._call("POST", f"/devices/{name}/counters/reset")

    def faults(self, name: str, **faults) -> dict:
        return self._call("POST", f"/devices/{name}/faults", faults)

    def clear_faults(self, name: str) -> dict:
        return self._call("DELETE", f"/devices/{name}/faults")

    def provision(self, name: str, activated: bool = True, password: Optional[str] = None) -> dict:
        return self._call("POST", f"/devices/{name}/provision",
                          {"activated": activated, "password": password})

    def reset_button(self, name: str) -> dict:
        """A full factory reset by hand (the reset button), then the reboot."""
        return self._call("POST", f"/devices/{name}/reset-button")

    def unlock(self, name: str) -> dict:
        return self._call("POST", f"/devices/{name}/unlock")

    def check_password(self, name: str, user: str, password: str) -> bool:
        return self._call("POST", f"/devices/{name}/check-password",
                          {"user": user, "password": password})["ok"]

    def check_onvif_password(self, name: str, user: str, password: str) -> bool:
        """Whether the ONVIF user (handlers/onvif.py) has this password; not a login."""
        return self._call("POST", f"/devices/{name}/check-onvif-password",
                          {"user": user, "password": password})["ok"]

    def support_desk(self, name: str) -> str:
        """The key the emulator's support-desk TEST DOUBLE returns for the device's last request."""
        return self._call("POST", f"/devices/{name}/support-desk")["key"]

    def verification_code(self, name: str) -> str:
        """The code the emulator's mail-service / Hik-Connect-app TEST DOUBLE delivers for the
        device's last QR export."""
        return self._call("POST", f"/devices/{name}/verification-code")["code"]

    def time_scale(self, scale: float) -> dict:
        return self._call("POST", "/time-scale", {"scale": scale})

    def event(self, name: str, type: str = "VMD",  # noqa: A002 - the alarm type, as the control API calls it
              channel: int = 1, state: str = "active") -> dict:
        """Start (active) or end (inactive) an alarm on the device (handlers/events.py)."""
        return self._call("POST", f"/devices/{name}/events",
                          {"type": type, "channel": channel, "state": state})

    def events(self, name: str) -> dict:
        return self._call("GET", f"/devices/{name}/events")


class RunningFleet:
    """Context manager around `python -m emulator serve` in a subprocess.

    Give either `fleet` (a dict in fleet-file form) or `devices` (count). Attributes after
    entering: devices (name → fleet.json entry), control (ControlClient), fleet_doc,
    inventory_path, vault_pass_path, ca_path, out_dir, proc.
    """

    def __init__(self, fleet: Optional[dict] = None, *, devices: Optional[int] = None,
                 out_dir: Optional[str] = None, subnet: Optional[str] = None,
                 time_scale: Optional[float] = None, startup_timeout: float = 30.0,
                 python: Optional[str] = None, extra_args: Optional[list] = None):
        if (fleet is None) == (devices is None):
            raise ValueError("give exactly one of fleet= or devices=")
        self.fleet_data = fleet
        self.device_count = devices
        self._own_dir = out_dir is None
        self.out_dir = os.path.abspath(str(out_dir)) if out_dir else tempfile.mkdtemp(prefix="camfleet-emu-")
        self.subnet = subnet
        self.time_scale_arg = time_scale
        self.startup_timeout = startup_timeout
        self.python = python or sys.executable
        self.extra_args = list(extra_args or [])
        self.proc: Optional[subprocess.Popen] = None
        self.startup_seconds: Optional[float] = None
        self._stderr = None

    # paths
    @property
    def fleet_json_path(self) -> str:
        return os.path.join(self.out_dir, "fleet.json")

    @property
    def inventory_path(self) -> str:
        return os.path.join(self.out_dir, "inventory.yml")

    @property
    def vault_pass_path(self) -> str:
        return os.path.join(self.out_dir, "vault-pass")

    @property
    def ca_path(self) -> str:
        return os.path.join(self.out_dir, "ca.pem")

    def _command(self) -> list:
        cmd = [self.python, "-m", "emulator", "serve", "--out", self.out_dir]
        if self.fleet_data is not None:
            path = os.path.join(self.out_dir, "fleet-input.yml")
            with open(path, "w", encoding="utf-8") as fh:
                yaml.safe_dump(self.fleet_data, fh, sort_keys=False)
            cmd += ["--fleet", path]
        else:
            cmd += ["--devices", str(self.device_count)]
            if self.subnet:
                cmd += ["--subnet", self.subnet]
        if self.time_scale_arg is not None:
            cmd += ["--time-scale", str(self.time_scale_arg)]
        return cmd + self.extra_args

    def start(self) -> "RunningFleet":
        os.makedirs(self.out_dir, exist_ok=True)
        if os.path.exists(self.fleet_json_path):
            os.unlink(self.fleet_json_path)
        env = dict(os.environ)
        env["PYTHONPATH"] = REPO_ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._stderr = tempfile.TemporaryFile()
        started = time.monotonic()
        self.proc = subprocess.Popen(self._command(), cwd=REPO_ROOT, env=env,
                                     stdout=subprocess.DEVNULL, stderr=self._stderr)
        deadline = started + self.startup_timeout
        while not os.path.exists(self.fleet_json_path):
            if self.proc.poll() is not None:
                raise RuntimeError(f"emulator exited with {self.proc.returncode}:\n{self.stderr_text()}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"no fleet.json after {self.startup_timeout}s:\n{self.stderr_text()}")
            time.sleep(0.05)
        self.startup_seconds = time.monotonic() - started
        with open(self.fleet_json_path, encoding="utf-8") as fh:
            self.fleet_doc = json.load(fh)
        self.devices = {d["name"]: d for d in self.fleet_doc["devices"]}
        self.control = ControlClient(self.fleet_doc["control_url"])
        return self

    def stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode("utf-8", "replace")

    def stop(self, timeout: float = 10.0) -> Optional[int]:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode

    def restart(self, timeout: float = 10.0) -> "RunningFleet":
        """Stop and start the same fleet in the same out_dir (a power cycle with `--state`)."""
        self.stop(timeout)
        return self.start()

    def __enter__(self) -> "RunningFleet":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        if self._own_dir:
            shutil.rmtree(self.out_dir, ignore_errors=True)

    # conveniences for tests
    def url(self, name: str, path: str = "", scheme: str = "https") -> str:
        dev = self.devices[name]
        port = dev["https_port"] if scheme == "https" else dev["http_port"]
        return f"{scheme}://{dev['address']}:{port}{path}"
