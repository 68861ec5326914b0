"""Sibling `/capabilities` documents (docs/developer/isapi-reference.md, §1.4): the resource's tree
with `opt`/`min`/`max`/`size` attributes giving what this emulator accepts, so a client that reads
the limits first meets the same limits the PUT enforces.

The limits are the emulator's own checks (deviceInfo name 1-32, NTP servers per profile, port
range, time modes); the element names follow the resources. ⚠ No capability reply of these was
recorded except the SSH one (§11.2: `<enabled opt="true,false">`).
"""
from __future__ import annotations

from ..router import route

# This module is imported before the resource modules (handlers/__init__.py) so that its fixed
# paths win over their `{id}` patterns (ntpServers/capabilities is not NTP server "capabilities");
# what it needs from them is imported when a request comes.


def device_info_cap(ctx) -> dict:
    return {"deviceName": {"@min": 1, "@max": 32}, "deviceID": None, "model": None,
            "serialNumber": None, "macAddress": None, "firmwareVersion": None,
            "firmwareReleasedDate": None, "deviceType": {"@opt": ctx.profile.device_type}}


def time_cap(ctx) -> dict:
    from .timesync import TIME_MODES
    return {"timeMode": {"@opt": ",".join(TIME_MODES)}, "localTime": None,
            "timeZone": {"@min": 1, "@max": 64}}


def ntp_cap(ctx) -> dict:
    from .timesync import NTP_MAX
    limit = NTP_MAX.get(ctx.profile.name, 1)
    return {"@size": limit, "NTPServer": {
        "id": {"@min": 1, "@max": limit}, "addressingFormatType": {"@opt": "ipaddress,hostname"},
        "hostName": {"@min": 1, "@max": 64}, "ipAddress": None, "portNo": {"@min": 1, "@max": 65535},
        "synchronizeInterval": {"@min": 1, "@max": 10800}}}


def admin_accesses_cap(ctx) -> dict:
    entries = []
    for entry in ctx.state.areas["securitycfg"].accesses:
        item = {"id": entry["id"], "enabled": {"@opt": "true,false"},
                "protocol": {"@opt": entry["protocol"]}}
        if "portNo" in entry:
            item["portNo"] = {"@min": 1, "@max": 65535, "#text": entry["portNo"]}
        entries.append(item)
    return {"@size": len(entries), "AdminAccessProtocol": entries}


def switch_cap(ctx) -> dict:
    return {"enabled": {"@opt": "true,false"}}


def search_profile(ctx) -> dict:
    """What handlers/contentmgmt.py's search does: several time spans and tracks per request,
    pages of at most MAX_RESULTS. ⚠ Only the path and the Basic/Full idea are in the sources
    (HikLoad's `ContentMgmt/search/profile`); the element names follow the RaCM schema it cites."""
    from .contentmgmt import MAX_RESULTS, tracks_of
    return {"searchProfile": "Full", "maxSearchTimespans": 16,
            "maxSearchTracks": len(tracks_of(ctx.device)) or 1, "maxSearchMetadatas": 0,
            "maxSearchMatchResults": MAX_RESULTS, "maxSearchSourceIDs": 0}


# path -> (root, tree builder, kinds)
CAPABILITIES = {
    "/ISAPI/System/deviceInfo/capabilities": ("DeviceInfo", device_info_cap, ("camera", "nvr")),
    "/ISAPI/System/time/capabilities": ("Time", time_cap, ("camera", "nvr")),
    "/ISAPI/System/time/ntpServers/capabilities": ("NTPServerList", ntp_cap, ("camera", "nvr")),
    "/ISAPI/Security/adminAccesses/capabilities": ("AdminAccessProtocolList", admin_accesses_cap,
                                                   ("camera", "nvr")),
    "/ISAPI/System/Network/ssh/capabilities": ("SSH", switch_cap, ("camera", "nvr")),
    "/ISAPI/System/Network/UPnP/capabilities": ("UPnP", switch_cap, ("camera", "nvr")),
    "/ISAPI/ContentMgmt/search/profile": ("CMSearchProfile", search_profile, ("camera", "nvr")),
}


def _serve(path: str, root: str, builder, kinds) -> None:
    @route("GET", path, kinds=kinds)
    async def get_capabilities(ctx):
        return ctx.reply(root, builder(ctx))


for _path, (_root, _builder, _kinds) in CAPABILITIES.items():
    _serve(_path, _root, _builder, _kinds)
