"""Video inputs with motion and tamper detection, as the recordings show them.

Cameras: `/ISAPI/System/Video/inputs/channels` (one input, named after the device) and
`/channels/1/motionDetection|tamperDetection`. NVRs have no such list (the DS-7608NXI-I2
recording answers it with an error); their per-channel detection lives under
`/ISAPI/ContentMgmt/InputProxy/channels/<id>/video/motionDetection`, one per configured channel.
"""
from __future__ import annotations

from ..errors import IsapiError
from ..router import route
from .documents import Field, document_resource, stored
from .recorded import recorded, strip_head

MOTION_FIELDS = (
    Field("enabled"), Field("enableHighlight"),
    Field("samplingInterval", "int", 0, 10), Field("startTriggerTime", "int", 0, 10000),
    Field("endTriggerTime", "int", 0, 10000),
    Field("MotionDetectionLayout/sensitivityLevel", "int", 0, 100),
    Field("MotionDetectionLayout/targetType", "text", max_len=64),
)
TAMPER_FIELDS = (
    Field("enabled"), Field("tampersensitivityLevel", "int", 0, 100),
    Field("TamperDetectionRegionList/TamperDetectionRegion/sensitivityLevel", "int", 0, 100),
)


def video_input_tree(device) -> dict:
    _, tree = recorded(device.spec, "video_inputs")
    channel = strip_head(tree)["VideoInputChannel"]
    channel["name"] = device.state.device_name
    return {"VideoInputChannel": channel}


@route("GET", "/ISAPI/System/Video/inputs/channels", kinds=("camera",))
async def list_video_inputs(ctx):
    return ctx.reply("VideoInputChannelList", video_input_tree(ctx.device))


def _camera_input(ctx) -> None:
    if ctx.params["channel"] != "1":
        raise IsapiError("invalidID")


@route("GET", "/ISAPI/System/Video/inputs/channels/{channel}", kinds=("camera",))
async def get_video_input(ctx):
    _camera_input(ctx)
    channel = video_input_tree(ctx.device)["VideoInputChannel"]
    return ctx.reply("VideoInputChannel", strip_head(channel))


def _template(key: str):
    def template(ctx) -> dict:
        found = recorded(ctx.device.spec, key)
        if found is None:
            raise IsapiError("notSupport", http=404)
        return strip_head(found[1])
    return template


def _nvr_channel(ctx) -> None:
    if not any(str(ch.id) == ctx.params["channel"] for ch in ctx.state.channels):
        raise IsapiError("invalidID")


for _name, _root, _fields, _key in (("motionDetection", "MotionDetection", MOTION_FIELDS, "motion"),
                                     ("tamperDetection", "TamperDetection", TAMPER_FIELDS, "tamper")):
    document_resource(f"/ISAPI/System/Video/inputs/channels/{{channel}}/{_name}", _root,
                      _template(_key), _fields, kinds=("camera",), check_ids=_camera_input)

document_resource("/ISAPI/ContentMgmt/InputProxy/channels/{channel}/video/motionDetection",
                  "MotionDetection", _template("nvr_motion"), MOTION_FIELDS, kinds=("nvr",),
                  check_ids=_nvr_channel)


def motion_enabled(device, channel: int) -> bool:
    """What the device's motion detection of `channel` says now (alerts honour it)."""
    if device.spec.kind == "nvr":
        path, key = f"/ISAPI/ContentMgmt/InputProxy/channels/{channel}/video/motionDetection", "nvr_motion"
    else:
        path, key = f"/ISAPI/System/Video/inputs/channels/{channel}/motionDetection", "motion"
    value = stored(device, path).get("enabled")
    if value is not None:
        return value
    found = recorded(device.spec, key)
    return found is not None and str(found[1].get("enabled")).lower() == "true"
