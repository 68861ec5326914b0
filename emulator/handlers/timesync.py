"""Time and NTP (docs/developer/isapi-reference.md, §8). PUTs must carry the full document; what is written is stored."""
from __future__ import annotations

import datetime
import re
import time

from .. import xmlgen
from ..errors import IsapiError
from ..router import route
from ..state import NtpServer
from .common import check_ipv4, need, need_int

TIME_MODES = ("NTP", "manual")
# How many NTP servers a profile keeps; legacy firmware has the single server of its web page
# (README: uncertain for the newer profiles).
NTP_MAX = {"legacy_camera": 1, "current_camera": 3, "nvr": 3}
_TZ = re.compile(r"^[A-Za-z]{3,}([+-]?)(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?(?:DST.*)?$")


def tz_offset(tz: str) -> datetime.timedelta:
    """UTC offset of a Hikvision POSIX-style zone; the sign is inverted (CST-8:00:00 = UTC+8)."""
    m = _TZ.match(tz.strip())
    if not m:
        raise ValueError(tz)
    sign = 1 if m.group(1) == "-" else -1
    hours, minutes, seconds = int(m.group(2)), int(m.group(3) or 0), int(m.group(4) or 0)
    if hours > 14 or minutes > 59 or seconds > 59:
        raise ValueError(tz)
    return sign * datetime.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def device_now(device) -> datetime.datetime:
    tz = datetime.timezone(tz_offset(device.state.time.time_zone))
    return datetime.datetime.fromtimestamp(time.time() + device.state.time.offset, tz).replace(microsecond=0)


def device_now_iso(device) -> str:
    return device_now(device).isoformat()


def _parse_local_time(value: str, tz: datetime.timezone) -> datetime.datetime:
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise IsapiError("badParameters", detail=f"localTime {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def time_tree(device) -> dict:
    cfg = device.state.time
    return {"timeMode": cfg.mode, "localTime": device_now_iso(device), "timeZone": cfg.time_zone}


@route("GET", "/ISAPI/System/time")
async def get_time(ctx):
    return ctx.reply("Time", time_tree(ctx.device))


@route("PUT", "/ISAPI/System/time")
async def put_time(ctx):
    doc = ctx.xml("Time")
    cfg = ctx.state.time
    mode = need(doc, "timeMode")
    if mode not in TIME_MODES:
        raise IsapiError("badParameters", detail=f"timeMode {mode!r}")
    zone = xmlgen.text(doc, "timeZone")
    if mode == "NTP" and zone is None:
        raise IsapiError("badXmlContent", detail="NTP mode needs <timeZone>")
    local = xmlgen.text(doc, "localTime")
    if mode == "manual" and local is None:
        raise IsapiError("badXmlContent", detail="manual mode needs <localTime>")
    new_zone = cfg.time_zone if zone is None else zone
    try:
        offset = tz_offset(new_zone)
    except ValueError:
        raise IsapiError("badParameters", detail=f"timeZone {new_zone!r}") from None
    new_offset = cfg.offset
    if mode == "manual":
        wanted = _parse_local_time(local, datetime.timezone(offset))
        new_offset = wanted.timestamp() - time.time()
    elif mode == "NTP":
        new_offset = 0.0  # the emulator's "NTP server" is the host clock
    cfg.mode, cfg.time_zone, cfg.offset = mode, new_zone, new_offset
    return ctx.ok()


def ntp_tree(server: NtpServer) -> dict:
    return {"id": server.id, "addressingFormatType": server.addressing, "hostName": server.host_name,
            "ipAddress": server.ip_address, "ipv6Address": server.ipv6_address,
            "portNo": server.port, "synchronizeInterval": server.interval}


def parse_ntp(el, max_id: int = 1) -> NtpServer:
    sid = need_int(el, "id", 1, max_id, sub="badParameters")
    addressing = need(el, "addressingFormatType")
    if addressing not in ("ipaddress", "hostname"):
        raise IsapiError("badParameters", detail=f"addressingFormatType {addressing!r}")
    server = NtpServer(id=sid, addressing=addressing)
    if addressing == "hostname":
        server.host_name = need(el, "hostName")
        if not server.host_name or len(server.host_name) > 64 or " " in server.host_name:
            raise IsapiError("badParameters", detail="hostName")
        server.ip_address = xmlgen.text(el, "ipAddress") or "0.0.0.0"
    else:
        server.ip_address = check_ipv4(need(el, "ipAddress"))
        server.host_name = xmlgen.text(el, "hostName") or ""
    server.ipv6_address = xmlgen.text(el, "ipv6Address") or "::"
    server.port = need_int(el, "portNo", 1, 65535, sub="badPort")
    server.interval = need_int(el, "synchronizeInterval", 1, 10800)
    return server


@route("GET", "/ISAPI/System/time/ntpServers")
async def get_ntp_servers(ctx):
    return ctx.reply("NTPServerList", {"NTPServer": [ntp_tree(s) for s in ctx.state.ntp]})


@route("PUT", "/ISAPI/System/time/ntpServers")
async def put_ntp_servers(ctx):
    doc = ctx.xml("NTPServerList")
    items = doc.findall("NTPServer")
    if not items:
        raise IsapiError("badXmlContent", detail="no <NTPServer>")
    limit = NTP_MAX.get(ctx.profile.name, 1)
    if len(items) > limit:
        raise IsapiError("badParameters", detail=f"at most {limit} NTP servers")
    servers = [parse_ntp(el, limit) for el in items]
    if len({s.id for s in servers}) != len(servers):
        raise IsapiError("badParameters", detail="duplicate id")
    ctx.state.ntp = servers
    return ctx.ok()


def _ntp_index(ctx) -> int:
    ids = [str(s.id) for s in ctx.state.ntp]
    if ctx.params["id"] not in ids:
        raise IsapiError("invalidID")
    return ids.index(ctx.params["id"])


@route("GET", "/ISAPI/System/time/ntpServers/{id}")
async def get_ntp_server(ctx):
    return ctx.reply("NTPServer", ntp_tree(ctx.state.ntp[_ntp_index(ctx)]))


@route("PUT", "/ISAPI/System/time/ntpServers/{id}")
async def put_ntp_server(ctx):
    index = _ntp_index(ctx)
    server = parse_ntp(ctx.xml("NTPServer"), NTP_MAX.get(ctx.profile.name, 1))
    if str(server.id) != ctx.params["id"]:
        raise IsapiError("badParameters", detail="id differs from the URL")
    servers = list(ctx.state.ntp)
    servers[index] = server
    ctx.state.ntp = servers
    return ctx.ok()
