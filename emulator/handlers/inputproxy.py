"""NVR IP channels (docs/developer/isapi-reference.md, §12.1-12.2). Cameras answer 403 notSupport on the whole subtree,
as every camera in the HN fixtures does."""
from __future__ import annotations

import secrets

from .. import xmlgen
from ..errors import IsapiError
from ..router import route
from ..state import Channel
from .common import check_ipv4, need

PROTOCOLS = ("HIKVISION", "ONVIF", "ISAPI", "PSIA", "RTSP")
STREAM_TYPES = ("auto", "main", "sub", "tcp", "udp")

PREFIX = "/ISAPI/ContentMgmt/InputProxy"


@route("*", PREFIX + "{rest:(/.*)?}", kinds=("camera",), min_level="Viewer")
async def camera_not_supported(ctx):
    raise IsapiError("notSupport", http=403)


def descriptor(ch: Channel, full: bool) -> dict:
    tree = {"proxyProtocol": ch.protocol, "addressingFormatType": "ipaddress", "ipAddress": ch.address,
            "managePortNo": ch.port, "srcInputPort": ch.src_input_port, "userName": ch.user}
    if full:
        tree.update({"connMode": ch.conn_mode, "streamType": ch.stream_type, "model": ch.model,
                     "serialNumber": ch.serial, "firmwareVersion": ch.firmware, "deviceID": None})
    else:
        tree["streamType"] = ch.stream_type
    return tree


def channel_tree(ch: Channel) -> dict:
    return {"id": ch.id, "name": ch.name, "sourceInputPortDescriptor": descriptor(ch, True),
            "certificateValidationEnabled": False, "defaultAdminPortEnabled": True,
            "enableAnr": ch.enable_anr, "enableTiming": ch.enable_timing, "devIndex": ch.dev_index}


def detect(runtime, ch: Channel) -> str:
    """What the NVR would find if it logged into the channel's camera right now."""
    camera = runtime.device_at(ch.address)
    if camera is None:
        return "notExist"
    if not camera.listening:
        return "netUnreachable"
    user = camera.state.user_by_name(ch.user) if camera.state.activated else None
    if user is None or not secrets.compare_digest(user.password, ch.password):
        return "errorUserNameOrPasswd"
    return "connect"


def status_tree(runtime, ch: Channel) -> dict:
    result = detect(runtime, ch)
    tree = {"id": ch.id, "sourceInputPortDescriptor": descriptor(ch, False), "online": result == "connect"}
    tree["streamingProxyChannelIdList"] = {"streamingProxyChannelId": f"{ch.id}01"}
    tree["chanDetectResult"] = result
    return tree


def _channel(ctx) -> Channel:
    for ch in ctx.state.channels:
        if str(ch.id) == ctx.params["id"]:
            return ch
    raise IsapiError("invalidID")


@route("GET", PREFIX + "/channels", kinds=("nvr",))
async def list_channels(ctx):
    channels = ctx.state.channels
    tree = {"@size": len(channels), "InputProxyChannel": [channel_tree(ch) for ch in channels]}
    return ctx.reply("InputProxyChannelList", tree)


@route("GET", PREFIX + "/channels/status", kinds=("nvr",))
async def channels_status(ctx):
    runtime = ctx.device.runtime
    tree = {"InputProxyChannelStatus": [status_tree(runtime, ch) for ch in ctx.state.channels]}
    return ctx.reply("InputProxyChannelStatusList", tree)


@route("GET", PREFIX + "/channels/{id:\\d+}", kinds=("nvr",))
async def get_channel(ctx):
    return ctx.reply("InputProxyChannel", channel_tree(_channel(ctx)))


@route("GET", PREFIX + "/channels/{id:\\d+}/status", kinds=("nvr",))
async def channel_status(ctx):
    return ctx.reply("InputProxyChannelStatus", status_tree(ctx.device.runtime, _channel(ctx)))


# --- writes (§12.1): POST adds one channel, PUT /<id> modifies it, DELETE /<id> removes it. ---
# The stored camera password is write-only: no GET renders it (list, one channel, status).


def _capacity(ctx) -> int:
    return ctx.profile.input_proxy_nums


def _protocol(desc) -> str:
    # Real devices return proxyProtocol; the 2019 guide names it adminProtocol (§12.1 fw-diff).
    value = xmlgen.text(desc, "proxyProtocol")
    if value is None:
        value = xmlgen.text(desc, "adminProtocol")
    return value


def _int_in(value: str, low: int, high: int, sub: str, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise IsapiError(sub, detail=f"{what} is not an integer") from None
    if not low <= number <= high:
        raise IsapiError(sub, detail=f"{what} out of range")
    return number


def _apply(ctx, ch: Channel, doc, *, creating: bool) -> None:
    """Validate the whole body first, then change the channel (nothing half-applied)."""
    desc = doc.find("sourceInputPortDescriptor")
    if desc is None:
        raise IsapiError("badXmlContent", detail="missing <sourceInputPortDescriptor>")
    name = xmlgen.text(doc, "name")
    protocol = _protocol(desc)
    address = xmlgen.text(desc, "ipAddress")
    port = xmlgen.text(desc, "managePortNo")
    user = xmlgen.text(desc, "userName")
    password = xmlgen.text(desc, "password")
    stream = xmlgen.text(desc, "streamType")
    if creating:
        address = need(desc, "ipAddress")
        user = need(desc, "userName")
        password = need(desc, "password")
    if address is not None:
        address = check_ipv4(address, sub="badHostAddress")
    if protocol is not None and protocol.upper() not in PROTOCOLS:
        raise IsapiError("badParameters", detail=f"protocol {protocol!r}")
    port_no = _int_in(port, 1, 65535, "badPort", "managePortNo") if port is not None else None
    if stream is not None and stream not in STREAM_TYPES:
        raise IsapiError("badParameters", detail=f"streamType {stream!r}")
    if name is not None and not 0 < len(name) <= 32:
        raise IsapiError("badParameters", detail="name must be 1-32 characters")
    if user is not None and not user:
        raise IsapiError("badParameters", detail="userName is empty")
    for other in ctx.state.channels:
        if other is not ch and address is not None and other.address == address and \
                other.port == (port_no or ch.port):
            raise IsapiError("badParameters", detail=f"{address} is already channel {other.id}")

    if name is not None:
        ch.name = name
    if protocol is not None:
        ch.protocol = protocol.upper()
    if address is not None:
        ch.address = address
    if port_no is not None:
        ch.port = port_no
    elif creating:
        ch.port = 80 if ch.protocol == "ONVIF" else 8000
    if user is not None:
        ch.user = user
    if password:
        ch.password = password
    if stream is not None:
        ch.stream_type = stream
    _learn_camera(ctx, ch)


def _learn_camera(ctx, ch: Channel) -> None:
    """Model/serial/firmware come from the camera the NVR reaches at that address."""
    camera = ctx.device.runtime.device_at(ch.address)
    if camera is None:
        ch.model = ch.serial = ch.firmware = ch.camera = None
        return
    spec = camera.spec
    ch.model, ch.serial, ch.firmware, ch.camera = spec.model, spec.serial, spec.firmware, spec.name


def _free_id(ctx, wanted) -> int:
    used = {ch.id for ch in ctx.state.channels}
    capacity = _capacity(ctx)
    if wanted is not None:
        number = _int_in(wanted, 1, capacity, "invalidID", "id")
        if number in used:
            raise IsapiError("invalidOperation", detail=f"channel {number} exists; PUT it")
        return number
    for number in range(1, capacity + 1):
        if number not in used:
            return number
    raise IsapiError("invalidOperation", detail=f"all {capacity} IP channels are in use")


@route("POST", PREFIX + "/channels", kinds=("nvr",))
async def add_channel(ctx):
    doc = ctx.xml("InputProxyChannel")
    number = _free_id(ctx, xmlgen.text(doc, "id"))
    ch = Channel(id=number, name=f"IPCamera {number:02d}", address="")
    _apply(ctx, ch, doc, creating=True)
    ctx.state.channels.append(ch)
    ctx.state.channels.sort(key=lambda c: c.id)
    ctx.state.add_log("channelAdded", channel=number, address=ch.address, by=ctx.user.name)
    return ctx.ok(new_id=number)


@route("PUT", PREFIX + "/channels/{id:\\d+}", kinds=("nvr",))
async def put_channel(ctx):
    doc = ctx.xml("InputProxyChannel")
    body_id = xmlgen.text(doc, "id")
    if body_id is not None and body_id != ctx.params["id"]:
        raise IsapiError("badParameters", detail="<id> does not match the URL")
    existing = next((c for c in ctx.state.channels if str(c.id) == ctx.params["id"]), None)
    if existing is None:
        # "PUT to /channels/<id> if the slot exists" (§12.1): an empty slot is filled.
        number = _int_in(ctx.params["id"], 1, _capacity(ctx), "invalidID", "id")
        ch = Channel(id=number, name=f"IPCamera {number:02d}", address="")
        _apply(ctx, ch, doc, creating=True)
        ctx.state.channels.append(ch)
        ctx.state.channels.sort(key=lambda c: c.id)
        ctx.state.add_log("channelAdded", channel=number, address=ch.address, by=ctx.user.name)
        return ctx.ok()
    _apply(ctx, existing, doc, creating=False)
    ctx.state.add_log("channelModified", channel=existing.id, address=existing.address,
                      by=ctx.user.name)
    return ctx.ok()


@route("DELETE", PREFIX + "/channels/{id:\\d+}", kinds=("nvr",))
async def delete_channel(ctx):
    ch = _channel(ctx)
    ctx.state.channels.remove(ch)
    ctx.state.add_log("channelDeleted", channel=ch.id, address=ch.address, by=ctx.user.name)
    return ctx.ok()


@route("GET", PREFIX + "/channels/capabilities", kinds=("nvr",))
async def channels_capabilities(ctx):
    capacity = _capacity(ctx)
    desc = {"proxyProtocol": {"@opt": ",".join(PROTOCOLS)},
            "addressingFormatType": {"@opt": "ipaddress,hostname"},
            "ipAddress": {"@min": 0, "@max": 64}, "managePortNo": {"@min": 1, "@max": 65535},
            "srcInputPort": {"@min": 1, "@max": 32}, "userName": {"@min": 0, "@max": 32},
            "password": {"@min": 0, "@max": 16}, "streamType": {"@opt": "auto,main,sub"}}
    tree = {"id": {"@min": 1, "@max": capacity}, "name": {"@min": 0, "@max": 32},
            "sourceInputPortDescriptor": desc}
    return ctx.reply("InputProxyChannel", tree)
