"""deviceInfo, capabilities, status, reboot, factory reset (docs/developer/isapi-reference.md, §4, §5)."""
from __future__ import annotations

import hashlib
import math
import time

from ..errors import IsapiError
from ..router import route
from .capabilities import device_cap
from .common import need
from .timesync import device_now_iso

FACTORY_MODES = ("basic", "full")


def installed_firmware(device) -> tuple:
    """(version, build) the device runs now: an upgrade (handlers/firmware.py) replaces the fleet's."""
    fw = device.state.areas.get("firmware")
    if fw is not None:
        return fw.version, fw.build
    return device.spec.firmware_version, device.spec.firmware_build


def device_info_tree(device) -> dict:
    spec, profile = device.spec, device.spec.profile
    name = device.state.device_name
    fw_version, fw_build = installed_firmware(device)
    if profile.device_info_layout == "nvr":
        tree = {"deviceName": name, "deviceID": spec.device_id, "model": spec.model,
                "serialNumber": spec.serial, "macAddress": spec.mac,
                "firmwareVersion": fw_version, "firmwareReleasedDate": fw_build,
                "encoderVersion": profile.encoder[0], "encoderReleasedDate": profile.encoder[1],
                "deviceType": profile.device_type, "telecontrolID": profile.telecontrol_id,
                "hardwareVersion": profile.hardware_version}
        tree.update(profile.nvr_extras)
        return tree
    tree = {"deviceName": name, "deviceID": spec.device_id, "deviceDescription": "IPCamera",
            "deviceLocation": "hangzhou", "systemContact": "Hikvision.China", "model": spec.model,
            "serialNumber": spec.serial, "macAddress": spec.mac,
            "firmwareVersion": fw_version, "firmwareReleasedDate": fw_build,
            "encoderVersion": profile.encoder[0], "encoderReleasedDate": profile.encoder[1]}
    if profile.boot:
        tree.update({"bootVersion": profile.boot[0], "bootReleasedDate": profile.boot[1]})
    tree.update({"hardwareVersion": profile.hardware_version, "deviceType": profile.device_type,
                 "telecontrolID": profile.telecontrol_id, "supportBeep": False,
                 "supportVideoLoss": False})
    if profile.firmware_version_info:
        tree["firmwareVersionInfo"] = profile.firmware_version_info
    if profile.device_info_extras:
        tree.update({"manufacturer": "hikvision", "subSerialNumber": spec.sub_serial, "OEMCode": 1})
    return tree


@route("GET", "/ISAPI/System/deviceInfo")
async def get_device_info(ctx):
    return ctx.reply("DeviceInfo", device_info_tree(ctx.device))


@route("PUT", "/ISAPI/System/deviceInfo")
async def put_device_info(ctx):
    doc = ctx.xml("DeviceInfo")
    name = need(doc, "deviceName")
    if not 1 <= len(name) <= 32:
        raise IsapiError("badParameters", detail="deviceName must be 1-32 characters")
    # Only the name is writable; identity fields in the body are ignored like on QB's devices.
    ctx.state.device_name = name
    return ctx.ok()


@route("GET", "/ISAPI/System/capabilities")
async def get_capabilities(ctx):
    return ctx.reply("DeviceCap", device_cap(ctx.device))


def load(device, what: str, low: int, high: int) -> int:
    """A percentage that drifts with time, differently per device (a test must not rely on a
    constant; the values themselves are synthetic)."""
    seed = int(hashlib.sha256(f"{what}:{device.spec.serial}".encode()).hexdigest()[:8], 16)
    wave = math.sin(time.time() / (20 + seed % 17) + seed) * 0.5 + 0.5
    return low + int(round(wave * (high - low)))


@route("GET", "/ISAPI/System/status")
async def get_status(ctx):
    device = ctx.device
    legacy = ctx.profile.name == "legacy_camera"
    tree = {
        "currentDeviceTime": device_now_iso(device),
        "deviceUpTime": int(time.time() - device.state.boot_time),
        "CPUList": {"CPU": {"cpuDescription": "ARM926EJ-Sid(wb) [41069265] revision 5 (ARMv5TEJ)"
                            if legacy else "ARM", "cpuUtilization": load(device, "cpu", 6, 35)}},
        "MemoryList": {"Memory": {"memoryDescription": "DDR Memory",
                                  "memoryUsage": load(device, "memory", 35, 70),
                                  "memoryAvailable": 48896 if legacy else 262144}},
    }
    return ctx.reply("DeviceStatus", tree)


@route("PUT", "/ISAPI/System/reboot")
async def reboot(ctx):
    device = ctx.device
    ctx.then(lambda: device.reboot("reboot"))
    return ctx.ok()


@route("PUT", "/ISAPI/System/factoryReset")
async def factory_reset(ctx):
    mode = ctx.request.query.get("mode")
    if mode not in FACTORY_MODES:
        raise IsapiError("badParameters", detail="mode must be basic or full")
    device = ctx.device

    async def apply_and_reboot():
        device.factory_reset(mode)
        await device.reboot(f"factoryReset:{mode}")
    ctx.then(apply_and_reboot)
    return ctx.ok()

