"""Fleet file loading: sites, devices, defaults, generated identities, addresses and passwords."""
from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Optional

import yaml

from . import passwords
from .profiles import Profile, get_profile
from .tls import CERTIFICATE_KINDS

DEFAULTS = {
    "http_port": 80,
    "https_port": 443,
    # SecurityCap maxIllegalLoginTimes def=7 (HN DS-2CD2T86G2 V5.7.18) and the manuals' "7 wrong
    # admin passwords"; other accounts lock after 5 (docs/developer/isapi-reference.md, §2.5).
    "lock_attempts": 7,
    "user_lock_attempts": 5,
    "lock_seconds": 1800,
    # Not known from any source (§2.5, §16); configurable, with the emulator's default named here.
    "lock_survives_reboot": False,
    "login_password_counts": False,
    "reboot_seconds": 60,
    "nonce_seconds": 300,
    "digest_algorithms": ["MD5"],
    "latency_ms": 0,
    "flash_seconds": 200,
    "certificate": "conformant",
    # Self-service recovery methods the firmware offers (docs/developer/recovery-reference.md,
    # §1): any of guid, questions, email, hik_connect. The recorded profiles offer none (their
    # SecurityCap says so); a device models firmware that does (the DVR and the V5.7.17 camera of
    # §1) with this key.
    "recovery": [],
}
TIMING_MODES = ("scaled", "realistic")
# `timing: realistic`: real durations, time_scale 1 (README, Timing). Reboots take one to two
# minutes (docs/developer/isapi-reference.md, §5.1: tools wait 1-2 min), a firmware flash some
# minutes (§9.2: tools poll up to 30 min), the lock 30 minutes (the SecurityCap default). Each
# device draws its own reboot and flash time from these ranges, stable for its serial.
REALISTIC = {"reboot_seconds": (60, 120), "flash_seconds": (150, 420), "lock_seconds": (1800, 1800)}
RECOVERY_METHODS = ("guid", "questions", "email", "hik_connect")
DEVICE_KEYS = set(DEFAULTS) | {
    "name", "kind", "profile", "activated", "password", "intended_password", "address",
    "factory_address", "model", "serial", "mac", "firmware", "channels", "device_name",
}
DIGEST_ALGORITHMS = ("MD5", "SHA-256")


class FleetError(ValueError):
    pass


@dataclass
class DeviceSpec:
    name: str
    site: str
    kind: str
    profile: Profile
    model: str
    serial: str
    sub_serial: str
    mac: str
    firmware_version: str
    firmware_build: str
    address: str
    factory_address: str
    http_port: int
    https_port: int
    activated: bool
    password: Optional[str]
    intended_password: str
    lock_attempts: int
    lock_seconds: int
    reboot_seconds: float
    nonce_seconds: float
    digest_algorithms: list
    latency_ms: int
    flash_seconds: float
    channels: list
    device_name: str
    device_id: str
    realm: str
    subnet: str = "127.20.0.0/16"
    user_lock_attempts: int = 5
    lock_survives_reboot: bool = False
    login_password_counts: bool = False
    certificate: str = "conformant"  # emulator.tls.CERTIFICATE_KINDS
    recovery: tuple = ()

    @property
    def firmware(self) -> str:
        return f"{self.firmware_version} {self.firmware_build}"

    def admin_password(self) -> str:
        """Password the inventory holds: the live one when activated, else the one to activate with."""
        return self.password if self.activated else self.intended_password


@dataclass
class Fleet:
    time_scale: float
    control_port: int
    subnet: str
    devices: list
    timing: str = "scaled"

    def by_name(self) -> dict:
        return {d.name: d for d in self.devices}


def group_name(site: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "_", site)


def _identity_digits(seed: str, n: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[-n:].rjust(n, "0")


class _Allocator:
    def __init__(self, subnet: str, taken: set):
        self.net = ipaddress.ip_network(subnet, strict=False)
        if not self.net.subnet_of(ipaddress.ip_network("127.0.0.0/8")):
            raise FleetError(f"subnet {subnet} is not inside 127.0.0.0/8")
        self.taken = taken
        self._hosts = self.net.hosts()
        self._gateway = next(self.net.hosts())

    def next(self) -> str:
        for host in self._hosts:
            text = str(host)
            last = int(host) & 0xFF
            if host == self._gateway or last in (0, 255) or text == "127.0.0.1" or text in self.taken:
                continue
            self.taken.add(text)
            return text
        raise FleetError(f"subnet {self.net} has no free address left")


def _check_loopback(addr: str, where: str) -> str:
    try:
        ip = ipaddress.IPv4Address(addr)
    except ValueError:
        raise FleetError(f"{where}: {addr!r} is not an IPv4 address") from None
    if not ip.is_loopback or addr == "127.0.0.1":
        raise FleetError(f"{where}: {addr} must be in 127.0.0.0/8 (and not 127.0.0.1)")
    return addr


def _realistic(serial: str, given: dict) -> dict:
    """Durations of one device in realistic timing; values the fleet file sets win."""
    out = {}
    for key, (low, high) in REALISTIC.items():
        if key not in given:
            draw = int(hashlib.sha256(f"{key}:{serial}".encode()).hexdigest(), 16)
            out[key] = low + draw % (high - low + 1)
    return out


def _flag(value, name: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise FleetError(f"device {name}: {key} must be true or false, not {value!r}")
    return value


def _recovery(value, name: str) -> tuple:
    methods = tuple(str(m) for m in (value or []))
    bad = [m for m in methods if m not in RECOVERY_METHODS]
    if bad:
        raise FleetError(f"device {name}: recovery methods {bad} not in {list(RECOVERY_METHODS)}")
    return methods


def load_fleet(data: dict, *, time_scale: Optional[float] = None,
               control_port: Optional[int] = None, overrides: Optional[dict] = None,
               timing: Optional[str] = None) -> Fleet:
    """overrides: defaults given on the command line; they win over the fleet file's defaults
    (not over a device's own keys)."""
    if not isinstance(data, dict):
        raise FleetError("fleet file must be a mapping")
    defaults = dict(DEFAULTS)
    defaults.update(data.get("defaults") or {})
    defaults.update({k: v for k, v in (overrides or {}).items() if v is not None})
    subnet = str(data.get("subnet", "127.20.0.0/16"))
    mode = str(timing or data.get("timing") or "scaled")
    if mode not in TIMING_MODES:
        raise FleetError(f"timing must be one of {', '.join(TIMING_MODES)}, not {mode!r}")
    if mode == "realistic":
        if time_scale is not None and float(time_scale) != 1.0:
            raise FleetError("timing realistic runs at time_scale 1; drop --time-scale")
        time_scale = 1.0
    scale = float(time_scale if time_scale is not None else data.get("time_scale", 1.0))
    port = int(control_port if control_port is not None else data.get("control_port", 0))
    sites = data.get("sites")
    if not sites:
        raise FleetError("fleet has no sites")

    raw = []
    for site in sites:
        site_name = str(site.get("name") or "")
        if not site_name:
            raise FleetError("every site needs a name")
        if group_name(site_name) in ("cameras", "nvrs", "all", "ungrouped"):
            raise FleetError(f"site name {site_name!r} collides with a fixed inventory group")
        for dev in site.get("devices") or []:
            unknown = set(dev) - DEVICE_KEYS
            if unknown:
                raise FleetError(f"device {dev.get('name')!r}: unknown keys {sorted(unknown)}")
            raw.append((site_name, dev))

    names = [d.get("name") for _, d in raw]
    if not all(names):
        raise FleetError("every device needs a name")
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise FleetError(f"duplicate device names: {sorted(dupes)}")

    taken = set()
    for _, dev in raw:
        for key in ("address", "factory_address"):
            if dev.get(key):
                taken.add(_check_loopback(str(dev[key]), f"device {dev['name']}"))
    alloc = _Allocator(subnet, taken)

    used_endpoints = {}
    seen_serials, seen_macs = set(), set()
    specs = []
    for index, (site_name, dev) in enumerate(raw):
        name = str(dev["name"])
        cfg = {**defaults, **dev}
        profile_name = cfg.get("profile") or ("nvr" if cfg.get("kind") == "nvr" else "current_camera")
        try:
            profile = get_profile(profile_name)
        except ValueError as exc:
            raise FleetError(f"device {name}: {exc}") from None
        kind = cfg.get("kind") or profile.kind
        if kind != profile.kind:
            raise FleetError(f"device {name}: kind {kind!r} does not match profile {profile.name!r}")
        address = str(dev["address"]) if dev.get("address") else alloc.next()
        http_port, https_port = int(cfg["http_port"]), int(cfg["https_port"])
        for p in (http_port, https_port):
            key = (address, p)
            if key in used_endpoints:
                raise FleetError(f"device {name}: {address}:{p} already used by {used_endpoints[key]}")
            used_endpoints[key] = name

        model = str(cfg.get("model") or profile.models[index % len(profile.models)])
        seed = f"{name}/{index}/{secrets.token_hex(4)}"
        sub_serial = "G" + _identity_digits(seed, 8)
        serial = str(cfg.get("serial") or
                     f"{model}{profile.serial_date}{profile.serial_infix}{sub_serial}{profile.serial_suffix}")
        if serial in seen_serials:
            raise FleetError(f"device {name}: duplicate serial {serial}")
        seen_serials.add(serial)
        mac = str(cfg.get("mac") or "")
        while not mac or mac in seen_macs:
            # Locally administered prefix: we do not claim a vendor OUI.
            mac = "02:1a:" + ":".join(f"{b:02x}" for b in secrets.token_bytes(4))
        seen_macs.add(mac)

        firmware = cfg.get("firmware")
        if firmware:
            parts = str(firmware).split(" ", 1)
            fw_version = parts[0]
            fw_build = parts[1] if len(parts) > 1 else profile.firmware_build
        else:
            fw_version, fw_build = profile.firmware_version, profile.firmware_build

        activated = bool(cfg.get("activated", True))
        password = cfg.get("password")
        intended = cfg.get("intended_password") or (password if password else passwords.generate())
        if activated and not password:
            password = intended
        if not activated:
            password = None

        algos = [str(a).upper() for a in (cfg.get("digest_algorithms") or ["MD5"])]
        bad = [a for a in algos if a not in DIGEST_ALGORITHMS]
        if bad:
            raise FleetError(f"device {name}: unsupported digest algorithms {bad}")

        certificate = str(cfg["certificate"])
        if certificate not in CERTIFICATE_KINDS:
            raise FleetError(f"device {name}: certificate must be one of {list(CERTIFICATE_KINDS)}")

        digest_seed = hashlib.sha256(serial.encode()).hexdigest()
        realm = (f"IP Camera({digest_seed[:5].upper()})" if profile.realm_style == "ipcamera"
                 else digest_seed[:24])

        if mode == "realistic":
            cfg.update(_realistic(serial, {**(data.get("defaults") or {}), **dev}))

        channels = list(cfg.get("channels") or [])
        if channels and kind != "nvr":
            raise FleetError(f"device {name}: only NVRs have channels")

        specs.append(DeviceSpec(
            name=name, site=site_name, kind=kind, profile=profile, model=model, serial=serial,
            sub_serial=sub_serial, mac=mac, firmware_version=fw_version, firmware_build=fw_build,
            address=address, factory_address=str(dev.get("factory_address") or address),
            http_port=http_port, https_port=https_port, activated=activated,
            password=password, intended_password=str(intended),
            lock_attempts=int(cfg["lock_attempts"]), lock_seconds=int(cfg["lock_seconds"]),
            reboot_seconds=float(cfg["reboot_seconds"]), nonce_seconds=float(cfg["nonce_seconds"]),
            digest_algorithms=algos, channels=channels,
            latency_ms=max(0, int(cfg["latency_ms"])), flash_seconds=float(cfg["flash_seconds"]),
            device_name=str(cfg.get("device_name") or profile.default_device_name),
            device_id=str(uuid.UUID(hashlib.md5(serial.encode()).hexdigest())),
            realm=realm, subnet=subnet,
            user_lock_attempts=int(cfg["user_lock_attempts"]),
            lock_survives_reboot=_flag(cfg["lock_survives_reboot"], name, "lock_survives_reboot"),
            login_password_counts=_flag(cfg["login_password_counts"], name, "login_password_counts"),
            certificate=certificate,
            recovery=_recovery(cfg["recovery"], name),
        ))

    by_name = {s.name: s for s in specs}
    for spec in specs:
        for cam in spec.channels:
            if cam not in by_name:
                raise FleetError(f"device {spec.name}: channel camera {cam!r} is not in the fleet")
            if by_name[cam].kind != "camera":
                raise FleetError(f"device {spec.name}: channel {cam!r} is not a camera")
    return Fleet(time_scale=scale, control_port=port, subnet=subnet, devices=specs, timing=mode)


def load_fleet_file(path: str, **kw) -> Fleet:
    with open(path, encoding="utf-8") as fh:
        return load_fleet(yaml.safe_load(fh), **kw)


def generated_fleet(count: int, subnet: str = "127.30.0.0/16", **kw) -> Fleet:
    data = {
        "subnet": subnet,
        "sites": [{"name": "lab", "devices": [
            {"name": f"cam{i:03d}", "profile": "current_camera", "activated": True}
            for i in range(1, count + 1)
        ]}],
    }
    return load_fleet(data, **kw)
