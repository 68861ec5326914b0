"""The user module: create, modify, delete, read back from the emulator; idempotence; check mode."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import run, strong_password


def users_of(device):
    return {u['name']: u for u in device.state()['users']}


@pytest.mark.parametrize('profile', ['current_camera', 'legacy_camera', 'nvr'])
def test_create_modify_delete_read_back(new_device, profile):
    device = new_device(profile)
    pw = strong_password()
    created = run(USER, device.params(name='vms', level='viewer', user_password=pw))
    assert created['changed'] is True and created['user']['name'] == 'vms'
    assert users_of(device)['vms']['level'].lower() == 'viewer'
    assert device.control.check_password(device.name, 'vms', pw)

    device.control.reset_counters(device.name)
    same = run(USER, device.params(name='vms', level='viewer', user_password=pw))
    assert same['changed'] is False and same['password_changed'] is False
    assert device.counters()['writes'] == 0

    modified = run(USER, device.params(name='vms', level='operator', update_password='on_create',
                                       user_password=strong_password()))
    assert modified['changed'] is True and modified['password_changed'] is False
    assert modified['diff'] == {'before': {'id': created['user']['id'], 'name': 'vms', 'level': 'viewer'},
                                'after': {'id': created['user']['id'], 'name': 'vms', 'level': 'operator'}}
    assert users_of(device)['vms']['level'].lower() == 'operator'
    assert device.control.check_password(device.name, 'vms', pw)  # on_create left it alone

    deleted = run(USER, device.params(name='vms', state='absent'))
    assert deleted['changed'] is True and 'vms' not in users_of(device)
    assert run(USER, device.params(name='vms', state='absent'))['changed'] is False


def test_password_change_logs_in_once_to_check_and_changes_only_when_needed(new_device):
    device = new_device('current_camera')
    old, new = strong_password(), strong_password()
    run(USER, device.params(name='op', level='operator', user_password=old))
    device.control.reset_counters(device.name)
    changed = run(USER, device.params(name='op', user_password=new))
    assert changed['changed'] is True and changed['password_changed'] is True
    assert changed['diff']['after']['password'] == '(changed)'
    assert device.control.check_password(device.name, 'op', new)
    assert not device.control.check_password(device.name, 'op', old)
    # exactly one refused login: the check with the new password before it was set
    assert sum(device.counters()['failed_logins'].values()) == 1


def test_changing_the_password_of_the_session_account_switches_the_session(new_device):
    device = new_device('current_camera')
    new = strong_password()
    result = run(USER, device.params(name='admin', user_password=new))
    assert result['changed'] is True and result['session_password_switched'] is True
    assert device.control.check_password(device.name, 'admin', new)
    assert run(INFO, device.params(password=new))['activated'] is True
    again = run(USER, device.params(password=new, name='admin', user_password=new))
    assert again['changed'] is False


def test_check_mode_reports_but_changes_nothing(new_device):
    device = new_device('current_camera')
    before = users_of(device)
    result = run(USER, device.params(name='ghost', level='operator', user_password=strong_password()),
                 check_mode=True)
    assert result['changed'] is True and result['diff']['after'] == {'name': 'ghost', 'level': 'operator'}
    assert users_of(device) == before
    assert device.counters()['writes'] == 0


def test_bad_input_names_the_field_and_leaves_the_device_alone(new_device):
    device = new_device('current_camera')
    result = run(USER, device.params(name='vms', user_password='Ab1'))
    assert result['failed'] and 'user_password must be 8 to 16 characters long' in result['msg']
    mirror = run(USER, device.params(name='Operator1', user_password='1rotarepO'))
    assert mirror['failed'] and 'user_password must not be the user name reversed' in mirror['msg']
    missing = run(USER, device.params(name='newbie'))
    assert missing['failed'] and 'user_password is required to create user' in missing['msg']
    admin_level = run(USER, device.params(name='admin', level='viewer'))
    assert admin_level['failed'] and 'must stay administrator' in admin_level['msg']
    assert device.counters()['writes'] == 0


def test_admin_cannot_be_deleted(new_device):
    device = new_device('current_camera')
    result = run(USER, device.params(name='admin', state='absent'))
    assert result['failed'] and 'cannot be deleted' in result['msg']
    assert 'admin' in users_of(device)
