"""Security configuration (docs/developer/isapi-reference.md, §11.1, §11.7–§11.9, §11.11): service ports and protocols,
web and RTSP authentication mode, and the IP address filter.

These settings act on the emulated device, not only on its documents: `digest/basic` web
authentication makes the device accept and offer Basic, a disabled or moved HTTP/HTTPS entry
moves the listener once the answer is sent, and an enabled IP filter refuses other clients.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Optional

from .. import xmlgen
from ..errors import IsapiError
from ..router import route
from ..state import register_area
from .common import check_ipv4, need, opt_bool

AUTH_MODES = ("digest", "digest/basic")
ALGORITHMS = ("MD5", "SHA256", "MD5/SHA256")
PERMISSIONS = ("allow", "deny")
# Order of the elements inside an AdminAccessProtocol, as the HN dumps show them.
ACCESS_KEYS = ("id", "enabled", "protocol", "redirectToHttps", "streamOverTls", "portNo",
               "TLS1_1Enable", "TLS1_2Enable", "TLS1_3Enable")
_BOOL_KEYS = ("enabled", "redirectToHttps", "streamOverTls", "TLS1_1Enable", "TLS1_2Enable",
              "TLS1_3Enable")


def _entry(id_, protocol, port=None, enabled=True, **extra) -> dict:
    entry = {"id": id_, "enabled": enabled, "protocol": protocol, **extra}
    if port is not None:
        entry["portNo"] = port
    return {k: entry[k] for k in ACCESS_KEYS if k in entry}


def default_accesses(spec) -> list:
    """Per profile, from the HN dumps (DS-2CD2532F legacy, DS-2CD2T86G2 current, DS-7608NXI-I2
    NVR, whose user-changed RTSP 10554 is put back to the default 554)."""
    name = spec.profile.name
    http, https = spec.http_port, spec.https_port
    if name == "legacy_camera":
        return [_entry(1, "HTTP", http), _entry(2, "HTTPS", https), _entry(3, "DEV_MANAGE", 8000),
                _entry(4, "RTSP", 554)]
    if name == "nvr":
        return [_entry(1, "HTTP", http), _entry(2, "RTSP", 554),
                _entry(3, "HTTPS", https, redirectToHttps=False, TLS1_1Enable=False, TLS1_2Enable=True),
                _entry(4, "DEV_MANAGE", 8000), _entry(5, "WebSocket", 7681, enabled=False),
                _entry(6, "IOT", 30999, enabled=False),
                _entry(7, "SDK_OVER_TLS", 8443, streamOverTls=False)]
    return [_entry(1, "HTTP", http),
            _entry(2, "HTTPS", https, redirectToHttps=False, TLS1_1Enable=False, TLS1_2Enable=True,
                   TLS1_3Enable=True),
            _entry(3, "DEV_MANAGE", 8000), _entry(4, "RTSP", 554), _entry(5, "SDK_OVER_TLS", 8443),
            _entry(6, "WebSocket", 7681), _entry(7, "WebSocketS", 7682),
            _entry(8, "SRTP", 322, enabled=False), _entry(10, "Bonjour")]


@dataclass
class IPFilterEntry:
    id: int
    address: str
    permission: str = "allow"


@dataclass
class SecurityConfig:
    profile: str
    web_auth: Optional[str]  # None: no webCertificate resource (legacy)
    web_algorithm: str
    rtsp_auth: Optional[str]  # None: the firmware has no RTSP auth switch (legacy)
    accesses: list
    filter_enabled: bool = False
    filter_permission: str = "allow"
    filter_entries: list = field(default_factory=list)
    filter_size: int = 64

    # --- what the rest of the emulator asks -------------------------------------------------
    @property
    def basic_auth(self) -> bool:
        return self.web_auth == "digest/basic"

    def access(self, protocol: str) -> Optional[dict]:
        return next((a for a in self.accesses if a["protocol"] == protocol), None)

    def listen_ports(self, spec) -> tuple:
        """(http_port or None, https_port or None): a disabled entry has no listener."""
        def port(protocol, default):
            entry = self.access(protocol)
            if entry is None:
                return default
            return entry.get("portNo", default) if entry.get("enabled", True) else None
        return port("HTTP", spec.http_port), port("HTTPS", spec.https_port)

    def admits(self, ip: str) -> bool:
        if not self.filter_enabled:
            return True
        listed = any(e.address == ip for e in self.filter_entries)
        return listed if self.filter_permission == "allow" else not listed

    def public(self) -> dict:
        return {"web_auth": self.web_auth, "web_algorithm": self.web_algorithm,
                "rtsp_auth": self.rtsp_auth, "accesses": copy.deepcopy(self.accesses),
                "ip_filter": {"enabled": self.filter_enabled, "permission": self.filter_permission,
                              "addresses": [e.address for e in self.filter_entries]}}


def fresh_security(spec) -> SecurityConfig:
    legacy = spec.profile.name == "legacy_camera"
    return SecurityConfig(
        profile=spec.profile.name,
        web_auth=None if legacy else "digest",
        web_algorithm="MD5",
        rtsp_auth=None if legacy else "digest",
        accesses=default_accesses(spec),
        filter_size=32 if spec.profile.kind == "nvr" else 64,
    )


register_area("securitycfg", fresh_security)


def _cfg(ctx) -> SecurityConfig:
    return ctx.state.areas["securitycfg"]


def _nested(ctx) -> dict:
    # Cameras repeat version/xmlns on every list entry, the isapi.org NVR does not (HN dumps).
    if ctx.profile.kind == "camera":
        return {"@version": "2.0", "@xmlns": ctx.profile.namespace}
    return {}


# --- ports and protocols (§11.1, §11.11) ---------------------------------------------------------
@route("GET", "/ISAPI/Security/adminAccesses")
async def get_accesses(ctx):
    head = _nested(ctx)
    return ctx.reply("AdminAccessProtocolList",
                     {"AdminAccessProtocol": [{**head, **a} for a in _cfg(ctx).accesses]})


def _apply_access(entry: dict, el) -> dict:
    new = dict(entry)
    for key in _BOOL_KEYS:
        if key in entry:
            new[key] = opt_bool(el, key, entry[key])
    if "portNo" in entry and xmlgen.has(el, "portNo"):
        try:
            port = int(need(el, "portNo"))
        except ValueError:
            raise IsapiError("badPort", detail="portNo") from None
        if not 1 <= port <= 65535:
            raise IsapiError("badPort", detail=f"portNo {port}")
        new["portNo"] = port
    return new


def _store_accesses(ctx, updated: list):
    ports = [a["portNo"] for a in updated if "portNo" in a and a.get("enabled", True)]
    if len(ports) != len(set(ports)):
        raise IsapiError("badPort", detail="two enabled protocols share a port")
    cfg = _cfg(ctx)
    before = cfg.listen_ports(ctx.device.spec)
    cfg.accesses = updated
    if cfg.listen_ports(ctx.device.spec) != before:
        # The answer still goes out on the old listener; then the listeners move.
        ctx.then(ctx.device.relisten)
    return ctx.ok()


@route("PUT", "/ISAPI/Security/adminAccesses")
async def put_accesses(ctx):
    doc = ctx.xml("AdminAccessProtocolList")
    cfg = _cfg(ctx)
    by_id = {str(a["id"]): a for a in cfg.accesses}
    updated = {str(a["id"]): a for a in cfg.accesses}
    for el in doc.findall("AdminAccessProtocol"):
        key = need(el, "id")
        if key not in by_id:
            raise IsapiError("invalidID", detail=f"AdminAccessProtocol {key}")
        updated[key] = _apply_access(by_id[key], el)
    return _store_accesses(ctx, [updated[str(a["id"])] for a in cfg.accesses])


@route("PUT", "/ISAPI/Security/adminAccesses/{id}")
async def put_access(ctx):
    el = ctx.xml("AdminAccessProtocol")
    cfg = _cfg(ctx)
    entry = next((a for a in cfg.accesses if str(a["id"]) == ctx.params["id"]), None)
    if entry is None:
        raise IsapiError("invalidID")
    new = _apply_access(entry, el)
    return _store_accesses(ctx, [new if a is entry else a for a in cfg.accesses])


# --- web authentication (§11.7) -----------------------------------------------------------------
def _web(ctx) -> SecurityConfig:
    cfg = _cfg(ctx)
    if cfg.web_auth is None:
        raise IsapiError("notSupport", http=404)
    return cfg


@route("GET", "/ISAPI/Security/webCertificate")
async def get_web_certificate(ctx):
    cfg = _web(ctx)
    return ctx.reply("WebCertificate", {"CertificateType": cfg.web_auth,
                                        "SecurityAlgorithm": {"algorithmType": cfg.web_algorithm}})


@route("PUT", "/ISAPI/Security/webCertificate")
async def put_web_certificate(ctx):
    cfg = _web(ctx)
    doc = ctx.xml("WebCertificate")
    mode = need(doc, "CertificateType")
    if mode not in AUTH_MODES:
        raise IsapiError("badParameters", detail=f"CertificateType {mode!r}")
    algorithm = xmlgen.text(doc, "SecurityAlgorithm/algorithmType") or cfg.web_algorithm
    if algorithm not in ALGORITHMS:
        raise IsapiError("badParameters", detail=f"algorithmType {algorithm!r}")
    cfg.web_auth, cfg.web_algorithm = mode, algorithm
    return ctx.ok()


# --- RTSP authentication (§11.8): its own resource on NVRs, the main stream on cameras ----------
def _check_rtsp_mode(value: str) -> str:
    if value not in AUTH_MODES:
        raise IsapiError("badParameters", detail=f"certificateType {value!r}")
    return value


@route("GET", "/ISAPI/Security/RTSPCertificate", kinds=("nvr",))
async def get_rtsp_certificate(ctx):
    return ctx.reply("RTSPCertificate", {"certificateType": _cfg(ctx).rtsp_auth})


@route("PUT", "/ISAPI/Security/RTSPCertificate", kinds=("nvr",))
async def put_rtsp_certificate(ctx):
    doc = ctx.xml("RTSPCertificate")
    _cfg(ctx).rtsp_auth = _check_rtsp_mode(need(doc, "certificateType"))
    return ctx.ok()


# The cameras' main stream (Streaming/channels/101, which carries the RTSP auth switch) is served by
# handlers/streaming.py from the recorded stream documents; it reads and writes rtsp_auth here.


# --- IP address filter (§11.9) ------------------------------------------------------------------
def filter_tree(cfg: SecurityConfig) -> dict:
    return {
        "enabled": cfg.filter_enabled,
        "permissionType": cfg.filter_permission,
        "IPFilterAddressList": {"@size": cfg.filter_size, "IPFilterAddress": [
            {"id": e.id, "permissionType": e.permission, "addressFilterType": "mask",
             "AddressMask": {"ipAddress": e.address}} for e in cfg.filter_entries]},
    }


@route("GET", "/ISAPI/System/Network/ipFilter")
async def get_ip_filter(ctx):
    return ctx.reply("IPFilter", filter_tree(_cfg(ctx)))


@route("PUT", "/ISAPI/System/Network/ipFilter")
async def put_ip_filter(ctx):
    doc = ctx.xml("IPFilter")
    cfg = _cfg(ctx)
    enabled = opt_bool(doc, "enabled", cfg.filter_enabled)
    permission = xmlgen.text(doc, "permissionType") or cfg.filter_permission
    if permission not in PERMISSIONS:
        raise IsapiError("badParameters", detail=f"permissionType {permission!r}")
    entries = cfg.filter_entries
    items = doc.find("IPFilterAddressList")
    if items is not None:
        entries = []
        for number, el in enumerate(items.findall("IPFilterAddress"), start=1):
            address = xmlgen.text(el, "AddressMask/ipAddress") or xmlgen.text(el, "ipAddress")
            if address is None:
                raise IsapiError("badXmlContent", detail="IPFilterAddress without ipAddress")
            entries.append(IPFilterEntry(number, check_ipv4(address), permission))
        if len(entries) > cfg.filter_size:
            raise IsapiError("beyondARGSRangeLimit", detail=f"more than {cfg.filter_size} addresses")
        if len({e.address for e in entries}) != len(entries):
            raise IsapiError("badParameters", detail="duplicate address")
    cfg.filter_enabled, cfg.filter_permission = enabled, permission
    cfg.filter_entries = [IPFilterEntry(e.id, e.address, permission) for e in entries]
    return ctx.ok()

