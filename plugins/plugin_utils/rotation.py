# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Password rotation of one device's accounts, with the credential store as the safety net.

Per account, in this order (README "Credential rotation"; docs/docsite/rst/guide_rotation.rst):
  1. reconcile: a pending password from an interrupted run is settled first - one login with the
     current password, then (only if that fails) one with the pending one; the one the device
     accepts becomes (or stays) current. Nothing new is generated before that;
  2. verify the current password with one login (done by step 1 when it ran);
  3. generate the new password and write it to the store as pending; a store that refuses the
     write stops here, before the device is touched;
  4. change it on the device, as the admin session, with ``loginPassword``; the PUT is never
     resent (a resend after a lost answer would carry a credential that may no longer be valid);
  5. prove it: one login with the new password succeeds, one with the old fails; then promote.
A lost answer at step 4 needs nothing special: step 5 finds out which password the device has.
Every path costs an account at most one failed login per run (the old password at step 5, or
the current one at step 1 when an interrupted change had reached the device, after which the
rotation is complete and step 5 is not repeated).

ONVIF accounts (the device's separate ONVIF user list, docs/developer/isapi-reference.md, §11.6)
go through the same steps under the store key ``onvif:<name>`` (module_utils/onvif.py): their
logins are ONVIF logins (a WS-Security signed GetDeviceInformation), their change is the admin
session's PUT of the ONVIF user. Before the first login, the admin session checks that ONVIF is on
and the account exists, so neither mistake costs a failed login.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import os
import re
import socket

from ansible_collections.camfleet.hikvision.plugins.module_utils import onvif, recovery, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import client_from_params
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiAuthError, IsapiError, IsapiInputError, IsapiLockedError, IsapiStatusError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.services import INTEGRATE, ONVIF_USERS
from ansible_collections.camfleet.hikvision.plugins.module_utils.users import USERS, list_users
from ansible_collections.camfleet.hikvision.plugins.plugin_utils.passwords import generate

ADMIN = 'admin'
STEPS = ('reconcile', 'verify', 'pending', 'change', 'prove')
# A pending password of another run on another controller (or an AWX job) younger than this is
# taken to be that run's work in progress and left alone; older, it was interrupted.
PENDING_TIMEOUT = 3600
_LOCAL_RUN = re.compile(r'^pid-(\d+)@(.+)$')


class Interrupted(IsapiError):
    """Raised by the test-only ``stop_after`` option: the run 'dies' after that step."""


def parse_time(text):
    try:
        return datetime.datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None


def age_days(entry, now=None):
    """Days since the entry's password became current (promoted_at, else set_at); None if unknown."""
    if not entry:
        return None
    when = parse_time(entry.get('promoted_at')) or parse_time(entry.get('set_at'))
    if when is None:
        return None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return round((now - when).total_seconds() / 86400.0, 3)


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owned_by_live_run(entry, own_run, now=None):
    """Whether a pending entry belongs to a run that may still be working on it: a run on this
    controller whose ansible-playbook process is alive, or another controller's run younger than
    PENDING_TIMEOUT. Reconciling it would race that run's change."""
    run = entry.get('run_id') or ''
    if run == own_run:
        return False
    when = parse_time(entry.get('set_at'))
    now = now or datetime.datetime.now(datetime.timezone.utc)
    # One account's pending password lives for one task (seconds to minutes): past the timeout
    # it is an interrupted run's even if its pid now belongs to another process.
    recent = when is not None and (now - when).total_seconds() < PENDING_TIMEOUT
    match = _LOCAL_RUN.match(run)
    if match and match.group(2) == socket.gethostname():
        return recent and pid_alive(int(match.group(1)))
    return recent


class DeviceRotation(object):
    """Rotates the given accounts of one device. ``params`` are the device's connection options
    (the admin's current password is taken from the store, never from them)."""

    def __init__(self, store, device, params, policy, min_age=0, stop_after=None):
        self.store = store
        self.device = device
        self.params = dict(params)
        self.policy = policy
        self.min_age = min_age or 0
        self.stop_after = stop_after
        self.admin_password = None
        self._checked = set()

    # -- device access ------------------------------------------------------------------------
    def login(self, account, password):
        """One login as account/password on a fresh session: True, False (refused), or raises
        (locked, unreachable). Never repeated: the client does not resend a refused credential."""
        name = onvif.account_name(account)
        if name is not None:
            return onvif.onvif_login(self.params, name, password, name=self.device)
        client = client_from_params(dict(self.params, username=account, password=password),
                                    name=self.device)
        try:
            client.get('/ISAPI/Security/userCheck', retry=False)
            return True
        except IsapiLockedError:
            raise
        except IsapiAuthError:
            return False
        finally:
            client.close()

    def _admin_client(self):
        return client_from_params(dict(self.params, username=ADMIN, password=self.admin_password),
                                  name=self.device)

    def _ready(self, account):
        """Before the first login of an account other than admin: the admin's password, which
        changes it, is known; for an ONVIF account also that ONVIF is on and the account exists
        (asked as the admin, so neither mistake costs a failed login)."""
        if account == ADMIN or account in self._checked:
            return
        if self.admin_password is None:
            raise IsapiError('the credential store holds no current admin password, which '
                             'changes %r: import it first (playbooks/import_credentials.yml); '
                             'nothing was sent' % account, device=self.device)
        name = onvif.account_name(account)
        if name is None:
            return
        client = self._admin_client()
        try:
            integrate = client.get(INTEGRATE)
            if not xmldoc.as_bool(xmldoc.text(integrate, 'ONVIF/enable'), False):
                raise onvif.onvif_off(name, device=self.device)
            names = [u['name'] for u in list_users(client, ONVIF_USERS)[0]]
        finally:
            client.close()
        if name not in names:
            raise IsapiError(
                'the ONVIF account %r does not exist on the device (its ONVIF users: %s): create '
                'it with camfleet.hikvision.services (onvif_users) or leave it out of '
                'onvif_accounts; nothing was changed' % (name, ', '.join(names) or 'none'),
                device=self.device)
        self._checked.add(account)

    def change(self, account, new_password):
        """Step 4: the account's own document with the new password, written by the admin. A
        connection lost with the PUT on the wire is returned as 'lost' (the device may or may not
        have it); the device's refusal raises."""
        client = self._admin_client()
        name = onvif.account_name(account)
        try:
            path = USERS if name is None else ONVIF_USERS
            users, namespace = list_users(client, path)
            user = next((u for u in users if u['name'] == (name or account)), None)
            if user is None:
                raise IsapiError('account %r does not exist on the device; rotation manages '
                                 'existing accounts only (create it with camfleet.hikvision.%s)'
                                 % (account, 'services' if name else 'user'), device=self.device)
            body = xmldoc.parse(xmldoc.serialize(user['element']))
            if namespace and not xmldoc.namespace(body):
                body.set('xmlns', namespace)
            xmldoc.set_text(body, 'password', new_password)
            if name is None:
                # Newer firmware wants the changing admin's own password (docs/developer/isapi-reference.md, §6).
                xmldoc.set_text(body, 'loginPassword', self.admin_password)
            try:
                client.put('%s/%s' % (path, user['id']), body, idempotent=False)
            except (IsapiStatusError, IsapiAuthError, IsapiInputError):
                # the device answered no, or the client refused to send it (a password over
                # plain HTTP): either way the device does not have the new password
                raise
            except IsapiError as exc:
                return 'lost: %s' % exc.args[0]
            return 'answered'
        finally:
            client.close()

    def _step_done(self, step, account):
        if self.stop_after == step:
            raise Interrupted('stopped after step %r for %r (stop_after, a test-only option)'
                              % (step, account), device=self.device)

    # -- one account --------------------------------------------------------------------------
    def rotate(self, account):
        """Returns a report dict (no secret) for the account; raises IsapiError on failure, after
        leaving the store holding every password the device may have."""
        store, device = self.store, self.device
        record = store.record(device, account)
        report = {'account': account, 'rotated': False, 'reconciled': None, 'failed_logins': 0}
        if record.current is None and record.pending is None:
            raise IsapiError('the %s credential store holds no password for account %r: import it '
                             'first (playbooks/import_credentials.yml); the device was not '
                             'contacted' % (store.name, account), device=device)

        # 1. reconcile
        verified = False
        if record.pending is not None and owned_by_live_run(record.pending_entry, store.run):
            raise IsapiError(
                'another run (%s, since %s by %s) is rotating %r right now; not touched. If that '
                'run is gone, re-run after %d minutes (at once if it ran on this controller) and '
                'this pending password is reconciled' % (
                    record.pending_entry.get('run_id'), record.pending_entry.get('set_at'),
                    record.pending_entry.get('set_by'), account, PENDING_TIMEOUT // 60),
                device=device)
        if record.pending is not None:
            self._ready(account)
            if record.current is not None and self.login(account, record.current):
                store.discard(device, account, expect=record.pending)
                report['reconciled'] = 'kept current (the interrupted change never reached the device)'
                verified = True
            else:
                report['failed_logins'] += 1 if record.current is not None else 0
                if not self.login(account, record.pending):
                    raise IsapiError(
                        'the device accepts neither the current nor the pending password of %r '
                        'from the %s credential store; nothing more was tried (the device locks '
                        'clients after repeated failures). Someone else changed it: import the '
                        'password it has' % (account, store.name), device=device)
                store.promote(device, account, expect=record.pending)
                report.update(reconciled='promoted pending (the interrupted change had reached '
                                         'the device)', rotated=True)
                self._remember(account, record.pending)
                self._refresh_guid(account, report)
                self._step_done('reconcile', account)
                return self._finish(report, account)
            record = store.record(device, account)
        self._step_done('reconcile', account)

        age = age_days(record.current_entry)
        if self.min_age and age is not None and age < self.min_age:
            report.update(skipped='rotated %.1f days ago, min_age is %s' % (age, self.min_age))
            return self._finish(report, account)

        # 2. verify
        self._ready(account)
        if not verified and not self.login(account, record.current):
            report['failed_logins'] += 1
            raise IsapiAuthError('the device refuses the current password of %r from the %s '
                                 'credential store (one login, not repeated); nothing was changed'
                                 % (account, store.name), device=device)
        self._remember(account, record.current)
        self._step_done('verify', account)

        # 3. pending before the device hears of it
        new_password = generate(account, self.policy, avoid=record.known())
        try:
            store.set_pending(device, account, new_password)
        except Exception as exc:
            raise IsapiError('the %s credential store refused to record the new password of %r '
                             '(%s); the device was not touched' % (store.name, account, exc),
                             device=device)
        self._step_done('pending', account)

        # 4. change
        try:
            answer = self.change(account, new_password)
        except IsapiInputError as exc:
            store.discard(device, account, expect=new_password)
            raise IsapiInputError('%s; the store keeps the current password of %r'
                                  % (exc.args[0], account), device=device)
        except (IsapiStatusError, IsapiAuthError) as exc:
            store.discard(device, account, expect=new_password)
            raise IsapiError('the device refused the new password of %r (%s); the store keeps '
                             'the current one' % (account, exc.args[0]), device=device)
        except IsapiError:
            raise  # before the PUT (listing failed): stays pending, the next run reconciles
        report['change_answer'] = 'lost' if answer.startswith('lost') else answer
        self._step_done('change', account)

        # 5. prove: new works, old fails
        if self.login(account, new_password):
            if self.login(account, record.current):
                raise IsapiError('the device accepts both the old and the new password of %r; '
                                 'not promoted (the new one stays pending)' % account, device=device)
            report['failed_logins'] += 1
            store.promote(device, account, expect=new_password)
            self._remember(account, new_password)
            report['rotated'] = True
            self._refresh_guid(account, report)
            self._step_done('prove', account)
            return self._finish(report, account)
        report['failed_logins'] += 1
        if self.login(account, record.current):
            store.discard(device, account, expect=new_password)
            raise IsapiError('the device did not take the new password of %r (%s) and still '
                             'accepts the current one; the store keeps the current one: re-run '
                             'to rotate' % (account, report['change_answer']), device=device)
        raise IsapiError('the device accepts neither the old nor the new password of %r after the '
                         'change; both stay in the store (current and pending)' % account, device=device)

    def _refresh_guid(self, account, report):
        """A GUID file stops working once the admin password changes (docs/developer/
        recovery-reference.md, §3): where the store holds one, export the next one at once, with
        the password just proved, and keep it in place of the dead one. A failure does not undo
        the rotation: the stored file is marked stale and the recovery module exports it later."""
        old = self.store.secret(self.device, recovery.GUID_KIND) if account == ADMIN else None
        if old is None:
            return
        replaced = {'set_at': old.get('set_at'), 'password_version': old.get('password_version')}
        client = self._admin_client()
        try:
            caps = recovery.discover(client)
            if not caps.guid:
                raise IsapiError('the firmware no longer offers the GUID file export',
                                 device=self.device)
            guid = recovery.export_guid(client, caps, self.admin_password)
            self.store.set_secret(self.device, recovery.GUID_KIND, guid, replaced=replaced,
                                  password_version=self.store.password_version(self.device, ADMIN))
            report['guid_file'] = 're-exported'
        except IsapiError as exc:
            report['guid_file'] = ('stale: the GUID file died with the old password and could not '
                                   'be exported again (%s); run camfleet.hikvision.recovery' % exc.args[0])
            try:
                self.store.set_secret(self.device, recovery.GUID_KIND, old['value'], stale=True,
                                      set_at=old.get('set_at'), password_version=old.get('password_version'))
            except IsapiError:
                pass  # its password_version already tells the recovery module it is stale
        finally:
            client.close()

    def _remember(self, account, password):
        if account == ADMIN:
            self.admin_password = password

    def _finish(self, report, account):
        record = self.store.record(self.device, account)
        report['age_days'] = age_days(record.current_entry)
        report['store_revision'] = self.store.revision(self.device)
        report['history'] = len(record.previous_entries)
        return report

    def run(self, accounts):
        """Every account, admin last (its password signs the other changes); stops at the first
        failure of admin, continues past another account's failure. Returns (reports, errors)."""
        ordered = [a for a in accounts if a != ADMIN] + ([ADMIN] if ADMIN in accounts else [])
        reports, errors = [], []
        try:
            self.admin_password = self.store.current(self.device, ADMIN)
        except IsapiError:
            self.admin_password = None
        if [a for a in ordered if a != ADMIN] and ADMIN in ordered:
            # Other accounts are changed by the admin: settle admin's own pending first.
            record = self.store.record(self.device, ADMIN)
            if record.pending is not None:
                ordered = [ADMIN] + [a for a in ordered if a != ADMIN]
        for account in ordered:
            try:
                reports.append(self.rotate(account))
            except Interrupted:
                raise
            except IsapiError as exc:
                reports.append({'account': account, 'rotated': False, 'error': exc.args[0]})
                errors.append('%s: %s' % (account, exc.args[0]))
                if account == ADMIN:
                    break
        return reports, errors
