"""The emulator's test firmware image format, and a builder for it.

Real ``digicap.dav`` images are proprietary, so the emulator accepts its own format instead:

    HIKEMU-FW\\n
    {"models": [...], "kinds": ["camera"], "version": "V5.7.20", "build": "build 250101",
     "payload_size": N, "payload_sha256": "..."}\\n
    N payload bytes

``models`` entries are shell-style patterns (``DS-2CD2*``) matched against deviceInfo/model;
``kinds`` lists ``camera`` and/or ``nvr``. The payload is filler so tests can make images of any
size quickly; its checksum lets the device detect a corrupt transfer (badFlash).

CLI::

    python -m emulator.firmware_image --models 'DS-2CD2*' --version V5.7.20 --build 'build 250101' \\
        --size 8M out.dav
"""
from __future__ import annotations

import argparse
import fnmatch
import hashlib
import json
import sys
from typing import Optional

MAGIC = b"HIKEMU-FW\n"
MAX_HEADER = 64 * 1024
_BLOCK = 1024 * 1024


class ImageError(ValueError):
    """The bytes are not an emulator firmware image (or its header is malformed)."""


def header_bytes(meta: dict) -> bytes:
    return MAGIC + json.dumps(meta, sort_keys=True).encode() + b"\n"


def _filler(size: int):
    """Deterministic, non-repeating-looking filler in 1 MiB blocks (never all in memory)."""
    counter = 0
    left = size
    while left > 0:
        seed = hashlib.sha256(b"hikemu-fw-%d" % counter).digest()
        block = (seed * (_BLOCK // len(seed) + 1))[:min(_BLOCK, left)]
        yield block
        left -= len(block)
        counter += 1


def write_image(path: str, *, models, version: str, build: str = "", kinds=("camera", "nvr"),
                size: int = 1024 * 1024, corrupt: bool = False) -> dict:
    """Write an image of ``size`` payload bytes to path; returns its header. ``corrupt`` flips
    the last payload byte after the checksum was taken (a damaged transfer)."""
    digest = hashlib.sha256()
    for block in _filler(size):
        digest.update(block)
    meta = {"models": list(models), "kinds": list(kinds), "version": version, "build": build,
            "payload_size": size, "payload_sha256": digest.hexdigest()}
    with open(path, "wb") as out:
        out.write(header_bytes(meta))
        for block in _filler(size):
            out.write(block)
    if corrupt and size:
        with open(path, "r+b") as out:
            out.seek(-1, 2)
            last = out.read(1)
            out.seek(-1, 2)
            out.write(bytes([last[0] ^ 0xFF]))
    return meta


def parse_header(head: bytes) -> tuple:
    """(meta, header_length) from the first bytes of an image; ImageError if not one."""
    if not head.startswith(MAGIC):
        raise ImageError("not an emulator firmware image (no HIKEMU-FW magic)")
    end = head.find(b"\n", len(MAGIC))
    if end < 0:
        raise ImageError("image header not terminated within %d bytes" % MAX_HEADER)
    try:
        meta = json.loads(head[len(MAGIC):end])
    except ValueError as exc:
        raise ImageError("image header is not JSON: %s" % exc) from None
    if not isinstance(meta, dict) or not isinstance(meta.get("version"), str):
        raise ImageError("image header lacks a version")
    if not isinstance(meta.get("payload_size"), int) or meta["payload_size"] < 0:
        raise ImageError("image header lacks payload_size")
    return meta, end + 1


def fits(meta: dict, model: str, kind: str) -> Optional[str]:
    """Why this image does not fit the device, or None when it does."""
    kinds = meta.get("kinds") or []
    if kinds and kind not in kinds:
        return f"image is for {'/'.join(kinds)}, device is a {kind}"
    models = meta.get("models") or []
    if models and not any(fnmatch.fnmatchcase(model.upper(), str(p).upper()) for p in models):
        return f"image is for {', '.join(models)}, device is {model}"
    return None


def _size(text: str) -> int:
    units = {"K": 1024, "M": 1024 ** 2, "G": 1024 ** 3}
    text = text.strip().upper()
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.firmware_image",
                                     description="Write a test firmware image the emulator accepts.")
    parser.add_argument("--models", nargs="+", required=True, help="model patterns, e.g. 'DS-2CD2*'")
    parser.add_argument("--kinds", nargs="+", default=["camera", "nvr"], choices=["camera", "nvr"])
    parser.add_argument("--version", required=True, help="e.g. V5.7.20")
    parser.add_argument("--build", default="", help="e.g. 'build 250101'")
    parser.add_argument("--size", default="1M", help="payload size: bytes or with K/M/G")
    parser.add_argument("--corrupt", action="store_true", help="damage the payload (badFlash)")
    parser.add_argument("out")
    args = parser.parse_args(argv)
    meta = write_image(args.out, models=args.models, version=args.version, build=args.build,
                       kinds=args.kinds, size=_size(args.size), corrupt=args.corrupt)
    print(json.dumps(meta), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
