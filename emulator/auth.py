"""HTTP Digest (RFC 2617/7616) and Basic verification, nonces, and the per-client-IP login lock."""
from __future__ import annotations

import base64
import binascii
import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Optional

_PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')
_HASHES = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}
MAX_NONCES = 4096


def parse_digest(value: str) -> dict:
    return {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
            for m in _PARAM.finditer(value)}


def digest_response(algorithm: str, user: str, realm: str, password: str, method: str, uri: str,
                    nonce: str, nc: Optional[str], cnonce: Optional[str], qop: Optional[str]) -> str:
    h = _HASHES[algorithm]

    def hx(text: str) -> str:
        return h(text.encode("utf-8")).hexdigest()

    ha1 = hx(f"{user}:{realm}:{password}")
    ha2 = hx(f"{method}:{uri}")
    if qop:
        return hx(f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return hx(f"{ha1}:{nonce}:{ha2}")


@dataclass
class LockEntry:
    failures: int = 0
    locked_until: Optional[float] = None


@dataclass
class AuthResult:
    outcome: str  # ok | missing | stale | failed | locked | refused
    user: object = None
    lock_entry: Optional[LockEntry] = None


class Authenticator:
    """One per device. `device` supplies spec, state, profile and the clock's scale."""

    def __init__(self, device):
        self.device = device
        self.nonces: dict = {}
        self.locks: dict = {}

    def reset(self) -> None:
        self.nonces.clear()
        self.locks.clear()

    # --- challenge ---------------------------------------------------------------------------
    def new_nonce(self) -> str:
        if len(self.nonces) >= MAX_NONCES:
            self._expire_nonces()
        # V5.5 firmware sends hex of a base64 string (MC cassette); mimic that shape.
        raw = f"{secrets.token_hex(4)}:{secrets.token_hex(4)[:7]}"
        nonce = base64.b64encode(raw.encode()).hex()
        self.nonces[nonce] = [time.time(), 0]
        return nonce

    def _expire_nonces(self) -> None:
        limit = time.time() - self._nonce_lifetime()
        for key in [k for k, (issued, _) in self.nonces.items() if issued < limit]:
            del self.nonces[key]
        while len(self.nonces) >= MAX_NONCES:
            self.nonces.pop(next(iter(self.nonces)))

    def _nonce_lifetime(self) -> float:
        return self.device.spec.nonce_seconds * self.device.clock.scale

    def challenge_headers(self, stale: bool = False) -> list:
        spec = self.device.spec
        nonce = self.new_nonce()
        stale_text = "TRUE" if stale else "FALSE"
        headers = []
        algos = spec.digest_algorithms
        if algos == ["MD5"]:
            # The captured single-algorithm form carries no algorithm token (isapi.md §2.1).
            headers.append(f'Digest qop="auth", realm="{spec.realm}", nonce="{nonce}", stale="{stale_text}"')
        else:
            order = [a for a in ("SHA-256", "MD5") if a in algos]
            for algo in order:
                headers.append(f'Digest qop="auth", realm="{spec.realm}", nonce="{nonce}", '
                               f'algorithm={algo}, stale="{stale_text}"')
        if self.basic_allowed():
            headers.append(f'Basic realm="{spec.realm}"')
        return [("WWW-Authenticate", h) for h in headers]

    def basic_allowed(self) -> bool:
        """Old firmware always takes Basic; newer takes it once web authentication is set to
        digest/basic (isapi.md §11.7, area securitycfg)."""
        cfg = self.device.state.areas.get("securitycfg")
        return self.device.spec.profile.basic_auth or bool(getattr(cfg, "basic_auth", False))

    # --- lock table ----------------------------------------------------------------------------
    def lock_entry(self, ip: str) -> LockEntry:
        entry = self.locks.get(ip)
        if entry is None:
            entry = self.locks[ip] = LockEntry()
        if entry.locked_until is not None and time.time() >= entry.locked_until:
            entry.failures, entry.locked_until = 0, None
        return entry

    def peek(self, ip: str) -> LockEntry:
        entry = self.locks.get(ip)
        if entry is None:
            return LockEntry()
        return self.lock_entry(ip)

    def attempts_left(self, entry: LockEntry) -> int:
        return max(0, self.device.state.lock.attempts - entry.failures)

    def unlock_seconds(self, entry: LockEntry) -> int:
        if entry.locked_until is None:
            return 0
        left = entry.locked_until - time.time()
        return max(1, int(left + 0.999)) if left > 0 else 0

    def _record_failure(self, ip: str, entry: LockEntry) -> None:
        state, counters = self.device.state, self.device.counters
        entry.failures += 1
        counters.failed_logins[ip] = counters.failed_logins.get(ip, 0) + 1
        state.add_log("loginFailed", client=ip, failures=entry.failures)
        if state.lock.enabled and entry.failures >= state.lock.attempts:
            entry.locked_until = time.time() + state.lock.seconds * self.device.clock.scale
            state.add_log("clientLocked", client=ip)

    # --- verification --------------------------------------------------------------------------
    def check(self, method: str, header: Optional[str], ip: str) -> AuthResult:
        if not header:
            return AuthResult("missing", lock_entry=self.peek(ip))
        entry = self.lock_entry(ip)
        if entry.locked_until is not None:
            return AuthResult("locked", lock_entry=entry)
        forced = self.device.faults.locked_until
        if forced is not None and time.time() < forced:
            # fault "lock_seconds": answered as a locked client, without touching the lock table
            return AuthResult("locked", lock_entry=LockEntry(self.device.state.lock.attempts, forced))
        scheme, _, rest = header.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "basic":
            if not self.basic_allowed():
                # Digest-only firmware answers Basic with a fresh challenge (MC v5.5 cassette);
                # not counted as an illegal login so that Basic-first clients are not punished.
                return AuthResult("refused", lock_entry=entry)
            user = self._check_basic(rest)
        elif scheme == "digest":
            verdict, user = self._check_digest(method, rest)
            if verdict == "stale":
                return AuthResult("stale", lock_entry=entry)
        else:
            return AuthResult("refused", lock_entry=entry)
        if user is None:
            self._record_failure(ip, entry)
            return AuthResult("locked" if entry.locked_until else "failed", lock_entry=entry)
        entry.failures, entry.locked_until = 0, None
        self.device.counters.successful_logins += 1
        return AuthResult("ok", user=user, lock_entry=entry)

    def _check_basic(self, token: str):
        try:
            user, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        found = self.device.state.user_by_name(user)
        if found is not None and secrets.compare_digest(found.password, password):
            return found
        return None

    def _check_digest(self, method: str, rest: str):
        p = parse_digest(rest)
        spec = self.device.spec
        algorithm = (p.get("algorithm") or "MD5").upper()
        if algorithm not in spec.digest_algorithms:
            return "failed", None
        needed = ("username", "realm", "nonce", "uri", "response")
        if any(k not in p for k in needed):
            return "failed", None
        qop = p.get("qop")
        if qop and (qop != "auth" or "nc" not in p or "cnonce" not in p):
            return "failed", None
        user = self.device.state.user_by_name(p["username"])
        if user is None or p["realm"] != spec.realm:
            return "failed", None
        expected = digest_response(algorithm, user.name, spec.realm, user.password, method, p["uri"],
                                   p["nonce"], p.get("nc"), p.get("cnonce"), qop)
        if not secrets.compare_digest(expected, p["response"].lower()):
            return "failed", None
        # Correct credential: only now does nonce freshness matter (a stale nonce is no failure).
        record = self.nonces.get(p["nonce"])
        if record is None or time.time() - record[0] > self._nonce_lifetime():
            self.nonces.pop(p["nonce"], None)
            return "stale", None
        try:
            nc = int(p.get("nc") or "0", 16)
        except ValueError:
            return "failed", None
        if qop and nc < record[1]:
            return "stale", None
        record[1] = max(record[1], nc)
        return "ok", user
