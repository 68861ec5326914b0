"""Configuration export/import (docs/developer/isapi-reference.md, §10): an opaque binary file holding the device's settings.

Like real exports, the file contains credentials (user and NVR channel passwords), which is why the
collection must never store it in plain text. Format (emulator-only, see README):

    MAGIC, one mode byte, then
    mode 0 (no secretkey; legacy's only form): zlib(JSON) XOR-obfuscated with a fixed 4-byte key,
        echoing the historic fixed-key scheme of §10 - obfuscation, not protection;
    mode 1 (``?secretkey=``, current/nvr): salt(16) + nonce(12) + AES-256-GCM(zlib(JSON)) under
        PBKDF2-SHA256(secretkey, salt). Salt and nonce are derived from the content, so the same
        settings exported with the same key give the same bytes (⚠ real firmware: unknown).

Import applies users, device name, link, time, NTP, lock, channels and the registered areas at
once, stages the network settings for the next reboot, and answers statusCode 7.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from ..errors import IsapiError
from ..responses import raw_response
from ..router import route
from ..state import AREAS, Channel, IPConfig, LinkConfig, LockConfig, NtpServer, TimeConfig, User, to_json

MAGIC = b"HIKEMU-CFG\x01"
PLAIN, KEYED = 0, 1
XOR_KEY = bytes.fromhex("738B5544")  # the historic obfuscation key of §10
KDF_ROUNDS = 20000


def _is_setting(name: str) -> bool:
    """Settings are the areas a basic reset restores to defaults; areas it keeps (installed
    firmware, logs, recordings) are device data, not configuration."""
    area = AREAS.get(name)
    return area is not None and not area.kept_on_basic_reset


class ConfigFileError(ValueError):
    pass


# -- serialization --------------------------------------------------------------------------------

def settings_of(device) -> dict:
    st, spec = device.state, device.spec
    return {
        "model": spec.model, "kind": spec.kind, "device_name": st.device_name,
        "users": [to_json(u) for u in st.users],
        "network": to_json(st.saved_network()), "link": to_json(st.link),
        "time": to_json(st.time), "ntp": to_json(st.ntp), "lock": to_json(st.lock),
        "channels": to_json(st.channels),
        "areas": {name: to_json(area) for name, area in sorted(st.areas.items())
                  if _is_setting(name)},
    }


def _xor(data: bytes) -> bytes:
    key = XOR_KEY * (len(data) // len(XOR_KEY) + 1)
    return bytes(a ^ b for a, b in zip(data, key, strict=False))  # key is the longer


def _key(secret: str, salt: bytes) -> bytes:
    kdf = PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=salt, iterations=KDF_ROUNDS)
    return kdf.derive(secret.encode("utf-8"))


def encode(settings: dict, secret=None) -> bytes:
    raw = zlib.compress(json.dumps(settings, sort_keys=True, separators=(",", ":")).encode())
    if secret is None:
        return MAGIC + bytes([PLAIN]) + _xor(raw)
    salt = hashlib.sha256(b"hikemu-cfg-salt" + raw).digest()[:16]
    key = _key(secret, salt)
    nonce = hmac.new(key, raw, hashlib.sha256).digest()[:12]
    return MAGIC + bytes([KEYED]) + salt + nonce + AESGCM(key).encrypt(nonce, raw, MAGIC)


def decode(blob: bytes, secret=None) -> dict:
    """Settings from a file; IsapiError importCfgFilePasswordErr for a missing or wrong key."""
    if not blob.startswith(MAGIC) or len(blob) <= len(MAGIC):
        raise ConfigFileError("not a configuration file of this device family")
    mode, body = blob[len(MAGIC)], blob[len(MAGIC) + 1:]
    if mode == KEYED:
        if not secret or len(body) < 28:
            raise IsapiError("importCfgFilePasswordErr", detail="the file is encrypted: secretkey needed")
        salt, nonce, sealed = body[:16], body[16:28], body[28:]
        try:
            raw = AESGCM(_key(secret, salt)).decrypt(nonce, sealed, MAGIC)
        except InvalidTag:
            raise IsapiError("importCfgFilePasswordErr") from None
    elif mode == PLAIN:
        raw = _xor(body)
    else:
        raise ConfigFileError(f"unknown file mode {mode}")
    try:
        settings = json.loads(zlib.decompress(raw))
    except (zlib.error, ValueError) as exc:
        raise ConfigFileError(f"damaged file: {exc}") from None
    if not isinstance(settings, dict):
        raise ConfigFileError("damaged file")
    return settings


# -- applying an import ---------------------------------------------------------------------------

def _rebuild(current, data):
    """A value like ``current`` holding ``data`` (the to_json form): dataclasses field by field,
    lists of dataclasses item by item. Areas with a ``restore(data)`` method do it themselves."""
    if hasattr(current, "restore"):
        return current.restore(data)
    if dataclasses.is_dataclass(current) and isinstance(data, dict):
        values = {}
        for f in dataclasses.fields(current):
            if not f.init:
                continue
            old = getattr(current, f.name)
            values[f.name] = _rebuild(old, data[f.name]) if f.name in data else old
        return type(current)(**values)
    if isinstance(current, list) and isinstance(data, list) and current \
            and dataclasses.is_dataclass(current[0]):
        return [_rebuild(current[0], item) for item in data]
    return data


def apply(device, settings: dict) -> None:
    st = device.state
    try:
        st.device_name = settings["device_name"]
        st.users = [User(**u) for u in settings["users"]]
        network = IPConfig(**settings["network"])
        st.link = LinkConfig(**settings["link"])
        st.time = TimeConfig(**settings["time"])
        st.ntp = [NtpServer(**n) for n in settings["ntp"]]
        st.lock = LockConfig(**settings["lock"])
        st.channels = [Channel(**c) for c in settings["channels"]]
    except (KeyError, TypeError) as exc:
        raise IsapiError("badParameters", detail=f"incomplete configuration file: {exc}") from None
    st.staged_network = None if network == st.network else network
    for name, data in settings.get("areas", {}).items():
        if name in st.areas and _is_setting(name):
            try:
                st.areas[name] = _rebuild(st.areas[name], data)
            except (TypeError, ValueError, KeyError):
                st.add_log("configImportAreaSkipped", area=name)


# -- routes ---------------------------------------------------------------------------------------

def _secret(ctx):
    """The ?secretkey= of the request, checked against the profile (§10, §4.3)."""
    secret = ctx.request.query.get("secretkey")
    if secret is None:
        return None
    if ctx.profile.name == "legacy_camera":
        # Old firmware exports plain only; one device answered a secretkey with this (§10).
        raise IsapiError("invalidOperation", detail="this firmware does not encrypt exports")
    if not 1 <= len(secret) <= 16:  # SecurityCap cfgFileSecretKeyLenLimit 1..16
        raise IsapiError("badParameters", detail="secretkey must be 1-16 characters")
    return secret


@route("GET", "/ISAPI/System/configurationData")
async def export_config(ctx):
    blob = encode(settings_of(ctx.device), _secret(ctx))
    ctx.state.add_log("configExport", encrypted=ctx.request.query.get("secretkey") is not None)
    return raw_response(blob, "application/octet-stream", 200,
                        [("Content-Disposition", 'attachment; filename="ConfigurationData"')])


@route("PUT", "/ISAPI/System/configurationData")
async def import_config(ctx):
    secret = _secret(ctx)
    try:
        settings = decode(ctx.body, secret)
    except ConfigFileError as exc:
        raise IsapiError("badParameters", detail=str(exc)) from None
    if settings.get("kind") != ctx.device.spec.kind or settings.get("model") != ctx.device.spec.model:
        raise IsapiError("badDevType", detail=f"file is from a {settings.get('model')}")
    apply(ctx.device, settings)
    ctx.state.add_log("configImport", by=ctx.user.name if ctx.user else None)
    return ctx.ok("rebootRequired")
