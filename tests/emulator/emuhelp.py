"""Helpers shared by the emulator tests (plain functions; no mocking anywhere)."""
from __future__ import annotations

import hashlib
import os
import re
import socket
import time

import requests

from emulator import xmlgen

_PARAM = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*(?:"([^"]*)"|([^\s,]+))')


def xml(resp):
    return xmlgen.parse(resp.content)


def text(resp, path: str):
    return xmlgen.text(xml(resp), path)


def sub_status(resp) -> str:
    return text(resp, "subStatusCode")


def challenges(resp) -> list:
    """All WWW-Authenticate header values (urllib3 keeps repeats separately)."""
    return resp.raw.headers.getlist("WWW-Authenticate")


def digest_params(header: str) -> dict:
    assert header.startswith("Digest "), header
    return {m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _PARAM.finditer(header[7:])}


def digest_header(method: str, uri: str, user: str, password: str, params: dict, *, nc: int = 1,
                  cnonce: str = "0a4f113b", algorithm: str = "MD5") -> str:
    h = {"MD5": hashlib.md5, "SHA-256": hashlib.sha256}[algorithm]

    def hx(s: str) -> str:
        return h(s.encode()).hexdigest()

    realm, nonce = params["realm"], params["nonce"]
    ha1 = hx(f"{user}:{realm}:{password}")
    ha2 = hx(f"{method}:{uri}")
    ncs = f"{nc:08x}"
    response = hx(f"{ha1}:{nonce}:{ncs}:{cnonce}:auth:{ha2}")
    header = (f'Digest username="{user}", realm="{realm}", nonce="{nonce}", uri="{uri}", '
              f'response="{response}", qop=auth, nc={ncs}, cnonce="{cnonce}"')
    if algorithm != "MD5":
        header += f", algorithm={algorithm}"
    return header


def refused(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return False
    except OSError:
        return True


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


class Client:
    """A requests session bound to one emulated device over HTTPS with the fleet CA."""

    def __init__(self, fleet, name: str, user: str = "admin", password=None, scheme: str = "https",
                 address=None):
        dev = fleet.devices[name]
        self.address = address or dev["address"]
        port = dev["https_port"] if scheme == "https" else dev["http_port"]
        self.base = f"{scheme}://{self.address}:{port}"
        self.session = requests.Session()
        # Per request, not session.verify: REQUESTS_CA_BUNDLE in the environment beats session.verify.
        self.verify = fleet.ca_path
        pw = password if password is not None else dev.get("password") or dev["intended_password"]
        self.session.auth = requests.auth.HTTPDigestAuth(user, pw)

    def get(self, path, **kw):
        return self.session.get(self.base + path, timeout=10, verify=self.verify, **kw)

    def put(self, path, body=b"", **kw):
        return self.session.put(self.base + path, data=body, timeout=10, verify=self.verify, **kw)

    def post(self, path, body=b"", **kw):
        return self.session.post(self.base + path, data=body, timeout=10, verify=self.verify, **kw)

    def delete(self, path, body=None, **kw):
        return self.session.delete(self.base + path, data=body, timeout=10, verify=self.verify, **kw)


def net(octet: int) -> str:
    """'127.<octet>' for this test process. pytest-xdist's default scheduling may run tests of one
    module on several workers, each starting its own copy of the module's fleet: every worker
    therefore gets its own 127.x range (+50 per worker), so fixed addresses never collide."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    if index > 3:
        raise RuntimeError("emulator tests support at most 4 xdist workers (127.x ranges)")
    return f"127.{octet + 50 * index}"
