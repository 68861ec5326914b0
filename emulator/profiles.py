"""Firmware profiles: everything that differs between emulated firmware families.

Values come from real captures in shared/fixtures/real-devices (HN device dumps, MC cassettes)
and isapi.md §15; the README lists which choices are uncertain.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

NS_HIK = "http://www.hikvision.com/ver20/XMLSchema"
NS_ISAPI = "http://www.isapi.org/ver20/XMLSchema"
NS_STD_CGI = "http://www.std-cgi.com/ver20/XMLSchema"


@dataclass(frozen=True)
class Profile:
    name: str
    kind: str  # camera | nvr
    namespace: str
    firmware_version: str
    firmware_build: str  # "build YYMMDD"
    models: tuple
    basic_auth: bool
    body_401: str  # html | usercheck
    content_type: str
    # HN fixtures show ResponseStatus version 1.0 in the hikvision ns and 2.0 in the isapi.org ns.
    status_version: str
    error_code_in_status: bool
    device_type: str
    telecontrol_id: str
    device_info_layout: str  # camera | nvr
    device_info_extras: bool  # manufacturer / subSerialNumber / OEMCode
    firmware_version_info: Optional[str]
    encoder: tuple  # (version, released)
    boot: Optional[tuple]
    hardware_version: str
    lock_fields: bool  # maxIllegalLoginTimes / maxIllegalLoginLockTime in IllegalLoginLock
    lock_time_unit: int  # seconds per unit of maxIllegalLoginLockTime
    requires_login_password: bool
    user_check_cap: bool
    user_check_extras: bool  # isDefaultPassword / isRiskPassword / isActivated in userCheck
    password_len: tuple = (8, 16)
    xml_newline: str = "\n"
    xml_indent: str = ""
    realm_style: str = "ipcamera"
    serial_date: str = "20240901"
    serial_infix: str = "AAWR"
    serial_suffix: str = ""
    default_device_name: str = "IP CAMERA"
    input_proxy_nums: int = 0
    nvr_extras: dict = field(default_factory=dict)


LEGACY_CAMERA = Profile(
    name="legacy_camera",
    kind="camera",
    namespace=NS_HIK,
    firmware_version="V5.4.5",
    firmware_build="build 170124",
    models=("DS-2CD2155FWD-I",),
    basic_auth=True,
    body_401="html",
    content_type="application/xml",  # MC cassette: no charset on V5.4/V5.5
    status_version="1.0",
    error_code_in_status=False,
    device_type="IPCamera",
    telecontrol_id="88",
    device_info_layout="camera",
    device_info_extras=False,
    firmware_version_info=None,
    encoder=("V7.3", "build 170123"),
    boot=("V1.3.4", "100316"),
    hardware_version="0x0",
    lock_fields=False,
    lock_time_unit=1,
    requires_login_password=False,
    user_check_cap=False,
    user_check_extras=False,
    xml_newline="\r\n",
    serial_date="20170301",
)

CURRENT_CAMERA = Profile(
    name="current_camera",
    kind="camera",
    namespace=NS_HIK,
    firmware_version="V5.7.18",
    firmware_build="build 240826",
    models=("DS-2CD2T86G2-ISU/SL", "DS-2CD2346G2-ISU/SL", "DS-2CD2T46G2-ISU/SL", "DS-2CD2386G2-IU"),
    basic_auth=False,
    body_401="usercheck",
    content_type='application/xml; charset="UTF-8"',
    status_version="1.0",
    error_code_in_status=True,
    device_type="IPCamera",
    telecontrol_id="88",
    device_info_layout="camera",
    device_info_extras=True,
    firmware_version_info="B-R-G5-0",
    encoder=("V7.3", "build 240801"),
    boot=("V1.3.4", "100316"),
    hardware_version="0x0",
    lock_fields=True,
    # HN DS-2CD2T86G2 V5.7.18 capability: maxIllegalLoginLockTime min=1 max=120 def=30 (minutes).
    lock_time_unit=60,
    requires_login_password=True,
    user_check_cap=True,
    user_check_extras=True,
    xml_indent="    ",
)

NVR = Profile(
    name="nvr",
    kind="nvr",
    namespace=NS_ISAPI,
    firmware_version="V4.62.210",
    # HN DS-7608NXI-I2 dump reports build 230619 for V4.62.210.
    firmware_build="build 230619",
    models=("DS-7608NXI-I2/8P/S",),
    basic_auth=False,
    body_401="usercheck",
    content_type='application/xml; charset="UTF-8"',
    status_version="2.0",
    error_code_in_status=True,
    device_type="NVR",
    telecontrol_id="255",
    device_info_layout="nvr",
    device_info_extras=False,
    firmware_version_info=None,
    encoder=("V5.0", "build 230530"),
    boot=None,
    hardware_version="0100000092010000",
    lock_fields=True,
    lock_time_unit=1,  # PROBE's isapi.org-namespace device reported 1800 (seconds)
    requires_login_password=True,
    user_check_cap=True,
    user_check_extras=True,
    xml_indent="    ",
    realm_style="hex24",
    serial_date="20230701",
    serial_infix="CCRR",
    serial_suffix="WCVU",
    default_device_name="Network Video Recorder",
    input_proxy_nums=8,
    nvr_extras={"decordChannelNums": "8", "VGANums": "1", "USBNums": "2", "auxoutNums": "0",
                "regionVersion": "basic"},
)

PROFILES = {p.name: p for p in (LEGACY_CAMERA, CURRENT_CAMERA, NVR)}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None
