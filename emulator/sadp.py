"""SADP responder: each emulated device answers XML SADP on UDP 37020 (docs/developer/sadp-reference.md).

It reads and changes the same DeviceState the ISAPI side serves, so an activation or an address
change over SADP is what ISAPI sees next. Started by `serve --sadp` (loopback, interface `lo`) or
`serve --netns-interface IFACE` (one device inside a network namespace, docs/developer/sadp-reference.md, §5).

Fidelity choices (⚠ = uncertain in docs/developer/sadp-reference.md):
* ⚠ Reply by unicast or multicast (§1.3 has evidence for both): `nvr` replies unicast (a real NVR
  answered an unbound client, OSADP), cameras reply to the group (the only device-side code,
  ITSC, and the vendor tool finding off-subnet cameras, ELEARN). `--sadp-reply` overrides it.
* ⚠ Crypto of activate / salted update follows RBZX (§3.3, §3.5); legacy_camera advertises no
  Salt and takes the MD5 form (SKY).
* ⚠ 6 wrong update passwords lock SADP changes for 30 minutes (SKY), scaled by time_scale.
* Replies are CRLF-formatted (ITSC); a Hello goes to the group whenever the device's network
  comes up (ITSC). Probes that are not well-formed `Probe` documents with a Uuid are ignored.
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import logging
import math
import re
import secrets
import socket
import struct
import time
import zlib
from dataclasses import dataclass
from typing import Optional

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from . import passwords, xmlgen
from .state import IPConfig, User, register_area

log = logging.getLogger("emulator.sadp")

GROUP = "239.255.255.250"
PORT = 37020
MAX_DATAGRAM = 8192
REPLY_MODES = ("unicast", "multicast", "both")
PROFILE_REPLY = {"nvr": "unicast", "current_camera": "multicast", "legacy_camera": "multicast"}
LOCK_ATTEMPTS = 6
LOCK_SECONDS = 1800
RESET_ATTEMPTS = 7  # wrong GUID imports before resets are refused (recovery reference §8)
RESET_LOCK_SECONDS = 1800
IP_MULTICAST_ALL = 49  # Linux; not exported by Python 3.11
# Synthetic numeric DeviceType values taken from real replies of each kind (docs/developer/sadp-reference.md, §2.2).
DEVICE_TYPE = {"camera": 140063, "nvr": 44322}
_FORBIDDEN = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)

# Set by the CLI (--sadp-reply); None = the profile default above.
reply_override: Optional[str] = None


@dataclass
class SadpArea:
    salt: str
    reply_mode: str
    failures: int = 0
    locked_until: Optional[float] = None
    exchange: Optional[str] = None  # pending single-use random string of the key exchange
    probes: int = 0
    replies: int = 0
    ignored: int = 0
    hellos: int = 0
    send_errors: int = 0

    def public(self) -> dict:
        return {"salt": self.salt, "reply_mode": self.reply_mode, "failures": self.failures,
                "locked": self.locked_until is not None and time.time() < self.locked_until,
                "exchange_pending": self.exchange is not None, "probes": self.probes,
                "replies": self.replies, "ignored": self.ignored, "hellos": self.hellos,
                "send_errors": self.send_errors}


def _fresh_area(spec) -> SadpArea:
    return SadpArea(salt=secrets.token_hex(32),
                    reply_mode=reply_override or PROFILE_REPLY.get(spec.profile.name, "multicast"))


# A full factory reset makes a new area (new salt, counters); a basic one keeps the lock state.
register_area("sadp", _fresh_area, kept_on_basic_reset=True)


# --- crypto, device side ---------------------------------------------------------------------------

def _aes_ecb(key: bytes, data: bytes, decrypt: bool = False) -> bytes:
    cipher = Cipher(algorithms.AES(key), modes.ECB())
    op = cipher.decryptor() if decrypt else cipher.encryptor()
    return op.update(data) + op.finalize()


def encrypt_random(code: str, random_string: str) -> str:
    key = serialization.load_der_public_key(base64.b64decode(code, validate=True))
    return base64.b64encode(key.encrypt(random_string.encode("ascii"), padding.PKCS1v15())).decode()


def decrypt_password(field: str, random_string: str) -> Optional[str]:
    key = random_string.encode("ascii")[:16]
    try:
        data = base64.b64decode(field, validate=True)
    except ValueError:
        return None
    if not data or len(data) % 16:
        return None
    plain = _aes_ecb(key, data, decrypt=True).rstrip(b"\0")
    if not plain.startswith(key):
        return None
    try:
        return plain[16:].decode("utf-8")
    except UnicodeDecodeError:
        return None


def expected_update_password(password: str, salt: Optional[str], user: str = "admin") -> str:
    if salt is None:
        return base64.b64encode(hashlib.md5(password.encode()).digest()).decode()
    key = hashlib.md5(hashlib.sha256((user + salt + password).encode()).hexdigest().encode()).digest()
    return base64.b64encode(_aes_ecb(key, key + b"\0" * 48)).decode()


# --- messages ----------------------------------------------------------------------------------------

def _mac(text: Optional[str]) -> str:
    return re.sub(r"[^0-9a-f]", "", (text or "").lower())


def _boot_time(ts: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts))


def _salted(device) -> bool:
    return device.spec.profile.name != "legacy_camera"


def device_fields(device) -> dict:
    """The ProbeMatch/Hello device fields, in the order of the real recorder reply (§2.3)."""
    spec, st = device.spec, device.state
    net = st.network
    area = st.areas["sadp"]
    fields = {}
    if _salted(device):
        fields.update(Encrypt=True, Salt=area.salt)
    fields.update(
        DeviceType=DEVICE_TYPE.get(spec.kind, 140063), DeviceDescription=spec.model,
        DeviceSN=spec.serial, CommandPort=8000, HttpPort=spec.http_port,
        MAC=spec.mac.replace(":", "-"), IPv4Address=st.address, IPv4SubnetMask=net.mask,
        IPv4Gateway=net.gateway, IPv6Address="::", IPv6Gateway="::", IPv6MaskLen=64,
        DHCP=net.addressing == "dynamic", AnalogChannelNum=0,
        DigitalChannelNum=spec.profile.input_proxy_nums or 1,
        SoftwareVersion=spec.firmware.replace(" build", "build"),
        DSPVersion="V7.3, build " + spec.firmware_build.split()[-1],
        BootTime=_boot_time(st.boot_time), OEMInfo="N/A", Activated=st.activated,
        PasswordResetAbility=_salted(device),
    )
    if spec.kind == "nvr":
        fields["SyncIPCPassword"] = True
    if _salted(device) and spec.recovery:
        # The reset-method flags of §2.2 follow the fleet's recovery key, as SecurityCap does.
        fields.update(SupportGUID="guid" in spec.recovery,
                      SupportSecurityQuestion="questions" in spec.recovery,
                      SupportHCPlatform="hik_connect" in spec.recovery,
                      HCPlatformEnable="hik_connect" in spec.recovery and st.areas["services"].ezviz,
                      SupportMailBox="email" in spec.recovery, SupportPasswordResetType=True)
    return fields


def render(root: str, fields: dict) -> bytes:
    return xmlgen.render(root, fields, version=None, newline="\r\n")


def parse_probe(data: bytes) -> Optional[dict]:
    """{lower-case tag: (text, attrib)} of a well-formed Probe with Uuid and Types, else None."""
    if not data or len(data) > MAX_DATAGRAM or _FORBIDDEN.search(data):
        return None
    try:
        root = xmlgen.parse(data)
    except xmlgen.XmlFormatError:
        return None
    if root.tag != "Probe":
        return None
    fields = {child.tag.lower(): ((child.text or "").strip(), dict(child.attrib)) for child in root}
    if not fields.get("uuid", ("",))[0] or not fields.get("types", ("",))[0]:
        return None
    fields["__root__"] = (root, {})  # nested lists (AnswerReset's QuestionList)
    return fields


def _peer_traffic(data: bytes) -> bool:
    """Another device's reply or Hello on the group: normal traffic, not a malformed probe."""
    if len(data) > MAX_DATAGRAM or _FORBIDDEN.search(data):
        return False
    try:
        return xmlgen.parse(data).tag in ("ProbeMatch", "Hello")
    except xmlgen.XmlFormatError:
        return False


# --- the responder -----------------------------------------------------------------------------------

def _mreqn(group: str, ifindex: int) -> bytes:
    return struct.pack("4s4si", socket.inet_aton(group), socket.inet_aton("0.0.0.0"), ifindex)


class SadpResponder(asyncio.DatagramProtocol):
    def __init__(self, device, interface: str, loopback_only: bool):
        self.device = device
        self.interface = interface
        self.loopback_only = loopback_only
        self.transport = None

    @property
    def area(self) -> SadpArea:
        return self.device.state.areas["sadp"]

    async def start(self) -> None:
        index = socket.if_nametoindex(self.interface)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("", PORT))
        # Only the group joined here, on this interface: not every group some other socket joined.
        sock.setsockopt(socket.IPPROTO_IP, IP_MULTICAST_ALL, 0)
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, _mreqn(GROUP, index))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, _mreqn("0.0.0.0", index))
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        self.transport, _ = await loop.create_datagram_endpoint(lambda: self, sock=sock)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
            self.transport = None

    # asyncio callbacks
    def datagram_received(self, data: bytes, addr) -> None:
        try:
            self._received(data, addr)
        except Exception:  # a bad datagram must never take the responder down
            log.exception("%s: SADP datagram from %s failed", self.device.spec.name, addr)

    def error_received(self, exc) -> None:
        # An unreachable unicast destination (off-subnet client, docs/developer/sadp-reference.md, §1.3) lands here.
        self.area.send_errors += 1
        log.info("%s: SADP send failed: %s", self.device.spec.name, exc)

    # sending
    def _send(self, payload: bytes, addr, mode: Optional[str] = None) -> None:
        if self.transport is None:
            return
        mode = mode or self.area.reply_mode
        if mode in ("unicast", "both"):
            self.transport.sendto(payload, addr)
        if mode in ("multicast", "both"):
            self.transport.sendto(payload, (GROUP, PORT))
        self.area.replies += 1

    def hello(self) -> None:
        if self.transport is None:
            return
        self.area.hellos += 1
        self.transport.sendto(render("Hello", {"Types": "hello", **device_fields(self.device)}),
                              (GROUP, PORT))

    # handling
    def _received(self, data: bytes, addr) -> None:
        if self.loopback_only and not ipaddress.IPv4Address(addr[0]).is_loopback:
            return  # a loopback fleet never talks to a real network
        device = self.device
        if not device.listening:
            return  # rebooting, refusing or unbound: the device is off the network
        probe = parse_probe(data)
        if probe is None:
            if not _peer_traffic(data):
                self.area.ignored += 1
            return
        self.area.probes += 1
        types = probe["types"][0].lower()
        if types != "inquiry" and _mac(probe.get("mac", ("",))[0]) != _mac(device.spec.mac):
            return  # a command for another device
        handler = getattr(self, "_on_" + types, None)
        if handler is None:
            return  # a Types this emulator does not implement: real devices stay silent too
        reply = handler(probe)
        if reply is not None:
            self._send(render("ProbeMatch", {"Uuid": probe["uuid"][0], "Types": probe["types"][0],
                                             **reply}), addr)

    def _on_inquiry(self, probe) -> dict:
        return device_fields(self.device)

    def _on_exchangecode(self, probe) -> dict:
        random_string = secrets.token_hex(16)
        try:
            code = encrypt_random(probe.get("code", ("",))[0], random_string)
        except (ValueError, TypeError):
            return {"Result": "failed"}
        self.area.exchange = random_string
        return {"Result": "success", "Code": code}

    def _on_activate(self, probe) -> dict:
        state, area = self.device.state, self.area
        if state.activated:
            return {"Result": "hasActivated"}
        random_string, area.exchange = area.exchange, None  # single use
        if random_string is None:
            return {"Result": "failed"}
        password = decrypt_password(probe.get("password", ("",))[0], random_string)
        if password is None:
            return {"Result": "failed"}
        if passwords.policy_error("admin", password, self.device.spec.profile.password_len):
            return {"Result": "riskPassword"}
        state.activated = True
        state.users = [User(1, "admin", "Administrator", password)]
        state.add_log("activate", via="sadp")
        return {"Result": "success"}

    def _locked_reply(self) -> Optional[dict]:
        area = self.area
        if area.locked_until is None:
            return None
        left = area.locked_until - time.time()
        if left <= 0:
            area.locked_until, area.failures = None, 0
            return None
        return {"Result": "locked", "RetryModifyTime": 0,
                "SurplusLockTime": max(1, math.ceil(left / 60.0))}

    def _password_ok(self, probe) -> bool:
        text, attrib = probe.get("password", ("", {}))
        admin = self.device.state.user_by_name("admin")
        if not text or admin is None:
            return False  # a missing password is refused (CVE-2023-28810, docs/developer/sadp-reference.md, §3.5)
        salted = str(attrib.get("bSalt", "")).lower() == "true"
        if salted != _salted(self.device):
            return False
        expected = expected_update_password(admin.password, self.area.salt if salted else None)
        return secrets.compare_digest(text, expected)

    def _on_update(self, probe) -> dict:
        device, area = self.device, self.area
        if not device.state.activated:
            return {"Result": "notActivated"}
        locked = self._locked_reply()
        if locked:
            return locked
        if not self._password_ok(probe):
            area.failures += 1
            device.state.add_log("sadpPasswordError", failures=area.failures)
            if area.failures >= LOCK_ATTEMPTS:
                area.locked_until = time.time() + LOCK_SECONDS * device.clock.scale
                return self._locked_reply()
            return {"Result": "PasswordError", "RetryModifyTime": LOCK_ATTEMPTS - area.failures,
                    "SurplusLockTime": 0}
        area.failures = 0
        network = self._new_network(probe)
        if network is None:
            return {"Result": "failed"}
        self._apply(network)
        return {"Result": "success", **device_fields(device)}

    # -- self-service resets (docs/developer/sadp-reference.md, §3.7 c-d;
    #    docs/developer/recovery-reference.md, §7-§8) ---------------------------------------------
    # Emulator choices where the facts stop: <GUID> travels as the exported text; answers and the
    # new password are protected like activate's password (the DLL's EncryptAnswerByRandomStr /
    # EncryptPWByRandomStr, inferred to be that scheme); GUID and answer failures share one budget:
    # 7 wrong → resets refused for 30 minutes (§8, stated for GUID imports), scaled by time_scale.

    def _reset_lock(self, rec) -> Optional[dict]:
        left = rec.reset_locked_until - time.time()
        if rec.reset_locked_until and left <= 0:
            rec.reset_locked_until, rec.reset_failures = 0.0, 0
        if left > 0:
            return {"Result": "locked", "RetryTimes": 0, "SurplusLockTime": max(1, math.ceil(left / 60.0))}
        return None

    def _reset(self, probe, method: str, check) -> dict:
        device, state = self.device, self.device.state
        rec = state.areas["recovery"]
        if not state.activated:
            return {"Result": "notActivated"}
        if method != "vendor" and method not in device.spec.recovery:
            return {"Result": "failed"}
        locked = self._reset_lock(rec)
        if locked:
            return locked
        random_string, self.area.exchange = self.area.exchange, None  # single use
        if random_string is None:
            return {"Result": "failed"}
        password = decrypt_password(probe.get("password", ("",))[0], random_string)
        if password is None:
            return {"Result": "failed"}
        admin = state.user_by_name("admin")
        if not check(rec, admin, random_string):
            rec.reset_failures += 1
            state.add_log("sadpResetError", method=method, failures=rec.reset_failures)
            if rec.reset_failures >= RESET_ATTEMPTS:
                rec.reset_locked_until = time.time() + RESET_LOCK_SECONDS * device.clock.scale
                return self._reset_lock(rec)
            return {"Result": {"guid": "invalidGUID", "questions": "AnswerError"}.get(method, "codeError"),
                    "RetryTimes": RESET_ATTEMPTS - rec.reset_failures, "SurplusLockTime": 0}
        if passwords.policy_error("admin", password, device.spec.profile.password_len):
            return {"Result": "riskPassword"}
        admin.password = password
        rec.reset_failures = 0
        rec.guid = rec.guid_password = None  # the file is void once used (§8)
        state.add_log("sadpReset", method=method)
        return {"Result": "success"}

    def _on_guidreset(self, probe) -> dict:
        given = probe.get("guid", ("",))[0]

        def check(rec, admin, random_string):
            return bool(given) and rec.guid_valid(admin.password) and secrets.compare_digest(given, rec.guid)
        return self._reset(probe, "guid", check)

    def _on_answerreset(self, probe) -> dict:
        root = probe["__root__"][0]

        def check(rec, admin, random_string):
            given = {}
            for q in root.iter("Question"):
                try:
                    qid = int(xmlgen.text(q, "ID") or "")
                except ValueError:
                    return False
                given[qid] = decrypt_password(xmlgen.text(q, "Answer") or "", random_string)
            return len(rec.answers) == 3 and len(given) == 3 and all(
                given.get(qid) is not None and secrets.compare_digest(given[qid], answer)
                for qid, answer in rec.answers.items())
        return self._reset(probe, "questions", check)

    # -- the vendor flow (SADP reference §3.7 a; recovery reference §7): export a request, apply
    #    the key support returned. The key check is the emulator's support-desk TEST DOUBLE.

    def _on_getcode(self, probe) -> dict:
        state = self.device.state
        if not state.activated:
            return {"Result": "notActivated"}
        dummy, blob = self._new_request("file")
        state.add_log("sadpResetRequestExported")
        return {"Result": "success", "Code": blob}

    def _on_getpasswordresettype(self, probe) -> Optional[dict]:
        """Which reset methods are enabled (SADP reference §3.2, §3.7). ⚠ "Enabled" is read as
        offered by the firmware and set up on the device (questions set, a GUID file valid for
        the current password, an address reserved, Hik-Connect on); the web UI's own reset-type
        answer says configured / nonsupport (recovery reference §9). Only devices that advertise
        SupportPasswordResetType answer; the others stay silent, as for any unknown Types."""
        from .handlers.recovery import configured
        if not (_salted(self.device) and self.device.spec.recovery):
            return None
        ready = configured(self.device)
        return {"Result": "success", "PasswordResetTypeEnabled": any(ready.values()),
                "SecurityQuestionEnabled": ready["questions"], "GuidFileDataEnabled": ready["guid"],
                "SecurityEmailEnabled": ready["email"],
                "HCVerificationCodeEnabled": ready["hik_connect"]}

    def _new_request(self, kind: str) -> tuple:
        """A new reset request (voids the earlier one, of either kind) and its blob."""
        state = self.device.state
        rec = state.areas["recovery"]
        rec.request_code = secrets.token_hex(12).upper()
        rec.request_at, rec.request_boot, rec.request_kind = time.time(), state.reboot_count, kind
        rec.request_email = rec.email if kind == "qr" else None
        body = rec.request_code.encode("ascii")
        # 03 00 00 00, the code text, a 4-byte checksum (§3.7 a; ⚠ CRC-32 is the emulator's pick)
        return rec, base64.b64encode(b"\x03\x00\x00\x00" + body + struct.pack("<I", zlib.crc32(body))).decode("ascii")

    def _on_getqrcodes(self, probe) -> dict:
        """The QR code for support or for the e-mail / Hik-Connect reset (SADP reference §3.7 b-e;
        recovery reference §5, §7). ⚠ The QR's content is unknown (§9): the emulator puts the
        getcode blob in it. Without a reserved address the answer is notSetMailBox (the DLL's
        "NOT SET MAILBOX", §7)."""
        from .handlers.recovery import _mask
        state = self.device.state
        if not state.activated:
            return {"Result": "notActivated"}
        rec = state.areas["recovery"]
        if "email" not in self.device.spec.recovery or rec.email is None:
            return {"Result": "notSetMailBox"}
        rec, blob = self._new_request("qr")
        state.add_log("sadpResetQrExported")
        return {"Result": "success", "QRcodes": blob, "MailBox": _mask(rec.email),
                "MailServiceBox": "pw_recovery@hikvision.com"}

    def _request_void(self, rec, kinds) -> bool:
        from .handlers.recovery import REQUEST_SECONDS
        state = self.device.state
        return (rec.request_code is None or rec.request_kind not in kinds or
                rec.request_boot != state.reboot_count or
                time.time() - rec.request_at > REQUEST_SECONDS * self.device.clock.scale)

    def _on_mailreset(self, probe) -> dict:
        """The e-mail (or Hik-Connect app) verification code with the new password (SADP reference
        §3.7 e). ⚠ A code voided by a reboot, a new export, 48 h or a change of the reserved
        address (recovery reference §5) answers exportFileOverDue, as a voided key does."""
        from .handlers.recovery import verification_code
        state = self.device.state
        rec = state.areas["recovery"]
        given = probe.get("code", ("",))[0]
        if state.activated and "email" in self.device.spec.recovery:
            if rec.email is None:
                self.area.exchange = None
                return {"Result": "notSetMailBox"}
            if self._request_void(rec, ("qr",)) or rec.request_email != rec.email:
                self.area.exchange = None
                return {"Result": "exportFileOverDue"}

        def check(rec, admin, random_string):
            return bool(given) and secrets.compare_digest(
                given, verification_code(rec.request_code, rec.request_email or ""))
        reply = self._reset(probe, "email", check)
        if reply.get("Result") == "success":
            rec.request_code = None
        return reply

    def _on_reset(self, probe) -> dict:
        from .handlers.recovery import support_key
        given = probe.get("code", ("",))[0]
        state = self.device.state

        def check(rec, admin, random_string):
            return bool(given) and secrets.compare_digest(given, support_key(rec.request_code))
        rec = state.areas["recovery"]
        # A support key answers either request: the file or the QR code sent to support (§3.7 a-b).
        if state.activated and self._request_void(rec, ("file", "qr")):
            self.area.exchange = None
            return {"Result": "exportFileOverDue"}
        reply = self._reset(probe, "vendor", check)
        if reply.get("Result") == "success":
            rec.request_code = None  # one request, one reset
        return reply

    def _new_network(self, probe) -> Optional[IPConfig]:
        def value(tag):
            return probe.get(tag.lower(), ("",))[0]
        current = self.device.state.network
        try:
            dhcp = xmlgen.to_bool(value("DHCP") or "false")
            address = str(ipaddress.IPv4Address(value("IPv4Address") or self.device.state.address))
            mask = str(ipaddress.IPv4Network("0.0.0.0/" + (value("IPv4SubnetMask") or current.mask)).netmask)
            gateway = str(ipaddress.IPv4Address(value("IPv4Gateway") or current.gateway))
            http_port = int(value("HttpPort") or self.device.spec.http_port)
        except ValueError:
            return None
        if http_port != self.device.spec.http_port:
            return None  # the emulator does not move its listening ports
        if dhcp:
            address = self.device.state.address  # the emulated DHCP leases the same address
        return IPConfig(ip_version=current.ip_version, addressing="dynamic" if dhcp else "static",
                        address=address, mask=mask, gateway=gateway, dns1=current.dns1,
                        dns2=current.dns2)

    def _apply(self, network: IPConfig) -> None:
        """Live, like the vendor tool shows it: no reboot; the listeners move (docs/developer/sadp-reference.md, §3.5)."""
        state = self.device.state
        state.network, state.staged_network = network, None
        moved = state.address != network.address
        state.address = network.address
        state.add_log("sadpUpdate", address=network.address, dhcp=network.addressing == "dynamic")
        if moved:
            # After the reply has gone out from the old address.
            asyncio.get_running_loop().call_soon(
                lambda: asyncio.ensure_future(self.device.readdress()))
