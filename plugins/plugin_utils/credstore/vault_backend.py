# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Vault backend: HashiCorp Vault or OpenBao, KV version 2, through ``hvac``.

One secret per device at ``<mount>/data/<prefix>/<device>`` holding the store document. Every
change is a check-and-set write against the version it read (``cas``), so two writers can never
both succeed from the same version: the loser re-reads and re-applies its change, which then
sees the winner's state (and, for a second pending password, refuses). KV keeps the versions,
so every earlier state stays readable with ``bao kv get -version=N``. After each write the
secret's custom metadata is set to a non-secret summary (per account: whether a password is
pending, when the current one was set, by which run) for dashboards and audits; it is
informational, the document is what counts.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

try:
    import hvac
    import hvac.exceptions
    HAS_HVAC = True
    HVAC_ERROR = None
except ImportError as exc:
    HAS_HVAC = False
    HVAC_ERROR = exc

try:
    import requests
except ImportError:  # pragma: no cover - hvac needs it
    requests = None

import random
import time

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.store import CredentialStoreError

CAS_ATTEMPTS = 25


def secret_path(prefix, device):
    """KV path of a device: '/' in a device name must not nest the path."""
    safe = device.replace('%', '%25').replace('/', '%2F')
    return '%s/%s' % (prefix.strip('/'), safe) if prefix.strip('/') else safe


class VaultBackend(object):
    name = 'vault'

    def __init__(self, settings):
        if not HAS_HVAC:
            raise CredentialStoreError(
                'the vault credential store needs the Python library hvac on the controller '
                '(pip install hvac; it is listed in the collection\'s requirements.txt): %s'
                % HVAC_ERROR)
        self.url = settings['url']
        self.mount = settings['mount'].strip('/')
        self.prefix = settings['prefix']
        self.keep_versions = max(settings['keep_previous'] + 5, 10)
        self.client = hvac.Client(url=self.url, token=settings['token'],
                                  verify=settings['ca_path'] or True,
                                  namespace=settings.get('namespace'), timeout=settings['timeout'])
        self.kv = self.client.secrets.kv.v2

    def _where(self, device):
        return '%s/%s at %s' % (self.mount, secret_path(self.prefix, device), self.url)

    def _error(self, device, exc, doing):
        where = self._where(device)
        if HAS_HVAC and isinstance(exc, hvac.exceptions.Forbidden):
            text = ('%s: permission denied %s: give the token a policy with read, create and '
                    'update on %s/data/%s/* and %s/metadata/%s/*' % (
                        doing, where, self.mount, self.prefix, self.mount, self.prefix))
        elif HAS_HVAC and isinstance(exc, hvac.exceptions.Unauthorized):
            text = '%s: the token was refused %s (expired or revoked?): set a valid store.token' % (
                doing, where)
        elif HAS_HVAC and isinstance(exc, (hvac.exceptions.VaultDown, hvac.exceptions.VaultNotInitialized)):
            text = '%s: the server %s is sealed or not initialised' % (doing, where)
        elif requests is not None and isinstance(exc, requests.exceptions.SSLError):
            text = ('%s: TLS to %s failed: set store.ca_path (or VAULT_CACERT) to the CA that '
                    'signed the server certificate' % (doing, self.url))
        elif requests is not None and isinstance(exc, requests.exceptions.RequestException):
            text = '%s: cannot reach %s (%s): check store.url' % (doing, self.url, type(exc).__name__)
        elif HAS_HVAC and isinstance(exc, hvac.exceptions.InvalidPath):
            text = ('%s: no KV version 2 mount %r %s: set store.mount to the mount that holds '
                    'the store' % (doing, self.mount, where))
        else:
            # hvac messages carry the server's error list and the URL, never the request body.
            text = '%s %s failed: %s' % (doing, where, exc)
        return CredentialStoreError(text, device=device)

    def _read(self, device):
        """(document or None, version; 0 when the secret does not exist)."""
        path = secret_path(self.prefix, device)
        try:
            answer = self.kv.read_secret_version(path=path, mount_point=self.mount,
                                                 raise_on_deleted_version=False)
        except hvac.exceptions.InvalidPath as exc:
            if self._mount_missing():
                raise self._error(device, exc, 'reading the credential store')
            return None, 0
        except Exception as exc:
            raise self._error(device, exc, 'reading the credential store')
        data = answer.get('data') or {}
        version = int((data.get('metadata') or {}).get('version') or 0)
        return data.get('data'), version

    def _mount_missing(self):
        try:
            self.kv.read_configuration(mount_point=self.mount)
        except hvac.exceptions.InvalidPath:
            return True
        except Exception:
            return False
        return False

    def read(self, device):
        return self._read(device)[0]

    def update(self, device, apply):
        path = secret_path(self.prefix, device)
        for dummy in range(CAS_ATTEMPTS):
            doc, version = self._read(device)
            doc = doc or {}
            modified = apply(doc)
            if not modified:
                return False
            try:
                self.kv.create_or_update_secret(path=path, secret=doc, cas=version,
                                                mount_point=self.mount)
            except hvac.exceptions.InvalidRequest as exc:
                if 'check-and-set' in str(exc):
                    time.sleep(random.uniform(0, 0.05))  # de-synchronise the racing writers
                    continue  # someone wrote meanwhile: re-read, re-apply (which re-checks)
                raise self._error(device, exc, 'writing the credential store')
            except Exception as exc:
                raise self._error(device, exc, 'writing the credential store')
            self._summarise(device, path, doc)
            return True
        raise CredentialStoreError('writing the credential store %s: %d concurrent writers won '
                                   'every check-and-set race; try again' % (
                                       self._where(device), CAS_ATTEMPTS), device=device)

    def _summarise(self, device, path, doc):
        summary = {'revision': str(doc.get('revision') or 0)}
        for account, acc in sorted((doc.get('accounts') or {}).items()):
            current, pending = acc.get('current') or {}, acc.get('pending') or {}
            summary['%s.pending' % account] = 'true' if pending else 'false'
            summary['%s.current_set_at' % account] = current.get('set_at') or ''
            summary['%s.current_run_id' % account] = current.get('run_id') or ''
            if pending:
                summary['%s.pending_run_id' % account] = pending.get('run_id') or ''
        try:
            self.kv.update_metadata(path=path, mount_point=self.mount,
                                    max_versions=self.keep_versions, custom_metadata=summary)
        except Exception:
            pass  # informational only; the document already holds the truth
