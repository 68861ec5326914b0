"""XML rendering from ordered dicts shaped like xmltodict output, and namespace-agnostic parsing.

The dict shape mirrors the HN fixtures ("@attr", "#text", lists for repeated elements), so response
trees can be compared with the real dumps element by element.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any, Optional
from xml.sax.saxutils import escape, quoteattr

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# V4-era isapi.org firmware writes a space before "?>" (HN ISAPI fixtures, e.g. deviceError.xml).
DECLARATION_V4 = '<?xml version="1.0" encoding="UTF-8" ?>'


class XmlFormatError(ValueError):
    """Body is not well-formed XML."""


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _render(tag: str, value: Any, out: list, depth: int, nl: str, indent: str) -> None:
    pad = indent * depth
    if isinstance(value, list):
        for item in value:
            _render(tag, item, out, depth, nl, indent)
        return
    if isinstance(value, dict):
        attrs = "".join(f" {k[1:]}={quoteattr(_scalar(v))}" for k, v in value.items()
                        if k.startswith("@") and v is not None)
        children = [(k, v) for k, v in value.items() if not k.startswith("@") and k != "#text"]
        text = value.get("#text")
        if not children:
            if text is None:
                out.append(f"{pad}<{tag}{attrs}/>")
            else:
                out.append(f"{pad}<{tag}{attrs}>{escape(_scalar(text))}</{tag}>")
            return
        out.append(f"{pad}<{tag}{attrs}>")
        for key, child in children:
            _render(key, child, out, depth + 1, nl, indent)
        out.append(f"{pad}</{tag}>")
        return
    if value is None:
        out.append(f"{pad}<{tag}/>")
    else:
        out.append(f"{pad}<{tag}>{escape(_scalar(value))}</{tag}>")


def render(root: str, tree: dict, *, namespace: Optional[str] = None, version: Optional[str] = "2.0",
           newline: str = "\n", indent: str = "", declaration: str = DECLARATION,
           style: str = "plain") -> bytes:
    """style "v4": the V4-era layout (declaration with a space before "?>", the root's xmlns on
    its own line indented two spaces, two-space indent), whatever declaration/indent say."""
    head = {}
    if version is not None:
        head["@version"] = version
    if namespace is not None:
        head["@xmlns"] = namespace
    merged = {**head, **tree}
    if style == "v4":
        declaration, indent = (DECLARATION_V4 if declaration else declaration), "  "
    lines: list = [declaration] if declaration else []
    first = len(lines)
    _render(root, merged, lines, 0, newline, indent)
    if style == "v4" and namespace is not None and " xmlns=" in lines[first]:
        lines[first] = lines[first].replace(" xmlns=", newline + "  xmlns=", 1)
    return (newline.join(lines) + newline).encode("utf-8")


def parse(body: bytes) -> ET.Element:
    """Parse and strip namespaces so handlers can look elements up by local name."""
    if not body or not body.strip():
        raise XmlFormatError("empty body")
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise XmlFormatError(str(exc)) from None
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
    return root


def text(el: Optional[ET.Element], path: str, default: Optional[str] = None) -> Optional[str]:
    """Text of a descendant, '' for an empty element, default when absent."""
    if el is None:
        return default
    found = el.find(path)
    if found is None:
        return default
    return (found.text or "").strip()


def has(el: Optional[ET.Element], path: str) -> bool:
    return el is not None and el.find(path) is not None


def to_bool(value: Optional[str]) -> Optional[bool]:
    if value is None:
        return None
    low = value.strip().lower()
    if low == "true":
        return True
    if low == "false":
        return False
    raise ValueError(value)
