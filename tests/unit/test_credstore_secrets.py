"""The store's per-device secrets (recovery answers, GUID files) and the password version, on
both backends (the vault one against a real OpenBao dev server)."""
import os

import pytest

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import CredentialStoreError

from credstore_fixtures import make_store

BACKENDS = ['file', 'vault']


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    return make_store(request.param, tmp_path, request)


def test_secret_round_trip_with_metadata_and_no_value_in_info(store):
    store, settings = store
    assert store.secret('cam-1', 'security_answers') is None
    assert store.set_secret('cam-1', 'security_answers', ['a1', 'a2', 'a3'], state='pending') is True
    entry = store.secret('cam-1', 'security_answers')
    assert entry['value'] == ['a1', 'a2', 'a3'] and entry['state'] == 'pending'
    assert entry['set_by'] and entry['set_at'] and entry['run_id']
    info = store.secret_info('cam-1', 'security_answers')
    assert 'value' not in info and info['state'] == 'pending'
    assert store.secret('cam-2', 'security_answers') is None


def test_same_secret_and_metadata_writes_nothing(store):
    store, settings = store
    store.set_secret('cam-1', 'guid_file', 'f' * 128, password_version='v1')
    revision = store.revision('cam-1')
    assert store.set_secret('cam-1', 'guid_file', 'f' * 128, password_version='v1') is False
    assert store.revision('cam-1') == revision
    assert store.set_secret('cam-1', 'guid_file', 'f' * 128, password_version='v2') is True
    assert store.secret('cam-1', 'guid_file')['password_version'] == 'v2'


def test_secrets_do_not_disturb_the_passwords(store):
    store, settings = store
    store.set_pending('cam-1', 'admin', 'Pw-one-123456')
    store.promote('cam-1', 'admin', expect='Pw-one-123456')
    version = store.password_version('cam-1', 'admin')
    store.set_secret('cam-1', 'guid_file', 'g' * 128, password_version=version)
    assert store.current('cam-1', 'admin') == 'Pw-one-123456'
    store.set_pending('cam-1', 'admin', 'Pw-two-123456')
    store.promote('cam-1', 'admin', expect='Pw-two-123456')
    assert store.password_version('cam-1', 'admin') != version
    assert store.secret('cam-1', 'guid_file')['password_version'] == version


def test_empty_secret_refused(store):
    store, settings = store
    with pytest.raises(CredentialStoreError, match='refusing to store an empty security_answers'):
        store.set_secret('cam-1', 'security_answers', [])


def test_password_version_none_without_a_current_password(store):
    store, settings = store
    assert store.password_version('cam-9', 'admin') is None


def test_file_store_keeps_secrets_encrypted(tmp_path, request):
    store, settings = make_store('file', tmp_path, request)
    store.set_secret('cam-1', 'security_answers', ['plain-answer-one', 'b', 'c'])
    for name in os.listdir(settings['path']):
        assert b'plain-answer-one' not in open(os.path.join(settings['path'], name), 'rb').read()


def _promote(store, device, password):
    store.set_pending(device, 'admin', password)
    store.promote(device, 'admin', expect=password)


def test_password_at_a_version_or_a_time_and_none_past_the_history(store):
    store, settings = store
    for password in ('first-pw', 'second-pw', 'third-pw'):
        _promote(store, 'cam-1', password)
    assert store.password_at('cam-1', 'admin', version='v2')[0] == 'second-pw'
    assert store.password_at('cam-1', 'admin', version='v3')[1]['state'] == 'current'
    assert store.password_at('cam-1', 'admin', version='v9') is None
    record = store.record('cam-1', 'admin')
    second = record.previous_entries[0]
    # a time in the second's life (promoted at or before, retired after) finds it
    doc_when = second['promoted_at']
    assert store.password_at('cam-1', 'admin', when=doc_when)[0] in ('second-pw', 'third-pw')
    assert store.password_at('cam-1', 'admin', when='1999-01-01T00:00:00Z') is None
    assert store.password_at('cam-1', 'admin', when='2999-01-01T00:00:00Z')[0] == 'third-pw'
    assert store.password_at('cam-1', 'admin') is None
    assert 'password' not in store.password_at('cam-1', 'admin', version='v1')[1]


def test_a_previous_password_is_pending_again_only_when_restored_from_its_version(store):
    store, settings = store
    for password in ('first-pw', 'second-pw'):
        _promote(store, 'cam-1', password)
    with pytest.raises(CredentialStoreError, match='already had'):
        store.set_pending('cam-1', 'admin', 'first-pw')
    with pytest.raises(CredentialStoreError, match='already had'):
        store.set_pending('cam-1', 'admin', 'first-pw', restored_from='v2')  # v2 is second-pw
    with pytest.raises(CredentialStoreError, match='already had'):
        store.set_pending('cam-1', 'admin', 'second-pw', restored_from='v2')  # the current one
    assert store.set_pending('cam-1', 'admin', 'first-pw', restored_from='v1') is True
    record = store.record('cam-1', 'admin')
    assert record.pending == 'first-pw' and record.pending_entry['restored_from'] == 'v1'
    store.promote('cam-1', 'admin', expect='first-pw')
    record = store.record('cam-1', 'admin')
    assert record.current == 'first-pw' and record.current_entry['version'] == 3
    assert record.previous == ['second-pw', 'first-pw']
