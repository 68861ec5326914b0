"""Fleet runtime: builds devices, starts listeners, and runs each request through the pipeline
(faults → activation gate → authentication → routing → privilege → handler → counters)."""
from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass
from typing import Optional

from aiohttp import web

from . import handlers  # noqa: F401  (registers routes)
from . import sadp  # noqa: F401  (registers the "sadp" area)
from . import chaos, router, xmlgen
from .device import Device
from .errors import IsapiError
from .fleet import Fleet
from .handlers.capabilities import recorded_document
from .handlers.sessionlogin import cookie_user
from .profiles import WHOLE_DOCUMENT_PUTS
from .responses import Ctx, error_response, status_response, unauthorized_response, xml_response
from .tls import CertificateAuthority

log = logging.getLogger("emulator.server")
LEVEL_RANK = {"Viewer": 0, "Operator": 1, "Administrator": 2}


@dataclass
class Clock:
    scale: float = 1.0


def _is_write(method: str, route) -> bool:
    return method != "GET" and not (route is not None and route.read_only)


def _count(device: Device, method: str, path: str, route=None) -> None:
    key = f"{method} {path}"
    counters = device.counters
    counters.requests[key] = counters.requests.get(key, 0) + 1
    if _is_write(method, route):
        counters.writes += 1


def _connection_headers(device: Device, request: web.BaseRequest, response: web.StreamResponse) -> None:
    """Connection handling as the cassettes recorded it: pre-V5.5 firmware closes after every
    reply (`Connection: close`, no Keep-Alive); later firmware keeps the connection with
    `Keep-Alive: timeout=10, max=N`, N counting down per request on that connection."""
    keep = device.spec.profile.keep_alive
    if response.prepared:
        return
    if keep is None:
        response.headers["Connection"] = "close"
        response.force_close()
        return
    timeout, most = keep
    left = most - device.connection_requests(request.transport)
    if left <= 0:
        response.headers["Connection"] = "close"
        response.force_close()
        return
    response.headers["Connection"] = "keep-alive"
    response.headers["Keep-Alive"] = f"timeout={timeout}, max={left}"


def _not_supported(device: Device, method: str, path: str):
    """The profile's recorded answer for a resource its firmware lacks (profiles.not_supported)."""
    for verb, pattern, http, answer in device.spec.profile.not_supported:
        if verb == method and re.fullmatch(pattern, path):
            if answer.startswith("doc:"):
                root, tree = recorded_document(answer[4:])
                return xml_response(device, root, tree, status=http)
            return status_response(device, path, answer, http=http)
    return None


def _element_paths(root) -> set:
    paths = set()

    def walk(el, prefix):
        for child in el:
            if isinstance(child.tag, str):
                path = f"{prefix}/{child.tag}" if prefix else child.tag
                paths.add(path)
                walk(child, path)
    walk(root, "")
    return paths


def _missing_elements(got, sent, prefix: str = "") -> list:
    """Element paths of the GET document `got` that the PUT body `sent` lacks. A list (a tag
    ending in "List", the root included) may drop or add entries; each entry sent must carry
    what the GET's entry with the same <id> has (or, for a new one, what every GET entry has)."""
    missing = []
    if got.tag.endswith("List"):
        by_id, common = {}, {}
        for entry in got:
            paths = _element_paths(entry)
            by_id[(entry.tag, xmlgen.text(entry, "id"))] = paths
            common[entry.tag] = common[entry.tag] & paths if entry.tag in common else paths
        for entry in sent:
            need = by_id.get((entry.tag, xmlgen.text(entry, "id")), common.get(entry.tag, set()))
            missing += [f"{prefix}{entry.tag}/{p}" for p in sorted(need - _element_paths(entry))]
        return missing
    for child in got:
        match = sent.find(child.tag)
        if match is None:
            missing.append(prefix + child.tag)
        else:
            missing += _missing_elements(child, match, f"{prefix}{child.tag}/")
    return missing


async def _partial_put(device: Device, ctx: Ctx) -> Optional[web.StreamResponse]:
    """On firmware that takes only whole documents, a PUT lacking any element its GET answers
    is refused with 400 badXmlContent (profiles.WHOLE_DOCUMENT_PUTS, partial_puts)."""
    if device.spec.profile.partial_puts or ctx.path not in WHOLE_DOCUMENT_PUTS:
        return None
    getter, params = router.match("GET", ctx.path, device.spec.kind)
    if not isinstance(getter, router.Route):
        return None
    current = await getter.handler(Ctx(device=device, request=ctx.request, params=params, body=b"",
                                       user=ctx.user))
    if current.status != 200:
        return None
    try:
        body = xmlgen.parse(ctx.body)
    except xmlgen.XmlFormatError:
        return None  # the handler answers badXmlFormat
    missing = _missing_elements(xmlgen.parse(current.body), body)
    if not missing:
        return None
    log.info("%s: partial PUT %s lacks %s", device.spec.name, ctx.path, ", ".join(missing))
    return status_response(device, ctx.path, "badXmlContent")


async def _dispatch(device: Device, request: web.BaseRequest, hit: Optional[str]) -> web.StreamResponse:
    """hit: the fault the random mode drew for this request (chaos.draw), or None."""
    method, path = request.method, request.path
    device.request_log.append({"time": time.time(), "client": request.remote, "method": method,
                               "target": request.path_qs, "headers": dict(request.headers)})
    faults = device.faults
    ip_filter = device.state.areas.get("securitycfg")
    if ip_filter is not None and not ip_filter.admits(request.remote or ""):
        # A filtered client gets no answer at all (README: uncertain choice, docs/developer/isapi-reference.md, §11.9).
        if request.transport is not None:
            request.transport.abort()
        return web.Response(status=403)
    latency = device.spec.latency_ms + faults.latency_ms  # the device's own + an injected fault
    if latency:
        await asyncio.sleep(latency / 1000.0)
    if hit in chaos.BEFORE_HANDLER:
        chaos.injected(device, hit)
        if hit == "timeout":
            await asyncio.sleep(faults.random.timeout_ms / 1000.0)
        if hit == "refuse":
            # Not awaited here: stopping the listeners waits for this very handler.
            asyncio.ensure_future(device.refuse_for(faults.random.refuse_seconds))
        if hit in ("timeout", "refuse"):
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=503)  # never sent: the connection is gone
    if hit == "busy" or faults.busy_next > 0:
        if hit != "busy":
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
        _count(device, method, path, route)
        return status_response(device, path, "notActivated")
    else:
        header = request.headers.get("Authorization")
        # A web-UI session cookie stands in for credentials (handlers/sessionlogin.py).
        user = None if header else cookie_user(device, request)
        if user is None:
            result = device.auth.check(method, header, request.remote or "", request.raw_path)
            if result.outcome == "bad_uri":
                # RFC 7616 §3.4.6: a uri that differs from the request target is a bad request.
                device.counters.unauthorized += 1
                return status_response(device, path, "badParameters", http=400)
            if result.outcome != "ok":
                device.counters.unauthorized += 1
                return unauthorized_response(device, result)
            user = result.user

    _count(device, method, path, route)
    denied = faults.deny.get(path)
    if denied is not None:
        if denied["sub"] is None:  # some firmware answers an HTML error page
            return web.Response(status=denied["http"], content_type="text/html",
                                text="<html><body>Document Error: %d</body></html>" % denied["http"])
        return status_response(device, path, denied["sub"], http=denied["http"])
    recorded = _not_supported(device, method, path)
    if recorded is not None:
        return recorded
    if found is None:
        return status_response(device, path, "notSupport", http=404)
    if found == "method":
        return status_response(device, path, "methodNotAllowed")
    if user is not None:
        need = route.min_level or ("Viewer" if method == "GET" else "Administrator")
        if LEVEL_RANK.get(user.level, -1) < LEVEL_RANK[need]:
            return status_response(device, path, "lowPrivilege")

    ctx = Ctx(device=device, request=request, params=params, body=body, user=user)
    if faults.reboot_after > 0:
        faults.reboot_after -= 1
        if faults.reboot_after == 0:
            # An unexpected reboot (power blip, watchdog): after this answer, not on request.
            ctx.after_response.append(lambda: device.reboot("faultReboot"))
    try:
        response = await _partial_put(device, ctx) if method == "PUT" else None
        if response is None:
            response = await router.wrapped(route.handler, method)(ctx)
    except IsapiError as err:
        response = error_response(device, path, err)

    if _is_write(method, route) and (faults.drop_response_next > 0 or hit == "drop"):
        # The write has been applied; the client never learns the outcome.
        if hit == "drop":
            chaos.injected(device, hit)
        else:
            faults.drop_response_next -= 1
        device.counters.dropped += 1
        if request.transport is not None:
            request.transport.abort()
        for fn in ctx.after_response:
            asyncio.ensure_future(fn())
        return response
    if ctx.after_response:
        _connection_headers(device, request, response)
        await response.prepare(request)
        await response.write_eof()
        for fn in ctx.after_response:
            asyncio.ensure_future(fn())
    return response


def make_handler(device: Device):
    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        hit = chaos.draw(device, request.method)  # the random fault mode's pick, if any
        try:
            response = await _dispatch(device, request, hit)
        except Exception:
            log.exception("%s: %s %s failed", device.spec.name, request.method, request.path)
            response = status_response(device, request.path, "deviceError")
        _connection_headers(device, request, response)
        if hit == "reboot" and device.rebooting_until is None:
            # Whatever the answer was (a 401 too), it goes out first; then the device reboots.
            chaos.injected(device, hit)
            if not response.prepared and request.transport is not None and not request.transport.is_closing():
                await response.prepare(request)
                await response.write_eof()
            asyncio.ensure_future(device.reboot("faultReboot"))
        return response
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
