"""Pure logic of the firmware and backup modules: versions, image fit, progress, backup paths."""
import os

import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import backup, firmware
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiConnectionError, IsapiInputError,
)


@pytest.mark.parametrize('text, parsed', [
    ('V5.7.20', ('V5.7.20', None)),
    ('v5.7.20  build 250101', ('V5.7.20', 'build 250101')),
    ('4.62.210 build 230619', ('V4.62.210', 'build 230619')),
])
def test_parse_version(text, parsed):
    assert firmware.parse_version(text) == parsed


@pytest.mark.parametrize('text', ['five', 'V5', 'V5.7.20 build 25', 'V5.7.20 b 250101', ''])
def test_parse_version_refuses(text):
    with pytest.raises(IsapiInputError, match='version must look like V5.7.20'):
        firmware.parse_version(text)


def test_runs_target_compares_build_only_when_asked():
    device = {'firmware_version': 'V5.7.20', 'firmware_build': 'build 250101'}
    assert firmware.runs_target(device, ('V5.7.20', None))
    assert firmware.runs_target(device, ('V5.7.20', 'build 250101'))
    assert not firmware.runs_target(device, ('V5.7.20', 'build 250102'))
    assert not firmware.runs_target(device, ('V5.7.21', None))


def test_image_misfit():
    meta = {'models': ['DS-2CD2*'], 'kinds': ['camera']}
    assert firmware.image_misfit(meta, {'model': 'DS-2CD2386G2-IU', 'kind': 'camera'}) is None
    assert 'this one is a nvr' in firmware.image_misfit(meta, {'model': 'DS-7608NXI', 'kind': 'nvr'})
    assert 'this device is a DS-2DE' in firmware.image_misfit(meta, {'model': 'DS-2DE', 'kind': 'camera'})
    assert firmware.image_misfit({}, {'model': 'x', 'kind': 'nvr'}) is None


def test_real_images_have_no_readable_header(tmp_path):
    path = tmp_path / 'digicap.dav'
    path.write_bytes(b'\x00' * 100)
    assert firmware.read_image_header(str(path)) is None


class FakeStatus(object):
    """Answers upgradeStatus from a script; a None entry means the device is away."""

    def __init__(self, script):
        self.script = list(script)
        self.device = 'fake'

    def get(self, path, retry=True, **kwargs):
        from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
        step = self.script.pop(0)
        if step is None:
            raise IsapiConnectionError('gone')
        return xmldoc.parse('<upgradeStatus><upgrading>%s</upgrading><percent>%d</percent>'
                            '</upgradeStatus>' % ('true' if step < 100 else 'false', step))


def test_follow_progress_records_each_new_percent_and_stops_at_the_reboot():
    history, went_down = firmware.follow_progress(
        FakeStatus([0, 0, 40, 80, None]), deadline=10, clock=lambda: 0, sleep=lambda s: None)
    assert history == [0, 40, 80] and went_down is True
    history, went_down = firmware.follow_progress(
        FakeStatus([50, 100]), deadline=10, clock=lambda: 0, sleep=lambda s: None)
    assert history == [50, 100] and went_down is False


def test_follow_progress_gives_up_at_the_deadline():
    ticks = iter(range(100))
    with pytest.raises(IsapiConnectionError, match='did not finish within wait_timeout'):
        firmware.follow_progress(FakeStatus([10] * 50), deadline=5, clock=lambda: next(ticks),
                                 sleep=lambda s: None)


def test_backup_paths(tmp_path):
    directory = str(tmp_path) + os.sep
    path = backup.new_backup_path(directory, 'north/cam 1')
    assert os.path.dirname(path) == str(tmp_path)
    assert os.path.basename(path).startswith('north_cam_1_') and path.endswith('.cfg')
    assert backup.sidecars(path) == (path + '.sha256', path[:-4] + '.json')
    assert backup.sidecars('/b/cam1') == ('/b/cam1.sha256', '/b/cam1.json')
    assert backup.new_backup_path('/b/cam1.cfg', 'x') == '/b/cam1.cfg'


def test_store_backup_writes_once_and_compares_decrypted(tmp_path):
    def encrypt(content):
        return b'ENC' + content[::-1]

    def decrypt(data):
        return data[3:][::-1]
    first = backup.store_backup(str(tmp_path) + '/', 'cam', b'config-1', {'a': 1}, encrypt, decrypt)
    assert first['changed'] is True and open(first['dest'], 'rb').read() == b'ENC1-gifnoc'
    assert oct(os.stat(first['dest']).st_mode & 0o777) == '0o600'
    same = backup.store_backup(str(tmp_path) + '/', 'cam', b'config-1', {'a': 1}, encrypt, decrypt)
    assert same['changed'] is False and same['dest'] == first['dest']
    assert backup.verify_checksum(first['dest'], open(first['dest'], 'rb').read()) == first['checksum']
    with pytest.raises(IsapiInputError, match='does not match its checksum file'):
        backup.verify_checksum(first['dest'], b'tampered')


def test_snapshot_scrubs_secrets():
    data = {'Ftp': {'userName': 'u', 'password': 'p'}, 'SNMP': {'readCommunity': 'c'},
            'EZVIZ': {'verificationCode': 'v', 'enabled': 'true'}}
    assert backup._scrub(data) == {
        'Ftp': {'userName': 'u', 'password': '(hidden)'}, 'SNMP': {'readCommunity': '(hidden)'},
        'EZVIZ': {'verificationCode': '(hidden)', 'enabled': 'true'}}
