# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Namespace-agnostic reading and faithful write-back of ISAPI XML documents.

Firmware families answer in different default namespaces (hikvision.com/ver20, isapi.org/ver20,
std-cgi.com, ver10, psialliance) and even mix them inside one document (isapi.md §1.3). Many
endpoints reject partial bodies, so writes are read-modify-write of the whole document.

Parsed elements therefore carry plain local names as tags, and every namespace declaration is kept
as a literal ``xmlns``/``xmlns:p`` attribute on the element that declared it. Serializing gives
back the same declarations in the same places, so unknown elements, their order and the device's
namespace survive a round trip untouched.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import io
import re
import xml.etree.ElementTree as ET

_FORBIDDEN = re.compile(br'<!(DOCTYPE|ENTITY)', re.IGNORECASE)


class XmlError(ValueError):
    pass


def _local(name):
    return name.rsplit('}', 1)[-1] if name.startswith('{') else name


def parse(data):
    """Parse bytes or text into an Element with local-name tags (see module docstring)."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    if not data or not data.strip():
        raise XmlError('empty document')
    # Entity declarations have no business in a device reply and are the vector of
    # entity-expansion attacks; refusing them keeps the stdlib parser safe.
    if _FORBIDDEN.search(data):
        raise XmlError('document declares a DOCTYPE or entities, which ISAPI never does')
    pending = []
    prefixes = {}
    root = None
    try:
        for event, item in ET.iterparse(io.BytesIO(data), events=('start-ns', 'start')):
            if event == 'start-ns':
                pending.append(item)
                continue
            elem = item
            for prefix, uri in pending:
                elem.set('xmlns:%s' % prefix if prefix else 'xmlns', uri)
                prefixes[uri] = prefix
            pending = []
            elem.tag = _local(elem.tag)
            for key in [k for k in elem.attrib if k.startswith('{')]:
                uri, name = key[1:].split('}', 1)
                prefix = prefixes.get(uri)
                elem.attrib['%s:%s' % (prefix, name) if prefix else name] = elem.attrib.pop(key)
            if root is None:
                root = elem
    except ET.ParseError as exc:
        raise XmlError(str(exc))
    return root


def serialize(root):
    """Bytes of a whole document, with the XML declaration devices send."""
    body = ET.tostring(root, encoding='unicode')
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode('utf-8')


def namespace(elem):
    """The default namespace declared on this element, or None."""
    return elem.get('xmlns')


def _steps(path):
    return [s for s in path.split('/') if s] if path else []


def find(elem, path):
    """The first element at a slash-separated path of local names, or None."""
    for step in _steps(path):
        if elem is None:
            return None
        elem = elem.find(step)
    return elem


def findall(elem, path):
    """Every element matching the last step of a slash-separated path."""
    steps = _steps(path)
    if not steps:
        return [elem]
    parent = find(elem, '/'.join(steps[:-1]))
    return [] if parent is None else parent.findall(steps[-1])


def text(elem, path=None, default=None):
    """Stripped text at a path; default when the element is missing or empty."""
    node = find(elem, path) if path else elem
    if node is None or node.text is None or not node.text.strip():
        return default
    return node.text.strip()


def ensure(elem, path):
    """The element at path, creating missing steps as last children (appending keeps order)."""
    for step in _steps(path):
        child = elem.find(step)
        if child is None:
            child = ET.SubElement(elem, step)
        elem = child
    return elem


def set_text(elem, path, value):
    """Set the text at path (created when missing). Returns True when the text changed."""
    node = ensure(elem, path)
    new = xml_value(value)
    old = node.text.strip() if node.text else ''
    if old == new and list(node) == []:
        return False
    node.text = new
    return True


def xml_value(value):
    """The wire form of a Python value: booleans as true/false, None as empty."""
    if value is None:
        return ''
    if isinstance(value, bool):
        return 'true' if value else 'false'
    return str(value)


def element(tag, children=None, ns=None, version='2.0'):
    """Build a fresh document: element('User', {'userName': 'x'}, ns=...). Dict order is kept."""
    root = ET.Element(tag)
    if version:
        root.set('version', version)
    if ns:
        root.set('xmlns', ns)
    _fill(root, children or {})
    return root


def _fill(parent, children):
    for name, value in children.items():
        if isinstance(value, dict):
            _fill(ET.SubElement(parent, name), value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _fill(ET.SubElement(parent, name), item)
                else:
                    ET.SubElement(parent, name).text = xml_value(item)
        else:
            ET.SubElement(parent, name).text = xml_value(value)


def to_data(elem):
    """Plain data for task results: leaves become strings, repeated children become lists.

    Attributes (capability ranges, xmlns) are left out; use the element itself when they matter.
    """
    children = list(elem)
    if not children:
        return text(elem)
    result = {}
    for child in children:
        value = to_data(child)
        if child.tag in result:
            if not isinstance(result[child.tag], list):
                result[child.tag] = [result[child.tag]]
            result[child.tag].append(value)
        else:
            result[child.tag] = value
    return result


def as_bool(value, default=None):
    """Device booleans ('true'/'false', any case) as Python booleans."""
    if value is None:
        return default
    lowered = str(value).strip().lower()
    if lowered in ('true', '1', 'yes'):
        return True
    if lowered in ('false', '0', 'no'):
        return False
    return default
