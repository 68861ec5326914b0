"""The compare/diff core of the engine, on documents shaped like real device replies."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import engine, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError

LOCK = '''<IllegalLoginLock version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
<enabled>true</enabled><maxIllegalLoginTimes>5</maxIllegalLoginTimes><vendor>x</vendor>
<maxIllegalLoginLockTime>1800</maxIllegalLoginLockTime></IllegalLoginLock>'''
FIELDS = {'enabled': engine.Field('enabled', 'bool'),
          'attempts': engine.Field('maxIllegalLoginTimes', 'int'),
          'duration': engine.Field('maxIllegalLoginLockTime', 'int'),
          'ssh': engine.Field('SSH/enabled', 'bool')}


def test_same_values_in_other_spellings_are_no_change():
    root = xmldoc.parse(LOCK)
    result = engine.plan(root, FIELDS, {'enabled': True, 'attempts': '5', 'duration': None})
    assert not result.changed
    assert result.before == {'enabled': True, 'attempts': 5}


def test_change_edits_only_asked_elements_in_place():
    root = xmldoc.parse(LOCK)
    desired = {'enabled': True, 'attempts': 3}
    result = engine.plan(root, FIELDS, desired)
    assert result.changed and result.after == {'enabled': True, 'attempts': 3}
    engine.apply(root, FIELDS, result, desired)
    out = xmldoc.parse(xmldoc.serialize(root))
    assert [c.tag for c in out] == ['enabled', 'maxIllegalLoginTimes', 'vendor', 'maxIllegalLoginLockTime']
    assert xmldoc.text(out, 'maxIllegalLoginTimes') == '3' and xmldoc.namespace(out) == xmldoc.namespace(root)


def test_missing_element_is_an_error_or_reported_as_unsupported():
    root = xmldoc.parse(LOCK)
    with pytest.raises(IsapiInputError, match='ssh is not supported by this device'):
        engine.plan(root, FIELDS, {'ssh': False})
    result = engine.plan(root, FIELDS, {'ssh': False}, unsupported='report')
    assert result.unsupported == ['ssh'] and not result.changed


def test_flatten_and_path_fields_drive_the_same_plan():
    root = xmldoc.parse('<NTPServerList xmlns="http://www.hikvision.com/ver20/XMLSchema">'
                        '<NTPServer><id>1</id><hostName>a</hostName></NTPServer>'
                        '<NTPServer><id>2</id><hostName>b</hostName></NTPServer></NTPServerList>')
    flat = engine.flatten({'NTPServer': [{'hostName': 'a'}, {'hostName': 'c'}]})
    assert flat == {'NTPServer[1]/hostName': 'a', 'NTPServer[2]/hostName': 'c'}
    fields = engine.path_fields(flat)
    result = engine.plan(root, fields, flat)
    assert result.before == {'NTPServer[1]/hostName': 'a', 'NTPServer[2]/hostName': 'b'}
    engine.apply(root, fields, result, flat)
    assert [xmldoc.text(e, 'hostName') for e in xmldoc.findall(root, 'NTPServer')] == ['a', 'c']
