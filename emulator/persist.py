"""`serve --state DIR`: each device keeps its identity and settings across emulator restarts, as a
real unit keeps them across a power cycle.

One file per device, `DIR/<name>.json` (mode 0600: it holds the passwords, like the unit's flash):
the identity (serial, MAC, device id, Digest realm, passwords) and the whole `DeviceState`
(users, network, time, lock settings, channels, log and every registered area). Dataclasses are
written tagged with their class so any area comes back as it was; only classes of the emulator
package are ever rebuilt. Files are written to a temporary name, fsynced and renamed, so a kill
at any moment leaves the old or the new file, never half of one.

A device is saved when its state changes (a new log entry, a write request, a reboot, an
activation; checked every SAVE_INTERVAL seconds) and once more at shutdown. On start a saved
device powers on: staged network settings apply, uptime starts again, login locks, nonces,
sessions and counters are gone (they live in RAM). A file whose profile or model differs from
the fleet file's device is ignored (the fleet changed: a new unit).
"""
from __future__ import annotations

import asyncio
import dataclasses
import importlib
import json
import logging
import os
import tempfile
from typing import Optional

log = logging.getLogger("emulator.persist")
FORMAT = 1
SAVE_INTERVAL = 0.25
IDENTITY = ("serial", "sub_serial", "mac", "device_id", "realm", "intended_password")
_TAG = "__dataclass__"


# --- encoding -----------------------------------------------------------------------------------
def encode(obj):
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        cls = type(obj)
        out = {_TAG: f"{cls.__module__}:{cls.__qualname__}"}
        for f in dataclasses.fields(obj):
            out[f.name] = encode(getattr(obj, f.name))
        return out
    if isinstance(obj, dict):
        return {str(k): encode(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [encode(v) for v in obj]
    return obj


def _class(tag: str):
    module, _, name = tag.partition(":")
    if module != "emulator" and not module.startswith("emulator."):
        raise ValueError(f"refusing to rebuild {tag}: not an emulator class")
    cls = importlib.import_module(module)
    for part in name.split("."):
        cls = getattr(cls, part)
    if not dataclasses.is_dataclass(cls):
        raise ValueError(f"{tag} is not a dataclass")
    return cls


def decode(data):
    if isinstance(data, dict):
        if _TAG in data:
            cls = _class(data[_TAG])
            names = {f.name for f in dataclasses.fields(cls) if f.init}
            obj = cls(**{k: decode(v) for k, v in data.items() if k in names})
            for f in dataclasses.fields(cls):  # fields set after __init__, if any
                if not f.init and f.name in data:
                    setattr(obj, f.name, decode(data[f.name]))
            return obj
        return {k: decode(v) for k, v in data.items()}
    if isinstance(data, list):
        return [decode(v) for v in data]
    return data


def atomic_write(path: str, data: bytes, mode: int = 0o600) -> None:
    folder = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a crash
    finally:
        os.close(dir_fd)


def _path(state_dir: str, name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)
    return os.path.join(state_dir, f"{safe}.json")


def snapshot(device) -> dict:
    spec = device.spec
    return {"format": FORMAT, "name": spec.name, "profile": spec.profile.name, "model": spec.model,
            "identity": {key: getattr(spec, key) for key in IDENTITY},
            "state": encode(device.state)}


def save(device, state_dir: str) -> None:
    body = json.dumps(snapshot(device), sort_keys=True).encode()
    atomic_write(_path(state_dir, device.spec.name), body)


def load(state_dir: str, spec) -> Optional[dict]:
    path = _path(state_dir, spec.name)
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            saved = json.load(fh)
    except (OSError, ValueError) as exc:
        log.warning("%s: unreadable state file %s (%s); starting factory-fresh", spec.name, path, exc)
        return None
    if saved.get("format") != FORMAT or saved.get("profile") != spec.profile.name \
            or saved.get("model") != spec.model:
        log.warning("%s: state file is for another unit (%s %s); ignored", spec.name,
                    saved.get("profile"), saved.get("model"))
        return None
    return saved


# --- the fleet's life cycle ---------------------------------------------------------------------
def adopt_identities(fleet, state_dir: str) -> dict:
    """Before the outputs are written: saved identities replace the generated ones, and the
    fleet.json/inventory passwords are the ones the device holds now. Returns name -> saved."""
    os.makedirs(state_dir, mode=0o700, exist_ok=True)
    found = {}
    for spec in fleet.devices:
        saved = load(state_dir, spec)
        if saved is None:
            continue
        for key, value in saved["identity"].items():
            setattr(spec, key, value)
        state = saved["state"]
        spec.activated = bool(state.get("activated"))
        admin = next((u for u in state.get("users", []) if u.get("name") == "admin"), None)
        spec.password = admin["password"] if spec.activated and admin else None
        found[spec.name] = saved
    return found


def restore_states(runtime, saved: dict) -> None:
    """Put the saved states into the built devices and power them on (before they listen)."""
    for name, data in saved.items():
        device = runtime.devices[name]
        try:
            state = decode(data["state"])
        except (TypeError, ValueError, AttributeError, ImportError) as exc:
            log.warning("%s: saved state does not load (%s); starting factory-fresh", name, exc)
            continue
        # Areas added to the emulator since the file was written start fresh.
        for area, fresh in device.state.areas.items():
            state.areas.setdefault(area, fresh)
        firmware = state.areas.get("firmware")
        if getattr(firmware, "upgrading", False):
            # Power lost while flashing: the emulator keeps the old version (README ⚠).
            firmware.upgrading, firmware.started, firmware.last_error = False, None, "powerLost"
        device.state = state
        device.power_on("powerOn")


class Saver:
    """Writes each device whose state changed; one pass every SAVE_INTERVAL seconds."""

    def __init__(self, runtime, state_dir: str):
        self.runtime = runtime
        self.state_dir = state_dir
        self.marks: dict = {}
        self._task: Optional[asyncio.Task] = None

    @staticmethod
    def mark(device) -> tuple:
        st = device.state
        last = st.log[-1]["time"] if st.log else None
        return (id(st), len(st.log), last, device.counters.writes, st.reboot_count, st.boot_time,
                st.activated, st.address)

    def save_changed(self, force: bool = False) -> int:
        saved = 0
        for name, device in self.runtime.devices.items():
            mark = self.mark(device)
            if force or self.marks.get(name) != mark:
                try:
                    save(device, self.state_dir)
                except OSError as exc:
                    log.error("%s: cannot save state: %s", name, exc)
                    continue
                self.marks[name] = mark
                saved += 1
        return saved

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(SAVE_INTERVAL)
            self.save_changed()

    def start(self) -> None:
        self.save_changed(force=True)
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self.save_changed(force=True)
