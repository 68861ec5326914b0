"""Firmware profiles: everything that differs between emulated firmware families.

Values come from real devices' published captures (the hikvision_next project's device dumps,
the hikvision-client cassettes; emulator/data/ keeps the ones served, with their sources) and
docs/developer/isapi-reference.md, §15; the README lists which choices are uncertain.
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
    # "Not supported" as this firmware says it (the NOT_SUPPORTED_* tables below), checked before routing.
    not_supported: tuple = ()
    # Optional ResponseStatus elements this firmware sends (requestURL, errorCode), as recorded.
    status_fields: tuple = ("requestURL",)
    # Document layout: "plain" (declaration without a space, xmlns on the root line) or "v4"
    # (V4-era isapi.org firmware: '<?xml ... ?>', xmlns on its own line, 2-space indent).
    xml_style: str = "plain"
    status_style: str = "plain"  # the same choice for ResponseStatus documents only
    # Connection handling as recorded: (Keep-Alive timeout s, max requests) or None = close.
    keep_alive: Optional[tuple] = (10, 100)
    # WWW-Authenticate form: "ipcamera" (qop, realm, nonce, stale) or "v2" (realm, domain="::",
    # qop, nonce <32 hex>:<epoch ms>, opaque="", algorithm="MD5", stale).
    challenge_style: str = "ipcamera"
    # Whether a PUT may carry only the elements it changes (see WHOLE_DOCUMENT_PUTS below).
    partial_puts: bool = False


# --- "not supported" answers per firmware (issue: emulator fidelity, item 1) --------------------
# (method, path regex, HTTP status, answer). answer is a subStatusCode for a ResponseStatus body,
# or "doc:<file>" for a recorded document served as is (emulator/data/<file>.json).
# Sources: the hikvision_next device dumps (maciej-or/hikvision_next, tests/fixtures/devices/*.json)
# record only the HTTP status of these replies; the body is the ResponseStatus the protocol
# reference gives for 403/500 (docs/developer/isapi-reference.md, §13.3).
HOLIDAYS = r"/ISAPI/System/Holidays"
PIR = r"/ISAPI/WLAlarm/PIR"
NOT_SUPPORTED_LEGACY = (
    # DS-2CD2532F-IWS V5.2.0 and DS-2CD2443G0-IW V5.6.5: 403.
    ("GET", HOLIDAYS, 403, "notSupport"),
    ("GET", PIR, 403, "notSupport"),
    ("GET", r"/ISAPI/Event/triggers/scenechangedetection-1", 403, "notSupport"),
    # DS-2CD2532F-IWS V5.2.0: third and fourth streams answer 500.
    ("GET", r"/ISAPI/Streaming/channels/10[34]", 500, "deviceError"),
)
NOT_SUPPORTED_CURRENT = (
    # DS-2CD2T86G2/2346G2/2T46G2 V5.7.18 and 2146G2 V5.7.17: 404.
    ("GET", HOLIDAYS, 404, "notSupport"),
)
NOT_SUPPORTED_NVR = (
    # DS-7608NXI-I2 V4.62.210 (and the other NVRs recorded): analog inputs 403, third streams 403
    # (x04 answered 200 there), streams of channel slots past its 8 403; Holidays is a 200 document.
    ("GET", r"/ISAPI/System/Video/inputs/channels", 403, "notSupport"),
    ("GET", r"/ISAPI/Streaming/channels/[1-9]\d*03", 403, "notSupport"),
    ("GET", r"/ISAPI/Streaming/channels/(?:9|[1-9]\d+)0[1-9]", 403, "notSupport"),
    ("GET", HOLIDAYS, 200, "doc:holidays_nvr"),
)
# Recorded on the iDS-72xx DVRs (V4.75.011) only: third streams 400, fourth streams 403. No
# emulated profile is a DVR; kept here so the table holds every recorded form.
NOT_SUPPORTED_DVR = (
    ("GET", r"/ISAPI/Streaming/channels/[1-9]\d*03", 400, "badParameters"),
    ("GET", r"/ISAPI/Streaming/channels/[1-9]\d*04", 403, "notSupport"),
)

# --- whole-document writes (item 7) ---------------------------------------------------------------
# PUT endpoints whose body must be the whole document the GET returns (every element path the
# GET has) on firmware with partial_puts False (current_camera, nvr). Sources: the protocol
# reference's general pattern for services and the address (GET, change one element, PUT the
# whole document back; a field note of a camera that only took a body like its GET:
# docs/developer/isapi-reference.md, §7.2, §11). Not listed, because a source shows partial
# bodies accepted: Time (QB sends timeMode + timeZone, §8.1), NTPServer (bare single-server
# bodies, §8.2), EZVIZ (QB's bare <enabled>, §11.5), IllegalLoginLock (QB's bare <enabled>,
# §2.5). legacy_camera takes partial bodies everywhere (QB's bare <IPAddress> documents).
WHOLE_DOCUMENT_PUTS = (
    "/ISAPI/System/Network/interfaces/1/ipAddress",
    "/ISAPI/Security/adminAccesses",
    "/ISAPI/System/Network/Integrate",
    "/ISAPI/System/Network/ssh",
    "/ISAPI/System/Network/ipFilter",
)


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
    not_supported=NOT_SUPPORTED_LEGACY,
    # MC pre-V5.5 cassette: "Connection: close" and no Keep-Alive header on every reply.
    keep_alive=None,
    partial_puts=True,
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
    not_supported=NOT_SUPPORTED_CURRENT,
    # HN ISAPI badXmlContent.xml (a hikvision-namespace camera): requestURL, no errorCode,
    # '<?xml ... ?>' with the xmlns on its own line and 2-space indent.
    status_style="v4",
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
    not_supported=NOT_SUPPORTED_NVR,
    # HN ISAPI deviceError.xml, hdd1.xml, nvr_single_item.xml (isapi.org V4-era documents):
    # no requestURL, no errorCode; the V4 layout for every document.
    status_fields=(),
    xml_style="v4",
    status_style="v4",
    # The 24-hex realm form of the raw 401 capture (docs/developer/isapi-reference.md, §2.1).
    challenge_style="v2",
)

PROFILES = {p.name: p for p in (LEGACY_CAMERA, CURRENT_CAMERA, NVR)}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None
