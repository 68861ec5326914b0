"""The firmware module against the emulator: upgrade, skip, refusals, check mode, streaming."""
import tracemalloc

import pytest

from emulator import firmware_image

from ansible_collections.camfleet.hikvision.plugins.modules.firmware import SPEC as FIRMWARE

from .conftest import run, run_playbook

UPLOAD = 'PUT /ISAPI/System/updateFirmware'


def make_image(tmp_path, name='digicap.dav', size=512 * 1024, **kw):
    path = tmp_path / name
    kw.setdefault('models', ['DS-2CD2*'])
    kw.setdefault('kinds', ['camera'])
    kw.setdefault('version', 'V5.7.20')
    kw.setdefault('build', 'build 250101')
    firmware_image.write_image(str(path), size=size, **kw)
    return str(path)


def firmware_of(device):
    area = device.state()['areas']['firmware']
    return '%s %s' % (area['version'], area['build'])


@pytest.mark.parametrize('profile', ['current_camera', 'legacy_camera'])
def test_upgrade_in_process_then_second_run_skips(new_device, tmp_path, profile):
    device = new_device(profile)
    src = make_image(tmp_path, size=2 * 1024 * 1024)
    result = run(FIRMWARE, device.params(src=src, version='V5.7.20 build 250101', wait_timeout=60))
    assert result.get('failed') is None, result
    assert result['changed'] is True and result['firmware'] == 'V5.7.20 build 250101'
    progress = result['progress']
    assert len(progress) >= 2 and progress == sorted(progress) and progress[0] < 100
    assert result['diff']['after'] == {'firmware': 'V5.7.20 build 250101'}
    assert firmware_of(device) == 'V5.7.20 build 250101'
    assert device.state()['areas']['firmware']['last_upload_bytes'] == len(open(src, 'rb').read())
    assert device.counters()['requests'][UPLOAD] == 1

    device.control.reset_counters(device.name)
    again = run(FIRMWARE, device.params(src=src, version='V5.7.20'))
    assert again['changed'] is False and 'already runs V5.7.20 build 250101' in again['msg']
    assert device.counters()['writes'] == 0


def test_same_version_is_skipped_without_any_write(new_device, tmp_path):
    device = new_device('current_camera')
    src = make_image(tmp_path, version='V5.7.18', build='build 240826')
    result = run(FIRMWARE, device.params(src=src, version='V5.7.18 build 240826'))
    assert result['changed'] is False and result['firmware'] == 'V5.7.18 build 240826'
    assert device.counters()['writes'] == 0 and UPLOAD not in device.counters()['requests']


def test_wrong_model_image_is_refused_before_upload(new_device, tmp_path):
    device = new_device('nvr')
    src = make_image(tmp_path, models=['DS-2CD2*'], kinds=['camera'])
    result = run(FIRMWARE, device.params(src=src, version='V5.7.20'))
    assert result['failed'] is True
    assert result['msg'].endswith('src %s does not fit this device: the image is for camera '
                                  'devices, this one is a nvr; nothing uploaded' % src)
    camera_image = make_image(tmp_path, name='other.dav', models=['DS-2CD9*'])
    other = run(FIRMWARE, new_device('current_camera').params(src=camera_image, version='V5.7.20'))
    assert other['failed'] and 'the image is for DS-2CD9*, this device is a' in other['msg']
    assert UPLOAD not in device.counters()['requests'] and device.counters()['writes'] == 0


def test_device_refusal_is_mapped_to_a_clear_message(new_device, tmp_path):
    device = new_device('current_camera')
    src = make_image(tmp_path, corrupt=True)
    result = run(FIRMWARE, device.params(src=src, version='V5.7.20'))
    assert result['failed'] and result['sub_status_code'] == 'badFlash'
    assert 'the device could not write the image (badFlash)' in result['msg']
    assert firmware_of(device) == 'V5.7.18 build 240826'
    assert device.counters()['requests'][UPLOAD] == 1  # never retried


def test_check_mode_uploads_nothing(new_device, tmp_path):
    device = new_device('current_camera')
    src = make_image(tmp_path)
    result = run(FIRMWARE, device.params(src=src, version='V5.7.20'), check_mode=True)
    assert result['changed'] is True and result['msg'] == 'would upgrade V5.7.18 build 240826 to V5.7.20'
    assert device.counters()['writes'] == 0 and firmware_of(device) == 'V5.7.18 build 240826'


def test_bad_input_is_refused_before_anything_is_sent(new_device, tmp_path):
    device = new_device('current_camera')
    src = make_image(tmp_path)
    bad = run(FIRMWARE, device.params(src=src, version='five'))
    assert bad['failed'] and bad['msg'] == ('version must look like V5.7.20 or "V5.7.20 build 250101" '
                                            "(got 'five')")
    missing = run(FIRMWARE, device.params(src=str(tmp_path / 'nope.dav'), version='V5.7.20'))
    assert missing['failed'] and missing['msg'] == ('src %s is not a file (give the path of the '
                                                    'extracted digicap.dav)' % (tmp_path / 'nope.dav'))
    mismatch = run(FIRMWARE, device.params(src=src, version='V5.7.21'))
    assert mismatch['failed'] and mismatch['msg'] == ('version V5.7.21 does not match the image, '
                                                      'which holds V5.7.20')
    assert device.counters()['requests'] == {}


def test_large_image_is_streamed_not_read_whole(new_device, tmp_path):
    device = new_device('current_camera')
    size = 64 * 1024 * 1024
    src = make_image(tmp_path, size=size)
    tracemalloc.start()
    try:
        result = run(FIRMWARE, device.params(src=src, version='V5.7.20', wait_timeout=120))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result['changed'] is True and result.get('failed') is None, result
    assert device.state()['areas']['firmware']['last_upload_bytes'] > size
    assert peak < 8 * 1024 * 1024, 'controller held %d bytes at peak' % peak


PLAY = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: Upgrade
      camfleet.hikvision.firmware:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        password: "{{ isapi_password }}"
        ca_path: "{{ isapi_ca_path }}"
        src: digicap.dav
        version: V5.7.20 build 250101
        wait_timeout: 60
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_upgrade_through_ansible_playbook(fleet, new_device, tmp_path, path):
    device = new_device('current_camera', inventory_password=True)
    files = tmp_path / 'files'
    files.mkdir()
    make_image(files)
    env = {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {}
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, env=env, limit=device.name)
    assert rc == 0, out
    result = results[0]['result']
    assert result['changed'] is True and result['firmware'] == 'V5.7.20 build 250101'
    assert firmware_of(device) == 'V5.7.20 build 250101'
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, env=env, limit=device.name)
    assert rc == 0 and results[0]['result']['changed'] is False, out
