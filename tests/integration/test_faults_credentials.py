"""Fault suite for the credential steps: activation, the password change of another account and
the password change of the account the task logs in with, each under every fault the emulator
injects (answer dropped after the write applied, latency past the timeout, refused connections,
503/deviceBusy for K requests, a locked client).

For every case: the device never ends with a password nobody can name (``changed`` is true
exactly when the device has the new password, read back from the emulator), the message names
the device and the fault in plain words, one re-run of the same task completes the work, and the
lockout-budget fixture (conftest.py) holds each device to at most one failed login per test
unless declared.

Faults are injected either for the whole task (set before it runs) or at one request (set by a
wrapper around the client's send, just before that request goes out), so that the write itself
is the one whose answer is lost.
"""
import pytest
import requests

from ansible_collections.camfleet.hikvision.plugins.module_utils.client import IsapiClient
from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import client_from_params
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiAuthError
from ansible_collections.camfleet.hikvision.plugins.modules.activate import SPEC as ACTIVATE
from ansible_collections.camfleet.hikvision.plugins.modules.user import SPEC as USER

from .conftest import LOCK_ATTEMPTS, failed_logins, run, strong_password

TIMEOUT = 2                      # seconds per request in these tests
SLOW = TIMEOUT * 1000 + 1000     # latency past the timeout, in ms
FAULT_WORDS = {
    'drop': 'closed without an answer',
    'latency': 'no answer came within %d s' % TIMEOUT,
    'refused': 'refused',
    'busy': 'busy',
    'locked': 'locked this client',
}


def fault_at(monkeypatch, device, method, path, clear_after=False, **faults):
    """Inject ``faults`` just before the first ``method path...`` request this process sends to
    the device (clear_after: and lift them once it returned or failed, for a single slow
    answer). Returns the list of such requests sent, to count repeats."""
    original = IsapiClient._send
    seen = []

    def send(self, m, p, *args, **kwargs):
        if m != method or not p.startswith(path):
            return original(self, m, p, *args, **kwargs)
        seen.append(p)
        if len(seen) > 1:
            return original(self, m, p, *args, **kwargs)
        device.control.faults(device.name, **faults)
        try:
            return original(self, m, p, *args, **kwargs)
        finally:
            if clear_after:
                device.control.clear_faults(device.name)
    monkeypatch.setattr(IsapiClient, '_send', send)
    return seen


def lock_out(device):
    """Lock this controller out of the device as someone else's failed logins would."""
    url = 'https://%s:%d/ISAPI/Security/userCheck' % (device.address, device.info['https_port'])
    for _ in range(LOCK_ATTEMPTS):
        requests.get(url, auth=requests.auth.HTTPDigestAuth('admin', 'Wrong-Pass-99'),
                     verify=device.fleet.ca_path, timeout=5)
    assert device.state()['locks']['127.0.0.1']['locked'] is True


# -- the three steps -----------------------------------------------------------------------------

class Step(object):
    """One credential step on a fresh device: prepare, the task's params, and the truth."""

    def __init__(self, kind, device):
        self.kind = kind
        self.device = device
        self.new = strong_password()
        if kind == 'other':
            self.old = strong_password()
            run(USER, device.params(name='op', level='operator', user_password=self.old))
        elif kind == 'own':
            self.old = device.password
        device.control.reset_counters(device.name)
        self.spec = ACTIVATE if kind == 'activate' else USER
        self.write = {'activate': ('PUT', '/ISAPI/System/activate'),
                      'other': ('PUT', '/ISAPI/Security/users/'),
                      'own': ('PUT', '/ISAPI/Security/users/1')}[kind]

    def params(self):
        if self.kind == 'activate':
            # verify_if_active: a re-run on an active device proves the password with one login
            return self.device.params(password=self.new, timeout=TIMEOUT, verify_if_active=True)
        if self.kind == 'other':
            return self.device.params(name='op', user_password=self.new, timeout=TIMEOUT)
        return self.device.params(name='admin', user_password=self.new, timeout=TIMEOUT)

    def done(self):
        """Whether the device has the new password (read from the emulator)."""
        user = 'op' if self.kind == 'other' else 'admin'
        return self.device.control.check_password(self.device.name, user, self.new)

    def still_old(self):
        if self.kind == 'activate':
            return self.device.state()['activated'] is False
        user = 'op' if self.kind == 'other' else 'admin'
        return self.device.control.check_password(self.device.name, user, self.old)


def prepared(new_device, kind, profile='current_camera'):
    device = new_device(profile, activated=kind != 'activate')
    return Step(kind, device)


def check_outcome(step, result):
    """No unknown password: the device has exactly one of the two, and `changed` says which."""
    done = step.done()
    assert done != step.still_old(), result
    assert result['changed'] is done, result
    if result.get('failed'):
        assert step.device.address in result['msg'], result
    return done


def rerun_completes(step):
    step.device.control.clear_faults(step.device.name)
    step.device.control.unlock(step.device.name)
    again = run(step.spec, step.params())
    assert not again.get('failed'), again
    assert step.done(), again
    return again


STEPS = ['activate', 'other', 'own']


# -- the write's answer is dropped (the device applied it) ---------------------------------------

@pytest.mark.parametrize('kind', STEPS)
def test_answer_of_the_credential_write_dropped(new_device, monkeypatch, kind):
    step = prepared(new_device, kind)
    sent = fault_at(monkeypatch, step.device, *step.write, drop_response_next=1)
    result = run(step.spec, step.params())
    assert step.device.counters()['dropped'] == 1
    assert len(sent) == (2 if kind == 'other' else 1)  # a credential change is never resent
    # The write applied: the task finds that out and says so, in one run.
    assert not result.get('failed'), result
    assert check_outcome(step, result) is True
    if kind != 'other':  # another account's PUT is idempotent and simply sent again
        assert any(FAULT_WORDS['drop'] in w for w in result['warnings']), result
    assert failed_logins(step.device) <= (1 if kind == 'other' else 0)
    again = rerun_completes(step)
    assert again['changed'] is False


def test_dropped_challenge_of_an_activation_is_asked_again(new_device):
    step = prepared(new_device, 'activate')
    step.device.control.faults(step.device.name, drop_response_next=1)  # the first write
    result = run(step.spec, step.params())
    assert step.device.counters()['requests']['POST /ISAPI/Security/challenge'] == 2
    assert not result.get('failed') and check_outcome(step, result) is True


# -- latency past the timeout --------------------------------------------------------------------

@pytest.mark.parametrize('kind', STEPS)
def test_one_slow_answer_to_the_credential_write(new_device, monkeypatch, kind):
    step = prepared(new_device, kind)
    sent = fault_at(monkeypatch, step.device, *step.write, clear_after=True, latency_ms=SLOW)
    result = run(step.spec, step.params())
    if kind == 'other':
        # Another account's PUT is idempotent: sent again, it takes in the same run.
        assert not result.get('failed') and check_outcome(step, result) is True, result
        return
    # The emulator drops a request whose client gave up (a real device may still apply it):
    # the task waits as long again, then finds out which password the device has - here with
    # activateStatus or one login - and says so; it never resends the write.
    assert result['failed'] is True and check_outcome(step, result) is False, result
    assert FAULT_WORDS['latency'] in result['msg'], result
    assert ('still not activated, so it did not take' if kind == 'activate' else
            'the change did not take and the device still has the old password') in result['msg']
    assert len(sent) == 1  # never resent
    again = rerun_completes(step)
    assert again['changed'] is True


@pytest.mark.parametrize('kind', STEPS)
def test_a_device_slower_than_the_timeout_all_along(new_device, kind):
    step = prepared(new_device, kind)
    step.device.control.faults(step.device.name, latency_ms=SLOW)
    result = run(step.spec, step.params())
    assert result['failed'] is True
    assert 'got no answer within %d s' % TIMEOUT in result['msg'], result
    step.device.control.clear_faults(step.device.name)
    assert check_outcome(step, result) is False
    rerun_completes(step)


# -- refused connections -------------------------------------------------------------------------

@pytest.mark.parametrize('kind', STEPS)
def test_refused_for_a_moment_at_the_write(new_device, monkeypatch, kind):
    step = prepared(new_device, kind)
    fault_at(monkeypatch, step.device, *step.write, refuse_seconds=1)
    result = run(step.spec, step.params())
    # Nothing reached the device, so even this write may be sent again once it is back.
    assert not result.get('failed'), result
    assert check_outcome(step, result) is True


@pytest.mark.parametrize('kind', STEPS)
def test_refused_for_longer_than_the_retries(new_device, kind):
    step = prepared(new_device, kind)
    step.device.control.faults(step.device.name, refuse_seconds=60)
    result = run(step.spec, step.params())
    assert result['failed'] is True and FAULT_WORDS['refused'] in result['msg'], result
    assert check_outcome(step, result) is False
    rerun_completes(step)


# -- 503 / deviceBusy for K requests -------------------------------------------------------------

@pytest.mark.parametrize('kind', STEPS)
def test_busy_for_two_requests_at_the_write(new_device, monkeypatch, kind):
    step = prepared(new_device, kind)
    fault_at(monkeypatch, step.device, *step.write, busy_next=2)
    result = run(step.spec, step.params())
    # A busy device refused the write unprocessed: sent again, it takes.
    assert not result.get('failed'), result
    assert check_outcome(step, result) is True
    assert step.device.counters()['busy'] == 2


@pytest.mark.parametrize('kind', STEPS)
def test_busy_for_more_requests_than_the_retries(new_device, kind):
    step = prepared(new_device, kind)
    step.device.control.faults(step.device.name, busy_next=10)
    result = run(step.spec, step.params())
    assert result['failed'] is True and FAULT_WORDS['busy'] in result['msg'].lower(), result
    assert check_outcome(step, result) is False
    rerun_completes(step)


# -- a locked client -----------------------------------------------------------------------------

@pytest.mark.lockout_budget(LOCK_ATTEMPTS + 1, reason='the test locks the client out itself '
                            'first; the re-run for another account checks its password once')
@pytest.mark.parametrize('kind', ['other', 'own'])
def test_locked_client_sends_no_login(new_device, kind):
    step = prepared(new_device, kind)
    lock_out(step.device)
    before = failed_logins(step.device)
    result = run(step.spec, step.params())
    assert result['failed'] is True and FAULT_WORDS['locked'] in result['msg'], result
    assert 'no further login was attempted' in result['msg']
    assert failed_logins(step.device) == before  # the lock answered; nothing was spent
    assert check_outcome(step, result) is False
    rerun_completes(step)
    assert failed_logins(step.device) - before <= 1


@pytest.mark.lockout_budget(LOCK_ATTEMPTS, reason='the test locks the client out itself')
def test_locked_right_after_activation_says_the_device_has_the_password(new_device, monkeypatch):
    """An inactive device cannot lock anyone out, so the lock comes between the activation and
    the login that verifies it."""
    step = prepared(new_device, 'activate')
    original = IsapiClient._send

    def send(self, method, path, *args, **kwargs):
        reply = original(self, method, path, *args, **kwargs)
        if method == 'PUT' and path == '/ISAPI/System/activate':
            lock_out(step.device)
        return reply
    monkeypatch.setattr(IsapiClient, '_send', send)
    result = run(step.spec, step.params())
    assert result['failed'] is True and FAULT_WORDS['locked'] in result['msg'], result
    assert 'activated with the password this task gave' in result['msg'], result
    assert result['changed'] is True and step.done()
    monkeypatch.setattr(IsapiClient, '_send', original)
    again = rerun_completes(step)
    assert again['changed'] is False


def test_a_busy_answer_proves_no_password_so_a_wrong_one_is_sent_once(new_device, monkeypatch):
    """503 deviceBusy comes before the device checks the credential. The client resends a busy
    request, and the wrong password's 401 must then end it: taking the busy answer as proof of
    the password made that 401 look like an expired nonce, and the wrong password went out a
    second time (two failed logins for one login attempt; found by make soak)."""
    device = new_device('current_camera')
    original = IsapiClient._send
    injected = []

    def send(self, *args, **kwargs):
        if self._challenge is not None and not injected:  # the first request with a credential
            injected.append(True)
            device.control.faults(device.name, busy_next=1)
        return original(self, *args, **kwargs)
    monkeypatch.setattr(IsapiClient, '_send', send)
    client = client_from_params(device.params(password='Wrong-Pass-99'), name=device.name)
    with pytest.raises(IsapiAuthError) as err:
        client.get('/ISAPI/Security/userCheck', retry=False)
    assert 'authentication failed for user' in str(err.value)
    assert injected and device.counters()['busy'] == 1
    assert failed_logins(device) == 1
    assert client.authenticated is False
