"""Control API for tests and demos: JSON over HTTP on 127.0.0.1 only."""
from __future__ import annotations

import dataclasses
import json
import secrets
import time

from aiohttp import web

from . import chaos
from .state import to_json


def timing_view(device) -> dict:
    """Real seconds this device takes now (timing mode and time_scale applied)."""
    scale, spec = device.clock.scale, device.spec
    return {"mode": device.runtime.fleet.timing, "time_scale": scale,
            "reboot_seconds": spec.reboot_seconds * scale, "flash_seconds": spec.flash_seconds * scale,
            "lock_seconds": device.state.lock.seconds * scale, "latency_ms": spec.latency_ms}


def device_view(device) -> dict:
    st = device.state
    spec = device.spec
    now = time.time()
    locks = {}
    for ip, entry in device.auth.locks.items():
        locks[ip] = {"failures": entry.failures,
                     "locked": entry.locked_until is not None and entry.locked_until > now,
                     "unlock_in": max(0.0, (entry.locked_until or now) - now)}
    faults = to_json(dataclasses.replace(device.faults, random=None))
    faults["random"] = chaos.public(device.faults.random)
    faults["refuse_seconds_left"] = max(0.0, (device.faults.refuse_until or now) - now)
    faults["lock_seconds_left"] = max(0.0, (device.faults.locked_until or now) - now)
    return {
        "name": spec.name, "site": spec.site, "kind": spec.kind, "profile": spec.profile.name,
        "model": spec.model, "serial": spec.serial, "mac": spec.mac, "firmware": spec.firmware,
        "http_port": spec.http_port, "https_port": spec.https_port,
        "activated": st.activated,
        "users": [u.public() for u in st.users],
        "device_name": st.device_name,
        "address": st.address,
        "staged_address": st.staged_network.address if st.staged_network else None,
        "factory_address": spec.factory_address,
        "network": to_json(st.network),
        "staged_network": to_json(st.staged_network),
        "link": to_json(st.link),
        "time": to_json(st.time),
        "ntp": to_json(st.ntp),
        "lock": to_json(st.lock),
        "locks": locks,
        "channels": [{k: v for k, v in to_json(ch).items() if k != "password"} for ch in st.channels],
        "online": device.listening,
        "status": device.status(),
        "rebooting": device.rebooting_until is not None,
        "reboot_seconds_left": max(0.0, (device.rebooting_until or now) - now),
        "bind_error": device.bind_error,
        "boot_time": st.boot_time,
        "reboot_count": st.reboot_count,
        "challenge_pending": device.challenge is not None,
        "timing": timing_view(device),
        "faults": faults,
        "log": st.log,
        # each registered area's state; secrets are kept out by the area's own public() if any
        "areas": {name: (area.public() if hasattr(area, "public") else to_json(area))
                  for name, area in st.areas.items()},
    }


# Handler modules add their own endpoints here: fn(routes, device_or_404), called by make_app.
EXTENSIONS: list = []


def json_error(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")


def counters_view(device) -> dict:
    return to_json(device.counters)


async def _json_body(request: web.Request) -> dict:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except (json.JSONDecodeError, ValueError):
        raise web.HTTPBadRequest(text='{"error": "body is not JSON"}', content_type="application/json") from None
    if not isinstance(data, dict):
        raise web.HTTPBadRequest(text='{"error": "body must be an object"}', content_type="application/json")
    return data


def _deny_spec(data) -> dict:
    """{path: {"http": int, "sub": str|None}} checked: known sub codes, HTTP 400-599."""
    from .errors import SUB_CODES
    if not isinstance(data, dict):
        raise ValueError("deny must be an object")
    spec = {}
    for path, answer in data.items():
        answer = answer or {}
        http, sub = int(answer.get("http", 404)), answer.get("sub", "notSupport")
        if not 400 <= http <= 599 or (sub is not None and sub not in SUB_CODES):
            raise ValueError("bad deny entry")
        spec[str(path)] = {"http": http, "sub": sub}
    return spec


read_json = _json_body  # for EXTENSIONS


def make_app(runtime, fleet_doc_provider) -> web.Application:
    routes = web.RouteTableDef()

    def device_or_404(request):
        name = request.match_info["name"]
        device = runtime.devices.get(name)
        if device is None:
            raise web.HTTPNotFound(text=json.dumps({"error": f"no device {name!r}"}),
                                   content_type="application/json")
        return device

    @routes.get("/fleet")
    async def fleet(request):
        return web.json_response(fleet_doc_provider())

    @routes.get("/devices")
    async def devices(request):
        return web.json_response({name: {"address": d.state.address, "status": d.status(),
                                         "activated": d.state.activated}
                                  for name, d in runtime.devices.items()})

    @routes.get("/devices/{name}")
    async def device_state(request):
        return web.json_response(device_view(device_or_404(request)))

    @routes.post("/devices/{name}/check-password")
    async def check_password(request):
        device = device_or_404(request)
        data = await _json_body(request)
        user = device.state.user_by_name(str(data.get("user", "admin")))
        ok = (device.state.activated and user is not None
              and secrets.compare_digest(user.password, str(data.get("password", ""))))
        return web.json_response({"ok": bool(ok)})

    @routes.get("/devices/{name}/counters")
    async def counters(request):
        return web.json_response(counters_view(device_or_404(request)))

    @routes.get("/devices/{name}/requests")
    async def request_log(request):
        return web.json_response(list(device_or_404(request).request_log))

    @routes.post("/devices/{name}/counters/reset")
    async def reset_counters(request):
        device = device_or_404(request)
        from .state import Counters
        device.counters = Counters()
        return web.json_response(counters_view(device))

    @routes.post("/devices/{name}/faults")
    async def set_faults(request):
        device = device_or_404(request)
        data = await _json_body(request)
        unknown = set(data) - {"latency_ms", "refuse_seconds", "busy_next", "drop_response_next",
                               "reboot_after", "lock_seconds", "deny", "random"}
        if unknown:
            raise web.HTTPBadRequest(text=json.dumps({"error": f"unknown faults {sorted(unknown)}"}),
                                     content_type="application/json")
        try:
            random = chaos.parse(data.get("random"), device.spec.name)
        except (TypeError, ValueError) as exc:
            raise json_error(f"random: {exc}") from None
        try:
            if "latency_ms" in data:
                device.faults.latency_ms = max(0, int(data["latency_ms"]))
            if "busy_next" in data:
                device.faults.busy_next = max(0, int(data["busy_next"]))
            if "drop_response_next" in data:
                device.faults.drop_response_next = max(0, int(data["drop_response_next"]))
            if "reboot_after" in data:
                device.faults.reboot_after = max(0, int(data["reboot_after"]))
            if "lock_seconds" in data:
                seconds = float(data["lock_seconds"])
                device.faults.locked_until = time.time() + seconds if seconds > 0 else None
            if "refuse_seconds" in data:
                await device.refuse_for(float(data["refuse_seconds"]))
            if "deny" in data:
                device.faults.deny = _deny_spec(data["deny"])
            if "random" in data:
                device.faults.random = random
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text='{"error": "fault values must be numbers (deny: '
                                          '{path: {http: 400-599, sub: known code or null}})"}',
                                     content_type="application/json") from None
        return web.json_response(device_view(device)["faults"])

    @routes.delete("/devices/{name}/faults")
    async def clear_faults(request):
        device = device_or_404(request)
        await device.clear_faults()
        return web.json_response(device_view(device)["faults"])

    @routes.post("/devices/{name}/provision")
    async def provision(request):
        device = device_or_404(request)
        data = await _json_body(request)
        activated = bool(data.get("activated", True))
        password = data.get("password")
        await device.provision(activated, str(password) if password else None)
        return web.json_response(device_view(device))

    @routes.post("/devices/{name}/reset-button")
    async def reset_button(request):
        """Someone held the reset button: a full factory reset and the reboot that follows,
        with no request on the wire (the device comes back inactive at factory_address)."""
        device = device_or_404(request)
        device.factory_reset("full")
        await device.reboot("resetButton")
        return web.json_response(device_view(device))

    @routes.post("/devices/{name}/unlock")
    async def unlock(request):
        device = device_or_404(request)
        device.auth.locks.clear()
        return web.json_response({"ok": True})

    @routes.post("/devices/{name}/support-desk")
    async def support_desk(request):
        """TEST DOUBLE of Hikvision's support desk (see handlers/recovery.support_key): the key
        this emulator accepts for the reset request the device exported last."""
        from .handlers.recovery import support_key
        device = device_or_404(request)
        rec = device.state.areas["recovery"]
        if rec.request_code is None:
            raise web.HTTPNotFound(text='{"error": "no reset request exported"}', content_type="application/json")
        return web.json_response({"key": support_key(rec.request_code), "test_double": True})

    @routes.post("/devices/{name}/verification-code")
    async def verification_code(request):
        """TEST DOUBLE of Hikvision's mail service and of the Hik-Connect app (see
        handlers/recovery.verification_code): the code that reaches the reserved mailbox, or that
        the app shows after scanning, for the QR code the device exported last."""
        from .handlers.recovery import verification_code
        device = device_or_404(request)
        rec = device.state.areas["recovery"]
        if rec.request_code is None or rec.request_kind != "qr" or rec.request_email is None:
            raise web.HTTPNotFound(text='{"error": "no QR code exported with a reserved address"}',
                                   content_type="application/json")
        return web.json_response({"code": verification_code(rec.request_code, rec.request_email),
                                  "to": rec.request_email, "test_double": True})

    @routes.post("/time-scale")
    async def time_scale(request):
        data = await _json_body(request)
        try:
            scale = float(data["scale"])
        except (KeyError, TypeError, ValueError):
            raise web.HTTPBadRequest(text='{"error": "need {\\"scale\\": number}"}',
                                     content_type="application/json") from None
        if scale <= 0:
            raise web.HTTPBadRequest(text='{"error": "scale must be > 0"}', content_type="application/json")
        runtime.clock.scale = scale
        return web.json_response({"scale": scale})

    for extend in EXTENSIONS:
        extend(routes, device_or_404)
    app = web.Application()
    app.add_routes(routes)
    return app
