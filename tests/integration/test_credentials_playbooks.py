"""The credential store through ansible-playbook against the emulator: the credential lookup,
the one-time import, and activate with password_from_store, on both backends (the vault one
against a real OpenBao dev server). Device state is read back through the control API."""
import json
import os
import secrets

import pytest

from ansible.parsing.vault import VaultSecret

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import (
    open_store, resolve_settings,
)

from ansible_collections.camfleet.hikvision.plugins.modules.services import SPEC as SERVICES

from .conftest import ROOT, run, run_playbook, strong_password


def fleet_vault(fleet):
    with open(fleet.vault_pass_path) as handle:
        return [('default', VaultSecret(handle.read().strip().encode()))]


class Store(object):
    """The store a test's playbooks use, with the settings to hand to them."""

    def __init__(self, fleet, backend, tmp_path, bao=None, **extra):
        if backend == 'file':
            self.settings = dict(backend='file', path=str(tmp_path / 'credentials'))
        else:
            self.settings = dict(backend='vault', url=bao.url, token=bao.token,
                                 prefix='it-%s' % secrets.token_hex(5))
        self.settings.update(extra)
        self.backend = backend
        self.store = open_store(resolve_settings(self.settings, environ={}),
                                vault_secrets=fleet_vault(fleet))

    def seed(self, device, password, account='admin'):
        self.store.set_pending(device, account, password)
        self.store.promote(device, account, expect=password)

    def plain_hits(self, *passwords):
        """Files of a file store holding any of the passwords in plain text (must be none)."""
        if self.backend != 'file' or not os.path.isdir(self.settings['path']):
            return []
        hits = []
        for name in os.listdir(self.settings['path']):
            data = open(os.path.join(self.settings['path'], name), 'rb').read()
            hits += [name for p in passwords if p.encode() in data]
        return hits


@pytest.fixture(params=['file', 'vault'])
def store(request, fleet, tmp_path):
    bao = request.getfixturevalue('bao_server') if request.param == 'vault' else None
    return Store(fleet, request.param, tmp_path, bao)


def failed_logins(device):
    return sum(device.counters()['failed_logins'].values())


def results_of(results, task):
    """host -> result of that task, with the callback's status as 'status'."""
    return dict((r['host'], dict(r['result'], status=r['status'])) for r in results if r['task'] == task)


# -- lookup ---------------------------------------------------------------------------------------

LOOKUP_PLAY = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: Read the device with the password from the store
      camfleet.hikvision.device_info:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        ca_path: "{{ isapi_ca_path }}"
        password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname, user='admin') }}"
        gather_capabilities: false
'''


def test_lookup_gives_the_current_password_through_ansible_playbook(fleet, new_device, tmp_path, store):
    device = new_device('current_camera')
    store.seed(device.name, device.password)
    rc, results, out = run_playbook(fleet, LOOKUP_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings},
                                    env={'ANSIBLE_VERBOSITY': '3'})
    assert rc == 0, out
    info = results_of(results, 'Read the device with the password from the store')[device.name]
    assert info['device']['serial_number'] == device.info['serial']
    assert failed_logins(device) == 0
    assert device.password not in out and device.password not in json.dumps(results)
    assert store.plain_hits(device.password) == []


def test_lookup_settings_from_environment_and_ini(fleet, new_device, tmp_path, bao_server):
    """No store option at all: the vault store from VAULT_ADDR/VAULT_TOKEN and the prefix from
    an ansible.cfg [camfleet_credential_store] section."""
    device = new_device('current_camera')
    store = Store(fleet, 'vault', tmp_path, bao_server)
    store.seed(device.name, device.password)
    cfg = tmp_path / 'ansible.cfg'
    cfg.write_text('[camfleet_credential_store]\nprefix = %s\n' % store.settings['prefix'])
    env = {'HIKVISION_STORE_BACKEND': 'vault', 'VAULT_ADDR': bao_server.url,
           'VAULT_TOKEN': bao_server.token, 'ANSIBLE_CONFIG': str(cfg)}
    rc, results, out = run_playbook(fleet, LOOKUP_PLAY, tmp_path, limit=device.name, env=env)
    assert rc == 0, out
    assert results_of(results, 'Read the device with the password from the store')[device.name][
        'device']['serial_number'] == device.info['serial']


def test_lookup_of_a_device_not_in_the_store_names_device_account_and_fix(fleet, new_device, tmp_path, store):
    device = new_device('current_camera')
    rc, results, out = run_playbook(fleet, LOOKUP_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc != 0
    assert ("camfleet.hikvision.credential: %s: the %s credential store holds no current password "
            "for account 'admin'" % (device.name, store.backend)) in out
    assert 'playbooks/import_credentials.yml' in out
    assert device.counters()['requests'] == {}


def test_lookup_hands_out_no_password_while_a_change_is_unsettled(fleet, new_device, tmp_path, store):
    """A rotation whose answer was lost left the new password pending and the device has it: a
    job logging in with the current one would cost a failed login. The lookup refuses, nothing is
    sent, and the message names the fix (found by make soak)."""
    device = new_device('current_camera')
    store.seed(device.name, device.password)
    new = strong_password()
    store.store.set_pending(device.name, 'admin', new)
    device.control.provision(device.name, activated=True, password=new)
    device.control.reset_counters(device.name)
    rc, results, out = run_playbook(fleet, LOOKUP_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc != 0
    assert ("camfleet.hikvision.credential: %s: a change of the password of account 'admin' is not "
            "settled" % device.name) in out
    assert 'playbooks/rotate_credentials.yml --limit %s' % device.name in out
    assert device.counters()['requests'] == {} and failed_logins(device) == 0
    assert new not in out and device.password not in out


# -- import ---------------------------------------------------------------------------------------

def test_import_confirms_each_password_with_one_login_and_reports_the_wrong_one(fleet, new_device, tmp_path, store):
    good = [new_device('current_camera', inventory_password=True),
            new_device('nvr', inventory_password=True),
            new_device('legacy_camera', inventory_password=True)]
    wrong = new_device('current_camera')  # the device has a password the inventory does not hold
    names = [d.name for d in good + [wrong]]
    rc, results, out = run_playbook(fleet, 'playbooks/import_credentials.yml', tmp_path,
                                    limit=','.join(names + ['localhost']),
                                    extra_vars={'camfleet_credential_store': store.settings},
                                    env={'ANSIBLE_VERBOSITY': '4'})
    assert rc != 0, out  # the report fails the run: one device is not confirmed
    per_host = results_of(results, 'Check the password with one login and store it')
    assert per_host[wrong.name]['status'] == 'failed' and per_host[wrong.name]['confirmed'] is False
    assert 'could not be confirmed with one login and was not tried again' in per_host[wrong.name]['msg']
    assert failed_logins(wrong) == 1
    assert store.store.record(wrong.name, 'admin').current is None
    for device in good:
        assert per_host[device.name]['changed'] is True and per_host[device.name]['imported'] is True
        assert store.store.current(device.name, 'admin') == device.password
        assert failed_logins(device) == 0 and device.counters()['successful_logins'] == 1
    report = results_of(results, 'Fail the run when a device could not be confirmed')['localhost']
    assert wrong.name in report['msg'] and not any(d.name in report['msg'] for d in good)
    for device in good + [wrong]:
        assert device.password not in out and device.password not in json.dumps(results)
    assert store.plain_hits(*[d.password for d in good]) == []

    # A second run leaves the imported devices alone: nothing is sent to them.
    for device in good:
        device.control.reset_counters(device.name)
    rc, results, out = run_playbook(fleet, 'playbooks/import_credentials.yml', tmp_path,
                                    limit=','.join([d.name for d in good] + ['localhost']),
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    for device in good:
        assert device.counters()['requests'] == {}
        assert results_of(results, 'Check the password with one login and store it')[
            device.name]['changed'] is False


def test_import_never_overwrites_another_current_password(fleet, new_device, tmp_path):
    device = new_device('current_camera', inventory_password=True)
    store = Store(fleet, 'file', tmp_path)
    other = strong_password()
    store.seed(device.name, other)
    rc, results, out = run_playbook(fleet, 'playbooks/import_credentials.yml', tmp_path,
                                    limit=device.name + ',localhost',
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc != 0
    result = results_of(results, 'Check the password with one login and store it')[device.name]
    assert 'already holds another current password' in result['msg']
    assert device.counters()['requests'] == {}
    assert store.store.current(device.name, 'admin') == other


# -- ONVIF accounts: import, and the lookup reading them ------------------------------------------

ONVIF_TASK = 'Check each ONVIF account with one ONVIF login and store it'
ONVIF_FROM_STORE = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: The ONVIF account with its password from the store
      camfleet.hikvision.services:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        ca_path: "{{ isapi_ca_path }}"
        password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}"
        onvif: true
        onvif_users:
          - name: vms
            password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname, user='onvif:vms') }}"
        onvif_update_password: always
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_import_onvif_accounts_with_one_onvif_login_each_and_the_lookup_reads_them(fleet, new_device, tmp_path, path):
    store = Store(fleet, 'file', tmp_path)
    good, wrong = new_device('current_camera', inventory_password=True), new_device('nvr', inventory_password=True)
    passwords = {}
    for device in (good, wrong):
        passwords[device.name] = strong_password()
        run(SERVICES, device.params(onvif=True, onvif_users=[{'name': 'vms', 'password': passwords[device.name]}]))
        device.control.reset_counters(device.name)
    host_vars = tmp_path / 'host_vars'
    host_vars.mkdir()
    (host_vars / ('%s.yml' % good.name)).write_text(json.dumps({'credential_import_onvif': {'vms': passwords[good.name]}}))
    (host_vars / ('%s.yml' % wrong.name)).write_text(json.dumps({'credential_import_onvif': {'vms': 'Not-The-Pass-1'}}))
    play = tmp_path / 'import.yml'
    # a copy beside host_vars/ (an imported playbook would look for host_vars in playbooks/)
    play.write_text(open(os.path.join(ROOT, 'playbooks', 'import_credentials.yml')).read())
    rc, results, out = run_playbook(fleet, str(play), tmp_path, limit='%s,%s,localhost' % (good.name, wrong.name),
                                    extra_vars={'camfleet_credential_store': store.settings},
                                    env=dict({'ANSIBLE_VERBOSITY': '4'}, **(
                                        {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {})))
    assert rc != 0, out  # the wrong ONVIF password fails the report
    assert store.store.current(good.name, 'onvif:vms') == passwords[good.name]
    assert store.store.current(good.name, 'admin') == good.password  # its own entry, not admin's
    assert store.store.record(wrong.name, 'onvif:vms').current is None
    assert store.store.current(wrong.name, 'admin') == wrong.password
    assert failed_logins(good) == 0 and failed_logins(wrong) == 1
    per_host = results_of(results, ONVIF_TASK)
    assert per_host[good.name]['results'][0]['imported'] is True
    assert ("the ONVIF login as 'vms' was refused (wrong password, or no such ONVIF account)"
            in per_host[wrong.name]['results'][0]['msg'])
    report = results_of(results, 'Fail the run when a device could not be confirmed')['localhost']
    assert '%s onvif:vms' % wrong.name in report['msg'] and good.name not in report['msg']
    for secret in list(passwords.values()) + [good.password, wrong.password]:
        assert secret not in out and secret not in json.dumps(results)
    assert store.plain_hits(*passwords.values()) == []

    # The lookup reads the ONVIF entry (user='onvif:<name>'): the baseline's ONVIF account can
    # take its password from the store.
    newer = strong_password()
    store.seed(good.name, newer, account='onvif:vms')
    rc, results, out = run_playbook(fleet, ONVIF_FROM_STORE, tmp_path, limit=good.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    assert fleet.control.check_onvif_password(good.name, 'vms', newer)
    assert newer not in out and failed_logins(good) == 0


# -- activate with password_from_store ------------------------------------------------------------

ACTIVATE_PLAY = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: Activate with a generated password from the store
      camfleet.hikvision.activate:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        ca_path: "{{ isapi_ca_path }}"
        password_from_store: true
'''
ACTIVATE_TASK = 'Activate with a generated password from the store'


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_activate_from_store_sets_the_store_current_password_on_the_device(fleet, new_device, tmp_path, store, path):
    device = new_device('current_camera', activated=False)
    env = {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {}
    env['ANSIBLE_VERBOSITY'] = '4'  # no secret at any verbosity
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name, env=env,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    result = results_of(results, ACTIVATE_TASK)[device.name]
    assert result['changed'] is True and result['store'] == {
        'backend': store.backend, 'state': 'current', 'reconciled': False}
    current = store.store.current(device.name, 'admin')
    assert device.state()['activated'] is True
    assert device.control.check_password(device.name, 'admin', current) is True
    assert store.store.record(device.name, 'admin').pending is None
    assert [h['state'] for h in store.store.history(device.name, 'admin')] == ['current']
    assert failed_logins(device) == 0
    assert current not in out and current not in json.dumps(results)
    assert store.plain_hits(current) == []

    # Idempotent: nothing but the status query, and the store is unchanged.
    device.control.reset_counters(device.name)
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name, env=env,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    assert results_of(results, ACTIVATE_TASK)[device.name]['changed'] is False
    assert list(device.counters()['requests']) == ['GET /SDK/activateStatus']
    assert store.store.current(device.name, 'admin') == current


def test_every_fresh_device_gets_its_own_password(fleet, new_device, tmp_path):
    devices = [new_device('current_camera', activated=False), new_device('nvr', activated=False)]
    store = Store(fleet, 'file', tmp_path)
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=','.join(d.name for d in devices),
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    passwords = [store.store.current(d.name, 'admin') for d in devices]
    assert len(set(passwords)) == 2
    for device, password in zip(devices, passwords, strict=True):
        assert device.control.check_password(device.name, 'admin', password) is True


def test_store_write_failure_leaves_the_device_inactive_file(fleet, new_device, tmp_path):
    device = new_device('current_camera', activated=False)
    store = Store(fleet, 'file', tmp_path)
    os.makedirs(os.path.join(store.settings['path'], '.%s.lock' % device.name))  # unwritable lock
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc != 0
    result = results_of(results, ACTIVATE_TASK)[device.name]
    assert 'cannot create the lock file' in result['msg'] and device.name in result['msg']
    assert device.state()['activated'] is False
    assert device.counters()['writes'] == 0
    assert not device.state()['challenge_pending']


def test_store_write_failure_leaves_the_device_inactive_vault(fleet, new_device, tmp_path, bao_server):
    device = new_device('current_camera', activated=False)
    store = Store(fleet, 'vault', tmp_path, bao_server)
    read_only = dict(store.settings, token=bao_server.read_only_token(store.settings['prefix']))
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': read_only})
    assert rc != 0
    result = results_of(results, ACTIVATE_TASK)[device.name]
    assert 'permission denied' in result['msg']
    assert device.state()['activated'] is False and device.counters()['writes'] == 0
    assert store.store.record(device.name, 'admin').pending is None


def test_interrupted_activation_is_reconciled_with_one_login(fleet, new_device, tmp_path, store):
    """The run died after the device applied the activation: the password is pending in the store
    and on the device. The re-run proves it with one login and promotes it."""
    pending = strong_password()
    device = new_device('current_camera', activated=True)
    device.control.provision(device.name, activated=True, password=pending)
    device.control.reset_counters(device.name)
    store.store.set_pending(device.name, 'admin', pending)
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    result = results_of(results, ACTIVATE_TASK)[device.name]
    assert result['changed'] is True and result['store']['reconciled'] is True
    assert store.store.current(device.name, 'admin') == pending
    counters = device.counters()
    assert failed_logins(device) == 0 and counters['successful_logins'] == 1
    assert counters['writes'] == 0


def test_interrupted_before_activation_reuses_the_pending_password(fleet, new_device, tmp_path):
    """The run died after the store write, before the device was told: the same pending password
    activates it (no second generated password)."""
    pending = strong_password()
    device = new_device('nvr', activated=False)
    store = Store(fleet, 'file', tmp_path)
    store.store.set_pending(device.name, 'admin', pending)
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    assert device.control.check_password(device.name, 'admin', pending) is True
    assert store.store.current(device.name, 'admin') == pending


def test_pending_refused_by_an_active_device_is_discarded(fleet, new_device, tmp_path):
    device = new_device('current_camera')  # active with a password that is not the pending one
    store = Store(fleet, 'file', tmp_path)
    store.store.set_pending(device.name, 'admin', strong_password())
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc != 0
    result = results_of(results, ACTIVATE_TASK)[device.name]
    assert 'refused this admin password at one login' in result['msg']
    assert result['store']['state'] == 'discarded'
    assert failed_logins(device) == 1
    assert store.store.record(device.name, 'admin').pending is None


def test_active_device_unknown_to_the_store_is_not_logged_into(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    store = Store(fleet, 'file', tmp_path)
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc != 0
    result = results_of(results, ACTIVATE_TASK)[device.name]
    assert 'holds no admin password for it: import the password' in result['msg']
    assert list(device.counters()['requests']) == ['GET /SDK/activateStatus']
    assert store.store.record(device.name, 'admin').pending is None


def test_check_mode_writes_neither_store_nor_device(fleet, new_device, tmp_path):
    device = new_device('current_camera', activated=False)
    store = Store(fleet, 'file', tmp_path)
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name, check=True,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    assert results_of(results, ACTIVATE_TASK)[device.name]['changed'] is True
    assert device.state()['activated'] is False and device.counters()['writes'] == 0
    assert store.store.record(device.name, 'admin').pending is None


def test_lost_answer_keeps_the_pending_password_and_a_rerun_finishes(fleet, new_device, tmp_path, store):
    """The connection drops on every try of the activation exchange's first write (the
    challenge, which the client asks again up to three times since it only hands out a key):
    the task fails, the device is still inactive, the generated password stays pending; the
    re-run activates with that same password and promotes it."""
    device = new_device('current_camera', activated=False)
    device.control.faults(device.name, drop_response_next=4)
    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc != 0
    result = results_of(results, ACTIVATE_TASK)[device.name]
    assert result['store']['state'] == 'pending' and 're-run this task to reconcile' in result['msg']
    assert device.counters()['dropped'] == 4
    pending = store.store.record(device.name, 'admin').pending
    assert pending is not None and store.store.record(device.name, 'admin').current is None
    assert device.state()['activated'] is False

    rc, results, out = run_playbook(fleet, ACTIVATE_PLAY, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    assert results_of(results, ACTIVATE_TASK)[device.name]['store']['reconciled'] is True
    assert store.store.current(device.name, 'admin') == pending
    assert device.control.check_password(device.name, 'admin', pending) is True
    assert failed_logins(device) == 0


def test_import_without_a_password_sends_nothing(fleet, new_device, tmp_path):
    device = new_device('current_camera')
    store = Store(fleet, 'file', tmp_path)
    play = '''
- hosts: all
  gather_facts: false
  tasks:
    - name: Import
      camfleet.hikvision.credential_import:
        host: "{{ isapi_host }}"
        port: "{{ isapi_port }}"
        ca_path: "{{ isapi_ca_path }}"
'''
    rc, results, out = run_playbook(fleet, play, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc != 0
    assert "password is required: the password 'admin' has on the device today" in \
        results_of(results, 'Import')[device.name]['msg']
    assert device.counters()['requests'] == {}


def test_store_settings_from_the_task_environment_keyword(fleet, new_device, tmp_path):
    device = new_device('current_camera', activated=False)
    store = Store(fleet, 'file', tmp_path)
    play = ACTIVATE_PLAY + '''      environment:
        HIKVISION_STORE_PATH: "%s"
''' % store.settings['path']
    rc, results, out = run_playbook(fleet, play, tmp_path, limit=device.name)
    assert rc == 0, out
    assert device.control.check_password(device.name, 'admin', store.store.current(device.name, 'admin'))


def test_async_with_the_store_is_refused_before_anything_is_sent(fleet, new_device, tmp_path):
    device = new_device('current_camera', activated=False)
    store = Store(fleet, 'file', tmp_path)
    play = ACTIVATE_PLAY + '''      async: 60
      poll: 5
'''
    rc, results, out = run_playbook(fleet, play, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc != 0
    assert 'cannot run with async when it uses the credential store' in \
        results_of(results, ACTIVATE_TASK)[device.name]['msg']
    assert device.counters()['requests'] == {} and device.state()['activated'] is False


def test_import_on_the_shipped_module_path(fleet, new_device, tmp_path):
    """A delegated task runs the login as a shipped module; the store stays on the controller."""
    device = new_device('nvr', inventory_password=True)
    store = Store(fleet, 'file', tmp_path)
    rc, results, out = run_playbook(fleet, 'playbooks/import_credentials.yml', tmp_path,
                                    limit=device.name + ',localhost', env={'CAMFLEET_FORCE_MODULE': '1'},
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    assert store.store.current(device.name, 'admin') == device.password
    assert failed_logins(device) == 0 and device.counters()['successful_logins'] == 1
    assert device.password not in out and device.password not in json.dumps(results)


def test_module_defaults_with_the_lookup_and_activate_from_store(fleet, new_device, tmp_path):
    """The documented layout: every module's password from the lookup through module_defaults;
    the activate task overrides it with omit, so the lookup is not evaluated for a device that
    has nothing in the store yet, and the next task logs in with what activate stored."""
    device = new_device('current_camera', activated=False)
    store = Store(fleet, 'file', tmp_path)
    play = '''
- hosts: all
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      port: "{{ isapi_port }}"
      ca_path: "{{ isapi_ca_path }}"
      password: "{{ lookup('camfleet.hikvision.credential', inventory_hostname) }}"
  tasks:
    - name: Activate
      camfleet.hikvision.activate:
        password: "{{ omit }}"
        password_from_store: true
    - name: Info
      camfleet.hikvision.device_info:
        gather_capabilities: false
'''
    rc, results, out = run_playbook(fleet, play, tmp_path, limit=device.name,
                                    extra_vars={'camfleet_credential_store': store.settings})
    assert rc == 0, out
    assert results_of(results, 'Info')[device.name]['device']['serial_number'] == device.info['serial']
    assert failed_logins(device) == 0
