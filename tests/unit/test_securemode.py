"""The web UI's security-mode crypto against the vectors of docs/developer/recovery-reference.md
§2.4 (tests/data/securemode-vectors.json), and the emulator's independent copy against the same."""
import json
import os

import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import securemode

from emulator.handlers import recovery as emu

V = json.load(open(os.path.join(os.path.dirname(__file__), '..', 'data', 'securemode-vectors.json')))


@pytest.mark.parametrize('derive', [securemode.derive_key, emu.derive_key])
def test_key_irreversible(derive):
    assert derive(V['user'], V['password'], V['salt'], V['iterations'], True) == V['key_irreversible']


@pytest.mark.parametrize('derive', [securemode.derive_key, emu.derive_key])
def test_key_plain_base(derive):
    assert derive(V['user'], V['password'], V['salt'], V['iterations'], False) == V['key_plain_base']


def test_field_encryption_vector():
    assert securemode.encrypt_field(V['key_irreversible'], V['iv'], V['field']) == V['ciphertext_irreversible']


def test_emulator_decrypts_the_vector():
    assert emu.decrypt_field(V['key_irreversible'], V['iv'], V['ciphertext_irreversible']) == V['field']


def test_round_trip_with_escaped_characters():
    iv = securemode.new_iv()
    text = 'a<b>&c' + 'x' * 40
    enc = securemode.encrypt_field(V['key_plain_base'], iv, text)
    assert text not in enc
    assert emu.decrypt_field(V['key_plain_base'], iv, enc) == text


def test_empty_and_zero_iterations():
    assert securemode.encrypt_field(V['key_irreversible'], V['iv'], '') == ''
    assert securemode.derive_key('admin', 'x', '', 0, True) == ''


def test_mode_needs_version_1():
    assert securemode.SecurityMode.from_capabilities('2,3', 100, True, 's') is None
    assert securemode.SecurityMode.from_capabilities(None, 100, True, 's') is None
    mode = securemode.SecurityMode.from_capabilities('1', '100', True, 's')
    params, enc = mode.request('admin', 'pw')
    assert params['security'] == '1' and len(params['iv']) == 32
