"""SADP end to end inside network namespaces (docs/developer/sadp-reference.md, §5): emulated devices, each in its own
namespace on one bridged segment, and the controller in another. Discovery (unicast and
multicast replies, an off-subnet device), the inventory plugin, activation and an address change
over SADP followed by ISAPI, malformed replies, and a capture proving nothing but SADP to the
group and to the segment's own addresses was sent.

Addresses are documentation ranges (198.51.100.0/24 on-subnet, 203.0.113.0/24 off-subnet), on a
segment connected to nothing else.
"""
import json
import os
import time

import pytest

import netns

REASON = netns.unavailable()
pytestmark = pytest.mark.skipif(REASON is not None, reason=REASON or '')

GROUP = '239.255.255.250'
CONTROLLER = '198.51.100.10/24'
# IGMP membership reports go to these link-local groups; the kernel sends them on every join.
IGMP_GROUPS = {'224.0.0.22', '224.0.0.2', '224.0.0.1'}
ACTIVE_PASSWORD = 'Cam-Pass-2024x'
NEW_PASSWORD = 'Fresh-Pass-99a'

DEVICES = {
    # role: (profile, address, activated, reply override)
    'cam1': ('current_camera', '198.51.100.64/24', True, None),
    'nvr1': ('nvr', '198.51.100.65/24', True, None),
    'fresh': ('current_camera', '198.51.100.66/24', False, None),
    'mover': ('current_camera', '198.51.100.67/24', True, None),
    'legacy': ('legacy_camera', '198.51.100.68/24', True, None),
    'far': ('current_camera', '203.0.113.64/24', True, None),
    'farnvr': ('nvr', '203.0.113.65/24', True, None),
}


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('sadp-netns')
    segment = netns.Segment(workdir)
    try:
        segment.__enter__()
        capture_path = os.path.join(str(workdir), 'capture.jsonl')
        segment.popen(segment.switch, [netns.PYTHON, os.path.join(os.path.dirname(__file__), 'capture.py'),
                                       capture_path])
        _wait_for(lambda: os.path.exists(capture_path) and os.path.getsize(capture_path) > 0)
        segment.attach('ctl', CONTROLLER)
        devices = {}
        for role, (profile, cidr, activated, reply) in DEVICES.items():
            devices[role] = netns.EmulatedDevice(segment, role, profile, cidr, activated=activated,
                                                 password=ACTIVE_PASSWORD if activated else None,
                                                 reply=reply)
        segment.attach('rogue', '198.51.100.99/24')
        segment.popen('rogue', [netns.PYTHON, os.path.join(os.path.dirname(__file__), 'rogue.py')])
        for device in devices.values():
            device.wait()
        segment.devices = devices
        segment.capture_path = capture_path
        yield segment
    finally:
        segment.close()


def _wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('condition not met in %ss' % timeout)
        time.sleep(0.05)


def drive(lab, job, timeout=60):
    done = lab.run('ctl', [netns.PYTHON, os.path.join(os.path.dirname(__file__), 'driver.py'),
                           json.dumps(job)], timeout=timeout)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def module(lab, name, check_mode=False, **args):
    args.setdefault('interfaces', ['eth0'])
    args.setdefault('timeout', 1.0)
    return drive(lab, {'op': 'module', 'module': name, 'args': args, 'check_mode': check_mode})


def isapi(lab, device, host, password, **extra):
    return drive(lab, dict({'op': 'isapi', 'host': host, 'password': password,
                            'ca_path': device.ca_path}, **extra))


def test_discovery_finds_every_device_with_its_real_state(lab):
    result = module(lab, 'sadp_discover')
    found = {d['mac']: d for d in result['devices']}
    for role, device in lab.devices.items():
        if role == 'farnvr':
            continue  # answers by unicast from another subnet: cannot reach us (next test)
        seen = found[device.mac]
        assert seen['ipv4_address'] == device.address
        assert seen['serial'] == device.serial and seen['model'] == device.info['model']
        assert seen['activated'] is device.activated
        assert seen['firmware'] == device.info['firmware'].replace(' build', 'build')
        assert seen['http_port'] == 80 and seen['command_port'] == 8000
        assert seen['interface'] == 'eth0'
    assert found[lab.devices['nvr1'].mac]['reply_via'] == ['unicast']
    assert found[lab.devices['cam1'].mac]['reply_via'] == ['multicast']
    assert found[lab.devices['cam1'].mac]['kind'] == 'camera'
    assert found[lab.devices['nvr1'].mac]['kind'] == 'nvr'
    assert found[lab.devices['legacy'].mac].get('salt') is None  # legacy: MD5 update form
    # one entry per device although every probe round got answers again
    assert len(result['devices']) == len(found) == len(DEVICES) - 1
    # the rogue's truncated, non-XML and identity-less replies: ignored, with a warning
    warnings = result.get('warnings') or []
    assert any('ignored' in w and 'malformed or truncated' in w and '198.51.100.99' in w
               for w in warnings), warnings


def test_off_subnet_device_is_found_only_by_its_multicast_reply(lab):
    far, farnvr = lab.devices['far'], lab.devices['farnvr']
    result = module(lab, 'sadp_discover', mac=far.mac)
    assert result['found'] is True and result['device']['reply_via'] == ['multicast']
    assert result['device']['ipv4_address'] == '203.0.113.64'
    missing = module(lab, 'sadp_discover', mac=farnvr.mac, fail_when_missing=True)
    assert missing['failed'] and 'no device with MAC %s answered SADP on eth0' % farnvr.mac in missing['msg']
    area = farnvr.state()['areas']['sadp']
    assert area['probes'] > 0 and area['send_errors'] > 0  # its unicast reply had no route


def test_inventory_plugin_builds_hosts_groups_and_vars(lab, tmp_path):
    source = tmp_path / 'lab.sadp.yml'
    cache_dir = tmp_path / 'cache'
    source.write_text('\n'.join([
        'plugin: camfleet.hikvision.sadp',
        'interfaces: [eth0]',
        'timeout: 1.5',
        'retries: 1',
        'keyed_groups:',
        '  - {key: device_kind, prefix: kind}',
        'groups:',
        '  fresh_cameras: "not sadp_activated and device_kind == \'camera\'"',
        'compose:',
        '  isapi_scheme: "\'https\'"',
        'cache: true',
        'cache_plugin: ansible.builtin.jsonfile',
        'cache_connection: %s' % cache_dir,
        '']))
    env = ['env', 'ANSIBLE_COLLECTIONS_PATH=%s' % os.path.join(netns.ROOT, '.collections'),
           'ANSIBLE_INVENTORY_ENABLED=camfleet.hikvision.sadp']
    argv = env + [os.path.join(os.path.dirname(netns.PYTHON), 'ansible-inventory'), '-i', str(source), '--list']
    done = lab.run('ctl', argv, timeout=60)
    assert done.returncode == 0, done.stderr
    # Device-reported strings come back marked unsafe (never templated): unwrap for comparing.
    inventory = json.loads(done.stdout, object_hook=lambda d: d.get('__ansible_unsafe', d))
    hostvars = inventory['_meta']['hostvars']
    cam1, fresh, nvr1 = lab.devices['cam1'], lab.devices['fresh'], lab.devices['nvr1']
    assert set(hostvars) == {d.serial for r, d in lab.devices.items() if r != 'farnvr'}
    v = hostvars[cam1.serial]
    assert (v['isapi_host'], v['isapi_port'], v['isapi_http_port']) == (cam1.address, 443, 80)
    assert v['sadp_mac'] == cam1.mac and v['sadp_ipv4_netmask'] == '255.255.255.0'
    assert v['sadp_dhcp'] is False and v['device_model'] == cam1.info['model']
    assert v['isapi_scheme'] == 'https'
    assert inventory['fresh_cameras']['hosts'] == [fresh.serial]
    assert nvr1.serial in inventory['kind_nvr']['hosts'] and nvr1.serial in inventory['sadp_nvr']['hosts']
    assert fresh.serial in inventory['sadp_inactive']['hosts']
    assert cam1.serial in inventory['sadp_activated']['hosts']
    assert 'ignored' in done.stderr  # the rogue's replies, as a warning
    assert os.listdir(str(cache_dir)), 'the discovery was not cached'


def test_activation_over_sadp_then_isapi_login(lab):
    fresh = lab.devices['fresh']
    probes = fresh.state()['areas']['sadp']['probes']
    weak = module(lab, 'sadp_device', mac=fresh.mac, password='onlylowercase')
    assert weak['failed'] and weak['msg'].startswith('password must mix at least two of: digits')
    assert fresh.state()['areas']['sadp']['probes'] == probes  # refused before anything was sent

    check = module(lab, 'sadp_device', check_mode=True, mac=fresh.mac, password=NEW_PASSWORD)
    assert check['changed'] is True and check['diff'] == {'before': {'activated': False},
                                                          'after': {'activated': True}}
    assert fresh.state()['activated'] is False

    done = module(lab, 'sadp_device', mac=fresh.mac, password=NEW_PASSWORD)
    assert done['changed'] is True and done['device']['activated'] is True, done
    assert NEW_PASSWORD not in json.dumps(done)
    state = fresh.state()
    assert state['activated'] is True and fresh.control.check_password('fresh', 'admin', NEW_PASSWORD)
    assert [e for e in state['log'] if e['event'] == 'activate'] == [
        e for e in state['log'] if e['event'] == 'activate' and e.get('via') == 'sadp']

    again = module(lab, 'sadp_device', mac=fresh.mac, password=NEW_PASSWORD)
    assert again['changed'] is False and 'nothing sent' in again['msg']
    assert len([e for e in fresh.state()['log'] if e['event'] == 'activate']) == 1

    login = isapi(lab, fresh, fresh.address, NEW_PASSWORD)
    assert login == {'ok': True, 'serial': login['serial'], 'mac': fresh.mac}
    assert fresh.info['serial'].endswith(login['serial']) or login['serial'] in fresh.info['serial']


def test_address_change_over_sadp_then_isapi_at_the_new_address(lab):
    mover = lab.devices['mover']
    wrong = module(lab, 'sadp_device', mac=mover.mac, password='Wrong-Pass-123', ipv4_address='198.51.100.80')
    assert wrong['failed'] and 'refused the admin password for update (PasswordError); 5 attempt(s) left' in wrong['msg']
    assert mover.state()['address'] == mover.address and mover.state()['areas']['sadp']['failures'] == 1

    outside = module(lab, 'sadp_device', mac=mover.mac, password=ACTIVE_PASSWORD,
                     ipv4_address='198.51.100.80', ipv4_gateway='192.0.2.1')
    assert outside['failed'] and outside['msg'] == \
        'ipv4_gateway 192.0.2.1 is not inside 198.51.100.0/24: the device could not reach it'

    check = module(lab, 'sadp_device', check_mode=True, mac=mover.mac, password=ACTIVE_PASSWORD,
                   ipv4_address='198.51.100.80', ipv4_netmask='24')
    assert check['changed'] is True and check['diff']['after']['ipv4_address'] == '198.51.100.80'
    assert 'ipv4_netmask' in check['diff']['before']
    assert mover.state()['address'] == mover.address

    moved = module(lab, 'sadp_device', mac=mover.mac, password=ACTIVE_PASSWORD,
                   ipv4_address='198.51.100.80', ipv4_netmask='255.255.255.0')
    assert moved['changed'] is True and moved['isapi_host'] == '198.51.100.80', moved
    assert moved['diff'] == {'before': {'activated': True, 'ipv4_address': mover.address,
                                        'ipv4_netmask': '255.255.255.0'},
                             'after': {'activated': True, 'ipv4_address': '198.51.100.80',
                                       'ipv4_netmask': '255.255.255.0'}}
    state = mover.state()
    assert state['address'] == '198.51.100.80' and state['network']['address'] == '198.51.100.80'
    assert state['areas']['sadp']['failures'] == 0

    login = isapi(lab, mover, '198.51.100.80', ACTIVE_PASSWORD)
    assert login['ok'] is True and login['mac'] == mover.mac
    old = isapi(lab, mover, mover.address, ACTIVE_PASSWORD, timeout=1, retry=False)
    assert old['ok'] is False and old['error'] == 'IsapiConnectionError'

    again = module(lab, 'sadp_device', mac=mover.mac, password=ACTIVE_PASSWORD,
                   ipv4_address='198.51.100.80')
    assert again['changed'] is False


def test_legacy_device_takes_the_md5_update_form(lab):
    legacy = lab.devices['legacy']
    moved = module(lab, 'sadp_device', mac=legacy.mac, password=ACTIVE_PASSWORD, ipv4_address='198.51.100.81')
    assert moved['changed'] is True and moved['device']['ipv4_address'] == '198.51.100.81', moved
    assert legacy.state()['address'] == '198.51.100.81'


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_sadp_discover_through_ansible_playbook_on_both_paths(lab, tmp_path, path):
    cam1 = lab.devices['cam1']
    play = tmp_path / 'find.yml'
    play.write_text('\n'.join([
        '- hosts: localhost',
        '  gather_facts: false',
        '  tasks:',
        '    - name: find',
        '      camfleet.hikvision.sadp_discover:',
        '        interfaces: [eth0]',
        '        timeout: 1.5',
        '        mac: "%s"' % cam1.mac,
        '']))
    results = tmp_path / 'results.jsonl'
    env = ['env', 'ANSIBLE_COLLECTIONS_PATH=%s' % os.path.join(netns.ROOT, '.collections'),
           'ANSIBLE_CALLBACK_PLUGINS=%s' % os.path.join(netns.ROOT, 'tests', 'integration', 'callback_plugins'),
           'ANSIBLE_CALLBACKS_ENABLED=results_jsonl', 'CAMFLEET_RESULTS=%s' % results,
           'ANSIBLE_LOCALHOST_WARNING=false', 'ANSIBLE_INVENTORY_UNPARSED_WARNING=false']
    if path == 'module':
        env.append('CAMFLEET_FORCE_MODULE=1')
    argv = env + [os.path.join(os.path.dirname(netns.PYTHON), 'ansible-playbook'),
                  '-e', 'ansible_python_interpreter=%s' % netns.PYTHON, str(play)]
    done = lab.run('ctl', argv, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads(results.read_text().splitlines()[0])['result']
    assert found['changed'] is False and found['found'] is True
    assert found['device']['mac'] == cam1.mac and found['device']['serial'] == cam1.serial


def test_zz_nothing_left_the_segment(lab):
    """Runs last in the module (name order): every IPv4/ARP frame seen on the bridge went to the
    SADP group, IGMP's link-local groups, or an address inside the test's namespaces."""
    time.sleep(0.3)
    inside = set(lab.devices[r].address for r in lab.devices) | {'198.51.100.80', '198.51.100.81',
                                                                 '198.51.100.10', '198.51.100.99'}
    records = [json.loads(line) for line in open(lab.capture_path) if line.strip()][1:]
    assert records, 'the capture saw nothing'
    strays = []
    for rec in records:
        if rec['type'] not in (0x0800, 0x0806):
            strays.append(rec)
        elif rec['dst'] not in inside | {GROUP} | IGMP_GROUPS or rec['src'] not in inside | {'0.0.0.0'}:
            strays.append(rec)
    assert strays == []
    sadp_to_group = [r for r in records if r.get('dst') == GROUP]
    assert sadp_to_group and all(r.get('dport') == 37020 for r in sadp_to_group)
