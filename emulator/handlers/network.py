"""Network interface settings (docs/developer/isapi-reference.md, §7). Address changes are saved, answered with
rebootRequired, and applied by the next reboot."""
from __future__ import annotations

import copy

from .. import xmlgen
from ..errors import IsapiError
from ..router import route
from ..state import IPConfig
from .common import check_ipv4, check_mask, need, need_int, opt_bool

ADDRESSING = ("static", "dynamic")
IP_VERSIONS = ("v4", "dual", "v6")
_REBOOT_FIELDS = ("ip_version", "addressing", "address", "mask", "gateway", "dns1", "dns2",
                  "ipv6_address", "bit_mask", "ipv6_gateway", "ipv6_mode")


def ip_tree(device, cfg: IPConfig, nested: bool) -> dict:
    head = {"@version": "2.0", "@xmlns": device.spec.profile.namespace} if nested else {}
    tree = {**head, "ipVersion": cfg.ip_version, "addressingType": cfg.addressing,
            "ipAddress": cfg.address, "subnetMask": cfg.mask}
    dual = cfg.ip_version != "v4"
    if dual:
        tree.update({"ipv6Address": cfg.ipv6_address, "bitMask": cfg.bit_mask})
    tree["DefaultGateway"] = {"ipAddress": cfg.gateway, **({"ipv6Address": cfg.ipv6_gateway} if dual else {})}
    tree["PrimaryDNS"] = {"ipAddress": cfg.dns1}
    tree["SecondaryDNS"] = {"ipAddress": cfg.dns2}
    if dual:
        tree["Ipv6Mode"] = {"ipV6AddressingType": cfg.ipv6_mode}
    return tree


def interface_tree(device, nested: bool) -> dict:
    st = device.state
    link = st.link
    head = {"@version": "2.0", "@xmlns": device.spec.profile.namespace}
    return {
        **(head if nested else {}),
        "id": 1,
        "IPAddress": ip_tree(device, st.saved_network(), nested=True),
        "Discovery": {**head, "UPnP": {"enabled": link.upnp}, "Zeroconf": {"enabled": link.zeroconf}},
        "Link": {**head, "MACAddress": device.spec.mac, "autoNegotiation": link.auto_negotiation,
                 "speed": link.speed, "duplex": link.duplex,
                 "MTU": {"@min": 500, "@max": 9676, "#text": link.mtu}},
    }


def parse_ip(el, current: IPConfig) -> IPConfig:
    cfg = copy.deepcopy(current)
    cfg.ip_version = need(el, "ipVersion")
    if cfg.ip_version not in IP_VERSIONS:
        raise IsapiError("badParameters", detail=f"ipVersion {cfg.ip_version!r}")
    cfg.addressing = need(el, "addressingType")
    if cfg.addressing not in ADDRESSING:
        raise IsapiError("badParameters", detail=f"addressingType {cfg.addressing!r}")
    if cfg.addressing == "static":
        cfg.address = check_ipv4(need(el, "ipAddress"))
        cfg.mask = check_mask(need(el, "subnetMask"))
    else:
        address = xmlgen.text(el, "ipAddress")
        cfg.address = check_ipv4(address) if address else current.address
        mask = xmlgen.text(el, "subnetMask")
        cfg.mask = check_mask(mask) if mask else current.mask
    gateway = xmlgen.text(el, "DefaultGateway/ipAddress")
    if gateway is not None:
        cfg.gateway = check_ipv4(gateway, allow_zero=True) if gateway else "0.0.0.0"
    for attr, path in (("dns1", "PrimaryDNS/ipAddress"), ("dns2", "SecondaryDNS/ipAddress")):
        value = xmlgen.text(el, path)
        if value is not None:
            setattr(cfg, attr, check_ipv4(value, allow_zero=True) if value else "0.0.0.0")
    # IPv6 values are stored as given: the emulator only routes IPv4.
    for attr, path in (("ipv6_address", "ipv6Address"), ("bit_mask", "bitMask"),
                       ("ipv6_gateway", "DefaultGateway/ipv6Address"),
                       ("ipv6_mode", "Ipv6Mode/ipV6AddressingType")):
        value = xmlgen.text(el, path)
        if value is not None:
            setattr(cfg, attr, value)
    return cfg


def _stage(ctx, new: IPConfig):
    """Save new settings; only a difference from the running config needs a reboot."""
    st = ctx.state
    device = ctx.device
    if new.addressing == "static" and new.address != st.address:
        # 127.0.0.1 belongs to the emulator host (control API), never to a device.
        if new.address == "127.0.0.1" or new.address in device.runtime.addresses_in_use(device):
            raise IsapiError("conflictIPv4Address")
    if all(getattr(new, f) == getattr(st.network, f) for f in _REBOOT_FIELDS):
        st.staged_network = None
        return ctx.ok()
    saved = st.saved_network()
    if st.staged_network is None or any(getattr(new, f) != getattr(saved, f) for f in _REBOOT_FIELDS):
        st.add_log("networkStaged", address=new.address, addressing=new.addressing)
    st.staged_network = new
    return ctx.ok("rebootRequired")


@route("GET", "/ISAPI/System/Network/interfaces")
async def list_interfaces(ctx):
    return ctx.reply("NetworkInterfaceList", {"NetworkInterface": interface_tree(ctx.device, nested=True)})


def _iface(ctx) -> None:
    if ctx.params["id"] != "1":
        raise IsapiError("invalidID")


@route("GET", "/ISAPI/System/Network/interfaces/{id}")
async def get_interface(ctx):
    _iface(ctx)
    return ctx.reply("NetworkInterface", interface_tree(ctx.device, nested=False))


@route("PUT", "/ISAPI/System/Network/interfaces/{id}")
async def put_interface(ctx):
    _iface(ctx)
    doc = ctx.xml("NetworkInterface")
    ip_el = doc.find("IPAddress")
    if ip_el is None:
        raise IsapiError("badXmlContent", detail="missing <IPAddress>")
    new = parse_ip(ip_el, ctx.state.saved_network())
    link = copy.deepcopy(ctx.state.link)
    link_el = doc.find("Link")
    if link_el is not None:
        link.auto_negotiation = opt_bool(link_el, "autoNegotiation", link.auto_negotiation)
        if xmlgen.has(link_el, "MTU"):
            link.mtu = need_int(link_el, "MTU", 500, 9676)
        if xmlgen.has(link_el, "speed"):
            link.speed = need_int(link_el, "speed", 0, 10000)
        duplex = xmlgen.text(link_el, "duplex")
        if duplex is not None:
            if duplex not in ("full", "half"):
                raise IsapiError("badParameters", detail="duplex")
            link.duplex = duplex
    disc = doc.find("Discovery")
    if disc is not None:
        link.upnp = opt_bool(disc, "UPnP/enabled", link.upnp)
        link.zeroconf = opt_bool(disc, "Zeroconf/enabled", link.zeroconf)
    response = _stage(ctx, new)
    ctx.state.link = link
    return response


@route("GET", "/ISAPI/System/Network/interfaces/{id}/ipAddress")
async def get_ip(ctx):
    _iface(ctx)
    return ctx.reply("IPAddress", ip_tree(ctx.device, ctx.state.saved_network(), nested=False))


@route("PUT", "/ISAPI/System/Network/interfaces/{id}/ipAddress")
async def put_ip(ctx):
    _iface(ctx)
    return _stage(ctx, parse_ip(ctx.xml("IPAddress"), ctx.state.saved_network()))
