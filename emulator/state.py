"""Per-device state as plain dataclasses, so every piece is JSON-serializable via to_json()."""
from __future__ import annotations

import dataclasses
import ipaddress
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, Optional

LEVELS = ("Administrator", "Operator", "Viewer")
MAX_USERS = 32
MAX_LOG = 500


@dataclass
class User:
    id: int
    name: str
    level: str
    password: str

    def public(self) -> dict:
        return {"id": self.id, "name": self.name, "level": self.level}


@dataclass
class IPConfig:
    ip_version: str = "dual"
    addressing: str = "static"
    address: str = ""
    mask: str = "255.255.255.0"
    gateway: str = "0.0.0.0"
    dns1: str = "8.8.8.8"
    dns2: str = "0.0.0.0"
    ipv6_address: str = "::"
    bit_mask: str = "0"
    ipv6_gateway: str = "::"
    ipv6_mode: str = "ra"


@dataclass
class LinkConfig:
    auto_negotiation: bool = True
    speed: int = 100
    duplex: str = "full"
    mtu: int = 1500
    upnp: bool = False
    zeroconf: bool = False


@dataclass
class TimeConfig:
    mode: str = "manual"
    time_zone: str = "CST-8:00:00"
    # Seconds between the device clock and the host clock after a manual set.
    offset: float = 0.0


@dataclass
class NtpServer:
    id: int = 1
    addressing: str = "hostname"
    host_name: str = "time.windows.com"
    ip_address: str = "0.0.0.0"
    ipv6_address: str = "::"
    port: int = 123
    interval: int = 1440


@dataclass
class LockConfig:
    enabled: bool = True
    attempts: int = 5
    seconds: int = 1800


@dataclass
class Channel:
    """One NVR IP channel; password is stored but never rendered by GET."""
    id: int
    name: str
    address: str
    port: int = 8000
    user: str = "admin"
    password: str = ""
    protocol: str = "HIKVISION"
    stream_type: str = "auto"
    conn_mode: str = "plugplay"
    src_input_port: int = 1
    model: Optional[str] = None
    serial: Optional[str] = None
    firmware: Optional[str] = None
    camera: Optional[str] = None  # emulated device name it was configured from
    dev_index: str = field(default_factory=lambda: str(uuid.uuid4()))
    enable_anr: bool = False
    enable_timing: bool = True


@dataclass
class Counters:
    requests: dict = field(default_factory=dict)
    writes: int = 0
    failed_logins: dict = field(default_factory=dict)
    successful_logins: int = 0
    unauthorized: int = 0
    busy: int = 0
    dropped: int = 0
    # random fault mode (Faults.random): requests it saw, and the faults it injected by kind
    random_requests: int = 0
    faults_injected: dict = field(default_factory=dict)


@dataclass
class Faults:
    latency_ms: int = 0
    busy_next: int = 0
    drop_response_next: int = 0
    refuse_until: Optional[float] = None  # host monotonic-free wall clock (time.time())
    # path -> {"http": status, "sub": subStatusCode or None}: that resource answers so, as a
    # device without it (404 notSupport) or one that forbids it (403) does.
    deny: dict = field(default_factory=dict)
    # the K-th next request that reaches a handler is answered, then the device reboots
    reboot_after: int = 0
    # every client is locked out until then, as after another client's failed logins
    locked_until: Optional[float] = None
    # per-request random faults (emulator/chaos.py), None when off
    random: Optional["RandomFaults"] = None


RANDOM_KINDS = ("drop", "timeout", "busy", "refuse", "reboot")


@dataclass
class RandomFaults:
    """Each request is hit with probability `rate` by one fault drawn from `kinds` (README,
    "How faults work"). The generator is seeded per device, so a seeded fleet repeats itself."""
    rate: float
    kinds: tuple = RANDOM_KINDS
    seed: Optional[int] = None
    timeout_ms: int = 31000    # past the collection's default 30 s read timeout
    refuse_seconds: float = 5.0
    rng: object = field(default=None, repr=False, compare=False)


@dataclass
class DeviceState:
    activated: bool
    users: list
    device_name: str
    network: IPConfig
    staged_network: Optional[IPConfig]
    link: LinkConfig
    time: TimeConfig
    ntp: list
    lock: LockConfig
    channels: list
    address: str  # where the device listens (or would, once booted)
    boot_time: float = field(default_factory=time.time)
    reboot_count: int = 0
    log: list = field(default_factory=list)
    # Further resource areas (services, security, firmware, ...), each registered below by the
    # handler module that serves it, so adding an area touches no shared code.
    areas: dict = field(default_factory=dict)

    def user_by_name(self, name: str) -> Optional[User]:
        return next((u for u in self.users if u.name == name), None)

    def user_by_id(self, uid: int) -> Optional[User]:
        return next((u for u in self.users if u.id == uid), None)

    def saved_network(self) -> IPConfig:
        return self.staged_network or self.network

    def add_log(self, event: str, **detail) -> None:
        self.log.append({"time": time.time(), "event": event, **detail})
        del self.log[:-MAX_LOG]


@dataclass
class Area:
    factory: Callable  # (DeviceSpec) -> the area's fresh state object
    kept_on_basic_reset: bool = False


AREAS: Dict[str, Area] = {}


def register_area(name: str, factory: Callable, kept_on_basic_reset: bool = False) -> None:
    """Called by a handler module at import: its state lives in DeviceState.areas[name]."""
    AREAS[name] = Area(factory, kept_on_basic_reset)


def fresh_areas(spec) -> dict:
    return {name: area.factory(spec) for name, area in AREAS.items()}


def netmask_of(subnet: str) -> str:
    net = ipaddress.ip_network(subnet, strict=False)
    return str(net.netmask) if net.prefixlen >= 8 else "255.0.0.0"


def to_json(obj):
    """Dataclasses → dicts, recursively; passwords are the caller's business."""
    if dataclasses.is_dataclass(obj):
        return {f.name: to_json(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json(v) for v in obj]
    return obj
