"""Events: trigger list (`/ISAPI/Event/triggers`, `/<id>`), HTTP alarm hosts
(`/ISAPI/Event/notification/httpHosts`, `/<id>`) and the alert stream
(`/ISAPI/Event/notification/alertStream`).

Cameras answer the recorded trigger list of their model. The NVR's list is built the way the
DS-7608NXI-I2 recording is: its alarm inputs, then VMD, tamper and video-loss triggers for each
configured channel with `dynVideoInputChannelID`. httpHosts entries have the recorded element set
and order of the model, reset to unconfigured values (cameras 3 entries, the NVR 1).

The alert stream is `multipart/mixed; boundary=boundary` of `EventNotificationAlert` documents
(shape of the recorded alerts). Tests raise events through the control API
(`POST /devices/<name>/events` with `type`, `channel`, `state`); an active event is re-posted
every second with a growing `activePostCount` until it is set inactive, as cameras do, and a
`videoloss` `inactive` heartbeat goes out every HEARTBEAT_SECONDS. Motion (`VMD`) alerts are only
sent while the channel's motion detection is enabled; an `IO` event also sets the input's status.
"""
from __future__ import annotations

import asyncio
import copy
import weakref
from dataclasses import dataclass, field

from aiohttp import web

from .. import xmlgen
from ..control import EXTENSIONS, json_error, read_json
from ..errors import IsapiError
from ..responses import SERVER_HEADER, xml_bytes
from ..router import route
from ..state import register_area
from .common import check_ipv4, need
from .documents import Field, check
from .recorded import as_list, recorded, strip_head
from .timesync import device_now_iso
from .video import motion_enabled

HEARTBEAT_SECONDS = 10.0
REPOST_SECONDS = 1.0
BOUNDARY = "boundary"
EVENT_DESCRIPTIONS = {"VMD": "Motion alarm", "IO": "IO alarm", "tamperdetection": "Shelter Alarm",
                      "videoloss": "videoloss alarm", "fielddetection": "fielddetection alarm",
                      "linedetection": "linedetection alarm"}
HOST_FIELDS = (
    Field("url", "text", max_len=128),
    Field("protocolType", "choice", choices=("HTTP", "HTTPS", "EHome")),
    Field("parameterFormatType", "choice", choices=("XML", "JSON")),
    Field("addressingFormatType", "choice", choices=("ipaddress", "hostname")),
    Field("hostName", "text", max_len=64),
    Field("portNo", "int", 1, 65535),
    Field("userName", "text", max_len=32),
    Field("httpAuthenticationMethod", "choice", choices=("none", "MD5digest")),
)
HOST_COUNT = {"camera": 3, "nvr": 1}


@dataclass
class Events:
    hosts: list  # HttpHostNotification trees (no version/xmlns)
    # trigger id -> list of notification method names set by PUT (absent = as recorded)
    notifications: dict = field(default_factory=dict)
    active: dict = field(default_factory=dict)  # "type/channel" -> activePostCount of ongoing events
    posted: int = 0  # alerts written to alert streams


def default_hosts(spec) -> list:
    """Unconfigured entries with the model's recorded element set and order."""
    _, tree = recorded(spec, "http_hosts")
    sample = strip_head(as_list(strip_head(tree)["HttpHostNotification"])[0])
    defaults = {"url": "/", "protocolType": "HTTP", "parameterFormatType": "XML",
                "addressingFormatType": "ipaddress", "ipAddress": "0.0.0.0", "portNo": 80,
                "userName": None, "httpAuthenticationMethod": "none", "httpBroken": False}
    hosts = []
    for number in range(1, HOST_COUNT[spec.kind] + 1):
        host = {}
        for key, value in sample.items():
            if key == "hostName":
                key = "ipAddress"  # a host name is only there when one is configured
            host[key] = number if key == "id" else defaults.get(key, copy.deepcopy(value))
        hosts.append(host)
    return hosts


register_area("events", lambda spec: Events(hosts=default_hosts(spec)))


# --- triggers ---------------------------------------------------------------------------------
def _nvr_triggers(device) -> list:
    inputs = [{"id": f"IO-{n}", "eventType": "IO", "inputIOPortID": n, "EventTriggerNotificationList": None}
              for n in range(1, 5)]
    per_channel = []
    center = {"EventTriggerNotification": {"id": "center", "notificationMethod": "center"}}
    for ch in sorted(c.id for c in device.state.channels):
        per_channel += [
            {"id": f"VMD-{ch}", "eventType": "VMD", "dynVideoInputChannelID": ch,
             "EventTriggerNotificationList": copy.deepcopy(center)},
            {"id": f"tamper-{ch}", "eventType": "tamperdetection", "dynVideoInputChannelID": ch,
             "EventTriggerNotificationList": None},
            {"id": f"videoloss-{ch}", "eventType": "videoloss", "dynVideoInputChannelID": ch,
             "EventTriggerNotificationList": copy.deepcopy(center)},
        ]
    return inputs + per_channel


def trigger_document(device) -> tuple:
    """(root, tree, items): older firmware wraps the list in an EventNotification root (the
    DS-2CD2532F recording, which is why pyHik looks one level down); items is the live list."""
    if device.spec.kind == "nvr":
        items = _with_changes(device, _nvr_triggers(device))
        return "EventTriggerList", {"EventTrigger": items}, items
    root, tree = recorded(device.spec, "triggers")
    tree = strip_head(tree)
    holder = tree["EventTriggerList"] if root == "EventNotification" else tree
    holder["EventTrigger"] = items = as_list(holder["EventTrigger"])
    return root, tree, _with_changes(device, items)


def triggers(device) -> list:
    return trigger_document(device)[2]


def _with_changes(device, items: list) -> list:
    changed = device.state.areas["events"].notifications
    for item in items:
        methods = changed.get(str(item["id"]))
        if methods is not None:
            item["EventTriggerNotificationList"] = {"EventTriggerNotification": [
                {"id": m if m != "record" else f"record-{_channel_of(item)}", "notificationMethod": m,
                 "notificationRecurrence": "beginning"} for m in methods]} if methods else None
    return items


def _channel_of(item: dict) -> int:
    for key in ("dynVideoInputChannelID", "videoInputChannelID"):
        if key in item:
            return int(item[key])
    return 1


def _trigger(ctx) -> dict:
    for item in triggers(ctx.device):
        if str(item["id"]).lower() == ctx.params["id"].lower():
            return item
    raise IsapiError("invalidID")


@route("GET", "/ISAPI/Event/triggers")
async def get_triggers(ctx):
    root, tree, _ = trigger_document(ctx.device)
    return ctx.reply(root, tree)


@route("GET", "/ISAPI/Event/triggers/{id}")
async def get_trigger(ctx):
    return ctx.reply("EventTrigger", strip_head(_trigger(ctx)))


@route("PUT", "/ISAPI/Event/triggers/{id}")
async def put_trigger(ctx):
    item = _trigger(ctx)
    doc = ctx.xml("EventTrigger")
    methods = [xmlgen.text(el, "notificationMethod") or ""
               for el in doc.findall("EventTriggerNotificationList/EventTriggerNotification")]
    allowed = ("center", "email", "record", "IO", "FTP", "beep", "HTTP", "monitorAlarm")
    bad = [m for m in methods if m not in allowed]
    if bad:
        raise IsapiError("badParameters", detail=f"notificationMethod {bad[0]!r}")
    ctx.state.areas["events"].notifications[str(item["id"])] = methods
    return ctx.ok()


# --- HTTP alarm hosts ---------------------------------------------------------------------------
def _nested_head(ctx) -> dict:
    # Camera lists repeat version/xmlns on each entry; the isapi.org NVR's do not (recordings).
    return {"@version": "2.0", "@xmlns": ctx.profile.namespace} if ctx.profile.kind == "camera" else {}


def _host(ctx, host_id: str) -> dict:
    for host in ctx.state.areas["events"].hosts:
        if str(host["id"]) == host_id:
            return host
    raise IsapiError("invalidID")


def _apply_host(host: dict, el) -> dict:
    values = {}
    for f in HOST_FIELDS:
        raw = xmlgen.text(el, f.path)
        if raw is not None:
            values[f.path] = check(f, raw)
    address = xmlgen.text(el, "ipAddress")
    new = dict(host)
    new.update(values)
    if address is not None:
        new["ipAddress"] = check_ipv4(address, allow_zero=True)
    if new.get("addressingFormatType") == "hostname":
        if not new.get("hostName"):
            raise IsapiError("badParameters", detail="hostname addressing needs <hostName>")
    else:
        new.pop("hostName", None)
    return new


@route("GET", "/ISAPI/Event/notification/httpHosts")
async def get_hosts(ctx):
    head = _nested_head(ctx)
    return ctx.reply("HttpHostNotificationList", {"HttpHostNotification": [
        {**head, **h} for h in ctx.state.areas["events"].hosts]})


@route("PUT", "/ISAPI/Event/notification/httpHosts")
async def put_hosts(ctx):
    doc = ctx.xml("HttpHostNotificationList")
    area = ctx.state.areas["events"]
    updated = {}
    for el in doc.findall("HttpHostNotification"):
        host_id = need(el, "id")
        updated[host_id] = _apply_host(_host(ctx, host_id), el)
    area.hosts = [updated.get(str(h["id"]), h) for h in area.hosts]
    return ctx.ok()


@route("GET", "/ISAPI/Event/notification/httpHosts/{id}")
async def get_host(ctx):
    return ctx.reply("HttpHostNotification", _host(ctx, ctx.params["id"]))


@route("PUT", "/ISAPI/Event/notification/httpHosts/{id}")
async def put_host(ctx):
    el = ctx.xml("HttpHostNotification")
    body_id = xmlgen.text(el, "id")
    if body_id is not None and body_id != ctx.params["id"]:
        raise IsapiError("badParameters", detail="<id> differs from the URL")
    new = _apply_host(_host(ctx, ctx.params["id"]), el)
    area = ctx.state.areas["events"]
    area.hosts = [new if str(h["id"]) == ctx.params["id"] else h for h in area.hosts]
    return ctx.ok()


# --- alert stream -------------------------------------------------------------------------------
_SUBSCRIBERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # device -> set of queues


def subscribers(device) -> set:
    found = _SUBSCRIBERS.get(device)
    if found is None:
        found = _SUBSCRIBERS[device] = set()
    return found


def alert_tree(device, event_type: str, channel: int, state: str, count: int) -> dict:
    tree = {"ipAddress": device.state.address, "portNo": device.spec.http_port, "protocol": "HTTP",
            "macAddress": device.spec.mac, "channelID": channel, "dateTime": device_now_iso(device),
            "activePostCount": count, "eventType": event_type, "eventState": state,
            "eventDescription": EVENT_DESCRIPTIONS.get(event_type, f"{event_type} alarm")}
    if event_type == "IO":
        tree["inputIOPortID"] = channel
    tree["channelName"] = device.state.device_name
    return tree


def alert_part(device, tree: dict) -> bytes:
    body = xml_bytes(device, "EventNotificationAlert", tree)
    head = (f"--{BOUNDARY}\r\nContent-Type: {device.spec.profile.content_type}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode() + body + b"\r\n"


def publish(device, tree: dict) -> int:
    queues = subscribers(device)
    part = alert_part(device, tree)
    for queue in list(queues):
        queue.put_nowait(part)
    device.state.areas["events"].posted += len(queues)
    return len(queues)


_REPOSTERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # device -> {key: task}


async def _repost(device, event_type: str, channel: int, key: str) -> None:
    area = device.state.areas["events"]
    while key in area.active:
        await asyncio.sleep(REPOST_SECONDS)
        if device.state.areas.get("events") is not area or key not in area.active:
            return
        area.active[key] += 1
        publish(device, alert_tree(device, event_type, channel, "active", area.active[key]))


def raise_event(device, event_type: str, channel: int, state: str) -> dict:
    """Control-API entry: an alarm starts or ends on the device."""
    if state not in ("active", "inactive"):
        raise ValueError("state must be active or inactive")
    if event_type == "VMD" and not motion_enabled(device, channel):
        return {"delivered": 0, "suppressed": "motion detection is disabled"}
    area = device.state.areas["events"]
    if event_type == "IO":
        io = device.state.areas["io"].inputs_active
        if state == "active" and channel not in io:
            io.append(channel)
        elif state == "inactive" and channel in io:
            io.remove(channel)
    key = f"{event_type}/{channel}"
    tasks = _REPOSTERS.setdefault(device, {})
    if state == "active":
        area.active[key] = area.active.get(key, 0) + 1
        count = area.active[key]
        if key not in tasks or tasks[key].done():
            tasks[key] = asyncio.ensure_future(_repost(device, event_type, channel, key))
    else:
        count = area.active.pop(key, 0)
        task = tasks.pop(key, None)
        if task is not None:
            task.cancel()
    return {"delivered": publish(device, alert_tree(device, event_type, channel, state, count))}


@route("GET", "/ISAPI/Event/notification/alertStream")
async def alert_stream(ctx):
    device = ctx.device
    response = web.StreamResponse(status=200, headers={
        "Content-Type": f"multipart/mixed; boundary={BOUNDARY}", "Server": SERVER_HEADER,
        "Connection": "close"})
    await response.prepare(ctx.request)
    queue: asyncio.Queue = asyncio.Queue()
    subscribers(device).add(queue)
    try:
        while True:
            try:
                part = await asyncio.wait_for(queue.get(), HEARTBEAT_SECONDS)
            except asyncio.TimeoutError:
                # Cameras keep the stream alive with video-loss "inactive" posts (pyHik's watchdog).
                part = alert_part(device, alert_tree(device, "videoloss", 1, "inactive", 0))
            await response.write(part)
    except ConnectionResetError:
        pass  # the client went away
    finally:
        subscribers(device).discard(queue)
    return response


def _control(routes, device_or_404) -> None:
    @routes.post("/devices/{name}/events")
    async def post_event(request):
        device = device_or_404(request)
        data = await read_json(request)
        try:
            result = raise_event(device, str(data.get("type", "VMD")), int(data.get("channel", 1)),
                                 str(data.get("state", "active")))
        except (TypeError, ValueError) as exc:
            raise json_error(str(exc)) from None
        return web.json_response(result)

    @routes.get("/devices/{name}/events")
    async def get_events(request):
        device = device_or_404(request)
        area = device.state.areas["events"]
        return web.json_response({"subscribers": len(subscribers(device)), "active": area.active,
                                  "posted": area.posted})


EXTENSIONS.append(_control)
