# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device identity and activation: the logic behind device_info and activate."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import time

from ansible_collections.camfleet.hikvision.plugins.module_utils import crypto, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.engine import read_optional
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiAnswerLostError, IsapiAuthError, IsapiConnectionError, IsapiError, IsapiInputError,
    IsapiLockedError, IsapiProtocolError, IsapiStatusError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.optional import (
    is_unavailable, optional_get,
)

PASSWORD_MIN, PASSWORD_MAX = 8, 16


# -- activation state -------------------------------------------------------------------------

def is_activated(client, retry=True):
    """Whether the device is activated, asked without credentials (/SDK/activateStatus, §3.2).

    A device that does not know the path predates activation (before 2015) and so counts as
    activated; so does a reply without an <Activated> element (as QB treats it).
    """
    try:
        root = client.get('/SDK/activateStatus', auth=False, retry=retry)
    except (IsapiStatusError, IsapiProtocolError) as exc:
        if is_unavailable(exc):
            return True
        raise
    value = xmldoc.as_bool(_find_anywhere(root, 'Activated'))
    return True if value is None else value


def _find_anywhere(root, tag):
    for elem in root.iter():
        if elem.tag == tag:
            return xmldoc.text(elem)
    return None


# -- password policy (docs/developer/isapi-reference.md, §6.4) ----------------------------------------------------------

def password_problems(password, username='admin', field='password', min_len=PASSWORD_MIN,
                      max_len=PASSWORD_MAX):
    """Why the device would refuse this password, as a message naming the field; None if fine.

    Checked before anything is sent, so a bad password never costs a device round trip.
    """
    if password is None or password == '':
        return '%s is required' % field
    classes = sum([
        any(c.isdigit() for c in password),
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(not c.isalnum() for c in password),
    ])
    if not min_len <= len(password) <= max_len:
        return ('%s must be %d to %d characters long (it has %d); the device refuses other '
                'lengths' % (field, min_len, max_len, len(password)))
    if classes < 2:
        return ('%s must mix at least two of: digits, lower-case, upper-case, special '
                'characters (devices call one kind "risky" and refuse it); use three or more for '
                'a strong password' % field)
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        return '%s must not contain control characters' % field
    if username and password.lower() == username.lower():
        return '%s must not be the user name' % field
    if username and password.lower() == username.lower()[::-1]:
        return '%s must not be the user name reversed' % field
    return None


def check_password(password, username='admin', field='password'):
    problem = password_problems(password, username=username, field=field)
    if problem:
        raise IsapiInputError(problem)


# -- device_info ------------------------------------------------------------------------------

DEVICE_FIELDS = (
    ('deviceName', 'name'), ('deviceID', 'device_id'), ('model', 'model'),
    ('serialNumber', 'serial_number'), ('macAddress', 'mac_address'),
    ('firmwareVersion', 'firmware_version'), ('firmwareReleasedDate', 'firmware_build'),
    ('encoderVersion', 'encoder_version'), ('hardwareVersion', 'hardware_version'),
    ('deviceType', 'device_type'), ('manufacturer', 'manufacturer'),
    ('firmwareVersionInfo', 'firmware_version_info'),
)

# DeviceCap paths worth a yes/no in the summary (docs/developer/isapi-reference.md, §4.2).
CAPABILITY_FLAGS = (
    ('SysCap/NetworkCap/isSupportNtp', 'ntp'),
    ('SysCap/NetworkCap/isSupportHttps', 'https'),
    ('SysCap/NetworkCap/isSupportUpnp', 'upnp'),
    ('SysCap/NetworkCap/isSupportEZVIZ', 'hik_connect'),
    ('SysCap/NetworkCap/isSupportIntegrate', 'integration_protocols'),
    ('SysCap/NetworkCap/isSupportIPFilter', 'ip_filter'),
    ('SysCap/NetworkCap/SnmpCap/isSupport', 'snmp'),
    ('SysCap/NetworkCap/isSupportFtp', 'ftp'),
    ('SysCap/NetworkCap/isSupportDdns', 'ddns'),
    ('SecurityCap/issupIllegalLoginLock', 'illegal_login_lock'),
    ('SecurityCap/isSupportUserCheck', 'user_check'),
    ('SecurityCap/isSupportConfigFileExport', 'config_export'),
    ('SecurityCap/isSupportConfigFileImport', 'config_import'),
)


# Controls real firmware has without a DeviceCap flag for them: the recorded NVR (V4.62) and
# pre-V5.5 camera trees carry no SecurityCap/issupIllegalLoginLock, and the NVR no
# NetworkCap/isSupportIPFilter, yet both answer the resource. When the flag is absent the
# resource itself is read; only a "not supported" answer makes the capability false.
PROBED_WHEN_UNADVERTISED = (
    ('illegal_login_lock', '/ISAPI/Security/illegalLoginLock'),
    ('ip_filter', '/ISAPI/System/Network/ipFilter'),
)


def probe_unadvertised(client, summary):
    """Fill in the capabilities the tree did not state by reading their resource; returns the
    keys so decided."""
    probed = []
    for key, path in PROBED_WHEN_UNADVERTISED:
        if key not in summary:
            summary[key] = read_optional(client, path) is not None
            probed.append(key)
    return probed


def parse_device_info(root):
    info = {}
    for tag, key in DEVICE_FIELDS:
        value = xmldoc.text(root, tag)
        if value is not None:
            info[key] = value
    build = info.get('firmware_build', '')
    info['firmware'] = ('%s %s' % (info.get('firmware_version', ''), build)).strip()
    info['kind'] = 'nvr' if info.get('device_type', '').upper() in ('NVR', 'DVR', 'HVR') else 'camera'
    info['namespace'] = xmldoc.namespace(root)
    return info


def parse_capabilities(root):
    summary = {}
    for path, key in CAPABILITY_FLAGS:
        value = xmldoc.as_bool(xmldoc.text(root, path))
        if value is not None:
            summary[key] = value
    channels = xmldoc.text(root, 'RacmCap/inputProxyNums')
    if channels and channels.isdigit():
        summary['ip_channels'] = int(channels)
    max_users = xmldoc.text(root, 'SecurityCap/supportUserNums')
    if max_users and max_users.isdigit():
        summary['max_users'] = int(max_users)
    return summary


def run_device_info(task):
    client = task.client
    activated = is_activated(client)
    result = {'changed': False, 'activated': activated, 'reachable': True}
    if not activated:
        result['msg'] = ('device is not activated (factory-fresh): activate it with '
                         'camfleet.hikvision.activate; only activation state is known')
        result['device'] = {}
        result['capabilities'], result['capabilities_known'] = {}, False
        return result
    if not task.params.get('password'):
        raise IsapiInputError('device is activated, so password is required to read its '
                              'information (set password or HIKVISION_PASSWORD)',
                              device=client.device)
    result['device'] = parse_device_info(client.get('/ISAPI/System/deviceInfo'))
    result['capabilities'], result['capabilities_known'] = {}, False
    if task.params.get('gather_capabilities', True):
        root = optional_get(client, '/ISAPI/System/capabilities', task.warn,
                            'the capability summary is unknown (capabilities_known: false)')
        if root is not None:
            result['capabilities'] = parse_capabilities(root)
            result['capabilities_known'] = True
            result['capabilities_probed'] = probe_unadvertised(client, result['capabilities'])
    return result


# -- activate ---------------------------------------------------------------------------------

def activate(client, password):
    """Run the challenge/activate exchange of §3.3-§3.5 (no authentication involved)."""
    key = crypto.new_key()
    challenge = xmldoc.element('PublicKey', {'key': crypto.public_key_field(key)}, version=None)
    # A challenge only hands out a key, so asking again after a lost answer is harmless.
    reply = client.post_xml('/ISAPI/Security/challenge', challenge, auth=False, idempotent=True)
    field = xmldoc.text(reply, 'key')
    if not field:
        raise IsapiStatusError('the activation challenge reply carried no <key>',
                               device=client.device, path='/ISAPI/Security/challenge')
    random_string = crypto.decrypt_challenge(key, field)
    body = xmldoc.element('ActivateInfo', {'password': crypto.encrypt_password(random_string, password)},
                          version=None)
    try:
        # The password in ActivateInfo is AES-encrypted with the challenge's key (§3.4), not clear.
        client.put('/ISAPI/System/activate', body, auth=False, idempotent=False, secret=False)
    except IsapiAnswerLostError as lost:
        # The answer may be lost after the device applied it; what the device says now decides
        # (asked without credentials). Never resent: the challenge it answered is used up.
        time.sleep(lost.settle_seconds or 1)
        try:
            activated = is_activated(client)
        except IsapiConnectionError as exc:
            raise IsapiAnswerLostError(
                '%s, and the device has not answered since (%s). If it took, the admin password '
                'is the one this task gave; running the task again finds out' % (
                    lost.args[0], exc.args[0]), device=client.device, applied=None)
        if not activated:
            raise IsapiAnswerLostError(
                '%s; the device says it is still not activated, so it did not take and has no '
                'password yet. Run the task again' % lost.args[0], device=client.device,
                applied=False)
        return lost.args[0]
    return None


def _verify_active(client, password):
    """One login with the password on an already active device (reconciling an activation
    whose answer was lost). A refusal is reported as such, never retried."""
    client.use_password(password)
    try:
        info = parse_device_info(client.get('/ISAPI/System/deviceInfo'))
    except IsapiLockedError:
        raise
    except IsapiAuthError as exc:
        raise IsapiAuthError('device is already activated and refused this admin password at one '
                             'login (not retried): %s' % exc.args[0], device=client.device,
                             path=exc.details.get('path'), password_refused=True)
    return {'changed': False, 'activated': True, 'verified': True, 'device': info,
            'msg': 'device is already activated; the admin password was verified with one login'}


def run_activate(task):
    params = task.params
    client = task.client
    # The connection password is the one the device gets: the same value then logs in for every
    # later task, and module_defaults supply it to both.
    new_password = params.get('password')
    if (params.get('username') or 'admin') != 'admin':
        raise IsapiInputError("username must be admin: activation sets the password of the "
                              "built-in 'admin' account (got %r)" % params.get('username'))
    check_password(new_password, username='admin', field='password')
    if not crypto.HAS_CRYPTOGRAPHY:
        raise IsapiInputError('the Python library "cryptography" is required for activation: %s'
                              % crypto.CRYPTOGRAPHY_ERROR)
    if params.get('password_from_store'):
        raise IsapiInputError('password_from_store is handled on the controller by the activate '
                              'action plugin; run the task through camfleet.hikvision.activate')
    if is_activated(client):
        if params.get('verify_if_active'):
            return _verify_active(client, new_password)
        return {'changed': False, 'activated': True,
                'msg': 'device is already activated; nothing sent'}
    result = {'changed': True, 'activated': True,
              'diff': {'before': {'activated': False}, 'after': {'activated': True}}}
    if task.check_mode:
        result['msg'] = 'device would be activated'
        return result
    lost = activate(client, new_password)
    # Prove the new credential works before telling later tasks to rely on it.
    client.use_password(new_password)
    try:
        result['device'] = parse_device_info(client.get('/ISAPI/System/deviceInfo'))
    except IsapiError as exc:
        # The activation itself took: say so, or the user is left guessing the password.
        cls = IsapiError if isinstance(exc, IsapiStatusError) else type(exc)
        raise cls('device activated with the password this task gave, but logging in to '
                  'verify it failed: %s' % exc.args[0], device=client.device, changed=True,
                  activated=True)
    result['msg'] = 'device activated and the new admin password verified by logging in'
    if lost:
        task.warn('%s; the device now says it is activated and accepts the password' % lost)
    return result
