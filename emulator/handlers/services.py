"""Network services a hardening run switches off or on (docs/developer/isapi-reference.md, §11.2–§11.6, §11.10, §11.12):
SSH, Telnet, Hik-Connect (EZVIZ), CGI/ONVIF and ONVIF accounts, SNMP, FTP, DDNS, SADP discovery.

Which resources a profile has, and their shipped defaults, are listed in the README (several are
uncertain). A resource the profile lacks answers 404 notSupport, like an unknown path.
"""
from __future__ import annotations

import copy
import secrets
from dataclasses import dataclass, field

from .. import xmlgen
from ..errors import IsapiError
from ..router import route
from ..state import register_area
from .common import need, need_bool, opt_bool

ONVIF_TYPES = ("administrator", "operator", "user")
MAX_ONVIF_USERS = 32
SNMP_VERSIONS = ("SNMPv1", "SNMPv2c", "SNMPv3")
DISCOVERY = ("discoverable", "nonDiscoverable")


@dataclass
class OnvifUser:
    id: int
    name: str
    password: str
    type: str = "user"


@dataclass
class Services:
    resources: tuple  # names of the resources this profile has
    ssh: bool = False
    telnet: bool = False
    ezviz: bool = False
    ezviz_code: str = ""
    cgi: bool = True
    cgi_auth: str = "digest"
    onvif: bool = False
    onvif_auth: str = "digest/wsse"
    onvif_users: list = field(default_factory=list)
    snmp: dict = field(default_factory=lambda: {v: False for v in SNMP_VERSIONS})
    snmp_port: int = 161
    ftp: bool = False
    ddns: bool = False
    sadp: str = "discoverable"
    pcap: str = "nonDiscoverable"

    def public(self) -> dict:
        view = {k: copy.deepcopy(getattr(self, k)) for k in (
            "resources", "ssh", "telnet", "ezviz", "cgi", "cgi_auth", "onvif", "onvif_auth", "snmp",
            "snmp_port", "ftp", "ddns", "sadp", "pcap")}
        view["onvif_users"] = [{"id": u.id, "name": u.name, "type": u.type} for u in self.onvif_users]
        return view


def fresh_services(spec) -> Services:
    """Defaults as shipped; see the README's services table for what is uncertain."""
    name = spec.profile.name
    if name == "legacy_camera":
        return Services(resources=("ssh", "ezviz", "snmp", "ftp", "ddns"))
    if name == "nvr":
        return Services(resources=("ssh", "telnet", "ezviz", "integrate", "snmp", "ddns"),
                        ezviz=True, ezviz_code=_code())
    return Services(resources=("ssh", "ezviz", "integrate", "snmp", "ftp", "ddns", "discovery"),
                    ezviz=True, ezviz_code=_code())


def _code() -> str:
    # The label's six upper-case letters; a stored code is never shown by GET.
    return "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(6))


register_area("services", fresh_services)


def _svc(ctx, resource: str) -> Services:
    svc = ctx.state.areas["services"]
    if resource not in svc.resources:
        raise IsapiError("notSupport", http=404)
    return svc


# --- SSH (§11.2) and Telnet (§11.3) -------------------------------------------------------------
def _switch_resource(path: str, root: str, resource: str) -> None:
    """A document that is one <enabled> switch stored in Services.<resource>."""
    @route("GET", path)
    async def get_switch(ctx):
        return ctx.reply(root, {"enabled": getattr(_svc(ctx, resource), resource)})

    @route("PUT", path)
    async def put_switch(ctx):
        svc = _svc(ctx, resource)
        setattr(svc, resource, need_bool(ctx.xml(root), "enabled"))
        return ctx.ok()


_switch_resource("/ISAPI/System/Network/ssh", "SSH", "ssh")
_switch_resource("/ISAPI/System/Network/telnetd", "Telnetd", "telnet")


# --- Hik-Connect / EZVIZ (§11.5) ----------------------------------------------------------------
@route("GET", "/ISAPI/System/Network/EZVIZ")
async def get_ezviz(ctx):
    svc = _svc(ctx, "ezviz")
    return ctx.reply("EZVIZ", {
        "enabled": svc.ezviz, "registerStatus": svc.ezviz,
        "serverAddress": {"addressingFormatType": "hostname", "hostName": "litedev.hik-connect.com"},
        "verificationCode": "", "bindStatus": "unbind"})


@route("PUT", "/ISAPI/System/Network/EZVIZ")
async def put_ezviz(ctx):
    svc = _svc(ctx, "ezviz")
    doc = ctx.xml("EZVIZ")
    enabled = need_bool(doc, "enabled")
    code = xmlgen.text(doc, "verificationCode") or ""
    if enabled and not (code or svc.ezviz_code):
        raise IsapiError("badParameters", detail="enabling Hik-Connect needs a verificationCode")
    if code:
        if not (6 <= len(code) <= 12 and code.isalnum()):
            raise IsapiError("badParameters", detail="verificationCode")
        svc.ezviz_code = code
    svc.ezviz = enabled
    return ctx.ok()


# --- CGI / ONVIF (§11.6) ------------------------------------------------------------------------
@route("GET", "/ISAPI/System/Network/Integrate")
async def get_integrate(ctx):
    svc = _svc(ctx, "integrate")
    return ctx.reply("Integrate", {"CGI": {"enable": svc.cgi, "certificateType": svc.cgi_auth},
                                   "ONVIF": {"enable": svc.onvif, "certificateType": svc.onvif_auth}})


@route("PUT", "/ISAPI/System/Network/Integrate")
async def put_integrate(ctx):
    svc = _svc(ctx, "integrate")
    doc = ctx.xml("Integrate")
    # Note the element is "enable", not "enabled" (§11.6).
    svc.cgi = opt_bool(doc, "CGI/enable", svc.cgi)
    svc.onvif = opt_bool(doc, "ONVIF/enable", svc.onvif)
    cgi_auth = xmlgen.text(doc, "CGI/certificateType")
    if cgi_auth:
        if cgi_auth not in ("digest", "digest/basic"):
            raise IsapiError("badParameters", detail="CGI/certificateType")
        svc.cgi_auth = cgi_auth
    return ctx.ok()


def _onvif_tree(user: OnvifUser) -> dict:
    return {"id": user.id, "userName": user.name, "userType": user.type}


@route("GET", "/ISAPI/Security/ONVIF/users")
async def get_onvif_users(ctx):
    svc = _svc(ctx, "integrate")
    return ctx.reply("UserList", {"@size": MAX_ONVIF_USERS,
                                  "User": [_onvif_tree(u) for u in svc.onvif_users]})


def _onvif_fields(el, user: OnvifUser) -> OnvifUser:
    name = xmlgen.text(el, "userName")
    if name is not None:
        if not name or len(name) > 32:
            raise IsapiError("badParameters", detail="userName")
        user.name = name
    kind = xmlgen.text(el, "userType")
    if kind is not None:
        if kind not in ONVIF_TYPES:
            raise IsapiError("badParameters", detail=f"userType {kind!r}")
        user.type = kind
    password = xmlgen.text(el, "password")
    if password is not None:
        if len(password) < 8:
            raise IsapiError("userPwdLenUnder8")
        user.password = password
    return user


@route("POST", "/ISAPI/Security/ONVIF/users")
async def add_onvif_user(ctx):
    svc = _svc(ctx, "integrate")
    doc = ctx.xml("User", "UserList")
    el = doc if doc.tag == "User" else doc.find("User")
    if el is None:
        raise IsapiError("badXmlContent", detail="no <User>")
    name, password = need(el, "userName"), need(el, "password")
    if any(u.name == name for u in svc.onvif_users):
        raise IsapiError("userExist")
    if len(svc.onvif_users) >= MAX_ONVIF_USERS:
        raise IsapiError("invalidOperation", detail="ONVIF user table full")
    used = {u.id for u in svc.onvif_users}
    new_id = next(i for i in range(1, MAX_ONVIF_USERS + 2) if i not in used)
    user = _onvif_fields(el, OnvifUser(new_id, name, password))
    svc.onvif_users.append(user)
    return ctx.ok(new_id=new_id)


def _onvif_user(ctx, svc: Services) -> OnvifUser:
    user = next((u for u in svc.onvif_users if str(u.id) == ctx.params["id"]), None)
    if user is None:
        raise IsapiError("userInexistence")
    return user


@route("PUT", "/ISAPI/Security/ONVIF/users/{id}")
async def put_onvif_user(ctx):
    svc = _svc(ctx, "integrate")
    user = _onvif_user(ctx, svc)
    edited = _onvif_fields(ctx.xml("User"), copy.deepcopy(user))
    if any(u.name == edited.name and u is not user for u in svc.onvif_users):
        raise IsapiError("userExist")
    svc.onvif_users = [edited if u is user else u for u in svc.onvif_users]
    return ctx.ok()


@route("DELETE", "/ISAPI/Security/ONVIF/users/{id}")
async def delete_onvif_user(ctx):
    svc = _svc(ctx, "integrate")
    user = _onvif_user(ctx, svc)
    svc.onvif_users = [u for u in svc.onvif_users if u is not user]
    return ctx.ok()


# --- SNMP (§11.10: body not captured; README marks these names uncertain) -----------------------
@route("GET", "/ISAPI/System/Network/SNMP")
async def get_snmp(ctx):
    svc = _svc(ctx, "snmp")
    tree = {version: {"enabled": svc.snmp[version]} for version in SNMP_VERSIONS}
    tree["listenPort"] = svc.snmp_port
    return ctx.reply("SNMP", tree)


@route("PUT", "/ISAPI/System/Network/SNMP")
async def put_snmp(ctx):
    svc = _svc(ctx, "snmp")
    doc = ctx.xml("SNMP")
    svc.snmp = {v: opt_bool(doc, f"{v}/enabled", svc.snmp[v]) for v in SNMP_VERSIONS}
    return ctx.ok()


# --- FTP and DDNS (§11.10): lists of entries, each with its own switch --------------------------
@route("GET", "/ISAPI/System/Network/ftp")
async def get_ftp(ctx):
    svc = _svc(ctx, "ftp")
    return ctx.reply("FTPNotificationList", {"FTPNotification": [{
        "id": 1, "enabled": svc.ftp, "useSSL": False,
        "addressingFormatType": "ipaddress", "ipAddress": "0.0.0.0", "portNo": 21,
        "passiveModeEnabled": True, "annoyftp": False, "uploadPicture": False}]})


@route("PUT", "/ISAPI/System/Network/ftp")
async def put_ftp(ctx):
    svc = _svc(ctx, "ftp")
    doc = ctx.xml("FTPNotificationList")
    entry = doc.find("FTPNotification")
    if entry is None:
        raise IsapiError("badXmlContent", detail="no <FTPNotification>")
    svc.ftp = need_bool(entry, "enabled")
    return ctx.ok()


@route("GET", "/ISAPI/System/Network/DDNS")
async def get_ddns(ctx):
    svc = _svc(ctx, "ddns")
    return ctx.reply("DDNSList", {"DDNS": [{
        "id": 1, "enabled": svc.ddns, "provider": "HiDDNS",
        "serverAddress": {"addressingFormatType": "hostname", "hostName": "www.hik-online.com"},
        "portNo": 0, "deviceDomainName": ""}]})


@route("PUT", "/ISAPI/System/Network/DDNS")
async def put_ddns(ctx):
    svc = _svc(ctx, "ddns")
    doc = ctx.xml("DDNSList")
    entry = doc.find("DDNS")
    if entry is None:
        raise IsapiError("badXmlContent", detail="no <DDNS>")
    svc.ddns = need_bool(entry, "enabled")
    return ctx.ok()


# --- SADP discovery (§11.12) --------------------------------------------------------------------
@route("GET", "/ISAPI/System/discoveryMode")
async def get_discovery(ctx):
    svc = _svc(ctx, "discovery")
    return ctx.reply("DiscoveryMode", {"PcapMode": svc.pcap, "SADP": svc.sadp})


@route("PUT", "/ISAPI/System/discoveryMode")
async def put_discovery(ctx):
    svc = _svc(ctx, "discovery")
    doc = ctx.xml("DiscoveryMode")
    sadp = xmlgen.text(doc, "SADP") or svc.sadp
    pcap = xmlgen.text(doc, "PcapMode") or svc.pcap
    if sadp not in DISCOVERY or pcap not in DISCOVERY:
        raise IsapiError("badParameters", detail="SADP/PcapMode")
    svc.sadp, svc.pcap = sadp, pcap
    return ctx.ok()
