"""The SADP responder on loopback (`serve --sadp`): real state in replies, malformed probes
ignored, activation and lockout shared with ISAPI, Hello on boot.
Subnet 127.44.0.0/16 (+50 per xdist worker); SADP over `lo` only, unicast replies."""
import socket
import time

import pytest

from emuhelp import net, Client, wait_until
from emulator import sadp as device_side
from emulator.testing import RunningFleet

from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp, sadp_crypto

N = net(44)  # this module's 127.x prefix (distinct per xdist worker)
GROUP, PORT = '239.255.255.250', 37020


@pytest.fixture(scope='module')
def fleet(tmp_path_factory):
    spec = {'time_scale': 0.01, 'subnet': f'{N}.0.0/16',
            'defaults': {'http_port': 18080, 'https_port': 18443},
            'sites': [{'name': 'lab', 'devices': [
                {'name': 'fresh', 'profile': 'current_camera', 'activated': False},
                {'name': 'cam', 'profile': 'current_camera', 'password': 'Cam-Pass-2024x'},
                {'name': 'old', 'profile': 'legacy_camera', 'password': 'Old-Pass-2024x'},
            ]}]}
    with RunningFleet(fleet=spec, out_dir=tmp_path_factory.mktemp('sadp'),
                      extra_args=['--sadp', '--sadp-reply', 'unicast']) as running:
        yield running


def exchange(payloads, wait=0.5, until=None):
    """Send each payload to the group over lo from an ephemeral port; return parsed replies
    (early once until(reply) is true)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('127.0.0.1'))
    sock.bind(('127.0.0.1', 0))
    sock.settimeout(0.05)
    try:
        for payload in payloads:
            sock.sendto(payload, (GROUP, PORT))
        replies, deadline = [], time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                replies.append(sadp.parse_datagram(sock.recv(65535)))
                if until and replies[-1] and until(replies[-1]):
                    break
            except socket.timeout:
                continue
        return replies
    finally:
        sock.close()


def command(fleet, name, types, fields=(), mac_after=None):
    uid = sadp.new_uuid()
    payload = sadp.build_probe(types, uid, mac=fleet.devices[name]['mac'], fields=list(fields),
                               mac_after=mac_after)
    replies = exchange([payload], until=lambda r: r.fields.get('uuid') == uid)
    return [r.fields for r in replies if r and r.fields.get('uuid') == uid]


def ours(fleet, replies):
    macs = {d['mac']: n for n, d in fleet.devices.items()}
    return {macs[r.fields['mac']]: r for r in replies if r and r.fields.get('mac') in macs}


def test_inquiry_answers_with_the_real_state_in_crlf_xml(fleet):
    uid = sadp.new_uuid()
    found = ours(fleet, exchange([sadp.build_probe('inquiry', uid)]))
    assert set(found) == {'fresh', 'cam', 'old'}
    cam = found['cam'].fields
    assert cam['uuid'] == uid and cam['types'] == 'inquiry'
    assert cam['ipv4_address'] == fleet.devices['cam']['address'] and cam['activated'] is True
    assert cam['serial'] == fleet.devices['cam']['serial'] and len(cam['salt']) == 64
    assert found['fresh'].fields['activated'] is False
    assert 'salt' not in found['old'].fields  # legacy firmware: MD5 update form


def test_malformed_probes_are_ignored_and_counted(fleet):
    before = fleet.control.state('cam')['areas']['sadp']['ignored']
    bad = [b'\x00garbage', b'<?xml version="1.0"?><Probe><Uuid>A</Uuid><Types>inq',
           b'<!DOCTYPE x [<!ENTITY a "b">]><Probe><Uuid>&a;</Uuid><Types>inquiry</Types></Probe>',
           b'<Probe><Types>inquiry</Types></Probe>']
    assert ours(fleet, exchange(bad, wait=0.3)) == {}
    assert fleet.control.state('cam')['areas']['sadp']['ignored'] == before + len(bad)


def test_activation_over_sadp_is_what_isapi_sees(fleet):
    key = sadp_crypto.new_key()
    [reply] = command(fleet, 'fresh', 'exchangecode', [('Code', sadp_crypto.exchange_code(key))])
    random = sadp_crypto.device_random(key, reply['code'])
    weak = command(fleet, 'fresh', 'activate', [('Password', sadp_crypto.protect_password(random, 'abcdefgh'))])
    assert weak[0]['result'] == 'riskPassword'
    replay = command(fleet, 'fresh', 'activate', [('Password', sadp_crypto.protect_password(random, 'Good-Pass-123'))])
    assert replay[0]['result'] == 'failed'  # the random string was single-use
    [reply] = command(fleet, 'fresh', 'exchangecode', [('Code', sadp_crypto.exchange_code(key))])
    random = sadp_crypto.device_random(key, reply['code'])
    [done] = command(fleet, 'fresh', 'activate', [('Password', sadp_crypto.protect_password(random, 'Good-Pass-123'))])
    assert done['result'] == 'success'
    assert fleet.control.state('fresh')['activated'] is True
    assert Client(fleet, 'fresh', password='Good-Pass-123').get('/ISAPI/System/deviceInfo').status_code == 200
    again = command(fleet, 'fresh', 'activate', [('Password', 'x')])
    assert again[0]['result'] == 'hasActivated'


def test_wrong_update_passwords_lock_sadp_changes(fleet):
    device = sadp.device_view(ours(fleet, exchange([sadp.build_probe('inquiry', sadp.new_uuid())]))['cam'])
    results = []
    for _ in range(device_side.LOCK_ATTEMPTS):
        fields = sadp.update_fields(device, {}, sadp.update_password_field(device, 'Wrong-Pass-1'))
        results.append(command(fleet, 'cam', 'update', fields, mac_after='PWErrorParse')[0])
    assert [r['result'] for r in results] == ['PasswordError'] * 5 + ['locked']
    assert results[0]['retry_modify_time'] == 5 and results[-1]['surplus_lock_time'] >= 1
    fields = sadp.update_fields(device, {}, sadp.update_password_field(device, 'Cam-Pass-2024x'))
    assert command(fleet, 'cam', 'update', fields, mac_after='PWErrorParse')[0]['result'] == 'locked'
    assert fleet.control.state('cam')['areas']['sadp']['locked'] is True
    # the lock (30 min x time_scale 0.01 = 18 s) is SADP's own: ISAPI logins are unaffected
    assert Client(fleet, 'cam', password='Cam-Pass-2024x').get('/ISAPI/System/deviceInfo').status_code == 200


def test_update_without_a_password_is_refused(fleet):
    """CVE-2023-28810 (docs/developer/sadp-reference.md, §3.5): a missing Password must not pass."""
    device = sadp.device_view(ours(fleet, exchange([sadp.build_probe('inquiry', sadp.new_uuid())]))['old'])
    fields = [f for f in sadp.update_fields(device, {'ipv4_address': device['ipv4_address']}, ('', None))
              if f[0] != 'Password']
    assert command(fleet, 'old', 'update', fields, mac_after='PWErrorParse')[0]['result'] == 'PasswordError'
    assert fleet.control.state('old')['areas']['sadp']['failures'] == 1


def test_hello_is_sent_when_the_device_comes_back_from_a_reboot(fleet):
    before = fleet.control.state('old')['areas']['sadp']['hellos']
    client = Client(fleet, 'old', password='Old-Pass-2024x')
    assert client.put('/ISAPI/System/reboot').status_code == 200
    wait_until(lambda: fleet.control.state('old')['areas']['sadp']['hellos'] == before + 1, timeout=15)
