"""Preparing for a forgotten admin password (docs/developer/recovery-reference.md, §1-§5):
security questions, the reserved e-mail and the GUID file export, each only where the device's
SecurityCap offers it (fleet key ``recovery``), plus the web UI's security mode (§2) that the
questions and the GUID export are sent in.

Where the facts stop (§9) the emulator picks one answer and says so here: the GUID export is
answered to POST (the method the web UI uses is not visible), its file is the 128-character GUID
(§3: 128 bytes, as SADP's ExportGUID string), and ``GET questionConfiguration`` never returns an
answer.

Which reset methods a device offers is answered two ways, both from the fleet key: over ISAPI by
``GET /ISAPI/Security/extern/capabilities`` (§1; ⚠ which firmware first has it is unknown, §9: the
emulator's legacy_camera, V5.4.5, answers notSupport, the other profiles answer it) and over SADP
by ``getPasswordResetType`` (emulator/sadp.py). ⚠ ``minResetAdminPassWordNum`` is 0: no source
gives a device's value.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from typing import Optional

from .. import xmlgen
from ..errors import IsapiError
from ..responses import raw_response, status_tree, xml_response
from ..router import route
from ..state import register_area
from .capabilities import security_cap

KEY_SUFFIX = "AaBbCcDd1234!@#$"  # §2.2
QUESTIONS = 3  # §4: three questions, all answers must match
ANSWER_MAX = 128  # SecurityAnswerLenLimit (§1)
EMAIL_MAX = 32  # the UI's default emailAddress@max (§5)
GUID_LEN = 128
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _h(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def derive_key(user: str, password: str, salt: str, iterations: int, irreversible: bool) -> str:
    """§2.2, written independently of the collection's copy (the emulator ships on its own)."""
    if not iterations:
        return ""
    k = _h((_h(user + (salt or "") + password) if irreversible else password) + KEY_SUFFIX)
    for _ in range(int(iterations) - 1):
        k = _h(k)
    return k[:32]


def decrypt_field(key_hex: str, iv_hex: str, value: str) -> str:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    if not value:
        return value
    try:
        dec = Cipher(algorithms.AES(binascii.unhexlify(key_hex)),
                     modes.CBC(binascii.unhexlify(iv_hex))).decryptor()
        data = dec.update(binascii.unhexlify(value)) + dec.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        plain = base64.b64decode(unpadder.update(data) + unpadder.finalize()).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        # A wrong key (another password) decrypts to garbage: to the device that is a wrong value.
        return "\0undecryptable"
    return plain.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass
class Recovery:
    answers: dict = field(default_factory=dict)  # question id -> answer
    email: Optional[str] = None
    guid: Optional[str] = None
    guid_password: Optional[str] = None  # admin password at export: the file dies with it (§3)
    guid_exported_at: Optional[float] = None
    export_failures: int = 0
    export_locked_until: float = 0.0
    # The vendor flow (§7): the last exported reset request, when, and at which boot.
    request_code: Optional[str] = None
    request_at: float = 0.0
    request_boot: int = -1
    request_kind: Optional[str] = None  # "file" (getcode) or "qr" (GetQRcodes)
    request_email: Optional[str] = None  # reserved address when the QR was exported
    reset_failures: int = 0  # SADP GUIDReset / AnswerReset (emulator/sadp.py)
    reset_locked_until: float = 0.0
    writes: int = 0  # accepted preparation writes (idempotence tests count them)
    security_mode_writes: int = 0

    def guid_valid(self, admin_password: str) -> bool:
        return bool(self.guid) and self.guid_password is not None and \
            secrets.compare_digest(self.guid_password, admin_password)

    def public(self) -> dict:
        # No answer, address or GUID: the control API shows what is configured, not the secrets.
        return {"questions": sorted(self.answers), "email_set": self.email is not None,
                "guid_exported": self.guid is not None, "guid_exported_at": self.guid_exported_at,
                "export_failures": self.export_failures, "reset_failures": self.reset_failures,
                "reset_locked": self.reset_locked_until > time.time(), "writes": self.writes,
                "request_kind": self.request_kind,
                "security_mode_writes": self.security_mode_writes}


def support_key(request_code: str) -> str:
    """TEST DOUBLE of Hikvision's support desk: the 8-character key (the vendor FAQ's example
    `5b449116` has that shape, §7) the emulator accepts for the request it exported. Hikvision's
    real algorithm is secret (§9); this one is made up and only this emulator knows it."""
    return hashlib.sha256(("camfleet-emulator-support-desk:" + request_code).encode()).hexdigest()[:8]


def verification_code(request_code: str, address: str) -> str:
    """TEST DOUBLE of Hikvision's mail service and of the Hik-Connect app's "Reset Device
    Password": the 8-character code (§5: shown as "xxxxxxxx") that reaches the reserved mailbox,
    or that the app shows, for a QR code the device exported. The real derivation is done on
    Hikvision's side and is secret (§9); this one is made up and only this emulator knows it."""
    digest = hashlib.sha256(("camfleet-emulator-mail-desk:%s:%s" % (request_code, address)).encode()).digest()
    return base64.b32encode(digest).decode("ascii")[:8]


def request_view(rec: "Recovery") -> dict:
    """For the control API's test doubles: what the last export was, never a code."""
    return {"kind": rec.request_kind, "at": rec.request_at}


REQUEST_SECONDS = 48 * 3600  # the returned key/file is valid 48 h (§8), voided by a reboot


# Kept over a basic restore: the questions survive a restore that is not to default (§4).
register_area("recovery", lambda spec: Recovery(), kept_on_basic_reset=True)


def _area(ctx) -> Recovery:
    return ctx.state.areas["recovery"]


def extern_cap_served(device) -> bool:
    """⚠ The first firmware with /ISAPI/Security/extern/capabilities is unknown (§9); the
    emulator's V5.4.5 profile predates the reset-method dialog of the web UI that reads it."""
    return device.spec.profile.name != "legacy_camera"


def hik_connect_on(device) -> bool:
    return bool(device.state.areas["services"].ezviz)


def configured(device) -> dict:
    """Per method: offered by the firmware (the fleet key) and set up on the device now."""
    rec, methods = device.state.areas["recovery"], device.spec.recovery
    admin = device.state.user_by_id(1)
    return {"questions": "questions" in methods and len(rec.answers) == QUESTIONS,
            "guid": "guid" in methods and admin is not None and rec.guid_valid(admin.password or ""),
            "email": "email" in methods and rec.email is not None,
            "hik_connect": "hik_connect" in methods and hik_connect_on(device)}


def _need(ctx, method: str) -> None:
    if method not in ctx.device.spec.recovery:
        raise IsapiError("notSupport", detail=f"recovery method {method} not offered")


def _admin(ctx):
    return ctx.state.user_by_id(1)


def _field_reader(ctx):
    """Plain text, or the §2.3 decryption when the request came in security mode."""
    query = ctx.request.query
    if query.get("security") is None:
        return lambda value: value
    cap = security_cap(ctx.device, nested=False)
    if query.get("security") != "1" or "1" not in str((cap.get("securityVersion") or {}).get("@opt", "")):
        raise IsapiError("badParameters", detail="security version not offered")
    iv = query.get("iv") or ""
    if not re.fullmatch(r"[0-9a-f]{32}", iv):
        raise IsapiError("badParameters", detail="iv must be 32 lower-case hex characters")
    key = derive_key(ctx.user.name, ctx.user.password, cap.get("salt") or "",
                     int(cap.get("keyIterateNum") or 0), xmlgen.to_bool(cap.get("isIrreversible") or "false"))
    _area(ctx).security_mode_writes += 1
    return lambda value: decrypt_field(key, iv, value) if value else value


def _check_admin_password(ctx, given: Optional[str]) -> None:
    if given is None:
        raise IsapiError("badXmlContent", detail="missing <password>")  # §4: HTTP 400 without it
    if not secrets.compare_digest(given, _admin(ctx).password or ""):
        ctx.state.add_log("loginPasswordError", user=ctx.user.name, client=ctx.request.remote)
        raise IsapiError("loginPasswordError")


# -- which reset methods the firmware has (§1) ---------------------------------------------------
@route("GET", "/ISAPI/Security/extern/capabilities")
async def get_extern_cap(ctx):
    if not extern_cap_served(ctx.device):
        raise IsapiError("notSupport", detail="no extern security capabilities on this firmware")
    methods = ctx.device.spec.recovery
    flag = lambda name: "true" if name in methods else "false"  # noqa: E731
    return ctx.reply("externSecurityCap", {
        "@version": "2.0", "@xmlns": ctx.profile.namespace,
        "isSupportWithGUIDFileData": flag("guid"), "isSupportWithSecurityQuestion": flag("questions"),
        "isSupportWithSecurityEmail": flag("email"), "isSupportWithHCApp": flag("hik_connect"),
        "minResetAdminPassWordNum": 0})


# -- security questions (§4) -------------------------------------------------------------------
@route("GET", "/ISAPI/Security/questionConfiguration")
async def get_questions(ctx):
    _need(ctx, "questions")
    area = _area(ctx)
    items = [{"id": i, "mark": "true" if i in area.answers else "false"} for i in range(1, QUESTIONS + 1)]
    return ctx.reply("SecurityQuestion", {"@version": "2.0", "@xmlns": ctx.profile.namespace,
                                          "QuestionList": {"Question": items}})


@route("PUT", "/ISAPI/Security/questionConfiguration")
async def put_questions(ctx):
    _need(ctx, "questions")
    read = _field_reader(ctx)
    doc = ctx.xml("SecurityQuestion")
    _check_admin_password(ctx, None if xmlgen.text(doc, "password") is None else read(xmlgen.text(doc, "password")))
    answers = {}
    for q in doc.iter():
        if q.tag.rsplit("}", 1)[-1] != "Question":
            continue
        try:
            qid = int(xmlgen.text(q, "id") or "")
        except ValueError:
            raise IsapiError("badParameters", detail="<id> is not an integer") from None
        answer = read(xmlgen.text(q, "answer") or "")
        if qid in answers or not 1 <= qid <= 15:
            raise IsapiError("badParameters", detail="question ids must be distinct, 1-15")
        if not 1 <= len(answer) <= ANSWER_MAX:
            raise IsapiError("badParameters", detail="answer length")
        answers[qid] = answer
    if len(answers) != QUESTIONS:
        raise IsapiError("badParameters", detail=f"exactly {QUESTIONS} questions")
    if len(set(answers.values())) != len(answers):
        raise IsapiError("invalidOperation", detail="theAnswerToTheUserSecurityQuestionIsDuplicate")
    area = _area(ctx)
    # The emulator numbers its three questions 1-3 whatever ids were chosen.
    area.answers = dict(zip(range(1, QUESTIONS + 1), (answers[k] for k in sorted(answers)), strict=False))
    area.writes += 1
    ctx.state.add_log("securityQuestionsSet", user=ctx.user.name)
    return ctx.ok()


# -- reserved e-mail (§5) ----------------------------------------------------------------------
def _json(ctx) -> dict:
    try:
        doc = json.loads(ctx.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise IsapiError("badXmlFormat", detail="not JSON") from None
    if not isinstance(doc, dict):
        raise IsapiError("badXmlContent", detail="not a JSON object")
    return doc


def _json_reply(tree: dict, status: int = 200):
    return raw_response(json.dumps(tree).encode(), "application/json", status)


def _json_status(sub: str = "ok"):
    from ..errors import SUB_CODES, STATUS_STRINGS
    code, err, http = SUB_CODES[sub]
    return _json_reply({"statusCode": code, "statusString": STATUS_STRINGS[code], "subStatusCode": sub,
                        "errorCode": err or 0}, http)


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}****@{domain}"  # a GET may show the address masked (§5)


@route("GET", "/ISAPI/Security/email/parameter/capabilities")
async def get_email_cap(ctx):
    _need(ctx, "email")
    return _json_reply({"SecurityEmailCap": {"emailAddress": {"@min": 1, "@max": EMAIL_MAX}}})


@route("GET", "/ISAPI/Security/email/parameter")
async def get_email(ctx):
    _need(ctx, "email")
    area = _area(ctx)
    info = [{"emailAddress": _mask(area.email)}] if area.email else []
    return _json_reply({"SecurityEmail": {"SecurityInformation": info}})


@route("PUT", "/ISAPI/Security/email/parameter")
async def put_email(ctx):
    _need(ctx, "email")
    doc = (_json(ctx).get("SecurityEmail") or {})
    try:
        _check_admin_password(ctx, doc.get("password"))
    except IsapiError as err:
        return _json_status(err.sub)
    info = doc.get("SecurityInformation") or []
    address = info[0].get("emailAddress") if info and isinstance(info[0], dict) else None
    if not isinstance(address, str) or not EMAIL_RE.match(address) or len(address) > EMAIL_MAX:
        return _json_status("badParameters")
    area = _area(ctx)
    area.email = address
    area.writes += 1
    return _json_status("ok")


# -- GUID file export (§3) ---------------------------------------------------------------------
def _lock_reply(ctx, area: Recovery, sub: str):
    now = time.time()
    locked = area.export_locked_until > now
    tree = status_tree(ctx.device, ctx.path, sub)
    tree.update({"lockStatus": "locked" if locked else "unlock",
                 "retryTimes": max(0, ctx.device.spec.lock_attempts - area.export_failures),
                 "resLockTime": int(max(0.0, area.export_locked_until - now))})
    return xml_response(ctx.device, "ResponseStatus", tree, status=403 if locked else 400)


@route("POST", "/ISAPI/Security/GUIDFileData")
async def export_guid(ctx):
    _need(ctx, "guid")
    area = _area(ctx)
    if ctx.request.query.get("security") is None:
        # Both UI generations send it in security mode only (§3); the plain password is refused.
        raise IsapiError("badParameters", detail="security mode required")
    read = _field_reader(ctx)
    if area.export_locked_until > time.time():
        return _lock_reply(ctx, area, "invalidOperation")
    doc = ctx.xml("LoginPassword")
    given = read(xmlgen.text(doc, "password") or "")
    if not secrets.compare_digest(given, _admin(ctx).password or ""):
        area.export_failures += 1
        if area.export_failures >= ctx.device.spec.lock_attempts:
            area.export_locked_until = time.time() + ctx.device.spec.lock_seconds * ctx.device.clock.scale
        return _lock_reply(ctx, area, "loginPasswordError")
    area.export_failures = 0
    area.guid = secrets.token_hex(GUID_LEN // 2)
    area.guid_password = _admin(ctx).password
    area.guid_exported_at = time.time()
    area.writes += 1
    ctx.state.add_log("guidExported", user=ctx.user.name)
    return raw_response(area.guid.encode("ascii"), "application/octet-stream", 200)
