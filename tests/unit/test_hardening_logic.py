"""Pure logic of the network, time, services and security modules: input checks and
normalisation, no device involved."""
import datetime

import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.network import (
    check_gateway, check_host, desired_ip, parse_netmask,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.security import (
    lock_seconds, lock_unit, normalise_tls,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.services import SnmpSwitch
from ansible_collections.camfleet.hikvision.plugins.module_utils.timecfg import (
    Zone, device_instant, ntp_entry, parse_device_zone, parse_user_zone,
)


@pytest.mark.parametrize('text, offset', [
    ('UTC', 0), ('gmt', 0), ('UTC+05:30', 19800), ('+02:00', 7200), ('-8', -28800),
    ('+0530', 19800), ('8', 28800), ('UTC-3', -10800), ('CST-8:00:00', 28800),
    ('CST+5:00:00', -18000), ('CST-5:45:00', 20700),
])
def test_user_zones(text, offset):
    assert parse_user_zone(text).offset == offset


def test_device_string_keeps_its_dst_rule_and_compares_with_offsets():
    zone = parse_user_zone('CST-1:00:00DST01:00:00,M3.5.0/02:00:00,M10.5.0/03:00:00')
    assert zone.offset == 3600 and zone.dst.startswith('DST01:00:00')
    assert zone.key() != parse_user_zone('+01:00').key()  # the offset alone drops the DST rule
    assert parse_user_zone('+08:00').key() == parse_device_zone('CST-8:00:00').key()


@pytest.mark.parametrize('offset, text', [(28800, 'CST-8:00:00'), (-18000, 'CST+5:00:00'),
                                          (19800, 'CST-5:30:00'), (0, 'CST+0:00:00')])
def test_device_text_inverts_the_sign(offset, text):
    assert Zone(offset).device_text() == text


@pytest.mark.parametrize('text', ['Europe/Berlin', 'UTC+15', 'CST-8:61:00', '+25:00'])
def test_bad_zones(text):
    with pytest.raises(IsapiInputError):
        parse_user_zone(text)


def test_device_time_without_offset_is_in_its_zone():
    root = xmldoc.parse(b'<Time><localTime>2024-05-01T12:00:00</localTime></Time>')
    instant = device_instant(root, parse_device_zone('CST-2:00:00'))
    assert instant == datetime.datetime(2024, 5, 1, 10, 0, tzinfo=datetime.timezone.utc)


def test_ntp_entries():
    assert ntp_entry('10.0.0.1') == ('ipaddress', '', '10.0.0.1')
    assert ntp_entry('pool.ntp.org') == ('hostname', 'pool.ntp.org', '0.0.0.0')
    for bad in ('bad host', '10.0.0.300', '-x.example'):
        with pytest.raises(IsapiInputError):
            ntp_entry(bad)


@pytest.mark.parametrize('value, mask', [('24', '255.255.255.0'), ('/16', '255.255.0.0'),
                                         ('255.255.255.128', '255.255.255.128')])
def test_netmasks(value, mask):
    assert parse_netmask(value) == mask


def test_hosts_and_gateways():
    check_host('192.168.1.64', '255.255.255.0')
    check_gateway('192.168.1.1', '192.168.1.64', '255.255.255.0')
    with pytest.raises(IsapiInputError, match='outside the subnet 192.168.1.0/24'):
        check_gateway('192.168.2.1', '192.168.1.64', '255.255.255.0')
    with pytest.raises(IsapiInputError, match='broadcast address'):
        check_host('192.168.1.255', '255.255.255.0')
    with pytest.raises(IsapiInputError, match='not usable as a host address'):
        check_host('224.0.0.1', '255.255.255.0')
    with pytest.raises(IsapiInputError, match='gateway 192.168.1.64 is the device address itself'):
        check_gateway('192.168.1.64', '192.168.1.64', '255.255.255.0')


def test_dns_list_maps_to_primary_and_secondary():
    desired = desired_ip({'dns': ['1.1.1.1']})
    assert (desired['dns_primary'], desired['dns_secondary']) == ('1.1.1.1', '0.0.0.0')
    assert desired_ip({})['dns_primary'] is None


def test_tls_and_lock_inputs():
    assert normalise_tls(['TLS1.3', '1.2', '1.2']) == ['1.2', '1.3']
    assert lock_seconds({'duration_minutes': 3}) == 180
    with pytest.raises(IsapiInputError):
        lock_seconds({'duration': 1, 'duration_minutes': 1})
    with_range = xmldoc.parse(b'<SecurityCap><maxIllegalLoginLockTime min="1" max="120"/></SecurityCap>')
    assert lock_unit(with_range) == 60 and lock_unit(xmldoc.parse(b'<SecurityCap/>')) == 1


def test_snmp_versions_read_and_written_by_name():
    root = xmldoc.parse(b'<SNMP><SNMPv2c><enabled>true</enabled></SNMPv2c>'
                        b'<SNMPv3><enabled>true</enabled></SNMPv3><listenPort>161</listenPort></SNMP>')
    switch = SnmpSwitch()
    assert switch.read(root) == 'SNMPv2c,SNMPv3'
    switch.write(root, 'v3', {})
    assert switch.read(root) == 'v3'
    switch.write(root, 'off', {})
    assert switch.read(root) == 'off'
    assert switch.read(xmldoc.parse(b'<SNMP><v2c><enabled>true</enabled></v2c></SNMP>')) is None
