"""Web-UI session login (docs/developer/isapi-reference.md, §2.4): capabilities with a challenge,
the hashed-password login, a `WebSession` cookie that authenticates later requests, heartbeat
and logout.

A wrong password or unknown user counts against the client IP like a failed Digest login and
answers 401 with the lock fields; a locked client is refused before its password is looked at.
Sessions end with logout, a reboot (they belong to one boot) or SESSION_SECONDS without a request
(scaled with time_scale).
"""
from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Optional

from .. import xmlgen
from ..errors import IsapiError
from ..responses import unauthorized_response
from ..router import route
from ..state import register_area

ITERATIONS = 100  # keyIterateNum of the recorded SecurityCap
SESSION_SECONDS = 1800  # ⚠ idle lifetime: not in the sources; the WebSDK beats every 30 s
COOKIE = "WebSession"
MAX_PENDING = 64


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def session_hash(user: str, password: str, salt: str, challenge: str, iterations: int,
                 irreversible: bool, salt2: Optional[str] = None) -> str:
    """The password hash a client sends (§2.4, all three variants)."""
    if irreversible:
        r = sha256(user + salt + password)
        if salt2 is not None:
            r = sha256(user + salt2 + r)
        r = sha256(r + challenge)
        for _ in range(iterations - 2):
            r = sha256(r)
        return r
    r = sha256(password) + challenge
    for _ in range(iterations - 1):
        r = sha256(r)
    return r


@dataclass
class Sessions:
    pending: dict = field(default_factory=dict)  # sessionID -> (user name, challenge)
    # cookie value -> [user name, boot_time it belongs to, last use (wall clock)]
    active: dict = field(default_factory=dict)
    logins: int = 0

    def public(self) -> dict:
        return {"pending": len(self.pending), "active": len(self.active), "logins": self.logins}


register_area("sessions", lambda spec: Sessions())


def irreversible(device) -> bool:
    # SecurityCap isIrreversible: present on the current camera's recorded tree, not on legacy.
    return device.spec.profile.name != "legacy_camera"


def user_salt(device, user: str) -> str:
    return sha256(f"{device.spec.serial}:{user}")


def _lifetime(device) -> float:
    return SESSION_SECONDS * device.clock.scale


def cookie_user(device, request):
    """The user a valid WebSession cookie names (None: no or stale session); refreshes it."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    area = device.state.areas["sessions"]
    entry = area.active.get(token)
    now = time.time()
    if entry is None or entry[1] != device.state.boot_time or now - entry[2] > _lifetime(device):
        area.active.pop(token, None)
        return None
    user = device.state.user_by_name(entry[0])
    if user is None:
        area.active.pop(token, None)
        return None
    entry[2] = now
    return user


@route("GET", "/ISAPI/Security/sessionLogin/capabilities", auth=False)
async def capabilities(ctx):
    user = ctx.request.query.get("username", "")
    if not user:
        raise IsapiError("badParameters", detail="username query parameter missing")
    area = ctx.state.areas["sessions"]
    session_id, challenge = secrets.token_hex(32), secrets.token_hex(16)
    area.pending[session_id] = (user, challenge)
    for old in list(area.pending)[:-MAX_PENDING]:
        del area.pending[old]
    tree = {"sessionID": session_id, "challenge": challenge, "iterations": ITERATIONS}
    if irreversible(ctx.device):
        # An unknown user gets a salt too, so the answer does not tell which names exist.
        tree.update({"isIrreversible": True, "salt": user_salt(ctx.device, user)})
    tree["sessionIDVersion"] = 2
    return ctx.reply("SessionLoginCap", tree)


@route("POST", "/ISAPI/Security/sessionLogin", auth=False)
async def login(ctx):
    device = ctx.device
    if not ctx.state.activated:
        raise IsapiError("notActivated")
    doc = ctx.xml("SessionLogin")
    name = xmlgen.text(doc, "userName") or ""
    sent = (xmlgen.text(doc, "password") or "").lower()
    session_id = xmlgen.text(doc, "sessionID") or ""
    area = ctx.state.areas["sessions"]
    ip = ctx.request.remote or ""
    entry = device.auth.lock_entry(ip)
    if entry.locked_until is not None:
        return unauthorized_response(device, _Result("locked", entry))
    pending = area.pending.pop(session_id, None)
    user = ctx.state.user_by_name(name)
    ok = False
    if pending is not None and user is not None and pending[0] == name:
        expected = session_hash(name, user.password, user_salt(device, name), pending[1], ITERATIONS,
                                irreversible(device))
        ok = secrets.compare_digest(expected, sent)
    if not ok:
        device.auth.record_failure(ip, name, entry)
        return unauthorized_response(device, _Result("locked" if entry.locked_until else "failed", entry))
    entry.failures, entry.locked_until = 0, None
    token = secrets.token_hex(32)
    area.active[token] = [name, ctx.state.boot_time, time.time()]
    area.logins += 1
    device.counters.successful_logins += 1
    # ⚠ The reply body is not in the sources; AXP reads a sessionID from it when no cookie comes.
    response = ctx.reply("SessionLogin", {"statusValue": 200, "statusString": "OK",
                                          "sessionID": token, "isActivated": True})
    response.set_cookie(COOKIE, token, path="/", httponly=True)
    return response


@dataclass
class _Result:
    outcome: str
    lock_entry: object


def _session(ctx):
    token = ctx.request.cookies.get(COOKIE)
    if not token or cookie_user(ctx.device, ctx.request) is None:
        raise IsapiError("badAuthorization", http=401)
    return token


@route("PUT", "/ISAPI/Security/sessionHeartbeat", auth=False)
async def heartbeat(ctx):
    _session(ctx)
    return ctx.ok()


@route("PUT", "/ISAPI/Security/sessionLogout", auth=False)
async def logout(ctx):
    token = _session(ctx)
    ctx.state.areas["sessions"].active.pop(token, None)
    return ctx.ok()
