"""Read-modify-write keeps what the device sent: element prefixes, comments, namespaces.

Compared as canonical XML (C14N 2.0 with comments), so a prefixed element coming back in the
default namespace, or a lost comment, is a difference (docs/developer/isapi-reference.md, §1.3:
write back what the device sent, changed only where needed)."""
import xml.etree.ElementTree as ET

import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import engine, xmldoc

VENDOR = '''<?xml version="1.0" encoding="UTF-8"?>
<Time version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"
      xmlns:hik="http://www.hikvision.com/ver20/XMLSchema">
<!-- set by the installer -->
<timeMode>NTP</timeMode>
<localTime>2024-01-01T00:00:00+08:00</localTime>
<timeZone>CST-8:00:00</timeZone>
<hik:ext hik:opt="a,b"><hik:syncMode>auto</hik:syncMode><!-- inner --></hik:ext>
</Time>'''


def canonical(data):
    return ET.canonicalize(data.decode('utf-8') if isinstance(data, bytes) else data,
                           with_comments=True)


def test_unchanged_round_trip_is_canonically_identical():
    assert canonical(xmldoc.serialize(xmldoc.parse(VENDOR))) == canonical(VENDOR)


def test_prefixed_elements_keep_their_prefix_and_read_by_local_name():
    root = xmldoc.parse(VENDOR)
    assert xmldoc.text(root, 'ext/syncMode') == 'auto'
    assert xmldoc.find(root, 'ext').get('hik:opt') == 'a,b'
    assert xmldoc.set_text(root, 'ext/syncMode', 'manual') is True
    out = xmldoc.serialize(root).decode()
    assert '<hik:ext hik:opt="a,b"><hik:syncMode>manual</hik:syncMode>' in out
    expected = VENDOR.replace('<hik:syncMode>auto<', '<hik:syncMode>manual<')
    assert canonical(out) == canonical(expected)


def test_a_managed_edit_changes_only_its_element():
    root = xmldoc.parse(VENDOR)
    fields = {'zone': engine.Field('timeZone')}
    plan = engine.plan(root, fields, {'zone': 'CST-9:00:00'})
    engine.apply(root, fields, plan, {'zone': 'CST-9:00:00'})
    expected = VENDOR.replace('CST-8:00:00', 'CST-9:00:00')
    assert canonical(xmldoc.serialize(root)) == canonical(expected)


def test_comments_do_not_count_as_children_or_data():
    root = xmldoc.parse(VENDOR)
    assert [xmldoc.local_name(c) for c in xmldoc.children(root)] == [
        'timeMode', 'localTime', 'timeZone', 'ext']
    assert xmldoc.to_data(root)['ext'] == {'syncMode': 'auto'}


@pytest.mark.parametrize('doc', [
    # the same uri as default and as prefix: elements read back unprefixed, declarations kept
    '<a xmlns="urn:x" xmlns:p="urn:x"><b p:k="1">t</b></a>',
    # a prefix redeclared deeper to another uri
    '<p:a xmlns:p="urn:x"><p:b xmlns:p="urn:y"><p:c/></p:b><p:d/></p:a>',
    # a nested default namespace (mixed-namespace documents, e.g. Storage)
    '<a xmlns="urn:x"><b xmlns="urn:y"><c>1</c></b><d/></a>',
])
def test_namespace_edge_cases_round_trip(doc):
    assert canonical(xmldoc.serialize(xmldoc.parse(doc))) == canonical(doc)
