"""ONVIF device service (docs/developer/isapi-reference.md, §11.6 and §11.14): just enough of
`POST /onvif/device_service` (SOAP 1.2) to prove an ONVIF account's password, on the same HTTP
and HTTPS listeners as ISAPI.

* `GetSystemDateAndTime` answers without credentials (clients read the device clock with it to
  build a fresh `Created`).
* `GetDeviceInformation` needs a WS-Security UsernameToken with a PasswordDigest, checked against
  the ONVIF user list of the services area (handlers/services.py), never the ISAPI accounts.
* A wrong digest or an unknown ONVIF user answers HTTP 400 with the Sender fault
  `ter:NotAuthorized` and counts as a failed login of the client IP in the same lock table and
  counters as ISAPI logins (README: ONVIF device service, an emulator assumption).
* A right digest with a stale `Created` or a nonce seen before is refused as well (Sender fault
  `wsse:MessageExpired` or `wsse:InvalidSecurity`), but is not a wrong password and is not counted,
  as the ISAPI side treats a stale or replayed Digest nonce.
* ONVIF off (`Integrate/ONVIF/enable` false), a profile without ONVIF, or an inactive device: the
  service is not there, 404 `notSupport` as for any unknown path.
"""
from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from aiohttp import web

from .. import xmlgen
from ..control import EXTENSIONS, read_json
from ..responses import SERVER_HEADER, status_response
from ..router import route
from ..state import register_area
from .timesync import tz_offset

PATH = "/onvif/device_service"
SOAP_ENV = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
DIGEST_TYPE = ("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
               "#PasswordDigest")
TDS = "http://www.onvif.org/ver10/device/wsdl"
TT = "http://www.onvif.org/ver10/schema"
TER = "http://www.onvif.org/ver10/error"
# The UsernameToken profile's guideline for the freshness window of Created (and so how long a
# nonce must be remembered to spot its replay).
FRESH_SECONDS = 300
MAX_NONCES = 4096
CONTENT_TYPE = "application/soap+xml; charset=utf-8"


@dataclass
class OnvifService:
    nonces: dict = field(default_factory=dict)  # nonce (base64 text) -> when it was seen
    logins: int = 0
    refused: int = 0

    def public(self) -> dict:
        return {"logins": self.logins, "refused": self.refused}


register_area("onvif", lambda spec: OnvifService())


def envelope(body: str, namespaces: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<env:Envelope xmlns:env="{SOAP_ENV}" '
            f'xmlns:tds="{TDS}" xmlns:tt="{TT}" xmlns:ter="{TER}" xmlns:wsse="{WSSE}"{namespaces}>'
            f'<env:Body>{body}</env:Body></env:Envelope>').encode("utf-8")


def soap(body: str, status: int = 200) -> web.Response:
    resp = web.Response(body=envelope(body), status=status)
    resp.headers["Content-Type"] = CONTENT_TYPE
    resp.headers["Server"] = SERVER_HEADER
    return resp


def fault(subcode: str, reason: str, code: str = "env:Sender") -> web.Response:
    """A SOAP 1.2 fault; a Sender fault travels with HTTP 400, a Receiver one with 500."""
    return soap(f'<env:Fault><env:Code><env:Value>{code}</env:Value><env:Subcode><env:Value>'
                f'{subcode}</env:Value></env:Subcode></env:Code><env:Reason><env:Text xml:lang="en">'
                f'{escape(reason)}</env:Text></env:Reason></env:Fault>',
                status=400 if code == "env:Sender" else 500)


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """Base64(SHA-1(nonce bytes + Created text + password)), UsernameToken Profile 1.0 §3.1."""
    return base64.b64encode(hashlib.sha1(nonce + created.encode("utf-8") + password.encode("utf-8")).digest()).decode("ascii")


def _device_utc(device) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(time.time() + device.state.time.offset, datetime.timezone.utc)


def _parse_created(text: str):
    try:
        when = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def _security_header(root):
    """(user name, password element, nonce text, created text) of the UsernameToken, or None."""
    token = root.find("Header/Security/UsernameToken")
    if token is None:
        return None
    return (xmlgen.text(token, "Username") or "", token.find("Password"),
            xmlgen.text(token, "Nonce") or "", xmlgen.text(token, "Created") or "")


def _enabled(device) -> bool:
    svc = device.state.areas["services"]
    return device.state.activated and "integrate" in svc.resources and svc.onvif


@route("POST", PATH, auth=False, read_only=True)
async def device_service(ctx):
    device = ctx.device
    if not _enabled(device):
        # Not listening while ONVIF is off: what any unknown path answers.
        return status_response(device, ctx.path, "notSupport", http=404)
    try:
        root = xmlgen.parse(ctx.body)
    except xmlgen.XmlFormatError:
        return fault("ter:WellFormed", "The message is not well-formed XML")
    body = root.find("Body")
    operation = next(iter(body), None) if body is not None else None
    if root.tag != "Envelope" or operation is None:
        return fault("ter:WellFormed", "Not a SOAP 1.2 envelope with a body")
    if operation.tag == "GetSystemDateAndTime":
        return _date_and_time(device)
    if operation.tag != "GetDeviceInformation":
        return fault("ter:ActionNotSupported", f"{operation.tag} is not served by this emulator",
                     code="env:Receiver")
    verdict = _authenticate(device, root, ctx.request.remote or "")
    if verdict is not None:
        return verdict
    spec = device.spec
    return soap(f"<tds:GetDeviceInformationResponse><tds:Manufacturer>HIKVISION</tds:Manufacturer>"
                f"<tds:Model>{escape(spec.model)}</tds:Model><tds:FirmwareVersion>{escape(spec.firmware)}"
                f"</tds:FirmwareVersion><tds:SerialNumber>{escape(spec.serial)}</tds:SerialNumber>"
                f"<tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse>")


def _authenticate(device, root, ip: str):
    """None when the UsernameToken names an ONVIF user with the right digest and is fresh;
    otherwise the fault to answer (counted as a failed login only for a wrong credential)."""
    auth, area = device.auth, device.state.areas["onvif"]
    entry = auth.lock_entry(ip)
    forced = device.faults.locked_until
    if entry.locked_until is not None or (forced is not None and time.time() < forced):
        # A locked client is refused before its credential is looked at (as on ISAPI).
        until = entry.locked_until or forced
        return fault("ter:NotAuthorized", "Client locked after failed logins; unlock in %d s"
                     % max(1, int(until - time.time() + 0.999)))
    token = _security_header(root)
    if token is None:
        return fault("ter:NotAuthorized", "Sender not authorized: no UsernameToken")
    name, password_el, nonce_text, created = token
    svc = device.state.areas["services"]
    user = next((u for u in svc.onvif_users if u.name == name), None)
    try:
        nonce = base64.b64decode(nonce_text, validate=True)
    except (binascii.Error, ValueError):
        nonce = None
    ok = False
    if user is not None and password_el is not None and nonce and created \
            and password_el.get("Type", DIGEST_TYPE) == DIGEST_TYPE:
        ok = secrets.compare_digest(password_digest(nonce, created, user.password).encode(),
                                    (password_el.text or "").strip().encode("utf-8"))
    if not ok:
        area.refused += 1
        # One lock table for ONVIF and ISAPI: the client IP is locked after failures of either.
        # ONVIF names get the non-admin threshold (the admin one belongs to the ISAPI admin).
        auth.record_failure(ip, None, entry, limit=min(device.spec.user_lock_attempts,
                                                       device.state.lock.attempts))
        return fault("ter:NotAuthorized", "Sender not authorized")
    # A right credential: only now do freshness and replay matter (neither is a wrong password).
    when = _parse_created(created)
    now = _device_utc(device)
    if when is None or abs((now - when).total_seconds()) > FRESH_SECONDS:
        return fault("wsse:MessageExpired", "Created is not within %d s of the device clock" % FRESH_SECONDS)
    _forget_old(area)
    if nonce_text in area.nonces:
        return fault("wsse:InvalidSecurity", "Nonce already used")
    area.nonces[nonce_text] = time.time()
    entry.failures, entry.locked_until = 0, None
    area.logins += 1
    device.counters.successful_logins += 1
    return None


def _forget_old(area: OnvifService) -> None:
    limit = time.time() - 2 * FRESH_SECONDS  # Created may lie up to the window either way
    for key in [k for k, seen in area.nonces.items() if seen < limit]:
        del area.nonces[key]
    while len(area.nonces) >= MAX_NONCES:
        area.nonces.pop(next(iter(area.nonces)))


def _date_and_time(device) -> web.Response:
    utc = _device_utc(device)
    local = utc.astimezone(datetime.timezone(tz_offset(device.state.time.time_zone)))

    def stamp(when):
        return (f"<tt:Time><tt:Hour>{when.hour}</tt:Hour><tt:Minute>{when.minute}</tt:Minute>"
                f"<tt:Second>{when.second}</tt:Second></tt:Time><tt:Date><tt:Year>{when.year}</tt:Year>"
                f"<tt:Month>{when.month}</tt:Month><tt:Day>{when.day}</tt:Day></tt:Date>")
    mode = "NTP" if device.state.time.mode == "NTP" else "Manual"
    return soap(f"<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
                f"<tt:DateTimeType>{mode}</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
                f"<tt:TimeZone><tt:TZ>{escape(device.state.time.time_zone)}</tt:TZ></tt:TimeZone>"
                f"<tt:UTCDateTime>{stamp(utc)}</tt:UTCDateTime><tt:LocalDateTime>{stamp(local)}"
                f"</tt:LocalDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>")


def _control(routes, device_or_404) -> None:
    @routes.post("/devices/{name}/check-onvif-password")
    async def check_onvif_password(request):
        """Whether an ONVIF user has this password; never counted as a login."""
        device = device_or_404(request)
        data = await read_json(request)
        svc = device.state.areas["services"]
        user = next((u for u in svc.onvif_users if u.name == str(data.get("user", ""))), None)
        ok = user is not None and secrets.compare_digest(
            user.password.encode("utf-8"), str(data.get("password", "")).encode("utf-8"))
        return web.json_response({"ok": bool(ok)})


EXTENSIONS.append(_control)
