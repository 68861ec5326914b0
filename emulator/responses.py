"""Request context and response builders shared by all handlers."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from aiohttp import web

from . import xmlgen
from .errors import STATUS_STRINGS, SUB_CODES, IsapiError

SERVER_HEADER = "App-webs/"  # MC cassettes (V5.4/V5.5 cameras)

HTML_401 = (
    "<!DOCTYPE html>\r\n<html><head><title>Document Error: Unauthorized</title></head>\r\n"
    "<body><h2>Access Error: 401 -- Unauthorized</h2>\r\n<p>Authentication Error</p>\r\n"
    "</body>\r\n</html>\r\n"
)


def xml_bytes(device, root: str, tree: dict, *, namespace: Optional[str] = "",
              version: Optional[str] = "2.0", style: Optional[str] = None) -> bytes:
    profile = device.spec.profile
    ns = profile.namespace if namespace == "" else namespace
    return xmlgen.render(root, tree, namespace=ns, version=version,
                         newline=profile.xml_newline, indent=profile.xml_indent,
                         style=style or profile.xml_style)


def xml_response(device, root: str, tree: dict, *, status: int = 200, namespace: Optional[str] = "",
                 version: Optional[str] = "2.0", headers: Optional[list] = None,
                 style: Optional[str] = None) -> web.Response:
    body = xml_bytes(device, root, tree, namespace=namespace, version=version, style=style)
    return raw_response(body, device.spec.profile.content_type, status, headers)


def raw_response(body: bytes, content_type: str, status: int, headers: Optional[list] = None) -> web.Response:
    resp = web.Response(body=body, status=status)
    resp.headers["Content-Type"] = content_type
    resp.headers["Server"] = SERVER_HEADER
    for name, value in headers or []:
        resp.headers.add(name, value)
    return resp


def status_tree(device, url: str, sub: str, new_id: Optional[int] = None) -> dict:
    status_code, error_code, _ = SUB_CODES[sub]
    fields = device.spec.profile.status_fields
    # Element order follows the ResponseStatus definition (requestURL, statusCode, statusString,
    # id, subStatusCode, errorCode) in the ISAPI guides; which optional elements appear is per
    # firmware as recorded (profiles.status_fields; see README).
    tree: dict = {"requestURL": url} if "requestURL" in fields else {}
    tree.update({"statusCode": status_code, "statusString": STATUS_STRINGS[status_code]})
    if new_id is not None:
        tree["id"] = new_id
    tree["subStatusCode"] = sub
    if "errorCode" in fields and error_code is not None:
        tree["errorCode"] = error_code
    return tree


def status_response(device, url: str, sub: str = "ok", *, http: Optional[int] = None,
                    new_id: Optional[int] = None) -> web.Response:
    profile = device.spec.profile
    return xml_response(device, "ResponseStatus", status_tree(device, url, sub, new_id),
                        status=http or SUB_CODES[sub][2], version=profile.status_version,
                        style=profile.status_style)


def error_response(device, url: str, err: IsapiError) -> web.Response:
    return status_response(device, url, err.sub, http=err.http)


def unauthorized_response(device, result) -> web.Response:
    auth = device.auth
    headers = auth.challenge_headers(stale=result.outcome == "stale")
    profile = device.spec.profile
    if profile.body_401 == "html":
        return raw_response(HTML_401.encode(), "text/html", 401, headers)
    entry = result.lock_entry
    locked = entry is not None and entry.locked_until is not None
    tree = {
        "statusValue": 401,
        "statusString": "Unauthorized",
        "lockStatus": "lock" if locked else "unlock",
        "unlockTime": auth.unlock_seconds(entry) if locked else 0,
        "retryLoginTime": 0 if locked else auth.attempts_left(entry),
    }
    # The captured lock reply carries neither version nor namespace (docs/developer/isapi-reference.md, §2.5).
    body = xmlgen.render("userCheck", tree, namespace=None, version=None,
                         newline=profile.xml_newline, indent=profile.xml_indent,
                         declaration='<?xml version="1.0" encoding="UTF-8" ?>', style=profile.xml_style)
    return raw_response(body, 'application/xml; charset="UTF-8"', 401, headers)


@dataclass
class Ctx:
    device: Any
    request: web.BaseRequest
    params: dict
    body: bytes
    user: Any = None
    after_response: list = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.request.path

    @property
    def profile(self):
        return self.device.spec.profile

    @property
    def state(self):
        return self.device.state

    def xml(self, *roots: str):
        """Parsed body; badXmlFormat if unparseable, badXmlContent if the root is unexpected."""
        try:
            root = xmlgen.parse(self.body)
        except xmlgen.XmlFormatError:
            raise IsapiError("badXmlFormat") from None
        if roots and root.tag not in roots:
            raise IsapiError("badXmlContent", detail=f"root {root.tag} not in {roots}")
        return root

    def reply(self, root: str, tree: dict, **kw) -> web.Response:
        return xml_response(self.device, root, tree, **kw)

    def ok(self, sub: str = "ok", new_id: Optional[int] = None) -> web.Response:
        return status_response(self.device, self.path, sub, new_id=new_id)

    def then(self, fn: Callable) -> None:
        """Run fn (a coroutine function) once the response has been written."""
        self.after_response.append(fn)
