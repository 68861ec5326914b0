"""Table of (method, path pattern) → handler. Handler modules register with @route at import."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

WRITE_METHODS = ("PUT", "POST", "DELETE", "PATCH")


@dataclass
class Route:
    method: str
    pattern: str
    regex: re.Pattern
    handler: Callable
    auth: bool = True  # False: no credentials and no activation gate (activation endpoints)
    kinds: tuple = ("camera", "nvr")
    min_level: Optional[str] = None  # None: Viewer for GET, Administrator for writes
    # True: the pipeline leaves the body unread and the handler streams ctx.request.content
    # (firmware uploads are far larger than the body limit).
    stream_body: bool = False
    # True: a POST that changes nothing (a SOAP query such as ONVIF GetDeviceInformation); not
    # counted in `writes` and not hit by the drop_response_next fault, which models lost writes.
    read_only: bool = False


ROUTES: list = []


def _compile(pattern: str) -> re.Pattern:
    parts = re.split(r"(\{[a-z_]+(?::[^}]+)?\})", pattern)
    out = []
    for part in parts:
        m = re.fullmatch(r"\{([a-z_]+)(?::([^}]+))?\}", part)
        out.append(f"(?P<{m.group(1)}>{m.group(2) or '[^/]+'})" if m else re.escape(part))
    return re.compile("^" + "".join(out) + "$")


def route(methods, pattern: str, **options):
    if isinstance(methods, str):
        methods = (methods,)

    def register(fn):
        for method in methods:
            ROUTES.append(Route(method, pattern, _compile(pattern), fn, **options))
        return fn
    return register


def match(method: str, path: str, kind: str):
    """Return (route, params) for a hit, ("method", None) if the path exists under another
    method, or (None, None) when no route knows the path."""
    path_known = False
    for r in ROUTES:
        if kind not in r.kinds:
            continue
        m = r.regex.match(path)
        if not m:
            continue
        if r.method == method or r.method == "*":
            return r, m.groupdict()
        path_known = True
    return ("method", None) if path_known else (None, None)


# Wrappers every route handler runs through, in registration order (the device log's audit of
# logins and configuration writes is one). A wrapper is fn(handler, method) -> handler.
MIDDLEWARE: list = []


def add_middleware(fn) -> None:
    MIDDLEWARE.append(fn)


def wrapped(handler, method: str):
    for fn in MIDDLEWARE:
        handler = fn(handler, method)
    return handler
