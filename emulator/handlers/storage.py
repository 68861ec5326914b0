"""Storage (`/ISAPI/ContentMgmt/Storage`, `/Storage/hdd`, `/Storage/hdd/<id>`;
docs/developer/isapi-reference.md, §12.3): the recorded document of the model (a camera's SD card
with Encryption and installationTime, the NVR's disk with its group and `workMode opt`).

Free space moves: the disk fills at the bit rate of the streams being recorded (the main stream of
a camera; each configured channel's main stream on an NVR) from the recorded fill level, and
stays at 0 once full (overwrite), as the recorded full NVR disk shows.

`PUT /Storage/hdd/<id>/format` empties the disk over FORMAT_SECONDS (× time_scale): meanwhile its
status is `formating` (sic, docs/developer/isapi-reference.md, §12.3) and
`GET .../formatStatus` reports the percent done (⚠ root and element names beyond `percent` are
not in the sources).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

from ..errors import IsapiError
from ..router import route
from ..state import register_area
from .recorded import as_list, recorded, strip_head


FORMAT_SECONDS = 20


@dataclass
class Disk:
    id: int
    capacity: int  # MB
    used: float  # MB at `since`
    since: float = field(default_factory=time.time)
    format_started: Optional[float] = None
    format_seconds: float = 0.0

    def format_percent(self) -> Optional[int]:
        """None when not formatting; the formatting is over once the time has passed."""
        if self.format_started is None:
            return None
        done = (time.time() - self.format_started) / self.format_seconds if self.format_seconds else 1
        if done >= 1:
            self.format_started = None
            return None
        return int(done * 100)


@dataclass
class StorageState:
    disks: list


def _fresh(spec) -> StorageState:
    _, tree = recorded(spec, "storage")
    disks = []
    for hdd in as_list((tree.get("hddList") or {}).get("hdd")):
        capacity, free = int(hdd["capacity"]), int(hdd["freeSpace"])
        disks.append(Disk(id=int(hdd["id"]), capacity=capacity, used=float(capacity - free)))
    return StorageState(disks=disks)


# Recordings on disk are device data: a basic reset keeps them (full reset re-creates every area).
register_area("storage", _fresh, kept_on_basic_reset=True)


def recording_rate(device) -> float:
    """MB per second written to disk: main stream bit rate(s) in kbit/s → MB/s."""
    from .streaming import stream_ids, stream_tree
    total = 0
    for sid in stream_ids(device):
        if sid % 100 != 1:
            continue
        video = stream_tree(device, sid, nested=False)["Video"]
        total += int(video.get("vbrUpperCap") or video.get("constantBitRate") or 0)
    return total / 8 / 1024


def free_space(device, disk: Disk) -> int:
    if disk.format_percent() is not None:
        return 0
    used = disk.used + recording_rate(device) * max(0.0, time.time() - disk.since)
    return max(0, int(disk.capacity - used))


def _hdd_trees(device) -> list:
    _, tree = recorded(device.spec, "storage")
    disks = {d.id: d for d in device.state.areas["storage"].disks}
    items = []
    for hdd in as_list((tree.get("hddList") or {}).get("hdd")):
        disk = disks.get(int(hdd["id"]))
        if disk is not None:
            hdd["capacity"] = disk.capacity
            hdd["freeSpace"] = free_space(device, disk)
            if disk.format_percent() is not None:
                hdd["status"] = "formating"
        items.append(hdd)
    return items


def storage_tree(device) -> dict:
    _, tree = recorded(device.spec, "storage")
    tree = strip_head(tree)
    hdds = _hdd_trees(device)
    tree["hddList"] = {**{k: v for k, v in (tree.get("hddList") or {}).items() if k.startswith("@")},
                       "hdd": hdds}
    return tree


@route("GET", "/ISAPI/ContentMgmt/Storage")
async def get_storage(ctx):
    return ctx.reply("storage", storage_tree(ctx.device))


@route("GET", "/ISAPI/ContentMgmt/Storage/hdd")
async def get_hdd_list(ctx):
    hdd_list = storage_tree(ctx.device)["hddList"]
    return ctx.reply("hddList", {k: v for k, v in hdd_list.items() if k not in ("@version", "@xmlns")})


@route("GET", "/ISAPI/ContentMgmt/Storage/hdd/{id}")
async def get_hdd(ctx):
    for hdd in _hdd_trees(ctx.device):
        if str(hdd["id"]) == ctx.params["id"]:
            return ctx.reply("hdd", strip_head(hdd))
    raise IsapiError("invalidID")


def _disk(ctx) -> Disk:
    for disk in ctx.state.areas["storage"].disks:
        if str(disk.id) == ctx.params["id"]:
            return disk
    raise IsapiError("invalidID")


@route("PUT", "/ISAPI/ContentMgmt/Storage/hdd/{id}/format")
async def format_hdd(ctx):
    disk = _disk(ctx)
    if disk.format_percent() is not None:
        raise IsapiError("deviceBusy", detail="the disk is being formatted")
    now = time.time()
    disk.used, disk.since = 0.0, now + FORMAT_SECONDS * ctx.device.clock.scale
    disk.format_started, disk.format_seconds = now, FORMAT_SECONDS * ctx.device.clock.scale
    ctx.state.add_log("hddFormat", hdd=disk.id)
    return ctx.ok()


@route("GET", "/ISAPI/ContentMgmt/Storage/hdd/{id}/formatStatus")
async def format_status(ctx):
    percent = _disk(ctx).format_percent()
    return ctx.reply("formatStatus", {"formating": percent is not None,
                                      "percent": 100 if percent is None else percent})
