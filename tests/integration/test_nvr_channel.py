"""nvr_channel against an emulated NVR whose channels point at emulated cameras."""
from ansible_collections.camfleet.hikvision.plugins.modules.nvr_channel import SPEC as CHANNEL

from .conftest import run, strong_password


def channels_of(device):
    return {c['id']: c for c in device.state()['channels']}


def test_add_read_back_idempotent_and_status(new_device):
    nvr, cam1, cam2 = new_device('nvr'), new_device('current_camera'), new_device('legacy_camera')
    wanted = [{'id': 1, 'name': 'gate', 'address': cam1.address, 'password': cam1.password},
              {'name': 'yard', 'address': cam2.address, 'password': cam2.password,
               'protocol': 'ONVIF'}]
    result = run(CHANNEL, nvr.params(channels=wanted))
    assert result['changed'] is True, result
    stored = channels_of(nvr)
    assert stored[1]['address'] == cam1.address and stored[1]['name'] == 'gate' and stored[1]['port'] == 8000
    assert stored[2]['address'] == cam2.address and stored[2]['protocol'] == 'ONVIF' and stored[2]['port'] == 80
    assert [(c['id'], c['online'], c['detect_result']) for c in result['channels']] == [
        (1, True, 'connect'), (2, True, 'connect')]
    assert result['diff']['after']['new:%s' % cam1.address]['password'] == '(set)'
    assert cam1.password not in str(result) and cam2.password not in str(result)

    nvr.control.reset_counters(nvr.name)
    again = run(CHANNEL, nvr.params(channels=wanted))
    assert again['changed'] is False and again['actions'] == []
    assert nvr.counters()['writes'] == 0


def test_password_rotation_only_rewrites_rejected_channels(new_device):
    nvr, cam = new_device('nvr'), new_device('current_camera')
    run(CHANNEL, nvr.params(channels=[{'address': cam.address, 'password': cam.password}]))
    new_pw = strong_password()
    # the camera's admin password is rotated; the NVR now holds a stale one
    nvr.control.provision(cam.name, activated=True, password=new_pw)
    entry = {'address': cam.address, 'password': new_pw}
    stale = run(CHANNEL, nvr.params(channels=[entry], update_password='on_create'))
    assert stale['changed'] is False
    assert stale['channels'][0]['detect_result'] == 'errorUserNameOrPasswd'
    assert any('rejects the stored credentials' in w for w in stale['warnings'])

    checked = run(CHANNEL, nvr.params(channels=[entry]), check_mode=True)
    assert checked['changed'] is True and checked['diff']['after']['1'] == {'password': '(changed)'}
    assert run(CHANNEL, nvr.params(channels=[entry]))['channels'][0]['detect_result'] == 'connect'

    nvr.control.reset_counters(nvr.name)
    assert run(CHANNEL, nvr.params(channels=[entry]))['changed'] is False
    assert nvr.counters()['writes'] == 0
    forced = run(CHANNEL, nvr.params(channels=[entry], update_password='always'))
    assert forced['changed'] is True and forced['actions'][0]['password_sent'] is True


def test_modify_by_id_delete_and_exclusive(new_device):
    nvr, cam1, cam2 = new_device('nvr'), new_device('current_camera'), new_device('current_camera')
    run(CHANNEL, nvr.params(channels=[{'address': cam1.address, 'password': cam1.password},
                                      {'address': cam2.address, 'password': cam2.password}]))
    renamed = run(CHANNEL, nvr.params(channels=[{'id': 1, 'name': 'renamed', 'stream_type': 'main'}]))
    assert renamed['diff'] == {'before': {'1': {'name': cam1.address, 'stream_type': 'auto'}},
                               'after': {'1': {'name': 'renamed', 'stream_type': 'main'}}}
    assert channels_of(nvr)[1]['name'] == 'renamed' and channels_of(nvr)[1]['stream_type'] == 'main'
    # still logs in: the modify did not touch the stored password
    assert renamed['channels'][0]['detect_result'] == 'connect'

    only_first = run(CHANNEL, nvr.params(channels=[{'id': 1}], exclusive=True), check_mode=True)
    assert only_first['changed'] is True and list(channels_of(nvr)) == [1, 2]
    run(CHANNEL, nvr.params(channels=[{'id': 1}], exclusive=True))
    assert list(channels_of(nvr)) == [1]
    gone = run(CHANNEL, nvr.params(channels=[{'address': cam1.address, 'state': 'absent'}]))
    assert gone['changed'] is True and channels_of(nvr) == {}
    assert run(CHANNEL, nvr.params(channels=[{'address': cam1.address, 'state': 'absent'}]))['changed'] is False


def test_check_mode_adds_nothing(new_device):
    nvr, cam = new_device('nvr'), new_device('current_camera')
    result = run(CHANNEL, nvr.params(channels=[{'address': cam.address, 'password': cam.password}]),
                 check_mode=True)
    assert result['changed'] is True and result['actions'] == [{'action': 'add', 'address': cam.address}]
    assert channels_of(nvr) == {} and nvr.counters()['writes'] == 0


def test_bad_input_is_refused_before_any_write(new_device):
    nvr = new_device('nvr')
    no_pw = run(CHANNEL, nvr.params(channels=[{'address': '10.0.0.5'}]))
    assert no_pw['failed'] and no_pw['msg'].endswith(
        'channels[0]: password is required to add the channel for 10.0.0.5')
    bad_ip = run(CHANNEL, nvr.params(channels=[{'address': 'cam-1', 'password': 'x'}]))
    assert bad_ip['failed'] and bad_ip['msg'] == "channels[0].address must be an IP address, got 'cam-1'"
    many = [{'address': '10.0.0.%d' % i, 'password': 'Some-Pass-1'} for i in range(1, 10)]
    full = run(CHANNEL, nvr.params(channels=many))
    assert full['failed'] and 'the NVR has 8 IP channel slots; 0 in use, 9 to add' in full['msg']
    assert nvr.counters()['writes'] == 0 and channels_of(nvr) == {}


def test_camera_answers_not_supported(new_device):
    cam = new_device('current_camera')
    result = run(CHANNEL, cam.params(channels=[{'address': '10.0.0.5', 'password': 'x'}]))
    assert result['failed'] and 'notSupport' in result['msg']
