"""ISAPI status codes (docs/developer/isapi-reference.md, §13) and the exception handlers raise to answer with one."""
from __future__ import annotations

from typing import Optional

STATUS_STRINGS = {
    1: "OK",
    2: "Device Busy",
    3: "Device Error",
    4: "Invalid Operation",
    5: "Invalid XML Format",
    6: "Invalid XML Content",
    7: "Reboot Required",
}

# subStatusCode -> (statusCode, errorCode or None, default HTTP status)
# errorCode values: docs/developer/isapi-reference.md, §13.2 (GUIDE-AC A.3). HTTP mapping: §13.3 plus choices listed in README.
SUB_CODES = {
    "ok": (1, 0x1, 200),
    "deviceBusy": (2, 0x20000004, 503),
    # HTTP for the firmware/config codes below is not documented; see README (firmware).
    "upgrading": (2, 0x20000003, 403),
    "deviceError": (3, 0x30000001, 500),
    "badFlash": (3, 0x30000002, 500),
    "notSupport": (4, 0x40000001, 403),
    "lowPrivilege": (4, 0x40000002, 403),
    "badAuthorization": (4, 0x40000003, 401),
    "methodNotAllowed": (4, 0x40000004, 405),
    "invalidOperation": (4, 0x40000006, 403),
    "notActivated": (4, 0x40000007, 403),
    "hasActivated": (4, 0x40000008, 403),
    "loginPasswordError": (4, 0x4000000C, 400),
    "userExist": (4, 0x40001043, 400),
    "userCannotDelAdmin": (4, 0x40001044, 403),
    "userInexistence": (4, 0x40001045, 404),
    "userCannotCreatAdmin": (4, 0x40001046, 403),
    "importCfgFilePasswordErr": (4, 0x40008034, 400),
    # Seen with HTTP 404 on a real device (PROBE); no numeric code is documented.
    "invalidID": (4, None, 404),
    "badXmlFormat": (5, 0x50000001, 400),
    "badParameters": (6, 0x60000001, 400),
    "badHostAddress": (6, 0x60000002, 400),
    "badXmlContent": (6, 0x60000003, 400),
    "badIPv4Address": (6, 0x60000004, 400),
    "conflictIPv4Address": (6, 0x60000006, 400),
    "badPort": (6, 0x6000000B, 400),
    "badNetMask": (6, 0x6000000E, 400),
    "badVersion": (6, 0x6000000F, 400),
    "badDevType": (6, 0x60000010, 400),
    "userPwdLenUnder8": (6, 0x60000023, 400),
    "userPwdNameSame": (6, 0x60000025, 400),
    "userPwdNameMirror": (6, 0x60000026, 400),
    "beyondARGSRangeLimit": (6, 0x60000027, 400),
    "rebootRequired": (7, 0x70000001, 200),
}


class IsapiError(Exception):
    """Raised by handlers; the pipeline renders it as a ResponseStatus."""

    def __init__(self, sub: str, http: Optional[int] = None, detail: str = ""):
        if sub not in SUB_CODES:
            raise KeyError(sub)
        super().__init__(f"{sub}: {detail}" if detail else sub)
        self.sub = sub
        self.status_code, self.error_code, default_http = SUB_CODES[sub]
        self.http = http or default_http
        self.detail = detail
