"""Streaming channels (`/ISAPI/Streaming/channels`, `/<id>`): the recorded main (x01) and sub (x02)
stream documents of the device's model, with the device's own names and settings.

Cameras have streams 101 and 102; an NVR has <n>01 and <n>02 for every IP channel configured now
(the DS-7608NXI-I2 recording numbers them so). On cameras of current firmware the main stream
carries the RTSP authentication switch (docs/developer/isapi-reference.md, §11.8), stored in the
securitycfg area. Codec, resolution, bit rate and frame rate are kept per stream and written back
by PUT; other elements are accepted and answered as recorded.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import xmlgen
from ..errors import IsapiError
from ..router import route
from ..state import register_area
from .common import opt_bool
from .recorded import recorded, strip_head
from .securitycfg import _check_rtsp_mode

CODECS = ("H.264", "H.265", "MJPEG", "SmartH.264", "SmartH.265")
QUALITY = ("CBR", "VBR")
# Video elements a PUT may change: name -> (kind, low, high)
VIDEO_FIELDS = {
    "videoCodecType": ("choice", CODECS, None),
    "videoQualityControlType": ("choice", QUALITY, None),
    "videoResolutionWidth": ("int", 160, 8192),
    "videoResolutionHeight": ("int", 120, 8192),
    "constantBitRate": ("int", 32, 32768),
    "vbrUpperCap": ("int", 32, 32768),
    "maxFrameRate": ("int", 0, 6000),
    "GovLength": ("int", 1, 400),
    "fixedQuality": ("int", 1, 100),
}


@dataclass
class Streams:
    # stream id -> {Video element: value} written by PUT; absent = as recorded
    video: dict = field(default_factory=dict)
    enabled: dict = field(default_factory=dict)


register_area("streaming", lambda spec: Streams())


def stream_ids(device) -> list:
    if device.spec.kind == "nvr":
        channels = sorted(ch.id for ch in device.state.channels)
        return [ch * 100 + kind for ch in channels for kind in (1, 2)]
    return [101, 102]


def stream_tree(device, sid: int, nested: bool) -> dict:
    channel, kind = divmod(sid, 100)
    _, tree = recorded(device.spec, "stream_101" if kind == 1 else "stream_102")
    tree = strip_head(tree)
    if nested and device.spec.kind == "camera":
        # Camera lists repeat version/xmlns on every entry; the isapi.org NVR does not (HN dumps).
        tree = {"@version": "2.0", "@xmlns": device.spec.profile.namespace, **tree}
    area = device.state.areas["streaming"]
    key = str(sid)
    tree["id"] = sid
    # Cameras name the channel after the device, NVRs after the stream id (recordings).
    tree["channelName"] = device.state.device_name if device.spec.kind == "camera" else str(sid)
    tree["enabled"] = area.enabled.get(key, True)
    video = tree["Video"]
    if "videoInputChannelID" in video:
        video["videoInputChannelID"] = channel
    video.update(area.video.get(key, {}))
    if isinstance(tree.get("Audio"), dict) and "audioInputChannelID" in tree["Audio"]:
        tree["Audio"]["audioInputChannelID"] = channel
    security = tree.get("Transport", {}).get("Security")
    cfg = device.state.areas.get("securitycfg")
    if isinstance(security, dict) and "certificateType" in security and cfg is not None and cfg.rtsp_auth:
        security["certificateType"] = cfg.rtsp_auth
    return tree


def _stream(ctx) -> int:
    try:
        sid = int(ctx.params["id"])
    except ValueError:
        raise IsapiError("invalidID") from None
    if sid not in stream_ids(ctx.device):
        raise IsapiError("invalidID")
    return sid


@route("GET", "/ISAPI/Streaming/channels")
async def list_streams(ctx):
    return ctx.reply("StreamingChannelList", {"StreamingChannel": [
        stream_tree(ctx.device, sid, nested=True) for sid in stream_ids(ctx.device)]})


@route("GET", "/ISAPI/Streaming/channels/{id:\\d+}")
async def get_stream(ctx):
    return ctx.reply("StreamingChannel", stream_tree(ctx.device, _stream(ctx), nested=False))


def _video_value(name: str, value: str):
    kind, low, high = VIDEO_FIELDS[name]
    if kind == "choice":
        if value not in low:
            raise IsapiError("badParameters", detail=f"<Video/{name}> {value!r}")
        return value
    try:
        number = int(value)
    except ValueError:
        raise IsapiError("badParameters", detail=f"<Video/{name}> is not an integer") from None
    if not low <= number <= high:
        raise IsapiError("badParameters", detail=f"<Video/{name}> out of range")
    return number


@route("PUT", "/ISAPI/Streaming/channels/{id:\\d+}")
async def put_stream(ctx):
    sid = _stream(ctx)
    doc = ctx.xml("StreamingChannel")
    body_id = xmlgen.text(doc, "id")
    if body_id is not None and body_id != str(sid):
        raise IsapiError("badParameters", detail="<id> differs from the URL")
    changes = {}
    for name in VIDEO_FIELDS:
        value = xmlgen.text(doc, f"Video/{name}")
        if value is not None:
            changes[name] = _video_value(name, value)
    mode = xmlgen.text(doc, "Transport/Security/certificateType")
    cfg = ctx.state.areas.get("securitycfg")
    rtsp_switch = mode is not None and cfg is not None and cfg.rtsp_auth is not None and sid % 100 == 1
    new_mode = _check_rtsp_mode(mode) if rtsp_switch else None
    area = ctx.state.areas["streaming"]
    enabled = opt_bool(doc, "enabled", area.enabled.get(str(sid), True))
    # Validated in full above: nothing is stored from a rejected body.
    if new_mode:
        cfg.rtsp_auth = new_mode
    area.enabled[str(sid)] = enabled
    area.video[str(sid)] = {**area.video.get(str(sid), {}), **changes}
    return ctx.ok()
