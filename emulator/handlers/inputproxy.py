"""NVR IP channels (isapi.md §12.1-12.2). Cameras answer 403 notSupport on the whole subtree,
as every camera in the HN fixtures does."""
from __future__ import annotations

import secrets

from ..errors import IsapiError
from ..router import route
from ..state import Channel

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
