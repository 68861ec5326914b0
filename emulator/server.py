"""Fleet runtime: builds devices, starts listeners, and runs each request through the pipeline
(faults → activation gate → authentication → routing → privilege → handler → counters)."""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Optional

from aiohttp import web

from . import handlers  # noqa: F401  (registers routes)
from . import sadp  # noqa: F401  (registers the "sadp" area)
from . import router
from .device import Device
from .errors import IsapiError
from .fleet import Fleet
from .handlers.sessionlogin import cookie_user
from .responses import Ctx, error_response, status_response, unauthorized_response
from .tls import CertificateAuthority

log = logging.getLogger("emulator.server")
LEVEL_RANK = {"Viewer": 0, "Operator": 1, "Administrator": 2}


@dataclass
class Clock:
    scale: float = 1.0


def _count(device: Device, method: str, path: str) -> None:
    key = f"{method} {path}"
    counters = device.counters
    counters.requests[key] = counters.requests.get(key, 0) + 1
    if method != "GET":
        counters.writes += 1


async def _dispatch(device: Device, request: web.BaseRequest) -> web.StreamResponse:
    method, path = request.method, request.path
    faults = device.faults
    ip_filter = device.state.areas.get("securitycfg")
    if ip_filter is not None and not ip_filter.admits(request.remote or ""):
        # A filtered client gets no answer at all (README: uncertain choice, isapi.md §11.9).
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=403)
    latency = device.spec.latency_ms + faults.latency_ms  # the device's own + an injected fault
    if latency:
        await asyncio.sleep(latency / 1000.0)
    if faults.busy_next > 0:
        faults.busy_next -= 1
        device.counters.busy += 1
        return status_response(device, path, "deviceBusy", http=503)
    found, params = router.match(method, path, device.spec.kind)
    route = found if isinstance(found, router.Route) else None
    body = b"" if route is not None and route.stream_body else await request.read()
    user = None
    if route is not None and not route.auth:
        pass
    elif not device.state.activated:
        _count(device, method, path)
        return status_response(device, path, "notActivated")
    else:
        header = request.headers.get("Authorization")
        # A web-UI session cookie stands in for credentials (handlers/sessionlogin.py).
        user = None if header else cookie_user(device, request)
        if user is None:
            result = device.auth.check(method, header, request.remote or "")
            if result.outcome != "ok":
                device.counters.unauthorized += 1
                return unauthorized_response(device, result)
            user = result.user

    _count(device, method, path)
    if found is None:
        return status_response(device, path, "notSupport", http=404)
    if found == "method":
        return status_response(device, path, "methodNotAllowed")
    if user is not None:
        need = route.min_level or ("Viewer" if method == "GET" else "Administrator")
        if LEVEL_RANK.get(user.level, -1) < LEVEL_RANK[need]:
            return status_response(device, path, "lowPrivilege")

    ctx = Ctx(device=device, request=request, params=params, body=body, user=user)
    try:
        response = await router.wrapped(route.handler, method)(ctx)
    except IsapiError as err:
        response = error_response(device, path, err)

    if method != "GET" and faults.drop_response_next > 0:
        # The write has been applied; the client never learns the outcome.
        faults.drop_response_next -= 1
        device.counters.dropped += 1
        if request.transport is not None:
            request.transport.abort()
        for fn in ctx.after_response:
            asyncio.ensure_future(fn())
        return response
    if ctx.after_response:
        await response.prepare(request)
        await response.write_eof()
        for fn in ctx.after_response:
            asyncio.ensure_future(fn())
    return response


def make_handler(device: Device):
    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        try:
            return await _dispatch(device, request)
        except Exception:
            log.exception("%s: %s %s failed", device.spec.name, request.method, request.path)
            return status_response(device, request.path, "deviceError")
    return handle


class FleetRuntime:
    def __init__(self, fleet: Fleet, tls_dir: Optional[str] = None, ca_keep: Optional[str] = None):
        self.fleet = fleet
        self.clock = Clock(fleet.time_scale)
        self.ca = CertificateAuthority(tls_dir, keep=ca_keep)
        self.specs = {spec.name: spec for spec in fleet.devices}
        self.devices = {spec.name: Device(spec, self) for spec in fleet.devices}
        # Set by the CLI: the interface a one-device namespace emulator owns (None = loopback),
        # and the interface SADP is served on (None = no SADP).
        self.netns_interface: Optional[str] = None
        self.sadp_interface: Optional[str] = None

    async def start(self) -> None:
        started = time.monotonic()
        # Contexts first: certificate signing is CPU work, binding is I/O.
        for dev in self.devices.values():
            dev.ssl_context()
        if self.sadp_interface:
            for dev in self.devices.values():
                dev.sadp = sadp.SadpResponder(dev, self.sadp_interface,
                                              loopback_only=self.netns_interface is None)
                await dev.sadp.start()
        await asyncio.gather(*(dev.start() for dev in self.devices.values()))
        failed = {n: d.bind_error for n, d in self.devices.items() if d.bind_error}
        if failed:
            raise RuntimeError(f"devices could not listen: {failed}")
        log.info("%d devices listening after %.2fs", len(self.devices), time.monotonic() - started)

    async def stop(self) -> None:
        for dev in self.devices.values():
            if dev.sadp is not None:
                dev.sadp.close()
        await asyncio.gather(*(dev.shutdown() for dev in self.devices.values()),
                             return_exceptions=True)

    def device_at(self, address: str) -> Optional[Device]:
        for dev in self.devices.values():
            if dev.state.address == address:
                return dev
        return None

    def addresses_in_use(self, exclude: Device) -> set:
        used = set()
        for dev in self.devices.values():
            if dev is exclude:
                continue
            used.add(dev.state.address)
            staged = dev.state.staged_network
            if staged is not None and staged.addressing == "static":
                used.add(staged.address)
        return used
