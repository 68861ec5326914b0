# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Namespace-agnostic reading and faithful write-back of ISAPI XML documents.

Firmware families answer in different default namespaces (hikvision.com/ver20, isapi.org/ver20,
std-cgi.com, ver10, psialliance) and even mix them inside one document (docs/developer/isapi-reference.md, §1.3). Many
endpoints reject partial bodies, so writes are read-modify-write of the whole document.

Parsed elements therefore carry their names as the document wrote them (a plain local name, or
``prefix:local`` for a prefixed element such as ``<hik:ext>``), every namespace declaration is kept
as a literal ``xmlns``/``xmlns:p`` attribute on the element that declared it, and comments stay in
the tree. Lookups here (find, findall, text, ensure) match local names, so reading stays
namespace-agnostic; serializing gives back the same names, declarations and comments in the same
places, so unknown elements, their order and the device's namespaces survive a round trip.
Iterate children with ``children()`` to skip comments.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re
import xml.etree.ElementTree as ET

_FORBIDDEN = re.compile(br'<!(DOCTYPE|ENTITY)', re.IGNORECASE)


class XmlError(ValueError):
    pass


def _local(name):
    """The local part of a tag: without ``{uri}`` (ElementTree) or ``prefix:`` (kept prefixes)."""
    if not isinstance(name, str):
        return name  # comments carry the ET.Comment factory as their tag
    if name.startswith('{'):
        return name.rsplit('}', 1)[-1]
    return name.rsplit(':', 1)[-1]


def is_element(node):
    """Whether a child is an element (not a comment or processing instruction)."""
    return isinstance(node.tag, str)


def children(elem):
    """The element children of elem, in order, comments left out."""
    return [c for c in elem if is_element(c)]


def local_name(elem):
    """The element's name without the prefix the document gave it (``hik:ext`` -> ``ext``)."""
    return _local(elem.tag)


class _Builder(ET.TreeBuilder):
    """Builds the tree with each element named as the document wrote it: a local name in the
    default namespace, ``prefix:local`` for a prefixed one, and each namespace declaration kept as a
    literal attribute where it was declared. Comments are kept as comment nodes, so a
    read-modify-write gives back the prefixes and comments the device sent. Standard library only
    (modules run on managed hosts); insert_comments and start_ns need Python 3.8, the oldest
    target ansible-core supports."""

    def __init__(self):
        ET.TreeBuilder.__init__(self, insert_comments=True)
        self._pending = []
        # per open element: (uri -> prefix for elements, '' = default; uri -> prefix for attributes)
        self._scopes = [({}, {})]

    def start_ns(self, prefix, uri):
        self._pending.append((prefix or '', uri))

    @staticmethod
    def _name(expanded, names):
        if not expanded.startswith('{'):
            return expanded
        uri, local = expanded[1:].split('}', 1)
        prefix = names.get(uri)
        return '%s:%s' % (prefix, local) if prefix else local

    def start(self, tag, attrs):
        elements, attributes = (dict(m) for m in self._scopes[-1])
        out = {}
        for prefix, uri in self._pending:
            out['xmlns:%s' % prefix if prefix else 'xmlns'] = uri
            if prefix:
                attributes[uri] = prefix
            # a uri bound both as default and to a prefix: its elements read back unprefixed
            if not prefix or elements.get(uri) != '':
                elements[uri] = prefix
        self._pending = []
        self._scopes.append((elements, attributes))
        for key, value in attrs.items():
            out[self._name(key, attributes)] = value
        return ET.TreeBuilder.start(self, self._name(tag, elements), out)

    def end(self, tag):
        self._scopes.pop()
        return ET.TreeBuilder.end(self, tag)


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
    parser = ET.XMLParser(target=_Builder())
    try:
        parser.feed(data)
        root = parser.close()
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


def _match(elem, step):
    """Children of elem whose local name is step (a trailing ``[n]`` picks the n-th, 1-based)."""
    position = None
    if step.endswith(']') and '[' in step:
        step, index = step[:-1].split('[', 1)
        position = int(index) if index.isdigit() else None
    found = [c for c in elem if is_element(c) and (c.tag == step or _local(c.tag) == step)]
    if position is not None:
        return found[position - 1:position] if position >= 1 else []
    return found


def find(elem, path):
    """The first element at a slash-separated path of local names, or None."""
    for step in _steps(path):
        if elem is None:
            return None
        found = _match(elem, step)
        elem = found[0] if found else None
    return elem


def findall(elem, path):
    """Every element matching the last step of a slash-separated path."""
    steps = _steps(path)
    if not steps:
        return [elem]
    parent = find(elem, '/'.join(steps[:-1]))
    return [] if parent is None else _match(parent, steps[-1])


def text(elem, path=None, default=None):
    """Stripped text at a path; default when the element is missing or empty."""
    node = find(elem, path) if path else elem
    if node is None or node.text is None or not node.text.strip():
        return default
    return node.text.strip()


def ensure(elem, path):
    """The element at path, creating missing steps as last children (appending keeps order)."""
    for step in _steps(path):
        found = _match(elem, step)
        child = found[0] if found else None
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
    kids = children(elem)
    if not kids:
        return text(elem)
    result = {}
    for child in kids:
        value = to_data(child)
        name = local_name(child)
        if name in result:
            if not isinstance(result[name], list):
                result[name] = [result[name]]
            result[name].append(value)
        else:
            result[name] = value
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
