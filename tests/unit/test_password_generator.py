"""The device-policy password generator, with the emulator's password policy as the oracle."""
import string

import pytest

from emulator import passwords as emulator_policy
from emulator.profiles import PROFILES

from ansible_collections.camfleet.hikvision.plugins.module_utils.device import password_problems
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.passwords import (
    DEFAULT_SPECIALS, NEVER, classes_of, generate, problems, resolve_policy,
)

USERS = ['admin', 'operator', 'viewer1', 'onvif', 'ab']


@pytest.mark.parametrize('user', USERS)
def test_every_generated_password_is_accepted_by_every_emulated_firmware(user):
    policy = resolve_policy()
    seen = set()
    for _ in range(400):
        password = generate(user, policy)
        for profile in PROFILES.values():
            assert emulator_policy.policy_error(user, password, profile.password_len) is None, password
        assert password_problems(password, username=user) is None
        assert len(password) == 16 and classes_of(password) >= 3
        assert user.lower() not in password.lower() and user[::-1].lower() not in password.lower()
        assert not set(password) & NEVER
        assert all(c in string.ascii_letters + string.digits + DEFAULT_SPECIALS for c in password)
        seen.add(password)
    assert len(seen) == 400  # unique: secrets-backed, never a repeat


def test_configured_policy_is_met_and_still_accepted_by_the_device():
    policy = resolve_policy({'length': 10, 'min_classes': 4, 'specials': '!*'})
    for _ in range(300):
        password = generate('admin', policy)
        assert len(password) == 10 and classes_of(password) == 4
        assert set(password) - set(string.ascii_letters + string.digits) <= set('!*')
        assert emulator_policy.policy_error('admin', password) is None


def test_no_specials_gives_three_classes():
    policy = resolve_policy({'specials': '', 'min_classes': 3})
    for _ in range(100):
        password = generate('admin', policy)
        assert password.isalnum() and classes_of(password) == 3
        assert emulator_policy.policy_error('admin', password) is None


def test_avoid_list_is_never_returned(monkeypatch):
    """The first candidate is forced to equal an avoided (already used) password."""
    import ansible_collections.camfleet.hikvision.plugins.plugin_utils.passwords as gen
    used = 'Ab1-Ab1-Ab1-Ab1-'
    real_shuffle = gen.secrets.SystemRandom.shuffle
    calls = {'n': 0}

    def shuffle(self, chars):
        calls['n'] += 1
        if calls['n'] == 1:
            chars[:] = list(used)
        else:
            real_shuffle(self, chars)
    monkeypatch.setattr(gen.secrets.SystemRandom, 'shuffle', shuffle)
    assert problems(used, 'admin', resolve_policy()) is None  # acceptable but for the avoid list
    password = generate('admin', avoid=[used])
    assert password != used and calls['n'] == 2


@pytest.mark.parametrize('password,user,reason', [
    ('Xy1-admin-Zz9', 'admin', 'contains the user name or its reverse'),
    ('Xy1-NIMDA-Zz9', 'admin', 'contains the user name or its reverse'),
    ('short1A!', 'admin', 'fewer than 3'),
    ('Aa1' + 'x' * 14, 'admin', 'length 17 outside 8-16'),
    ('Aa1<bcdefghij', 'admin', 'a character outside the allowed set'),
])
def test_problems_are_named(password, user, reason):
    policy = resolve_policy()
    if reason.startswith('fewer'):
        password = 'shortpassword1'
    assert reason in problems(password, user, policy)


@pytest.mark.parametrize('given,message', [
    ({'length': 20}, 'password_policy.length must be between min_length 8 and max_length 16 (got 20)'),
    ({'length': 6, 'min_length': 4}, 'password_policy.length must be at least 8'),
    ({'min_classes': 1}, 'password_policy.min_classes must be 2, 3 or 4'),
    ({'specials': '!<'}, "password_policy.specials must not contain '<'"),
    ({'specials': 'a!'}, "password_policy.specials must not contain 'a'"),
    ({'specials': '', 'min_classes': 4}, 'only 3 classes are available'),
    ({'colour': 'red'}, "password_policy has no setting 'colour'"),
])
def test_bad_policy_settings_are_refused_naming_the_field(given, message):
    with pytest.raises(IsapiInputError) as err:
        resolve_policy(given)
    assert message in str(err.value)
