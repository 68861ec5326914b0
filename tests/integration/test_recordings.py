"""recordings against emulated devices: search, download, resume, checksums, idempotence."""
import datetime
import hashlib
import json
import os

from ansible_collections.camfleet.hikvision.plugins.modules.nvr_channel import SPEC as CHANNEL
from ansible_collections.camfleet.hikvision.plugins.modules.recordings import SPEC as RECORDINGS

from .conftest import run


def device_hour(hours_ago):
    """A past hour in the emulator's default zone (CST-8:00:00 = UTC+8), as local time."""
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).replace(tzinfo=None)
    start = now.replace(minute=0, second=0, microsecond=0) - datetime.timedelta(hours=hours_ago)
    return start.strftime('%Y-%m-%dT%H:%M:%S'), (start + datetime.timedelta(minutes=59)).strftime(
        '%Y-%m-%dT%H:%M:%S')


def area(device):
    return device.state()['areas']['recordings']


def test_camera_search_reports_sizes_before_downloading(new_device):
    cam = new_device('current_camera')
    start, end = device_hour(5)
    found = run(RECORDINGS, cam.params(start=start, end=end))
    assert found['changed'] is False and found['tracks'] == [101] and found['count'] == 6
    assert found['total_size'] == sum(r['size'] for r in found['recordings']) > 0
    assert found['recordings'][0]['start'] == start + 'Z'
    assert area(cam)['downloads'] == 0


def test_download_checksums_and_second_run_skips(new_device, tmp_path):
    cam = new_device('current_camera')
    start, end = device_hour(4)
    dest = str(tmp_path / 'cam')
    checked = run(RECORDINGS, cam.params(start=start, end=end, dest=dest), check_mode=True)
    assert checked['changed'] is True and {r['status'] for r in checked['recordings']} == {'would_download'}
    assert not os.path.exists(dest) and area(cam)['downloads'] == 0

    first = run(RECORDINGS, cam.params(start=start, end=end, dest=dest))
    assert first['changed'] is True and first['downloaded'] == 6
    manifest = json.load(open(first['manifest']))['files']
    for rec in first['recordings']:
        data = open(os.path.join(dest, rec['file']), 'rb').read()
        assert len(data) == rec['size'] and hashlib.sha256(data).hexdigest() == rec['sha256']
        assert manifest[rec['file']]['sha256'] == rec['sha256']
    assert area(cam)['downloads'] == 6

    again = run(RECORDINGS, cam.params(start=start, end=end, dest=dest))
    assert again['changed'] is False and again['downloaded'] == 0
    assert {r['status'] for r in again['recordings']} == {'present'}
    assert area(cam)['downloads'] == 6

    # a corrupted file no longer matches its manifest entry and is fetched again
    victim = os.path.join(dest, first['recordings'][2]['file'])
    with open(victim, 'r+b') as handle:
        handle.write(b'XX')
    repaired = run(RECORDINGS, cam.params(start=start, end=end, dest=dest))
    assert repaired['changed'] is True and repaired['downloaded'] == 1
    assert hashlib.sha256(open(victim, 'rb').read()).hexdigest() == first['recordings'][2]['sha256']


def test_partial_file_is_resumed_with_a_range_request(new_device, tmp_path):
    cam = new_device('legacy_camera')
    start, end = device_hour(3)
    found = run(RECORDINGS, cam.params(start=start, end=end))
    reference = str(tmp_path / 'ref')
    run(RECORDINGS, cam.params(start=start, end=end, dest=reference))
    first = found['recordings'][0]
    whole = open(os.path.join(reference, first['file']), 'rb').read()

    dest = tmp_path / 'resume'
    dest.mkdir()
    (dest / (first['file'] + '.part')).write_bytes(whole[:1000])
    before = area(cam)['ranged_downloads']
    result = run(RECORDINGS, cam.params(start=start, end=end, dest=str(dest), channels=[1]))
    statuses = [r['status'] for r in result['recordings']]
    assert statuses[0] == 'resumed' and set(statuses[1:]) == {'downloaded'}
    assert area(cam)['ranged_downloads'] == before + 1
    assert (dest / first['file']).read_bytes() == whole
    assert not (dest / (first['file'] + '.part')).exists()


def test_nvr_searches_its_configured_channels(new_device, tmp_path):
    nvr, cam1, cam2 = new_device('nvr'), new_device('current_camera'), new_device('current_camera')
    start, end = device_hour(2)
    assert run(RECORDINGS, nvr.params(start=start, end=end))['tracks'] == []
    run(CHANNEL, nvr.params(channels=[{'address': cam1.address, 'password': cam1.password},
                                      {'address': cam2.address, 'password': cam2.password}]))
    found = run(RECORDINGS, nvr.params(start=start, end=end))
    assert found['tracks'] == [101, 201] and found['count'] == 12
    only = run(RECORDINGS, nvr.params(start=start, end=end, channels=[2], dest=str(tmp_path)))
    assert only['downloaded'] == 6 and all(r['file'].startswith('201_') for r in only['recordings'])


def test_paging_and_bad_input(new_device):
    cam = new_device('current_camera')
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))).replace(tzinfo=None)
    start = (now - datetime.timedelta(hours=20)).strftime('%Y-%m-%dT%H:00:00')
    end = (now - datetime.timedelta(hours=8)).strftime('%Y-%m-%dT%H:00:00')
    many = run(RECORDINGS, cam.params(start=start, end=end))
    assert many['count'] == 72 and len({r['playback_uri'] for r in many['recordings']}) == 72
    assert cam.counters()['requests']['POST /ISAPI/ContentMgmt/search'] == 2  # pages of 50
    capped = run(RECORDINGS, cam.params(start=start, end=end, max_recordings=10))
    assert capped['count'] == 10 and capped['truncated'] is True

    cam.control.reset_counters(cam.name)
    bad = run(RECORDINGS, cam.params(start='yesterday', end=end))
    assert bad['failed'] and bad['msg'].startswith("start must be the device's local time")
    bad = run(RECORDINGS, cam.params(start=start, end=end, channels=[0]))
    assert bad['failed'] and bad['msg'] == 'channels must be channel numbers (1 or more), got 0'
    assert cam.counters()['requests'] == {}
