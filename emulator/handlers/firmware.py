"""Firmware upgrade (docs/developer/isapi-reference.md, §9): streamed upload, progress, self-reboot into the new version.

Images are the emulator's test format (emulator/firmware_image.py). The upload is read in
chunks, never whole, with a size cap; a bad image is refused only after the whole body was read,
as a device that flashes while receiving would.
"""
from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass
from typing import Optional

from .. import firmware_image
from ..errors import IsapiError
from ..router import route
from ..state import register_area

# JOEY refuses images over 512 MB (docs/developer/isapi-reference.md, §9.1); the emulator uses the same cap.
MAX_IMAGE_BYTES = 512 * 1024 * 1024
# Device seconds the flashing takes come from the fleet (`flash_seconds`, default 200; realistic
# timing draws minutes per device), scaled by time_scale like reboots.
# Device seconds between reaching 100 % and the self-reboot.
REBOOT_DELAY_SECONDS = 2
_CHUNK = 256 * 1024


@dataclass
class FirmwareState:
    version: str
    build: str
    upgrading: bool = False
    percent: int = 0
    started: Optional[float] = None  # wall clock of the accepted upload
    duration: float = 0.0  # real seconds the flashing takes
    pending_version: Optional[str] = None
    pending_build: Optional[str] = None
    upgrades: int = 0
    last_upload_bytes: int = 0
    last_error: Optional[str] = None

    def progress(self) -> int:
        if not self.upgrading or self.started is None:
            return self.percent
        if self.duration <= 0:
            return 100
        return min(100, int((time.time() - self.started) / self.duration * 100))


def _fresh(spec) -> FirmwareState:
    return FirmwareState(version=spec.firmware_version, build=spec.firmware_build)


# Installed firmware survives a basic reset (a full reset re-creates every area; see README).
register_area("firmware", _fresh, kept_on_basic_reset=True)


def _parse(head: bytes):
    try:
        return firmware_image.parse_header(head[:firmware_image.MAX_HEADER])
    except firmware_image.ImageError as exc:
        return exc, 0


def _header_complete(head: bytes) -> bool:
    magic = firmware_image.MAGIC
    return (len(head) >= firmware_image.MAX_HEADER or not head.startswith(magic[:len(head)])
            or b"\n" in head[len(magic):])


async def _receive(ctx, content) -> tuple:
    """Read the image in chunks from `content` (anything with an async read(n)): (header meta or
    the ImageError, payload bytes, payload sha256)."""
    head, meta = b"", None
    digest = hashlib.sha256()
    total = payload = 0
    while True:
        chunk = await content.read(_CHUNK)
        if not chunk:
            break
        total += len(chunk)
        if total > MAX_IMAGE_BYTES:
            raise IsapiError("badParameters", detail=f"image larger than {MAX_IMAGE_BYTES} bytes")
        if meta is None:
            head += chunk
            if not _header_complete(head):
                continue
            meta, header_len = _parse(head)
            chunk, head = head[header_len:], b""
        if isinstance(meta, dict):
            digest.update(chunk)
            payload += len(chunk)
    if meta is None:
        meta, _ = _parse(head)
    ctx.state.areas["firmware"].last_upload_bytes = total
    return meta, payload, digest.hexdigest()


def _check(ctx, meta, payload: int, sha: str) -> None:
    fw = ctx.state.areas["firmware"]
    if isinstance(meta, Exception):
        fw.last_error = "badVersion"
        raise IsapiError("badVersion", detail=str(meta))
    reason = firmware_image.fits(meta, ctx.device.spec.model, ctx.device.spec.kind)
    if reason:
        fw.last_error = "badDevType"
        raise IsapiError("badDevType", detail=reason)
    if payload != meta["payload_size"] or sha != meta.get("payload_sha256", sha):
        fw.last_error = "badFlash"
        raise IsapiError("badFlash", detail="image payload damaged (size or checksum)")


class _Part:
    """A multipart part read like a stream."""

    def __init__(self, part):
        self.part = part

    async def read(self, size: int) -> bytes:
        return await self.part.read_chunk(size)


async def _image_part(ctx):
    """The `updateFile` part of a multipart/form-data upload (docs/developer/isapi-reference.md,
    §9.1: the POST form); other parts are read and dropped."""
    if not ctx.request.content_type.startswith("multipart/"):
        raise IsapiError("badParameters", detail="POST updateFirmware needs multipart/form-data")
    reader = await ctx.request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            raise IsapiError("badParameters", detail="no updateFile part in the form")
        if getattr(part, "name", None) == "updateFile":
            return _Part(part)
        await part.release()


async def _drain(content) -> None:
    while await content.read(_CHUNK):
        pass


@route(("PUT", "POST"), "/ISAPI/System/updateFirmware", stream_body=True)
async def update_firmware(ctx):
    fw = ctx.state.areas["firmware"]
    if fw.upgrading:
        # Drain what the client sends so it reads the answer rather than a reset connection.
        await _drain(ctx.request.content)
        raise IsapiError("upgrading")
    content = ctx.request.content if ctx.request.method == "PUT" else await _image_part(ctx)
    meta, payload, sha = await _receive(ctx, content)
    if isinstance(content, _Part):
        await _drain(ctx.request.content)  # the closing boundary and any later parts
    _check(ctx, meta, payload, sha)
    device = ctx.device
    fw.upgrading, fw.percent, fw.started, fw.last_error = True, 0, time.time(), None
    fw.duration = device.spec.flash_seconds * device.clock.scale
    fw.pending_version, fw.pending_build = meta["version"], meta.get("build") or ""
    device.state.add_log("firmwareUpload", version=meta["version"], build=meta.get("build"),
                         bytes=fw.last_upload_bytes)
    ctx.then(lambda: _flash_and_reboot(device, fw))
    return ctx.ok()


async def _flash_and_reboot(device, fw: FirmwareState) -> None:
    await asyncio.sleep(fw.duration)
    if device.state.areas.get("firmware") is not fw:
        return  # provisioned or fully reset meanwhile: this upgrade belongs to a past life
    fw.version, fw.build = fw.pending_version, fw.pending_build
    fw.pending_version = fw.pending_build = None
    fw.upgrading, fw.percent, fw.started = False, 100, None
    fw.upgrades += 1
    await asyncio.sleep(REBOOT_DELAY_SECONDS * device.clock.scale)
    if device.state.areas.get("firmware") is fw:
        await device.reboot("firmwareUpgrade")


@route("GET", "/ISAPI/System/upgradeStatus")
async def upgrade_status(ctx):
    fw = ctx.state.areas["firmware"]
    percent = fw.progress()
    tree = {"upgrading": fw.upgrading and percent < 100, "percent": percent}
    if ctx.profile.name != "legacy_camera":
        # Newer firmware adds these (§9.2); reboot is meaningful at 100 %.
        tree["reboot"] = percent >= 100
        tree["upgradeStage"] = "software" if fw.upgrading else "idle"
    return ctx.reply("upgradeStatus", tree)
