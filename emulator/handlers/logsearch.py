"""Device log search (docs/developer/isapi-reference.md, §12.4) over the events the emulator records in state.log.

Each event maps to a ``log.hikvision.com/<Major>/<minor>`` metaId. The minor names follow the
HCNetSDK log type names as far as they are known; which ones are guesses is listed in
emulator/README.md (the restore-default one is unknown, §12.4/§16).

Entries come oldest first: new events are appended at the end, so the positions of a paged
search (same searchID, advancing searchResultPostion) stay put while the device keeps logging.

Remote logins and configuration writes are recorded by an audit middleware around every route
(router.add_middleware): a write that succeeded without logging an event of its own logs ``configChanged``, and the first
authenticated request of a user from an address after SESSION_SECONDS of silence logs
``remoteLogin``.
"""
from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field

from .. import router, xmlgen
from ..errors import IsapiError
from ..router import route
from .common import optional_count
from ..state import register_area
from .timesync import tz_offset

MAX_RESULTS = 50
DEFAULT_RESULTS = 30
SESSION_SECONDS = 300  # device seconds (scaled by the fleet's time_scale)
XML_TIME = "%Y-%m-%dT%H:%M:%SZ"
MAJORS = ("Alarm", "Exception", "Operation", "Information")

# state.log event -> (major, minor). None: not something the device itself would log.
EVENTS = {
    "loginFailed": ("Exception", "illegalAccess"),
    "clientLocked": ("Exception", "illegalLoginLock"),
    "loginPasswordError": ("Exception", "loginPasswordError"),
    "remoteLogin": ("Operation", "remoteLogin"),
    "reboot": ("Operation", "remoteReboot"),
    "boot": ("Operation", "powerOn"),
    "provision": ("Operation", "powerOn"),
    "factoryReset:basic": ("Operation", "remoteRestoreCfg"),
    "factoryReset:full": ("Operation", "remoteRestoreDefault"),
    "activate": ("Operation", "remoteActivate"),
    "userAdded": ("Operation", "remoteAddUser"),
    "userDeleted": ("Operation", "remoteDeleteUser"),
    "usersDeleted": ("Operation", "remoteDeleteUser"),
    "passwordChanged": ("Operation", "remoteModifyUser"),
    "networkStaged": ("Operation", "remoteCfgParm"),
    "configChanged": ("Operation", "remoteCfgParm"),
    "channelAdded": ("Operation", "remoteAddIPC"),
    "channelModified": ("Operation", "remoteCfgIPC"),
    "channelDeleted": ("Operation", "remoteDeleteIPC"),
    "unreachable": None,
}
# Writes that log their own event later (after the response) or are no configuration change.
NOT_CONFIG = ("/ISAPI/System/reboot", "/ISAPI/System/factoryReset", "/ISAPI/System/activate",
              "/ISAPI/Security/challenge", "/ISAPI/ContentMgmt/search",
              "/ISAPI/ContentMgmt/logSearch", "/ISAPI/ContentMgmt/download")


@dataclass
class Audit:
    # "user@address" -> host time of that user's last authenticated request from there
    sessions: dict = field(default_factory=dict)


register_area("audit", lambda spec: Audit(), kept_on_basic_reset=True)


# --- the audit wrapper ------------------------------------------------------------------------
def _note_login(ctx) -> None:
    if ctx.user is None:
        return
    sessions = ctx.state.areas["audit"].sessions
    key = f"{ctx.user.name}@{ctx.request.remote}"
    now = time.time()
    last = sessions.get(key)
    sessions[key] = now
    if last is None or now - last > SESSION_SECONDS * ctx.device.clock.scale:
        ctx.state.add_log("remoteLogin", user=ctx.user.name, client=ctx.request.remote)


def _audited(handler, method: str):
    async def audited(ctx):
        _note_login(ctx)
        state = ctx.state
        marker = state.log[-1] if state.log else None
        response = await handler(ctx)
        if method != "GET" and response.status < 300 and ctx.state is state and \
                (state.log[-1] if state.log else None) is marker and \
                not ctx.path.startswith(NOT_CONFIG):
            state.add_log("configChanged", method=method, path=ctx.path,
                          user=ctx.user.name if ctx.user else None, client=ctx.request.remote)
        return response
    return audited


router.add_middleware(_audited)


# --- the search ---------------------------------------------------------------------------------
def device_local(device, host_time: float) -> datetime.datetime:
    zone = datetime.timezone(tz_offset(device.state.time.time_zone))
    moment = datetime.datetime.fromtimestamp(host_time + device.state.time.offset, zone)
    return moment.replace(tzinfo=None, microsecond=0)


def _parse(value, device, what: str) -> datetime.datetime:
    text = (value or "").strip()
    if not text:
        raise IsapiError("badXmlContent", detail=f"missing {what}")
    fake_z = text[-1:] in ("Z", "z")
    try:
        parsed = datetime.datetime.fromisoformat(text[:-1] if fake_z else text)
    except ValueError:
        raise IsapiError("badParameters", detail=f"{what} {value!r}") from None
    if parsed.tzinfo is not None:
        zone = datetime.timezone(tz_offset(device.state.time.time_zone))
        parsed = parsed.astimezone(zone).replace(tzinfo=None)
    return parsed


def _major_filter(meta_id: str):
    """None for every major type, else the one asked (log.std-cgi.com/<Major>, any case)."""
    tail = (meta_id or "").strip().rstrip("/").rpartition("/")
    if not tail[1] or tail[0].endswith(":"):
        return None
    for major in MAJORS:
        if major.lower() == tail[2].lower():
            return major
    if tail[2].lower() in ("all", ""):
        return None
    raise IsapiError("badParameters", detail=f"unknown log type {tail[2]!r}")


def descriptor(device, event: dict, major: str, minor: str) -> dict:
    # userName is who acted; what was acted on (path, account, channel) goes into paraType.
    detail = event.get("path") or event.get("address") or ""
    if event.get("channel") is not None:
        detail = f"channel {event['channel']} {event.get('address', '')}".strip()
    elif event.get("by") and event.get("user"):
        detail = f"user {event['user']}"
    return {"metaId": f"log.hikvision.com/{major}/{minor}",
            "StartDateTime": f"{device_local(device, event['time']):{XML_TIME}}",
            "paraType": detail,
            "userName": event.get("by") or event.get("user") or "",
            "ipAddress": event.get("client") or ""}


@route("POST", "/ISAPI/ContentMgmt/logSearch", min_level="Operator")
async def log_search(ctx):
    doc = ctx.xml("CMSearchDescription")
    device = ctx.device
    span = doc.find("timeSpanList/timeSpan")
    if span is None:
        raise IsapiError("badXmlContent", detail="missing <timeSpanList><timeSpan>")
    start = _parse(xmlgen.text(span, "startTime"), device, "startTime")
    end = _parse(xmlgen.text(span, "endTime"), device, "endTime")
    major_only = _major_filter(xmlgen.text(doc, "metaId") or "")
    position = optional_count(xmlgen.text(doc, "searchResultPostion"), 0, "searchResultPostion")
    limit = min(optional_count(xmlgen.text(doc, "maxResults"), DEFAULT_RESULTS, "maxResults") or DEFAULT_RESULTS,
                MAX_RESULTS)
    matches = []
    for event in list(ctx.state.log):
        kind = EVENTS.get(event["event"], ("Information", event["event"]))
        if kind is None or (major_only and kind[0] != major_only):
            continue
        when = device_local(device, event["time"])
        if start <= when <= end:
            matches.append(descriptor(device, event, *kind))
    page = matches[position:position + limit]
    status = "NO MATCHES" if not matches else ("MORE" if position + len(page) < len(matches) else "OK")
    tree = {"searchID": xmlgen.text(doc, "searchID") or "", "responseStatus": "true",
            "responseStatusStrg": status, "numOfMatches": len(page),
            "matchList": {"searchMatchItem": [{"logDescriptor": d} for d in page]} if page else None}
    return ctx.reply("CMSearchResult", tree, version="1.0")
