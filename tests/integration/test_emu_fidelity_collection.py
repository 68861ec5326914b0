"""The collection against the emulator's recorded behaviour (emulator/README.md, Conformance):
capability trees that lack flags, the NVR's newer Digest challenge, per-firmware
"not supported" answers and whole-document writes."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils.client import IsapiClient
from ansible_collections.camfleet.hikvision.plugins.module_utils.engine import read_optional
from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO
from ansible_collections.camfleet.hikvision.plugins.modules.security import SPEC as SECURITY

from .conftest import run


@pytest.mark.parametrize('profile,probed', [
    ('nvr', ['illegal_login_lock', 'ip_filter']),   # the recorded V4.62 tree has neither flag
    ('legacy_camera', ['illegal_login_lock']),      # the recorded V5.2 tree has no lock flag
    ('current_camera', []),                         # V5.7.18 advertises both
])
def test_unadvertised_controls_are_probed_not_guessed(new_device, profile, probed):
    device = new_device(profile)
    result = run(INFO, device.params())
    caps = result['capabilities']
    assert result['capabilities_probed'] == probed
    # each device has both resources, whatever its tree says
    assert caps['illegal_login_lock'] is True and caps['ip_filter'] is True
    reads = device.counters()['requests']
    for key, path in (('illegal_login_lock', 'GET /ISAPI/Security/illegalLoginLock'),
                      ('ip_filter', 'GET /ISAPI/System/Network/ipFilter')):
        assert reads.get(path, 0) == (1 if key in probed else 0), path
    assert sum(device.counters()['failed_logins'].values()) == 0


def _client(device):
    p = device.params()
    return IsapiClient(p['host'], username='admin', password=p['password'], port=p['port'],
                       scheme='https', ca_path=p['ca_path'], timeout=10)


def test_client_meets_the_nvr_challenge_form_with_a_query(new_device):
    # The NVR serves realm/domain/opaque/quoted-algorithm challenges and checks that the signed
    # uri is the request target, query included.
    nvr = new_device('nvr')
    with _client(nvr) as client:
        root = client.get('/ISAPI/Security/illegalLoginLock', params={'format': 'xml'})
        assert root is not None
        client.get('/ISAPI/System/deviceInfo')
    counters = nvr.counters()
    assert sum(counters['failed_logins'].values()) == 0
    assert counters['unauthorized'] == 1  # the one first-contact challenge, no retries


@pytest.mark.parametrize('profile,path', [
    ('legacy_camera', '/ISAPI/System/Holidays'),       # 403 notSupport
    ('legacy_camera', '/ISAPI/WLAlarm/PIR'),           # 403 notSupport
    ('current_camera', '/ISAPI/System/Holidays'),      # 404 notSupport
    ('nvr', '/ISAPI/System/Video/inputs/channels'),    # 403 notSupport
])
def test_recorded_not_supported_answers_read_as_absent(new_device, profile, path):
    device = new_device(profile)
    with _client(device) as client:
        assert read_optional(client, path) is None


def test_nvr_lock_settings_without_capability_ranges(new_device):
    # No SecurityCap lock ranges on the NVR: the value goes to the device in seconds and reads back.
    nvr = new_device('nvr')
    result = run(SECURITY, nvr.params(illegal_login_lock={'attempts': 6, 'duration': 600}))
    assert result['changed'] is True, result
    lock = nvr.state()['lock']
    assert (lock['attempts'], lock['seconds']) == (6, 600)
    assert run(SECURITY, nvr.params(illegal_login_lock={'attempts': 6, 'duration': 600}))['changed'] is False
