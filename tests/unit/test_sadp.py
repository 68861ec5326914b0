"""SADP messages, parsing, de-duplication, crypto against the emulator's device side, inventory
vars and input checks (no sockets)."""
import base64

import pytest

from emulator import sadp as device_side

from ansible_collections.camfleet.hikvision.plugins.inventory.sadp import default_groups, host_vars
from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp, sadp_crypto, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_in_process
from ansible_collections.camfleet.hikvision.plugins.modules.sadp_device import SPEC as DEVICE
from ansible_collections.camfleet.hikvision.plugins.modules.sadp_discover import SPEC as DISCOVER

# docs/developer/sadp-reference.md, §2.3, the activated recorder (synthetic values), CRLF as devices send it.
RECORDER = '\r\n'.join([
    '<?xml version="1.0" encoding="UTF-8"?>', '<ProbeMatch>',
    '<Uuid>DC3C4732-300E-402E-83EC-215C9B31559B</Uuid>', '<Types>inquiry</Types>',
    '<Encrypt>true</Encrypt>',
    '<Salt>a9b0cb157386e2de8cb546639aff8248d0ab2e5a822f85017db5f261d63111eb</Salt>',
    '<DeviceType>44322</DeviceType>', '<DeviceDescription>DS-7604NI-X1</DeviceDescription>',
    '<DeviceSN>DS-7604NI-X10420240101CCWRX00000001WCVU</DeviceSN>',
    '<CommandPort>8000</CommandPort>', '<HttpPort>80</HttpPort>', '<MAC>02-00-5e-00-53-10</MAC>',
    '<IPv4Address>192.0.2.10</IPv4Address>', '<IPv4SubnetMask>255.255.255.0</IPv4SubnetMask>',
    '<IPv4Gateway>192.0.2.1</IPv4Gateway>', '<IPv6Address>fe80::5eff:fe00:5310</IPv6Address>',
    '<IPv6Gateway>::</IPv6Gateway>', '<IPv6MaskLen>64</IPv6MaskLen>', '<DHCP>false</DHCP>',
    '<AnalogChannelNum>0</AnalogChannelNum>', '<DigitalChannelNum>4</DigitalChannelNum>',
    '<SoftwareVersion>V4.0.0build 240101</SoftwareVersion>',
    '<DSPVersion>V5.0, build 231201</DSPVersion>', '<BootTime>2024-01-02 03:04:05</BootTime>',
    '<OEMInfo>N/A</OEMInfo>', '<Activated>true</Activated>',
    '<PasswordResetAbility>true</PasswordResetAbility>', '<SyncIPCPassword>true</SyncIPCPassword>',
    '<SomethingNew>x</SomethingNew>', '</ProbeMatch>', '']).encode()


def test_mac_notations_normalize_to_one_form():
    for text in ('02-00-5E-00-53-10', '02:00:5e:00:53:10', '02005e005310', '0200.5e00.5310'):
        assert sadp.normalize_mac(text) == '02:00:5e:00:53:10'
    assert sadp.normalize_mac('02-00-5e-00-53') is None and sadp.normalize_mac('zz') is None
    assert sadp.wire_mac('02:00:5e:00:53:10') == '02-00-5e-00-53-10'


def test_probe_match_fields_are_parsed_and_typed():
    message = sadp.parse_datagram(RECORDER)
    device = sadp.device_view(message)
    assert message.root == 'ProbeMatch' and message.types == 'inquiry'
    assert device['mac'] == '02:00:5e:00:53:10' and device['ipv4_address'] == '192.0.2.10'
    assert device['device_type'] == 44322 and device['http_port'] == 80
    assert device['activated'] is True and device['dhcp'] is False and device['encrypt'] is True
    assert device['firmware'] == 'V4.0.0build 240101' and device['digital_channels'] == 4
    assert device['ipv6_mask_len'] == 64 and device['sync_ipc_password'] is True
    assert device['kind'] == 'nvr' and device['other_fields'] == {'SomethingNew': 'x'}
    assert 'uuid' not in device and 'types' not in device


def test_element_names_match_case_insensitively():
    data = (b'<ProbeMatch><Types>inquiry</Types><Ipv4Address>192.0.2.7</Ipv4Address>'
            b'<mac>02-00-5E-00-53-64</mac><activated>FALSE</activated></ProbeMatch>')
    device = sadp.device_view(sadp.parse_datagram(data))
    assert device['ipv4_address'] == '192.0.2.7' and device['mac'] == '02:00:5e:00:53:64'
    assert device['activated'] is False


@pytest.mark.parametrize('data', [
    RECORDER[:200],                                     # truncated
    b'\x00\xffnot xml',                                  # garbage
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><ProbeMatch/>',  # entities
    b'<Other><MAC>02-00-5e-00-53-10</MAC></Other>',     # not SADP
    b'<ProbeMatch>' + b'<OEMInfo>x</OEMInfo>' * 600 + b'</ProbeMatch>',  # over 8 KB
    b'',
])
def test_malformed_datagrams_parse_to_none(data):
    assert sadp.parse_datagram(data) is None


def test_discovery_dedupes_by_mac_and_ignores_probes_and_command_replies():
    found = sadp.Discovery()
    found.add(RECORDER, '192.0.2.10', 'unicast', 'eth0')
    found.add(RECORDER, '192.0.2.10', 'multicast', 'eth0')
    found.add(sadp.build_probe('inquiry', sadp.new_uuid()), '192.0.2.5', 'multicast', 'eth0')
    found.add(RECORDER.replace(b'<Types>inquiry', b'<Types>update'), '192.0.2.10', 'unicast', 'eth0')
    found.add(b'<ProbeMatch><Types>inquiry</Types></ProbeMatch>', '192.0.2.66', 'unicast', 'eth0')
    found.add(RECORDER[:100], '192.0.2.66', 'unicast', 'eth0')
    devices = found.result()
    assert len(devices) == 1 and devices[0]['reply_via'] == ['unicast', 'multicast']
    assert devices[0]['source'] == '192.0.2.10' and devices[0]['interface'] == 'eth0'
    assert found.warning() == 'ignored 2 malformed or truncated SADP datagram(s) from 192.0.2.66'


def test_hello_counts_as_a_listing():
    hello = device_side.render('Hello', {'Types': 'hello', 'MAC': '02-00-5e-00-53-20',
                                         'DeviceSN': 'DS-X', 'Activated': True})
    found = sadp.Discovery()
    assert found.add(hello, '192.0.2.20', 'multicast', 'eth0')['serial'] == 'DS-X'


def test_probe_element_order_follows_the_vendor_templates():
    inquiry = xmldoc.parse(sadp.build_probe('inquiry', 'U1'))
    assert [c.tag for c in inquiry] == ['Uuid', 'Types']
    exchange = xmldoc.parse(sadp.build_probe('exchangecode', 'U2', mac='02:00:5e:00:53:10',
                                             fields=[('Code', 'abc')]))
    assert [c.tag for c in exchange] == ['Uuid', 'MAC', 'Types', 'Code']
    assert xmldoc.text(exchange, 'MAC') == '02-00-5e-00-53-10'
    device = sadp.device_view(sadp.parse_datagram(RECORDER))
    fields = sadp.update_fields(device, {'ipv4_address': '192.0.2.11'}, ('PW', {'bSalt': 'true'}))
    update = xmldoc.parse(sadp.build_probe('update', 'U3', mac=device['mac'], fields=fields,
                                           mac_after='PWErrorParse'))
    assert [c.tag for c in update] == [
        'Uuid', 'Types', 'PWErrorParse', 'MAC', 'Password', 'IPv4Address', 'CommandPort',
        'IPv4SubnetMask', 'IPv4Gateway', 'IPv6Address', 'IPv6Gateway', 'IPv6MaskLen', 'DHCP',
        'HttpPort']
    assert update.find('Password').get('bSalt') == 'true'
    assert xmldoc.text(update, 'IPv4Address') == '192.0.2.11'
    assert xmldoc.text(update, 'IPv4SubnetMask') == '255.255.255.0'  # kept from the device


def test_activation_crypto_round_trips_with_the_device_side():
    key = sadp_crypto.new_key()
    random_string = 'a1b2c3d4e5f60718293a4b5c6d7e8f90'
    code = device_side.encrypt_random(sadp_crypto.exchange_code(key), random_string)
    random = sadp_crypto.device_random(key, code)
    assert random == random_string.encode()
    field = sadp_crypto.protect_password(random, 'Secret-Pass-1')
    assert device_side.decrypt_password(field, random_string) == 'Secret-Pass-1'
    assert device_side.decrypt_password(field, 'f' * 32) is None


def test_update_password_forms():
    salted = sadp_crypto.salted_update_password('admin', 'ab' * 32, 'Secret-Pass-1')
    assert len(salted) == 88 and len(base64.b64decode(salted)) == 64  # docs/developer/sadp-reference.md, §3.5
    assert salted == device_side.expected_update_password('Secret-Pass-1', 'ab' * 32)
    md5 = sadp_crypto.md5_update_password('Secret-Pass-1')
    assert len(base64.b64decode(md5)) == 16
    assert md5 == device_side.expected_update_password('Secret-Pass-1', None)
    device = {'mac': '02:00:5e:00:53:10', 'salt': 'ab' * 32}
    assert sadp.update_password_field(device, 'Secret-Pass-1') == (salted, {'bSalt': 'true'})
    assert sadp.update_password_field(device, 'Secret-Pass-1', 'md5') == (md5, None)
    with pytest.raises(sadp.SadpError, match='advertises no Salt'):
        sadp.update_password_field({'mac': 'x'}, 'Secret-Pass-1', 'salted')


def test_inventory_vars_and_groups():
    device = sadp.device_view(sadp.parse_datagram(RECORDER))
    values = host_vars(device)
    assert values['isapi_host'] == '192.0.2.10' and values['isapi_port'] == 443
    assert values['isapi_http_port'] == 80 and values['device_mac'] == '02:00:5e:00:53:10'
    assert values['sadp_ipv4_gateway'] == '192.0.2.1' and values['sadp_dhcp'] is False
    assert default_groups(device) == ['sadp_nvr', 'sadp_type_44322', 'sadp_model_ds_7604ni_x1',
                                      'sadp_activated', 'sadp_firmware_v4_0_0build_240101']


@pytest.mark.parametrize('args, message', [
    ({'mac': 'nope'}, "mac must be a device MAC address like 68:6d:bc:ee:f8:f0 (got 'nope')"),
    ({'mac': 'ff:ff:ff:ff:ff:ff'}, 'mac must be a device MAC address'),
    ({'ipv4_address': '300.1.1.1'}, "ipv4_address must be an IPv4 address (got '300.1.1.1')"),
    ({'ipv4_netmask': '255.0.255.0'}, 'ipv4_netmask must be a dotted mask like 255.255.255.0'),
    ({'dhcp': True, 'ipv4_address': '192.0.2.5'}, 'ipv4_address cannot be set together with dhcp=true'),
    ({'password': 'short1A'}, 'password must be 8 to 16 characters long (it has 7)'),
    ({'timeout': 0}, 'timeout must be between 0 and 300 seconds (got 0.0)'),
    ({'interfaces': ['no-such-if0']}, "interfaces: 'no-such-if0' is not a network interface"),
])
def test_bad_input_is_refused_before_anything_is_sent(args, message):
    params = dict(interfaces=['lo'], mac='02:00:5e:00:53:10', password='Good-Pass-123')
    params.update(args)
    result = run_in_process(DEVICE, params)
    assert result['failed'] and message in result['msg'], result['msg']


def test_discover_rejects_bad_retries():
    result = run_in_process(DISCOVER, dict(interfaces=['lo'], retries=50))
    assert result['failed'] and result['msg'] == 'retries must be between 0 and 10 (got 50)'
