# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""File backend: one ansible-vault encrypted file per device in a directory the user names.

Writes are atomic and serialised per device, so parallel forks of one run and two overlapping
runs never lose each other's changes:
  * an exclusive ``fcntl`` lock on ``.<device>.lock`` is held from the read to the rename (a
    read-modify-write under the lock);
  * the new content goes to a temporary file in the same directory, is flushed and fsync'ed,
    renamed over the old file (atomic on POSIX), and the directory is fsync'ed so the rename
    itself survives a crash.
Readers take no lock: a rename replaces the file whole, so they see the old or the new version.
Nothing but ciphertext is ever written: the document is encrypted in memory before the
temporary file is created.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import errno
import fcntl
import json
import os
import tempfile

from ansible.errors import AnsibleError
from ansible.parsing.vault import VaultLib, get_file_vault_secret, match_encrypt_secret

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.store import CredentialStoreError

SUFFIX = '.vault'


def file_name(device):
    """A file name for a device name, reversible and safe (no '/', no leading dot, no '..')."""
    out = []
    for char in device:
        if char.isalnum() and ord(char) < 128 or char in '-_.@':
            out.append(char)
        else:
            out.append('%%%02X' % ord(char) if ord(char) < 256 else '%%u%04X' % ord(char))
    name = ''.join(out)
    if name.startswith('.'):
        name = '%2E' + name[1:]
    return name


def load_vault_secrets(password_file, vault_id=None):
    """[(vault_id, secret)] from a vault password file (or script), as --vault-password-file."""
    from ansible.parsing.dataloader import DataLoader
    try:
        secret = get_file_vault_secret(filename=password_file, vault_id=vault_id or 'default',
                                       loader=DataLoader())
        secret.load()
    except AnsibleError as exc:
        raise CredentialStoreError('cannot read store.vault_password_file %s: %s' % (
            password_file, exc))
    return [(vault_id or 'default', secret)]


class FileBackend(object):
    name = 'file'

    def __init__(self, settings, vault_secrets=None):
        self.path = settings['path']
        self.vault_id = settings.get('vault_id')
        if settings.get('vault_password_file'):
            vault_secrets = load_vault_secrets(settings['vault_password_file'], self.vault_id)
        self.vault = VaultLib(list(vault_secrets or []))

    # -- paths ------------------------------------------------------------------------------
    def file_of(self, device):
        return os.path.join(self.path, file_name(device) + SUFFIX)

    def _lock_of(self, device):
        return os.path.join(self.path, '.%s.lock' % file_name(device))

    # -- crypto -----------------------------------------------------------------------------
    def _encrypt(self, device, plain):
        if not self.vault.secrets:
            raise CredentialStoreError(
                'cannot write the credential store file %s: no vault secret to encrypt it with. '
                'Set store.vault_password_file (or HIKVISION_STORE_VAULT_PASSWORD_FILE), or run '
                'with --vault-password-file / --vault-id' % self.file_of(device), device=device)
        try:
            if self.vault_id:
                vault_id, secret = match_encrypt_secret(self.vault.secrets, self.vault_id)
            else:
                vault_id, secret = match_encrypt_secret(self.vault.secrets)
            return self.vault.encrypt(plain, secret=secret,
                                      vault_id=vault_id if self.vault_id else None)
        except AnsibleError as exc:
            raise CredentialStoreError('cannot encrypt the credential store file %s with vault id '
                                       '%r: %s' % (self.file_of(device), self.vault_id, exc),
                                       device=device)

    def _decrypt(self, device, data):
        path = self.file_of(device)
        if not data.startswith(b'$ANSIBLE_VAULT'):
            raise CredentialStoreError(
                'the credential store file %s is not ansible-vault encrypted; the store never '
                'writes plain files: restore it from a backup or remove it' % path, device=device)
        if not self.vault.secrets:
            raise CredentialStoreError(
                'the credential store file %s is vault-encrypted but there is no vault secret: '
                'set store.vault_password_file, or run with --vault-password-file / --vault-id'
                % path, device=device)
        try:
            plain = self.vault.decrypt(data)
        except AnsibleError as exc:
            raise CredentialStoreError('cannot decrypt the credential store file %s with the '
                                       'given vault secrets (%s)' % (path, exc), device=device)
        try:
            return json.loads(plain.decode('utf-8'))
        except ValueError:
            raise CredentialStoreError('the credential store file %s decrypts to something that '
                                       'is not a store document' % path, device=device)

    # -- primitives -------------------------------------------------------------------------
    def read(self, device):
        path = self.file_of(device)
        try:
            with open(path, 'rb') as handle:
                data = handle.read()
        except (IOError, OSError) as exc:
            if exc.errno == errno.ENOENT:
                return None
            raise CredentialStoreError('cannot read the credential store file %s (%s)' % (
                path, exc.strerror or exc), device=device)
        return self._decrypt(device, data)

    def update(self, device, apply):
        self._ensure_dir(device)
        lock_path = self._lock_of(device)
        try:
            lock = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise CredentialStoreError('cannot create the lock file %s of the credential store (%s): '
                                       'check that store.path is a writable directory' % (
                                           lock_path, exc.strerror or exc), device=device)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX)
            doc = self.read(device) or {}
            modified = apply(doc)
            if modified:
                self._write(device, self._encrypt(device, json.dumps(doc, indent=1, sort_keys=True)))
            return modified
        finally:
            os.close(lock)  # closing releases the flock

    def _ensure_dir(self, device):
        if os.path.isdir(self.path):
            return
        try:
            os.makedirs(self.path, 0o700)
        except OSError as exc:
            if not os.path.isdir(self.path):
                raise CredentialStoreError('cannot create the credential store directory %s (%s)'
                                           % (self.path, exc.strerror or exc), device=device)

    def _write(self, device, ciphertext):
        path = self.file_of(device)
        try:
            handle, temp = tempfile.mkstemp(prefix='.tmp-', suffix=SUFFIX, dir=self.path)
        except OSError as exc:
            raise CredentialStoreError('cannot write in the credential store directory %s (%s)' % (
                self.path, exc.strerror or exc), device=device)
        try:
            with os.fdopen(handle, 'wb') as out:
                out.write(ciphertext)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, path)
            temp = None
            directory = os.open(self.path, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        except OSError as exc:
            raise CredentialStoreError('cannot write the credential store file %s (%s)' % (
                path, exc.strerror or exc), device=device)
        finally:
            if temp is not None and os.path.exists(temp):
                os.unlink(temp)
