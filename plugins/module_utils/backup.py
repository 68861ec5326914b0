# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Configuration export and import (docs/developer/isapi-reference.md, §10): the logic behind config_backup/config_restore.

A device's configuration file holds its credentials, so it is never written in plain text: the
action plugin encrypts it with ansible-vault on the controller (or the device encrypts it with
``secretkey``). The device-facing half lives here and runs wherever the task runs; the storing
half (``store_backup`` and friends) runs on the controller and gets the vault functions passed in.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import hashlib
import io
import json
import os
import re
import tempfile

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.client import WriteResult
from ansible_collections.camfleet.hikvision.plugins.module_utils.device import parse_device_info
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiAnswerLostError, IsapiAuthError, IsapiError, IsapiInputError, IsapiLockedError,
    IsapiProtocolError, IsapiStatusError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.optional import (
    is_unavailable, optional_get,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.maintenance import wait_for_restart
from ansible_collections.camfleet.hikvision.plugins.module_utils.users import list_users, public

EXPORT = '/ISAPI/System/configurationData'
MAX_EXPORT = 64 * 1024 * 1024
VAULT_HEADER = b'$ANSIBLE_VAULT'
# An export holds every account's password, trivially decoded (docs/developer/isapi-reference.md,
# §10), so over plain HTTP it travels only when the user allows it.
EXPORT_SECRET = "the configuration file (it holds every account's password)"
SUFFIX = '.cfg'

# Plain GETs for the readable snapshot; a device that does not know one just leaves it out.
SNAPSHOT_RESOURCES = (
    ('network', '/ISAPI/System/Network/interfaces'),
    ('time', '/ISAPI/System/time'),
    ('ntp_servers', '/ISAPI/System/time/ntpServers'),
    ('illegal_login_lock', '/ISAPI/Security/illegalLoginLock'),
    ('admin_accesses', '/ISAPI/Security/adminAccesses'),
    ('web_certificate', '/ISAPI/Security/webCertificate'),
    ('ssh', '/ISAPI/System/Network/ssh'),
    ('telnet', '/ISAPI/System/Network/telnetd'),
    ('upnp', '/ISAPI/System/Network/UPnP'),
    ('ezviz', '/ISAPI/System/Network/EZVIZ'),
    ('integrate', '/ISAPI/System/Network/Integrate'),
    ('ip_filter', '/ISAPI/System/Network/ipFilter'),
    ('snmp', '/ISAPI/System/Network/SNMP'),
    ('ftp', '/ISAPI/System/Network/ftp'),
    ('ddns', '/ISAPI/System/Network/DDNS'),
)
_SECRET_TAG = re.compile(r'password|passwd|secret|community|verificationcode|key$', re.IGNORECASE)
HIDDEN = '(hidden)'
_SAFE_NAME = re.compile(r'[^A-Za-z0-9_.-]+')
# The stamp new_backup_path puts in a backup's name: YYYYmmddTHHMMSS + microseconds + Z.
_STAMP = re.compile(r'(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)\d{6}Z')


# -- device side ----------------------------------------------------------------------------------

def key_limits(client, warn=None):
    """(min, max) of the device's export key, None when its firmware cannot encrypt (§4.3), or
    (1, None) when the device lacks or forbids SecurityCap (the device then judges the key)."""
    root = optional_get(client, '/ISAPI/Security/capabilities', warn,
                        'the secret_key length limits are unknown; the device judges the key')
    if root is None:
        return 1, None
    limit = xmldoc.find(root, 'cfgFileSecretKeyLenLimit')
    if limit is None:
        return None
    low, high = limit.get('min', '1'), limit.get('max', '16')
    return (int(low) if low.isdigit() else 1), (int(high) if high.isdigit() else 16)


def check_secret_key(client, secret_key, warn=None):
    limits = key_limits(client, warn)
    if limits is None:
        raise IsapiInputError('this firmware cannot encrypt its configuration export (no '
                              'cfgFileSecretKeyLenLimit in its SecurityCap); use encryption: vault',
                              device=client.device)
    low, high = max(limits[0], 1), limits[1]
    if high is not None and not low <= len(secret_key) <= high:
        raise IsapiInputError('secret_key must be %d to %d characters for this device (it has %d)'
                              % (low, high, len(secret_key)), device=client.device)


def export_config(client, secret_key=None, timeout=None):
    """The device's configuration file, as bytes (held in memory, never on disk in clear)."""
    sink = io.BytesIO()
    params = {'secretkey': secret_key} if secret_key else None
    client.download(EXPORT, sink, params=params, timeout=timeout, max_bytes=MAX_EXPORT,
                    secret=EXPORT_SECRET)
    content = sink.getvalue()
    if not content:
        raise IsapiProtocolError('answered the configuration export with an empty file',
                                 device=client.device, path=EXPORT)
    if content.lstrip()[:1] == b'<' and b'ResponseStatus' in content[:512]:
        raise IsapiProtocolError('answered the configuration export with a status document '
                                 'instead of a file', device=client.device, path=EXPORT)
    return content


def _scrub(data):
    if isinstance(data, dict):
        return dict((k, HIDDEN if _SECRET_TAG.search(k) and v is not None else _scrub(v))
                    for k, v in data.items())
    if isinstance(data, list):
        return [_scrub(v) for v in data]
    return data


def take_snapshot(client, device=None, warn=None):
    """Readable managed settings for diffs between backups; no passwords or keys. A user list
    the device lacks or forbids is left out with a warning (users: null)."""
    device = device or parse_device_info(client.get('/ISAPI/System/deviceInfo'))
    identity = dict((k, v) for k, v in device.items() if k != 'namespace')
    try:
        users = [public(u) for u in list_users(client)[0]]
    except (IsapiStatusError, IsapiProtocolError) as exc:
        if not is_unavailable(exc):
            raise
        users = None
        if warn is not None:
            warn('%s: the user list could not be read (%s); the snapshot has users: null'
                 % (client.device, exc))
    resources = {}
    for key, path in SNAPSHOT_RESOURCES:
        try:
            resources[key] = _scrub(xmldoc.to_data(client.get(path)))
        except (IsapiStatusError, IsapiProtocolError) as exc:
            if is_unavailable(exc) or getattr(exc, 'status_code', None) == 4:
                continue  # notSupport and friends: this device has no such resource
            raise
    return {'device': identity, 'users': users, 'settings': resources}


def run_config_backup(task, keep=None):
    """Export and snapshot. ``keep(content, snapshot)`` (the controller side) stores them and
    returns the result fields; without it (shipped module) the export goes to the private
    staging file the action plugin fetches."""
    params = task.params
    client = task.client
    secret_key = None
    if params['encryption'] == 'device':
        secret_key = params.get('secret_key')
        if not secret_key:
            raise IsapiInputError('encryption: device needs secret_key (the key the device '
                                  'encrypts its export with; keep it, restore needs it)')
        check_secret_key(client, secret_key, task.warn)
    device = parse_device_info(client.get('/ISAPI/System/deviceInfo'))
    content = export_config(client, secret_key, timeout=params.get('export_timeout'))
    snapshot = take_snapshot(client, device, task.warn)
    snapshot['encryption'] = params['encryption']
    if keep is not None:
        return keep(content, snapshot)
    result = {'changed': False, 'snapshot_data': snapshot, 'size': len(content)}
    if params.get('_staging_path'):
        # Even in check mode: the controller compares it with the latest backup (it is removed
        # with the private temp dir either way).
        write_private(params['_staging_path'], content)
    return result


def not_a_backup(content):
    """Why ``content`` (decrypted from the stored file) cannot be a device configuration export,
    or None. Exports are binary (compressed and, with a secret key, encrypted, docs/developer/
    isapi-reference.md §10); a text file is something else: the snapshot .json, the .sha256
    file, an inventory, a vault file of something else."""
    if not content:
        return 'is empty'
    if content.startswith(VAULT_HEADER):
        return 'is still vault-encrypted after decrypting it (encrypted twice?)'
    try:
        text = content.decode('utf-8')
    except UnicodeDecodeError:
        return None
    if all(c.isprintable() or c in '\t\r\n' for c in text):
        start = text.lstrip()[:1]
        kind = {'<': 'XML', '{': 'JSON', '[': 'JSON'}.get(start, 'plain text')
        return 'is %s, not a configuration export (exports are binary)' % kind
    return None


def run_config_restore(task, content=None):
    """Import ``content`` (or the file at _staging_path on the host running the module)."""
    params = task.params
    client = task.client  # checks the connection options (sends nothing)
    if content is None:
        with open(params['_staging_path'], 'rb') as staged:
            content = staged.read()
    problem = not_a_backup(content)
    if problem:
        raise IsapiInputError('src %s %s; nothing was sent to the device' % (
            params.get('src'), problem))
    secret_key = params.get('secret_key')
    if secret_key:
        check_secret_key(client, secret_key, task.warn)
    # The same settings export to the same file, so an equal export means nothing to restore.
    current = export_config(client, secret_key, timeout=params.get('timeout'))
    result = {'changed': current != content, 'reboot_required': False}
    if not result['changed']:
        result['msg'] = 'the device configuration already equals the backup; nothing sent'
        return result
    result['diff'] = {'before': {'configuration_sha256': _sha(current)},
                      'after': {'configuration_sha256': _sha(content)}}
    if task.check_mode:
        result['msg'] = 'the backup would be imported'
        return result
    backup_password = params.get('backup_password')
    try:
        # The import replaces the device's accounts with the backup's, so it may change the
        # password this task logs in with: the client never resends it, and from here on one
        # refusal of the credential is final (docs/developer/isapi-reference.md, §2.5).
        write = client.put(EXPORT, content, params={'secretkey': secret_key} if secret_key else None,
                           secret=EXPORT_SECRET,
                           idempotent=False, content_type='application/octet-stream',
                           changes_credential=True, new_password=backup_password)
    except IsapiStatusError as exc:
        if exc.sub_status_code == 'importCfgFilePasswordErr':
            raise IsapiInputError(_key_refused(params), device=client.device)
        if exc.sub_status_code == 'badDevType':
            raise IsapiInputError('the device refused the backup as made on another model '
                                  '(badDevType)', device=client.device)
        if exc.sub_status_code == 'badParameters':
            raise IsapiInputError('the device refused src %s as damaged or not a configuration '
                                  'file of this device (%s)' % (params.get('src'), exc.args[0]),
                                  device=client.device)
        raise
    except IsapiAnswerLostError as lost:
        write = _after_lost_import(client, params, content, secret_key, lost)
    if write.answer_lost:
        # Taken, but unanswered: an import always asks for a reboot (§10).
        write.reboot_required = True
        task.warn('%s; the import took' % write.answer_lost)
    result['reboot_required'] = write.reboot_required
    result['msg'] = ('configuration imported; its accounts and passwords are now those of the '
                     'backup')
    if backup_password and not (params.get('reboot') and write.reboot_required):
        # The one login that proves the backup's password (the reboot path below makes it too).
        expects_credential(client, params)
        result['session_password'] = 'backup_password'
    if params.get('reboot') and write.reboot_required:
        expects_credential(client, params)
        result['session_password'] = 'backup_password' if backup_password else 'password'
        client.put('/ISAPI/System/reboot', idempotent=False)
        result['elapsed'] = wait_for_restart(client, params['wait_timeout'])
        result['reboot_required'] = False
        result['rebooted'] = True
        result['msg'] = ('configuration imported and the device rebooted; its accounts and '
                         'passwords are now those of the backup')
    return result


def _key_refused(params):
    if params.get('_checksum'):
        return ('the device refused the backup\'s key (importCfgFilePasswordErr): secret_key must '
                'be the key the backup was exported with (the file is intact: it matches its '
                'checksum file)')
    return ('the device refused the backup\'s key (importCfgFilePasswordErr): secret_key is not '
            'the key the backup was exported with, or the file is damaged (there is no checksum '
            'file %s.sha256 to tell which)' % params.get('src'))


def _imported_but(params, what):
    """The message for an import that took but left the task without a working credential."""
    which = ('backup_password, which the task gave as the admin password the backup holds'
             if params.get('backup_password') else 'the password this task logged in with')
    return ('configuration imported (it applies fully after a reboot), but the device %s %s: the '
            'import gave it the accounts of the backup, so the password of %r is now the one it '
            'had when the backup was taken. Not rebooted, and no other password was tried (the '
            'device locks clients after repeated failed logins). Finish with '
            'camfleet.hikvision.reboot using that password, and use it in later tasks; give it '
            'as backup_password to have this module reboot with it' % (
                what, which, params.get('username') or 'admin'))


def expects_credential(client, params):
    """After an import: make sure the device accepts the session's credential (one login)
    before the reboot, so that a backup with another admin password costs one failed login and
    a clear message, not a refused reboot."""
    try:
        client.get('/ISAPI/Security/userCheck')
    except IsapiLockedError:
        raise
    except IsapiAuthError:
        raise IsapiError(_imported_but(params, 'no longer accepts'), device=client.device,
                         changed=True, reboot_required=True, rebooted=False)


def _after_lost_import(client, params, content, secret_key, lost):
    """The import's answer was lost. The client has settled the credential when it knew the
    backup's password; otherwise read the configuration back with the old one (one login,
    final if refused) to tell whether the import took."""
    if lost.applied is False:
        raise lost
    if lost.applied is None and not params.get('backup_password'):
        try:
            now = export_config(client, secret_key, timeout=params.get('timeout'))
        except IsapiLockedError:
            raise
        except IsapiAuthError:
            raise IsapiError('%s; %s' % (lost.args[0], _imported_but(params, 'no longer accepts')),
                             device=client.device, changed=True, reboot_required=True)
        if now != content:
            raise IsapiError('%s; read back, the device configuration is not the backup\'s: the '
                             'import did not take. Run the task again' % lost.args[0],
                             device=client.device)
    elif lost.applied is None:
        raise lost
    return WriteResult(answer_lost=lost.args[0])


def _sha(data):
    return hashlib.sha256(data).hexdigest()


# -- controller side: where backups go ---------------------------------------------------------

def write_private(path, data):
    """Write bytes atomically with mode 0600 (temp file in the same directory, then rename)."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix='.camfleet-', dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, 'wb') as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def safe_name(name):
    return _SAFE_NAME.sub('_', name or 'device').strip('._') or 'device'


def is_directory_dest(dest):
    return dest.endswith(os.sep) or os.path.isdir(dest)


def new_backup_path(dest, device_name, now=None):
    if not is_directory_dest(dest):
        return dest
    stamp = (now or datetime.datetime.now(datetime.timezone.utc)).strftime('%Y%m%dT%H%M%S%fZ')
    return os.path.join(dest, '%s_%s%s' % (safe_name(device_name), stamp, SUFFIX))


def latest_backup(dest, device_name):
    """The newest existing backup this task would compare with, or None."""
    if not is_directory_dest(dest):
        return dest if os.path.isfile(dest) else None
    if not os.path.isdir(dest):
        return None
    prefix = safe_name(device_name) + '_'
    names = sorted(n for n in os.listdir(dest) if n.startswith(prefix) and n.endswith(SUFFIX))
    return os.path.join(dest, names[-1]) if names else None


def backup_time(path):
    """When the backup at ``path`` was taken (UTC 'YYYY-mm-ddTHH:MM:SSZ'): the snapshot's
    taken_at, else the stamp in the file name new_backup_path gave it; None if neither says."""
    snapshot = read_snapshot(path)
    if snapshot.get('taken_at'):
        return snapshot['taken_at']
    match = _STAMP.search(os.path.basename(path))
    if match:
        return '%s-%s-%sT%s:%s:%sZ' % match.groups()
    return None


def read_snapshot(path):
    """The backup's snapshot document (no secret in it), {} when there is none."""
    try:
        with open(sidecars(path)[1]) as handle:
            data = json.load(handle)
    except (IOError, OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def latest_backup_under(root, device_name):
    """The newest backup of ``device_name`` anywhere under ``root`` (the backup role writes
    <dir>/<date>/<device>/<device>_<stamp>.cfg), by the stamp in its name; None if none."""
    prefix = safe_name(device_name) + '_'
    found = []
    for directory, dummy, names in os.walk(root):
        for name in names:
            match = _STAMP.search(name)
            if name.startswith(prefix) and name.endswith(SUFFIX) and match and \
                    name[len(prefix):].startswith(match.group(0)):
                found.append((match.group(0), os.path.join(directory, name)))
    return max(found)[1] if found else None


def sidecars(path):
    """(checksum file, snapshot file) of a backup: <backup>.sha256 and <name>.json."""
    stem = path[:-len(SUFFIX)] if path.endswith(SUFFIX) else os.path.splitext(path)[0] or path
    return path + '.sha256', stem + '.json'


def store_backup(dest, device_name, content, snapshot, encrypt, decrypt, check_mode=False):
    """Store content (encrypted by ``encrypt``) unless the latest backup holds the same; returns
    the result fields. ``decrypt`` reads a stored backup back to compare."""
    latest = latest_backup(dest, device_name)
    if latest is not None:
        with open(latest, 'rb') as stored:
            data = stored.read()
        if decrypt(data) == content:
            checksum_file, snapshot_file = sidecars(latest)
            return {'changed': False, 'dest': latest, 'checksum': _sha(data), 'size': len(data),
                    'snapshot': snapshot_file,
                    'msg': 'the configuration equals the latest backup; nothing written'}
    path = new_backup_path(dest, device_name)
    checksum_file, snapshot_file = sidecars(path)
    result = {'changed': True, 'dest': path, 'snapshot': snapshot_file}
    if check_mode:
        result['msg'] = 'a new backup would be written'
        return result
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        os.makedirs(parent, 0o700)
    data = encrypt(content)
    write_private(path, data)
    checksum = _sha(data)
    write_private(checksum_file, ('%s  %s\n' % (checksum, os.path.basename(path))).encode('utf-8'))
    write_private(snapshot_file, (json.dumps(snapshot, indent=2, sort_keys=True) + '\n').encode('utf-8'))
    result.update(checksum=checksum, size=len(data), msg='backup written')
    return result


def verify_checksum(path, data):
    """Compare a stored backup with its .sha256 file, when there is one. Returns the checksum."""
    checksum = _sha(data)
    checksum_file = sidecars(path)[0]
    if os.path.isfile(checksum_file):
        with open(checksum_file) as handle:
            expected = (handle.read().split() or [''])[0].lower()
        if expected != checksum:
            raise IsapiInputError('src %s does not match its checksum file %s (sha256 %s, '
                                  'expected %s): the backup is damaged or was altered' % (
                                      path, checksum_file, checksum, expected))
    return checksum
