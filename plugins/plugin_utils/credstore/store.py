# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The store's operations, the same for every backend.

A backend stores one document per device and offers two primitives: ``read(device)`` and
``update(device, change)``, where ``update`` applies ``change(document)`` atomically (the file
backend under a per-device lock, the vault backend as a check-and-set write, re-applied on a
conflict). Everything else - current, pending, promote, discard, history - is done here once, on
that document, so both backends behave identically by construction.

Document (one per device; secrets only in the ``password`` fields)::

    {"format": 1, "device": "cam-01", "revision": 7,
     "accounts": {"admin": {
         "current": {"password": "...", "set_at": "2026-...Z", "set_by": "ops@ctl", "run_id": "...", "version": 3},
         "pending": null | {same fields},
         "previous": [{same fields, "retired_at": "...", "retired_by": "...", "retired_run_id": "..."}]}},
     "secrets": {"security_answers": {"value": ..., "set_at": "...", "set_by": "...", "run_id": "...",
                                      ...non-secret metadata}}}

``secrets`` holds the device's other secrets by kind (recovery: the security answers and the
exported GUID file), encrypted exactly like the passwords because they live in the same document.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import getpass
import hmac
import multiprocessing
import os
import socket

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError

FORMAT = 1
RUN_ID_ENV = ('CAMFLEET_RUN_ID', 'JOB_ID')  # JOB_ID: what AWX/AAP set for a job run


class CredentialStoreError(IsapiError):
    """The store cannot do what was asked; the message names device, account and fix."""


class CredentialNotFound(CredentialStoreError):
    """The store holds no (current) password for that device account."""


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def actor():
    """Who changes the store: user@host of the controller."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        user = str(os.getuid())
    return '%s@%s' % (user, socket.gethostname())


def run_id():
    """One id per ansible-playbook run: set by the user or AWX, else the main process's pid
    (forks are children of it, so all tasks of one run agree)."""
    for name in RUN_ID_ENV:
        if os.environ.get(name):
            return os.environ[name]
    parent = multiprocessing.parent_process()
    return 'pid-%d@%s' % (parent.pid if parent is not None else os.getpid(), socket.gethostname())


def same_secret(a, b):
    if a is None or b is None:
        return False
    return hmac.compare_digest(a.encode('utf-8'), b.encode('utf-8'))


class AccountRecord(object):
    """What the store holds for one device account (read-only view)."""

    def __init__(self, device, account, data):
        data = data or {}
        self.device = device
        self.account = account
        self.current_entry = data.get('current')
        self.pending_entry = data.get('pending')
        self.previous_entries = list(data.get('previous') or [])

    @property
    def current(self):
        return self.current_entry['password'] if self.current_entry else None

    @property
    def pending(self):
        return self.pending_entry['password'] if self.pending_entry else None

    @property
    def previous(self):
        return [e['password'] for e in self.previous_entries]

    def known(self):
        """Every password this account has had in the store (for 'never reuse')."""
        return [p for p in [self.current, self.pending] + self.previous if p is not None]


def _version_of(entry):
    if entry.get('version'):
        return 'v%d' % entry['version']
    return '%s/%s' % (entry.get('set_at'), entry.get('run_id'))  # promoted before versions


def _public(entry, state):
    """An entry without its secret."""
    item = dict((k, v) for k, v in entry.items() if k != 'password')
    item['state'] = state
    return item


class CredentialStore(object):
    """The store interface used by every plugin."""

    def __init__(self, backend, keep_previous=5, who=None, run=None):
        self.backend = backend
        self.keep_previous = keep_previous
        self.who = who or actor()
        self.run = run or run_id()

    @property
    def name(self):
        return self.backend.name

    def _stamp(self, password):
        return {'password': password, 'set_at': _now(), 'set_by': self.who, 'run_id': self.run}

    def _account(self, doc, device, account):
        doc.setdefault('format', FORMAT)
        doc.setdefault('device', device)
        return doc.setdefault('accounts', {}).setdefault(
            account, {'current': None, 'pending': None, 'previous': []})

    def _change(self, device, account, change):
        # change() returns whether it modified the account; the backend writes only then.
        def apply(doc):
            modified = bool(change(self._account(doc, device, account)))
            if modified:
                doc['revision'] = int(doc.get('revision') or 0) + 1
            return modified
        return self.backend.update(device, apply)

    # -- reads ------------------------------------------------------------------------------
    def record(self, device, account):
        doc = self.backend.read(device) or {}
        return AccountRecord(device, account, (doc.get('accounts') or {}).get(account))

    def revision(self, device):
        doc = self.backend.read(device) or {}
        return int(doc.get('revision') or 0)

    def current(self, device, account):
        """The current password; CredentialNotFound (naming the fix) when there is none."""
        record = self.record(device, account)
        if record.current is None:
            hint = (' A pending password exists from an interrupted run (%s): re-run the task that '
                    'set it (activate, or the rotation) to reconcile it.' % record.pending_entry.get(
                        'run_id')) if record.pending_entry else ''
            raise CredentialNotFound(
                'the %s credential store holds no current password for account %r.%s To adopt '
                'the password the device has today, run playbooks/import_credentials.yml (or '
                'camfleet.hikvision.credential_import); a fresh device gets one from '
                'camfleet.hikvision.activate with password_from_store: true' % (
                    self.name, account, hint), device=device)
        return record.current

    def history(self, device, account):
        """Entries newest first (pending, current, previous), without secrets."""
        record = self.record(device, account)
        items = []
        if record.pending_entry:
            items.append(_public(record.pending_entry, 'pending'))
        if record.current_entry:
            items.append(_public(record.current_entry, 'current'))
        items.extend(_public(e, 'previous') for e in record.previous_entries)
        return items

    def password_version(self, device, account):
        """An identifier of the current password (when and by which run it was set), or None:
        what a secret that dies with the password (the GUID file) records to be checked later."""
        entry = self.record(device, account).current_entry
        if not entry:
            return None
        return _version_of(entry)

    @staticmethod
    def password_version_of(entry):
        """password_version's identifier of any entry of the history."""
        return _version_of(entry)

    def password_at(self, device, account, version=None, when=None):
        """(password, public entry) of the account's password of a version (what a backup
        recorded, password_version's form) or, without one, of the password that was current at
        ``when`` (a UTC 'YYYY-mm-ddTHH:MM:SSZ' string: promoted at or before it, retired after
        it). None when the history no longer holds it (it keeps keep_previous entries)."""
        record = self.record(device, account)
        entries = [(e, 'current') for e in [record.current_entry] if e] + \
            [(e, 'previous') for e in record.previous_entries]
        for entry, state in entries:
            if version is not None:
                if _version_of(entry) != version:
                    continue
            elif when is not None:
                since = entry.get('promoted_at') or entry.get('set_at') or ''
                until = entry.get('retired_at')
                if not (since <= when and (until is None or when < until)):
                    continue
            else:
                continue
            return entry['password'], _public(entry, state)
        return None

    def secret(self, device, kind):
        """The entry of a device secret of ``kind`` (its ``value`` and metadata), or None."""
        doc = self.backend.read(device) or {}
        entry = (doc.get('secrets') or {}).get(kind)
        return dict(entry) if entry else None

    def secret_info(self, device, kind):
        """The same entry without its value (for results and audits)."""
        entry = self.secret(device, kind)
        return dict((k, v) for k, v in entry.items() if k != 'value') if entry else None

    # -- writes -----------------------------------------------------------------------------
    def set_secret(self, device, kind, value, **meta):
        """Store (or replace) a device secret of ``kind`` with non-secret ``meta``. A secret
        equal to the stored one only has its metadata updated."""
        if value is None or value == '' or value == []:
            raise CredentialStoreError('refusing to store an empty %s' % kind, device=device)

        def apply(doc):
            doc.setdefault('format', FORMAT)
            doc.setdefault('device', device)
            secrets = doc.setdefault('secrets', {})
            old = secrets.get(kind) or {}
            entry = dict(self._stamp(None), value=value, **meta)
            entry.pop('password')
            if old.get('value') == value and all(old.get(k) == v for k, v in meta.items()):
                return False
            secrets[kind] = entry
            doc['revision'] = int(doc.get('revision') or 0) + 1
            return True
        return self.backend.update(device, apply)

    def set_pending(self, device, account, password, replace=False, restored_from=None):
        """Record ``password`` as the pending one, before any device is told about it.

        Refuses when a pending password already exists (an interrupted or a concurrent run owns
        it: reconcile that first) unless ``replace``, and refuses to reuse a known password -
        except with ``restored_from`` (the version of a previous entry): a configuration import
        gives the device back the password it had then, so that one is pending again, marked."""
        if not password:
            raise CredentialStoreError('refusing to store an empty password for account %r'
                                       % account, device=device)

        def change(acc):
            record = AccountRecord(device, account, acc)
            if record.pending is not None and not replace:
                if same_secret(record.pending, password):
                    return False
                raise CredentialStoreError(
                    'the %s credential store already holds a pending password for account %r, '
                    'set at %s by %s (run %s): an interrupted or concurrent run owns it. Re-run '
                    'the task that set it to reconcile it before setting another' % (
                        self.name, account, record.pending_entry.get('set_at'),
                        record.pending_entry.get('set_by'), record.pending_entry.get('run_id')),
                    device=device)
            restoring = restored_from is not None and any(
                same_secret(e['password'], password) and _version_of(e) == restored_from
                for e in record.previous_entries)
            if not restoring and any(same_secret(p, password) for p in [record.current] + record.previous):
                raise CredentialStoreError(
                    'refusing to set a pending password for account %r that this device account '
                    'already had (current or one of the previous %d); generate a new one' % (
                        account, len(record.previous)), device=device)
            acc['pending'] = self._stamp(password)
            if restoring:
                acc['pending']['restored_from'] = restored_from
            return True
        return self._change(device, account, change)

    def promote(self, device, account, expect=None):
        """Pending becomes current, current goes to the previous list (kept: keep_previous).

        ``expect`` is the password the caller proved on the device; the promotion is refused if
        the pending one is another (a concurrent run replaced it)."""
        def change(acc):
            record = AccountRecord(device, account, acc)
            if record.pending is None:
                if expect is not None and same_secret(record.current, expect):
                    return False  # already promoted (by an earlier attempt of this run)
                raise CredentialStoreError(
                    'no pending password to promote for account %r in the %s credential store'
                    % (account, self.name), device=device)
            if expect is not None and not same_secret(record.pending, expect):
                raise CredentialStoreError(
                    'the pending password for account %r is not the one this task proved on the '
                    'device (another run replaced it, run %s); not promoted: reconcile again' % (
                        account, record.pending_entry.get('run_id')), device=device)
            previous = acc.get('previous') or []
            if acc.get('current'):
                retired = dict(acc['current'], retired_at=_now(), retired_by=self.who,
                               retired_run_id=self.run)
                previous.insert(0, retired)
            acc['previous'] = previous[:self.keep_previous]
            # version counts the promotions: what a secret that dies with the password (the
            # GUID file) records, since two promotions can share a second and a run.
            version = int((acc.get('current') or {}).get('version') or 0) + 1
            acc['current'] = dict(acc['pending'], promoted_at=_now(), promoted_by=self.who,
                                  version=version)
            acc['pending'] = None
            return True
        return self._change(device, account, change)

    def discard(self, device, account, expect=None):
        """Drop the pending password (proved not to be on the device). Returns whether one was
        dropped; ``expect`` guards against dropping one another run set meanwhile."""
        def change(acc):
            record = AccountRecord(device, account, acc)
            if record.pending is None:
                return False
            if expect is not None and not same_secret(record.pending, expect):
                raise CredentialStoreError(
                    'the pending password for account %r changed meanwhile (run %s); not '
                    'discarded' % (account, record.pending_entry.get('run_id')), device=device)
            acc['pending'] = None
            return True
        return self._change(device, account, change)


def open_store(settings, vault_secrets=None):
    """A CredentialStore for resolved settings (config.resolve_settings)."""
    if settings['backend'] == 'vault':
        from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.vault_backend import VaultBackend
        backend = VaultBackend(settings)
    else:
        from ansible_collections.camfleet.hikvision.plugins.plugin_utils.credstore.file_backend import FileBackend
        backend = FileBackend(settings, vault_secrets=vault_secrets)
    return CredentialStore(backend, keep_previous=settings['keep_previous'])
