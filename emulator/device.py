"""One emulated device: its state, its HTTP/HTTPS listeners and its life cycle (reboots, faults)."""
from __future__ import annotations

import asyncio
import collections
import ipaddress
import logging
import time
from typing import Optional

from aiohttp import web

from .auth import Authenticator
from .fleet import DeviceSpec
from .state import (AREAS, fresh_areas, Channel, Counters, DeviceState, Faults, IPConfig, LinkConfig, LockConfig,
                    NtpServer, TimeConfig, User, netmask_of)

log = logging.getLogger("emulator.device")
REQUEST_LOG_SIZE = 2000


def fresh_network(spec: DeviceSpec, address: str) -> IPConfig:
    net = ipaddress.ip_network(spec.subnet, strict=False)
    gateway = str(next(net.hosts()))
    return IPConfig(address=address, mask=netmask_of(spec.subnet), gateway=gateway, dns1=gateway)


def build_channels(spec: DeviceSpec, specs: dict) -> list:
    channels = []
    for number, cam_name in enumerate(spec.channels, start=1):
        cam = specs[cam_name]
        channels.append(Channel(
            id=number, name=cam_name, address=cam.address, password=cam.admin_password(),
            model=cam.model, serial=cam.serial, firmware=cam.firmware, camera=cam_name,
        ))
    return channels


def initial_state(spec: DeviceSpec, specs: dict, *, activated: bool, password: Optional[str],
                  address: str, with_channels: bool = True) -> DeviceState:
    users = [User(1, "admin", "Administrator", password)] if activated else []
    return DeviceState(
        activated=activated,
        users=users,
        device_name=spec.device_name,
        network=fresh_network(spec, address),
        staged_network=None,
        link=LinkConfig(),
        time=TimeConfig(),
        ntp=[NtpServer()],
        lock=LockConfig(enabled=True, attempts=spec.lock_attempts, seconds=spec.lock_seconds),
        channels=build_channels(spec, specs) if with_channels else [],
        address=address,
        areas=fresh_areas(spec),
    )


class Device:
    def __init__(self, spec: DeviceSpec, runtime):
        self.spec = spec
        self.runtime = runtime
        self.clock = runtime.clock
        self.state = initial_state(spec, runtime.specs, activated=spec.activated,
                                   password=spec.password, address=spec.address)
        self.counters = Counters()
        self.faults = Faults()
        self.auth = Authenticator(self)
        self.challenge: Optional[str] = None  # last activation random string issued
        self.rebooting_until: Optional[float] = None
        self.bind_error: Optional[str] = None
        self._runner: Optional[web.ServerRunner] = None
        self._ssl = None  # (address, SSLContext)
        self._life = asyncio.Lock()
        self._boot_timer: Optional[asyncio.TimerHandle] = None
        self._refuse_timer: Optional[asyncio.TimerHandle] = None
        # Requests seen per open connection (transport), for the Keep-Alive max countdown.
        self._connections: dict = {}
        self.sadp = None  # emulator.sadp.SadpResponder when SADP is served
        # What a proxy or web-server access log would keep of each request: the request line and
        # the headers, never the body (GET /devices/<name>/requests; tests scan it for secrets).
        self.request_log = collections.deque(maxlen=REQUEST_LOG_SIZE)

    # --- listening -------------------------------------------------------------------------------
    def connection_requests(self, transport) -> int:
        """How many requests this connection has carried, this one included."""
        if len(self._connections) > 1024:
            for key in [k for k, (t, _) in self._connections.items() if t.is_closing()]:
                del self._connections[key]
        key = id(transport)
        known = self._connections.get(key)
        count = (known[1] if known is not None and known[0] is transport else 0) + 1
        self._connections[key] = (transport, count)
        return count

    @property
    def listening(self) -> bool:
        return self._runner is not None

    def ssl_context(self):
        if self._ssl is None or self._ssl[0] != self.state.address:
            self._ssl = (self.state.address, self.runtime.ca.server_context(
                self.state.address, self.spec.name, self.spec.certificate))
        return self._ssl[1]

    def wants_to_listen(self) -> bool:
        now = time.time()
        if self.rebooting_until is not None:
            return False
        refuse = self.faults.refuse_until
        return refuse is None or now >= refuse

    async def _start(self) -> None:
        from .server import make_handler  # late import: server imports this module
        address = self.state.address
        try:
            if self.runtime.netns_interface:
                await self._claim_address(address)
            elif not ipaddress.IPv4Address(address).is_loopback:
                raise OSError(f"{address} is outside 127.0.0.0/8; the emulator cannot bind it")
            ssl_ctx = self.ssl_context()
            runner = web.ServerRunner(web.Server(make_handler(self), access_log=None,
                                                 keepalive_timeout=self._keepalive_timeout()),
                                      shutdown_timeout=1.0)
            await runner.setup()
            try:
                http_port, https_port = self.listen_ports()
                if http_port is not None:
                    await web.TCPSite(runner, address, http_port).start()
                if https_port is not None:
                    await web.TCPSite(runner, address, https_port, ssl_context=ssl_ctx).start()
            except BaseException:
                await runner.cleanup()
                raise
        except (OSError, ValueError) as exc:
            self.bind_error = str(exc)
            self.state.add_log("unreachable", address=address, error=str(exc))
            log.warning("%s: cannot listen on %s: %s", self.spec.name, address, exc)
            return
        self.bind_error = None
        self._runner = runner
        if self.sadp is not None:
            self.sadp.hello()

    def _keepalive_timeout(self) -> float:
        keep = self.spec.profile.keep_alive
        return float(keep[0]) if keep else 75.0

    async def _claim_address(self, address: str) -> None:
        """Inside a network namespace the device owns its interface: its address is the one the
        device is configured with, as on real hardware (run as root in that namespace)."""
        iface = self.runtime.netns_interface
        prefix = ipaddress.IPv4Network(f"0.0.0.0/{self.state.network.mask}").prefixlen
        for args in (("-4", "addr", "flush", "dev", iface),
                     ("addr", "add", f"{address}/{prefix}", "dev", iface)):
            proc = await asyncio.create_subprocess_exec("ip", *args, stdout=asyncio.subprocess.DEVNULL,
                                                        stderr=asyncio.subprocess.PIPE)
            _, err = await proc.communicate()
            if proc.returncode:
                raise OSError(f"ip {' '.join(args)}: {err.decode().strip()}")

    async def readdress(self) -> None:
        """Move the listeners to state.address now (a SADP network update applies live)."""
        async with self._life:
            await self._stop()
            if self.wants_to_listen():
                await self._start()

    async def _stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    def listen_ports(self) -> tuple:
        """(http_port, https_port), None for a disabled one: the fleet's ports unless the device's
        own port settings (area securitycfg, docs/developer/isapi-reference.md, §11.1) say otherwise."""
        hook = getattr(self.state.areas.get("securitycfg"), "listen_ports", None)
        return hook(self.spec) if hook else (self.spec.http_port, self.spec.https_port)

    async def relisten(self) -> None:
        """Re-bind after a port or protocol change; the change applies without a reboot."""
        async with self._life:
            await self._stop()
            if self.wants_to_listen():
                await self._start()

    async def sync(self) -> None:
        """Bring the listeners in line with reboot/refuse state."""
        async with self._life:
            want = self.wants_to_listen()
            if want and not self.listening:
                await self._start()
            elif not want and self.listening:
                await self._stop()

    async def start(self) -> None:
        await self.sync()

    async def shutdown(self) -> None:
        for timer in (self._boot_timer, self._refuse_timer):
            if timer:
                timer.cancel()
        async with self._life:
            await self._stop()

    def _later(self, delay: float, coro_fn) -> asyncio.TimerHandle:
        loop = asyncio.get_running_loop()
        return loop.call_later(max(0.0, delay), lambda: asyncio.ensure_future(coro_fn()))

    # --- reboot ---------------------------------------------------------------------------------
    async def reboot(self, reason: str = "reboot") -> None:
        duration = self.spec.reboot_seconds * self.clock.scale
        self.state.add_log(reason)
        self.rebooting_until = time.time() + duration
        self.state.reboot_count += 1
        await self.sync()
        # Whether a reboot clears a lock is not known (fleet key lock_survives_reboot).
        self.auth.reset(keep_locks=self.spec.lock_survives_reboot)
        self.challenge = None
        if self._boot_timer:
            self._boot_timer.cancel()
        self._boot_timer = self._later(duration, self._boot)

    async def _boot(self) -> None:
        self._boot_timer = None
        self.power_on("boot")
        await self.sync()

    def power_on(self, event: str) -> None:
        """What booting does to the state: staged network settings apply, uptime starts again.
        (A restored --state device powers on too, emulator/persist.py.)"""
        staged = self.state.staged_network
        if staged is not None:
            self.state.network = staged
            self.state.staged_network = None
            if staged.addressing == "static" and staged.address:
                self.state.address = staged.address
            else:
                # DHCP in the emulator leases the address the device already had.
                staged.address = self.state.address
        self.state.boot_time = time.time()
        self.rebooting_until = None
        self.state.add_log(event, address=self.state.address)

    def factory_reset(self, mode: str) -> None:
        """basic: settings back to defaults, network and users kept; full: everything, inactive,
        address back to the fleet's factory_address (applied by the reboot that follows)."""
        old = self.state
        if mode == "full":
            new = initial_state(self.spec, self.runtime.specs, activated=False, password=None,
                                address=self.spec.factory_address, with_channels=False)
            new.log, new.reboot_count, new.boot_time = old.log, old.reboot_count, old.boot_time
            self.state = new
            return
        fresh = initial_state(self.spec, self.runtime.specs, activated=old.activated, password=None,
                              address=old.address, with_channels=False)
        old.device_name, old.time, old.ntp, old.lock = fresh.device_name, fresh.time, fresh.ntp, fresh.lock
        old.channels = []
        for name, area in AREAS.items():
            if not area.kept_on_basic_reset:
                old.areas[name] = fresh.areas[name]

    # --- faults ---------------------------------------------------------------------------------
    async def refuse_for(self, seconds: float) -> None:
        if self._refuse_timer:
            self._refuse_timer.cancel()
            self._refuse_timer = None
        if seconds and seconds > 0:
            self.faults.refuse_until = time.time() + seconds
            self._refuse_timer = self._later(seconds, self._refuse_over)
        else:
            self.faults.refuse_until = None
        await self.sync()

    async def _refuse_over(self) -> None:
        self._refuse_timer = None
        self.faults.refuse_until = None
        await self.sync()

    async def clear_faults(self) -> None:
        self.faults = Faults()
        await self.refuse_for(0)

    # --- test back door ---------------------------------------------------------------------------
    async def provision(self, activated: bool, password: Optional[str]) -> None:
        if self._boot_timer:
            self._boot_timer.cancel()
            self._boot_timer = None
        async with self._life:
            await self._stop()
        if activated and not password:
            password = self.spec.intended_password
        self.state = initial_state(self.spec, self.runtime.specs, activated=activated,
                                   password=password if activated else None, address=self.spec.address)
        self.state.add_log("provision", activated=activated)
        self.counters = Counters()
        self.auth.reset()
        self.challenge = None
        self.rebooting_until = None
        self.faults = Faults()
        if self._refuse_timer:
            self._refuse_timer.cancel()
            self._refuse_timer = None
        await self.sync()

    # --- views ------------------------------------------------------------------------------------
    def status(self) -> str:
        if self.rebooting_until is not None:
            return "rebooting"
        if self.faults.refuse_until is not None:
            return "refusing"
        if self.bind_error:
            return "unreachable"
        return "online" if self.listening else "offline"
