"""Small helpers for reading request documents."""
from __future__ import annotations

import ipaddress
from typing import Optional

from .. import xmlgen
from ..errors import IsapiError


def need(el, path: str) -> str:
    """Text of a required element; a missing element is badXmlContent (full-document PUTs)."""
    value = xmlgen.text(el, path)
    if value is None:
        raise IsapiError("badXmlContent", detail=f"missing <{path}>")
    return value


def need_bool(el, path: str) -> bool:
    try:
        return xmlgen.to_bool(need(el, path))
    except ValueError:
        raise IsapiError("badParameters", detail=f"<{path}> is not true/false") from None


def opt_bool(el, path: str, default: bool) -> bool:
    value = xmlgen.text(el, path)
    if value is None:
        return default
    try:
        return xmlgen.to_bool(value)
    except ValueError:
        raise IsapiError("badParameters", detail=f"<{path}> is not true/false") from None


def need_int(el, path: str, low: Optional[int] = None, high: Optional[int] = None,
             sub: str = "badParameters") -> int:
    value = need(el, path)
    try:
        number = int(value)
    except ValueError:
        raise IsapiError(sub, detail=f"<{path}> is not an integer") from None
    if (low is not None and number < low) or (high is not None and number > high):
        raise IsapiError(sub, detail=f"<{path}> out of range")
    return number


def ipv4(value: str) -> Optional[ipaddress.IPv4Address]:
    try:
        return ipaddress.IPv4Address(value)
    except ValueError:
        return None


def check_ipv4(value: str, *, allow_zero: bool = False, sub: str = "badIPv4Address") -> str:
    addr = ipv4(value)
    if addr is None:
        raise IsapiError(sub, detail=f"{value!r} is not an IPv4 address")
    if not allow_zero and (addr.is_unspecified or addr.is_multicast or str(addr) == "255.255.255.255"):
        raise IsapiError(sub, detail=f"{value} is not usable as a host address")
    return str(addr)


def check_mask(value: str) -> str:
    addr = ipv4(value)
    if addr is None:
        raise IsapiError("badNetMask", detail=value)
    bits = int(addr)
    inverted = (~bits) & 0xFFFFFFFF
    if bits == 0 or inverted & (inverted + 1):
        raise IsapiError("badNetMask", detail=value)
    return str(addr)


def optional_count(value, default: int, what: str) -> int:
    """A non-negative integer from an optional element or query value (paging positions...)."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise IsapiError("badParameters", detail=f"{what} is not an integer") from None
    if number < 0:
        raise IsapiError("badParameters", detail=f"{what} is negative")
    return number
