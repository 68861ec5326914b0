"""nvr_channel: a channel whose camera is absent or unreachable is not added silently.

The NVR stores such a channel without complaint and reports it in its channel status
(chanDetectResult notExist / netUnreachable, docs/developer/isapi-reference.md, §12.2); the module
warns naming the channel and that result, or fails with on_unreachable: fail."""
from ansible_collections.camfleet.hikvision.plugins.modules.nvr_channel import SPEC as CHANNEL

from .conftest import run


def absent_address(nvr):
    """An address in the fleet's subnet where no emulated device lives."""
    parts = nvr.address.split('.')
    return '.'.join(parts[:2] + ['251', '7'])


def test_adding_a_channel_without_a_camera_warns_with_the_detect_result(new_device):
    nvr = new_device('nvr')
    address = absent_address(nvr)
    result = run(CHANNEL, nvr.params(channels=[{'id': 1, 'address': address, 'password': 'x1Y!zzzz'}]))
    assert result.get('failed') is not True and result['changed'] is True, result
    assert result['warnings'] == [
        'channel 1 (%s) is offline: the NVR reports chanDetectResult notExist (no camera answers '
        'at that address)' % address]
    assert [c['address'] for c in nvr.state()['channels']] == [address]


def test_an_unreachable_camera_fails_the_task_with_on_unreachable_fail(new_device):
    nvr, cam = new_device('nvr'), new_device('current_camera')
    nvr.control.faults(cam.name, refuse_seconds=30)  # the camera is down
    try:
        result = run(CHANNEL, nvr.params(channels=[{'id': 2, 'address': cam.address,
                                                    'password': cam.password}],
                                         on_unreachable='fail'))
    finally:
        nvr.control.clear_faults(cam.name)
    assert result['failed'] is True and result['changed'] is True
    assert result['msg'] == (
        '%s: channel 2 (%s) is offline: the NVR reports chanDetectResult netUnreachable (the camera '
        'cannot be reached over the network); the task changed the NVR before this check (see '
        'actions); check the camera is powered, cabled and at that address, or set '
        'on_unreachable: warn to accept it' % ('https://%s:443' % nvr.address, cam.address))
    assert result['actions'] == [{'action': 'add', 'address': cam.address}]
    # the camera is back: the same task now passes, with no change and no warning
    again = run(CHANNEL, nvr.params(channels=[{'id': 2, 'address': cam.address,
                                               'password': cam.password}], on_unreachable='fail'))
    assert again.get('failed') is not True and again['changed'] is False, again
    assert 'warnings' not in again


def test_check_mode_reports_an_existing_unreachable_channel(new_device):
    nvr = new_device('nvr')
    address = absent_address(nvr)
    run(CHANNEL, nvr.params(channels=[{'id': 1, 'address': address, 'password': 'x1Y!zzzz'}]))
    nvr.control.reset_counters(nvr.name)
    result = run(CHANNEL, nvr.params(channels=[{'id': 1}], on_unreachable='fail'), check_mode=True)
    assert result['failed'] is True and 'channel 1 (%s) is offline' % address in result['msg']
    assert 'the task changed the NVR' not in result['msg']
    assert nvr.counters()['writes'] == 0


def test_reachable_channels_do_not_warn(new_device):
    nvr, cam = new_device('nvr'), new_device('current_camera')
    result = run(CHANNEL, nvr.params(channels=[{'address': cam.address, 'password': cam.password}],
                                     on_unreachable='fail'))
    assert result.get('failed') is not True and 'warnings' not in result, result
