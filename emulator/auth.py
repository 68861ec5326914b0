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
    limit: Optional[int] = None  # threshold of the account class tried last (admin or other)


@dataclass
class AuthResult:
    outcome: str  # ok | missing | stale | failed | locked | refused | replayed | bad_uri
    user: object = None
    lock_entry: Optional[LockEntry] = None


class Authenticator:
    """One per device. `device` supplies spec, state, profile and the clock's scale."""

    def __init__(self, device):
        self.device = device
        self.nonces: dict = {}
        self.locks: dict = {}

    def reset(self, keep_locks: bool = False) -> None:
        self.nonces.clear()
        if not keep_locks:
            self.locks.clear()

    # --- challenge ---------------------------------------------------------------------------
    def new_nonce(self) -> str:
        if len(self.nonces) >= MAX_NONCES:
            self._expire_nonces()
        if self.device.spec.profile.challenge_style == "v2":
            # The newer form of the raw 401 capture: 32 hex digits, a colon, epoch milliseconds.
            nonce = f"{secrets.token_hex(16)}:{int(time.time() * 1000)}"
        else:
            # V5.5 firmware sends hex of a base64 string (MC cassette); mimic that shape.
            raw = f"{secrets.token_hex(4)}:{secrets.token_hex(4)[:7]}"
            nonce = base64.b64encode(raw.encode()).hex()
        # issued at, nc values already used with this nonce (a repeat is a replay)
        self.nonces[nonce] = [time.time(), set()]
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
        if spec.profile.challenge_style == "v2":
            # docs/developer/isapi-reference.md, §2.1, second form: every parameter quoted,
            # domain="::" and an empty opaque (which RFC 7616 clients echo back).
            for algo in [a for a in ("SHA-256", "MD5") if a in algos]:
                headers.append(f'Digest realm="{spec.realm}", domain="::", qop="auth", nonce="{nonce}", '
                               f'opaque="", algorithm="{algo}", stale="{stale_text}"')
        elif algos == ["MD5"]:
            # The captured single-algorithm form carries no algorithm token (docs/developer/isapi-reference.md, §2.1).
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
        digest/basic (docs/developer/isapi-reference.md, §11.7, area securitycfg)."""
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

    def threshold(self, username: Optional[str]) -> int:
        """Failures that lock the client: the configured maxIllegalLoginTimes for the admin
        account, user_lock_attempts (5, never more than the configured value) for any other name
        (docs/developer/isapi-reference.md, §2.5: 7 for admin, 5 for user/operator)."""
        configured = self.device.state.lock.attempts
        admin = self.device.state.user_by_id(1)
        if username is None or (admin is not None and username == admin.name):
            return configured
        return min(self.device.spec.user_lock_attempts, configured)

    def attempts_left(self, entry: LockEntry) -> int:
        limit = entry.limit if entry.limit is not None else self.threshold(None)
        return max(0, limit - entry.failures)

    def unlock_seconds(self, entry: LockEntry) -> int:
        if entry.locked_until is None:
            return 0
        left = entry.locked_until - time.time()
        return max(1, int(left + 0.999)) if left > 0 else 0

    def record_failure(self, ip: str, username: Optional[str] = None, entry: Optional[LockEntry] = None,
                       limit: Optional[int] = None) -> None:
        """One failed login of the client IP; ``limit`` overrides the threshold of ``username``
        (ONVIF logins, whose names are not ISAPI accounts)."""
        state, counters = self.device.state, self.device.counters
        entry = entry or self.lock_entry(ip)
        entry.failures += 1
        entry.limit = limit if limit is not None else self.threshold(username)
        counters.failed_logins[ip] = counters.failed_logins.get(ip, 0) + 1
        state.add_log("loginFailed", client=ip, failures=entry.failures)
        if state.lock.enabled and entry.failures >= entry.limit:
            entry.locked_until = time.time() + state.lock.seconds * self.device.clock.scale
            state.add_log("clientLocked", client=ip)

    # --- verification --------------------------------------------------------------------------
    def check(self, method: str, header: Optional[str], ip: str, target: Optional[str] = None) -> AuthResult:
        """target: the request line's target (path and query as sent), which a Digest `uri`
        must equal (RFC 7616 §3.4.6); None skips that check."""
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
            verdict, user = self._check_digest(method, rest, target)
            if verdict in ("stale", "replayed", "bad_uri"):
                # Not a wrong credential: nothing is counted against the client.
                return AuthResult(verdict, lock_entry=entry)
        else:
            return AuthResult("refused", lock_entry=entry)
        if user is None:
            self.record_failure(ip, self._username_tried(scheme, rest), entry)
            return AuthResult("locked" if entry.locked_until else "failed", lock_entry=entry)
        entry.failures, entry.locked_until = 0, None
        self.device.counters.successful_logins += 1
        return AuthResult("ok", user=user, lock_entry=entry)

    @staticmethod
    def _username_tried(scheme: str, rest: str) -> Optional[str]:
        if scheme == "digest":
            return parse_digest(rest).get("username")
        try:
            return base64.b64decode(rest.strip(), validate=True).decode("utf-8").partition(":")[0]
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None

    def _check_basic(self, token: str):
        try:
            user, _, password = base64.b64decode(token.strip(), validate=True).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None
        found = self.device.state.user_by_name(user)
        if found is not None and secrets.compare_digest(found.password, password):
            return found
        return None

    def _check_digest(self, method: str, rest: str, target: Optional[str] = None):
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
        if target is not None and p["uri"] != target:
            # The digest covers the uri field, so a client signing another URI than the one it
            # requests (a dropped query, say) is refused outright.
            return "bad_uri", None
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
        if qop:
            # Each nc is good once per nonce; a repeat is a replayed request. Out-of-order values
            # (parallel requests on one nonce) are fine as long as they are new.
            if nc in record[1]:
                return "replayed", None
            record[1].add(nc)
        return "ok", user
