"""The client's retry rules for writes, without a device: what may be resent, what is raised as a
lost answer, and how a lost answer to a password change is settled with one login."""
import pytest

from ansible_collections.camfleet.hikvision.plugins.module_utils import client as c
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiAnswerLostError, IsapiAuthError, IsapiConnectionError,
)


class FakeResponse(object):
    def __init__(self, status, body=b''):
        self.status_code = status
        self.headers = {}
        self.body = body


def scripted(monkeypatch, outcomes):
    """A client whose sends play ``outcomes`` (exceptions raised, statuses answered)."""
    client = c.IsapiClient('192.0.2.10', password='Old-Pass-01', sleep=lambda s: None)
    sent = []

    def send(method, path, params, data, headers, auth, timeout, max_bytes, sink=None):
        sent.append((method, path, client.password))
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return c.Reply(FakeResponse(outcome), b'')
    monkeypatch.setattr(client, '_authenticated_send', send)
    return client, sent


def lost(reason='the connection was closed without an answer (reset)'):
    error = IsapiConnectionError('cannot talk to it', device='cam')
    error.reason = reason
    return error


def refused():
    error = IsapiConnectionError('cannot talk to it (Connection refused)', device='cam')
    error.sent = False
    return error


def test_a_post_whose_answer_is_lost_is_not_resent(monkeypatch):
    client, sent = scripted(monkeypatch, [lost(), 200])
    with pytest.raises(IsapiAnswerLostError) as err:
        client.post('/ISAPI/Security/users', b'<User/>')
    assert len(sent) == 1
    assert str(err.value) == ('https://192.0.2.10:443: POST /ISAPI/Security/users reached the device but the '
                              'connection was closed without an answer (reset), so whether it '
                              'took is not known')


def test_a_delete_whose_answer_is_lost_is_not_resent(monkeypatch):
    client, sent = scripted(monkeypatch, [lost(), 200])
    with pytest.raises(IsapiAnswerLostError):
        client.delete('/ISAPI/Security/users/3')
    assert len(sent) == 1


def test_a_write_that_never_reached_the_device_or_was_refused_busy_is_resent(monkeypatch):
    client, sent = scripted(monkeypatch, [refused(), 503, 200])
    client.put('/ISAPI/System/reboot', idempotent=False)
    assert len(sent) == 3


def test_an_idempotent_put_is_resent_after_a_lost_answer(monkeypatch):
    client, sent = scripted(monkeypatch, [lost(), 200])
    client.put('/ISAPI/System/time', b'<Time/>')
    assert len(sent) == 2


def test_a_lost_own_password_change_is_settled_with_the_new_password(monkeypatch):
    client, sent = scripted(monkeypatch, [lost(), 200])
    monkeypatch.setattr(client, 'get', lambda path: sent.append(('GET', path, client.password)))
    result = client.put('/ISAPI/Security/users/1', b'<User/>', changes_credential=True,
                        new_password='New-Pass-02')
    assert result.answer_lost and client.password == 'New-Pass-02'
    assert sent == [('PUT', '/ISAPI/Security/users/1', 'Old-Pass-01'),
                    ('GET', '/ISAPI/Security/userCheck', 'New-Pass-02')]


def test_a_lost_own_password_change_that_did_not_take_keeps_the_old_one(monkeypatch):
    client, sent = scripted(monkeypatch, [lost()])

    def refuse(path):
        raise IsapiAuthError('authentication failed', device='cam')
    monkeypatch.setattr(client, 'get', refuse)
    with pytest.raises(IsapiAnswerLostError) as err:
        client.put('/ISAPI/Security/users/1', b'<User/>', changes_credential=True,
                   new_password='New-Pass-02')
    assert err.value.applied is False and client.password == 'Old-Pass-01'
    assert 'the device still has the old password; nothing was resent' in str(err.value)
    assert len(sent) == 1


def test_after_a_credential_change_a_refusal_is_final(monkeypatch):
    """No renegotiation with a fresh nonce after a write that may have changed the password:
    that would be a second failed login."""
    client, sent = scripted(monkeypatch, [200])
    client._proven = True
    client.put('/ISAPI/System/configurationData', b'x', changes_credential=True)
    assert client.authenticated is False
