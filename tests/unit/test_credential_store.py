"""The credential store's operations, the same tests over both backends (file, and vault against
a real OpenBao dev server), plus concurrency with real processes."""
import multiprocessing
import os
import re

import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import (
    CredentialNotFound, CredentialStoreError, open_store, resolve_settings,
)
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.config import SETTINGS
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.file_backend import file_name

from credstore_fixtures import make_store, vault_secrets

BACKENDS = ['file', 'vault']
P1, P2, P3, P4 = 'Ab1-first-pass', 'Cd2_second-pw', 'Ef3.third.pw', 'Gh4~fourth~pw'


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    return make_store(request.param, tmp_path, request, keep_previous=2)[0]


def test_empty_store_names_device_account_and_fix(store):
    with pytest.raises(CredentialNotFound) as err:
        store.current('cam-01', 'admin')
    text = str(err.value)
    assert text.startswith('cam-01: the %s credential store holds no current password for '
                           "account 'admin'" % store.name)
    assert 'playbooks/import_credentials.yml' in text and 'password_from_store: true' in text
    assert store.history('cam-01', 'admin') == []


def test_pending_is_not_current_until_promoted(store):
    assert store.set_pending('cam-01', 'admin', P1) is True
    record = store.record('cam-01', 'admin')
    assert record.pending == P1 and record.current is None
    with pytest.raises(CredentialNotFound) as err:
        store.current('cam-01', 'admin')
    assert 'A pending password exists from an interrupted run' in str(err.value)
    assert store.promote('cam-01', 'admin', expect=P1) is True
    assert store.current('cam-01', 'admin') == P1
    assert store.record('cam-01', 'admin').pending is None
    # promoting what is already current (a repeated promote of this run) is a no-op
    assert store.promote('cam-01', 'admin', expect=P1) is False


def test_second_pending_is_refused_naming_the_owner_run(store):
    store.set_pending('cam-01', 'admin', P1)
    assert store.set_pending('cam-01', 'admin', P1) is False  # same one again: nothing to do
    with pytest.raises(CredentialStoreError) as err:
        store.set_pending('cam-01', 'admin', P2)
    assert "already holds a pending password for account 'admin'" in str(err.value)
    assert store.run in str(err.value)
    assert store.record('cam-01', 'admin').pending == P1
    assert store.set_pending('cam-01', 'admin', P2, replace=True) is True
    assert store.record('cam-01', 'admin').pending == P2


def test_promote_keeps_previous_n_newest_first(store):
    for password in (P1, P2, P3, P4):
        store.set_pending('cam-01', 'admin', password)
        store.promote('cam-01', 'admin', expect=password)
    record = store.record('cam-01', 'admin')
    assert record.current == P4
    assert record.previous == [P3, P2]  # keep_previous=2
    assert all(e['retired_by'] == store.who for e in record.previous_entries)


def test_promote_refuses_a_pending_the_caller_did_not_prove(store):
    store.set_pending('cam-01', 'admin', P1)
    with pytest.raises(CredentialStoreError) as err:
        store.promote('cam-01', 'admin', expect=P2)
    assert 'not the one this task proved on the device' in str(err.value)
    assert store.record('cam-01', 'admin').current is None
    with pytest.raises(CredentialStoreError) as err:
        store.discard('cam-01', 'admin', expect=P2)
    assert 'changed meanwhile' in str(err.value)


def test_discard_drops_pending_and_keeps_current(store):
    store.set_pending('cam-01', 'admin', P1)
    store.promote('cam-01', 'admin')
    store.set_pending('cam-01', 'admin', P2)
    assert store.discard('cam-01', 'admin', expect=P2) is True
    assert store.discard('cam-01', 'admin') is False
    record = store.record('cam-01', 'admin')
    assert record.current == P1 and record.pending is None and record.previous == []


def test_reuse_of_a_known_password_is_refused(store):
    store.set_pending('cam-01', 'admin', P1)
    store.promote('cam-01', 'admin')
    store.set_pending('cam-01', 'admin', P2)
    store.promote('cam-01', 'admin')
    for old in (P1, P2):
        with pytest.raises(CredentialStoreError) as err:
            store.set_pending('cam-01', 'admin', old)
        assert 'already had' in str(err.value)


def test_history_has_who_and_when_and_no_secret(store):
    store.set_pending('cam-01', 'admin', P1)
    store.promote('cam-01', 'admin')
    store.set_pending('cam-01', 'admin', P2)
    history = store.history('cam-01', 'admin')
    assert [h['state'] for h in history] == ['pending', 'current']
    for entry in history:
        assert 'password' not in entry
        assert re.match(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$', entry['set_at'])
        assert re.match(r'^[^@]+@[^@]+$', entry['set_by']) and entry['run_id'] == store.run
    assert P1 not in repr(history) and P2 not in repr(history)


def test_accounts_and_devices_are_independent(store):
    store.set_pending('cam-01', 'admin', P1)
    store.promote('cam-01', 'admin')
    store.set_pending('cam-01', 'operator', P2)
    store.set_pending('cam-02', 'admin', P3)
    assert store.record('cam-01', 'operator').pending == P2
    assert store.record('cam-01', 'admin').pending is None
    assert store.current('cam-01', 'admin') == P1
    assert store.record('cam-02', 'admin').current is None


def _worker(settings, device, account, rounds, queue):
    try:
        store = open_store(settings, vault_secrets=vault_secrets())
        for i in range(rounds):
            password = 'Zz9-%s-%03d' % (account, i)
            store.set_pending(device, account, password)
            store.promote(device, account, expect=password)
        queue.put(None)
    except Exception as exc:  # reported to the parent
        queue.put(repr(exc))


@pytest.mark.parametrize('backend', BACKENDS)
def test_concurrent_processes_never_lose_a_write(backend, tmp_path, request):
    """Four processes change four accounts of ONE device (one file / one secret) at once:
    with a lost update some account would miss promotions or the revision would be short."""
    store, settings = make_store(backend, tmp_path, request, keep_previous=100)
    accounts, rounds = ['u%d' % i for i in range(4)], 6
    ctx = multiprocessing.get_context('fork')
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(settings, 'nvr-01', a, rounds, queue))
             for a in accounts]
    for proc in procs:
        proc.start()
    errors = [queue.get(timeout=120) for dummy in procs]
    for proc in procs:
        proc.join(30)
    assert errors == [None] * len(procs)
    for account in accounts:
        record = store.record('nvr-01', account)
        assert record.current == 'Zz9-%s-%03d' % (account, rounds - 1)
        assert len(record.previous) == rounds - 1
    assert store.revision('nvr-01') == len(accounts) * rounds * 2


@pytest.mark.parametrize('backend', BACKENDS)
def test_two_runs_racing_for_one_pending_one_wins(backend, tmp_path, request):
    """Two overlapping runs each try to start a change of the same account: exactly one gets
    its pending password in, the other is refused (no silent overwrite)."""
    store, settings = make_store(backend, tmp_path, request)
    ctx = multiprocessing.get_context('fork')
    queue = ctx.Queue()

    def race(password):
        try:
            open_store(settings, vault_secrets=vault_secrets()).set_pending('cam-09', 'admin', password)
            queue.put(('ok', password))
        except CredentialStoreError as exc:
            queue.put(('refused', str(exc)))

    procs = [ctx.Process(target=race, args=(pw,)) for pw in (P1, P2, P3)]
    for proc in procs:
        proc.start()
    outcomes = [queue.get(timeout=60) for dummy in procs]
    for proc in procs:
        proc.join(30)
    winners = [o[1] for o in outcomes if o[0] == 'ok']
    assert len(winners) == 1, outcomes
    assert all('already holds a pending password' in o[1] for o in outcomes if o[0] == 'refused')
    assert store.record('cam-09', 'admin').pending == winners[0]


# -- file backend specifics ---------------------------------------------------------------------

def test_file_store_holds_only_ciphertext(tmp_path, request):
    store, settings = make_store('file', tmp_path, request)
    store.set_pending('cam-01', 'admin', P1)
    store.promote('cam-01', 'admin')
    store.set_pending('cam-01', 'admin', P2)
    names = sorted(os.listdir(settings['path']))
    assert names == ['.cam-01.lock', 'cam-01.vault']  # no temporary file left behind
    hits = []
    for name in names:
        data = open(os.path.join(settings['path'], name), 'rb').read()
        hits += [name for secret in (P1, P2) if secret.encode() in data]
    assert hits == []
    path = os.path.join(settings['path'], 'cam-01.vault')
    assert open(path, 'rb').read().startswith(b'$ANSIBLE_VAULT;1.1;AES256')
    assert oct(os.stat(path).st_mode & 0o777) == '0o600'


def test_file_store_with_a_vault_id_and_password_file(tmp_path):
    secret_file = tmp_path / 'pw'
    secret_file.write_text('another-vault-secret\n')
    settings = resolve_settings(dict(path=str(tmp_path / 's'), vault_password_file=str(secret_file),
                                     vault_id='fleet'), environ={})
    store = open_store(settings)
    store.set_pending('cam-01', 'admin', P1)
    data = open(str(tmp_path / 's' / 'cam-01.vault'), 'rb').read()
    assert data.startswith(b'$ANSIBLE_VAULT;1.2;AES256;fleet')
    # the same store opened with the wrong secret says which file and what to do
    wrong = open_store(resolve_settings(dict(path=str(tmp_path / 's')), environ={}),
                       vault_secrets=vault_secrets())
    with pytest.raises(CredentialStoreError) as err:
        wrong.record('cam-01', 'admin')
    assert 'cannot decrypt the credential store file %s' % (tmp_path / 's' / 'cam-01.vault') in str(err.value)


def test_file_store_without_a_vault_secret_reads_nothing_and_refuses_to_write(tmp_path):
    store = open_store(resolve_settings(dict(path=str(tmp_path / 's')), environ={}))
    assert store.record('cam-01', 'admin').current is None
    with pytest.raises(CredentialStoreError) as err:
        store.set_pending('cam-01', 'admin', P1)
    assert 'no vault secret to encrypt it with' in str(err.value)
    assert not os.path.exists(str(tmp_path / 's' / 'cam-01.vault'))


def test_device_names_become_safe_file_names():
    assert file_name('cam-01.site_a') == 'cam-01.site_a'
    assert file_name('../etc/passwd') == '%2E.%2Fetc%2Fpasswd'
    assert file_name('.hidden') == '%2Ehidden'
    assert file_name('a b') == 'a%20b'


# -- vault backend specifics --------------------------------------------------------------------

def test_vault_store_versions_and_non_secret_metadata(tmp_path, request, bao_server):
    store, settings = make_store('vault', tmp_path, request)
    store.set_pending('cam-01', 'admin', P1)
    store.promote('cam-01', 'admin', expect=P1)
    store.set_pending('cam-01', 'admin', P2)
    kv = bao_server.client().secrets.kv.v2
    path = '%s/cam-01' % settings['prefix']
    meta = kv.read_secret_metadata(path=path, mount_point='secret')['data']
    assert meta['current_version'] == 3 == store.revision('cam-01')
    custom = meta['custom_metadata']
    assert custom['admin.pending'] == 'true' and custom['admin.pending_run_id'] == store.run
    assert custom['admin.current_set_at']
    assert P1 not in repr(custom) and P2 not in repr(custom)
    # every earlier state stays readable as a KV version
    first = kv.read_secret_version(path=path, version=1, mount_point='secret',
                                   raise_on_deleted_version=True)['data']['data']
    assert first['accounts']['admin']['pending']['password'] == P1


def test_vault_store_with_a_read_only_token_reads_but_cannot_write(tmp_path, request, bao_server):
    store, settings = make_store('vault', tmp_path, request)
    store.set_pending('cam-01', 'admin', P1)
    store.promote('cam-01', 'admin')
    read_only = dict(settings, token=bao_server.read_only_token(settings['prefix']))
    limited = open_store(read_only)
    assert limited.current('cam-01', 'admin') == P1
    with pytest.raises(CredentialStoreError) as err:
        limited.set_pending('cam-01', 'admin', P2)
    assert 'permission denied' in str(err.value) and 'give the token a policy' in str(err.value)
    assert P2 not in str(err.value)
    assert store.record('cam-01', 'admin').pending is None


def test_vault_store_unreachable_and_bad_token_name_the_fix(tmp_path, bao_server):
    down = open_store(resolve_settings(dict(backend='vault', url='http://127.0.0.1:1', token='x'),
                                       environ={}))
    with pytest.raises(CredentialStoreError) as err:
        down.record('cam-01', 'admin')
    assert 'cannot reach http://127.0.0.1:1' in str(err.value) and 'check store.url' in str(err.value)
    bad = open_store(resolve_settings(dict(backend='vault', url=bao_server.url, token='nope'),
                                      environ={}))
    with pytest.raises(CredentialStoreError) as err:
        bad.record('cam-01', 'admin')
    assert 'cam-01: reading the credential store' in str(err.value)


# -- settings -----------------------------------------------------------------------------------

def test_settings_fall_back_to_the_environment_then_defaults():
    env = {'HIKVISION_STORE_BACKEND': 'vault', 'VAULT_ADDR': 'https://vault:8200',
           'BAO_TOKEN': 't', 'HIKVISION_STORE_KEEP_PREVIOUS': '9'}
    settings = resolve_settings({'mount': 'kv'}, environ=env)
    assert settings['backend'] == 'vault' and settings['url'] == 'https://vault:8200'
    assert settings['token'] == 't' and settings['mount'] == 'kv' and settings['keep_previous'] == 9
    assert settings['prefix'] == 'camfleet/hikvision'
    # an explicit setting beats the environment
    assert resolve_settings({'url': 'https://b', 'backend': 'vault'}, environ=env)['url'] == 'https://b'


@pytest.mark.parametrize('given,message', [
    ({'pth': '/x'}, 'store has unknown setting(s) pth'),
    ({'backend': 'etcd', 'path': '/x'}, "store.backend must be one of file, vault (got 'etcd')"),
    ({}, 'the file credential store needs a directory: set store.path'),
    ({'backend': 'vault', 'token': 't'}, 'the vault credential store needs its address'),
    ({'backend': 'vault', 'url': 'http://v'}, 'the vault credential store needs a token'),
    ({'path': '/x', 'keep_previous': 'many'}, "store.keep_previous must be a whole number (got 'many')"),
])
def test_unusable_settings_say_which_and_how(given, message):
    with pytest.raises(IsapiInputError) as err:
        resolve_settings(given, environ={})
    assert message in str(err.value)


def test_doc_fragment_documents_every_setting_and_its_environment():
    from ansible_collections.camfleet.hikvision.plugins.doc_fragments.credential_store import ModuleDocFragment
    import yaml
    module_doc = yaml.safe_load(ModuleDocFragment.DOCUMENTATION)['options']['store']['suboptions']
    plugin_doc = yaml.safe_load(ModuleDocFragment.PLUGIN)['options']
    assert set(module_doc) == set(SETTINGS)
    for name, (envs, default, _kind) in SETTINGS.items():
        text = ' '.join(module_doc[name]['description'])
        for env in envs:
            assert 'E(%s)' % env in text, (name, env)
        assert [e['name'] for e in plugin_doc['store_' + name]['env']] == list(envs)
        assert plugin_doc['store_' + name].get('default') == default
