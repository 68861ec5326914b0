"""Password policy (docs/developer/isapi-reference.md, §6.4) and generation of strong fleet passwords."""
from __future__ import annotations

import secrets
import string
from typing import Optional

# Kept free of characters that need shell or YAML quoting beyond the ordinary, but still "special".
SPECIALS = "-_=+.@#%"


def char_classes(password: str) -> int:
    return sum((
        any(c.isdigit() for c in password),
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(not c.isalnum() for c in password),
    ))


def policy_error(user: str, password: str, length: tuple = (8, 16)) -> Optional[str]:
    """Return the subStatusCode a device answers for this password, or None when accepted."""
    low, high = length
    if len(password) > high:
        return "badParameters"
    if len(password) < low or char_classes(password) < 2:
        return "userPwdLenUnder8"
    if password.lower() == user.lower():
        return "userPwdNameSame"
    if password.lower() == user[::-1].lower():
        return "userPwdNameMirror"
    return None


def generate(length: int = 16) -> str:
    pools = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SPECIALS)
    everything = "".join(pools)
    while True:
        chars = [secrets.choice(pool) for pool in pools]
        chars += [secrets.choice(everything) for _ in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        if candidate[0] not in SPECIALS:  # avoid a leading '%'/'@' that YAML treats specially
            return candidate
