# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Self-service reset of a lost admin password over SADP, the device side
(docs/developer/sadp-reference.md, §3.7 c-d; docs/developer/recovery-reference.md, §7-§8):
``GUIDReset`` with the GUID file or ``AnswerReset`` with the three security answers, the new
password protected by the SADP key exchange, then one ISAPI login with the new password as proof.

Never repeated: each wrong GUID or answer set counts against the device's reset budget (7 wrong,
then 30 minutes refused, §8), and the key exchange's random string is single-use anyway.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp, sadp_crypto, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiAuthError, IsapiInputError, IsapiLockedError,
)

TYPES = {'guid': 'GUIDReset', 'answers': 'AnswerReset', 'key': 'reset', 'email_code': 'MailReset'}
WRONG = {'guid': 'invalidGUID', 'answers': 'AnswerError', 'key': 'codeError', 'email_code': 'codeError'}
WHAT = {'guid': 'GUID file', 'answers': 'security answers', 'key': 'support key',
        'email_code': 'verification code'}
REQUEST_KINDS = ('file', 'qr')

# The self-service methods as SADP names them: the ProbeMatch flag that says the firmware has
# one (SADP reference §2.2) and the getPasswordResetType answer that says it is enabled (§3.2).
RESET_METHODS = (
    ('security_questions', 'support_security_question', 'security_question_enabled'),
    ('guid_file', 'support_guid', 'guid_file_data_enabled'),
    ('recovery_email', 'support_mailbox', 'security_email_enabled'),
    ('hik_connect', 'support_hc_platform', 'hc_verification_code_enabled'),
)


def reset_probe(uid, mac, method, secret, protected_password, random):
    """The request in the DLL's element order (§7): Uuid, MAC, Types, then GUID or the
    QuestionList, then Password."""
    root = xmldoc.element('Probe', version=None)
    sadp._append(root, 'Uuid', uid)
    sadp._append(root, 'MAC', sadp.wire_mac(mac))
    sadp._append(root, 'Types', TYPES[method])
    if method in ('key', 'email_code'):
        # reset / MailReset: Password, then the key or the code in Code (SADP reference §3.7 a, e).
        sadp._append(root, 'Password', protected_password)
        sadp._append(root, 'Code', secret)
        return xmldoc.serialize(root)
    if method == 'guid':
        sadp._append(root, 'GUID', secret)
    else:
        questions = sadp._append(root, 'QuestionList', None)
        for qid, answer in enumerate(secret, 1):
            question = sadp._append(questions, 'Question', None)
            sadp._append(question, 'ID', qid)
            # Answers are protected like the password (EncryptAnswerByRandomStr, §7).
            sadp._append(question, 'Answer', sadp_crypto.protect_password(random, answer))
            sadp._append(question, 'mark', 'true')
    sadp._append(root, 'Password', protected_password)
    return xmldoc.serialize(root)


def send_reset(sock, link, mac, method, secret, password, timeout, attempts):
    """'success' or 'lost'; a refusal raises, naming what is left of the budget."""
    random = sadp.exchange_key(sock, link, mac, timeout, attempts)
    uid = sadp.new_uuid()
    payload = reset_probe(uid, mac, method, secret, sadp_crypto.protect_password(random, password), random)
    fields = sadp.transact(sock, link, TYPES[method].lower(), uid, payload, timeout, 1)
    if fields is None:
        return 'lost'
    result = fields.get('result')
    if result == 'success':
        return 'success'
    if result == 'locked':
        raise IsapiLockedError('device %s refuses password resets for %s more minute(s) after '
                               'wrong attempts; not retrying' % (mac, fields.get('surplus_lock_time')),
                               lock_minutes=fields.get('surplus_lock_time'), refused=True)
    if result == WRONG[method]:
        raise IsapiAuthError('device %s refused the %s (%s); %s attempt(s) left before it refuses '
                             'resets for 30 minutes' % (
                                 mac, WHAT[method], result, fields.get('retry_times')),
                             retry_left=fields.get('retry_times'), refused=True)
    if result == 'exportFileOverDue':
        if method == 'email_code':
            raise sadp.SadpError('device %s no longer holds the QR code the verification code was '
                                 'made for (it expired after 48 h, or the device rebooted, exported '
                                 'another request or its reserved e-mail changed): export a new QR '
                                 'code' % mac, refused=True)
        raise sadp.SadpError('device %s no longer holds the reset request the key was made for (it '
                             'expired after 48 h, or the device rebooted or exported another): '
                             'export a new request' % mac, refused=True)
    if result == 'notSetMailBox':
        raise sadp.SadpError('device %s has no reserved e-mail address, so it takes no e-mail '
                             'verification code (notSetMailBox)' % mac, refused=True)
    raise sadp._refused(TYPES[method], fields, mac)


def reset_types(sock, link, device, timeout, attempts):
    """getPasswordResetType's answer (SADP reference §3.2), a read that is safe to repeat; None
    when the device does not advertise SupportPasswordResetType or does not answer."""
    if device.get('support_password_reset_type') is not True:
        return None
    uid = sadp.new_uuid()
    mac = sadp.normalize_mac(device['mac'])
    return sadp.transact(sock, link, 'getPasswordResetType', uid,
                         sadp.build_probe('getPasswordResetType', uid, mac=mac), timeout, attempts)


def reset_methods(device, enabled):
    """Per method: ``offered`` (the firmware has it: ProbeMatch flag, or enabled) and ``enabled``
    (set up on the device, from getPasswordResetType); None where the device does not say."""
    out = {}
    for name, flag, field in RESET_METHODS:
        on = enabled.get(field) if enabled else None
        on = on if isinstance(on, bool) else None
        offered = device.get(flag) if isinstance(device.get(flag), bool) else None
        out[name] = {'offered': True if on else offered, 'enabled': on}
    # The vendor request (getcode / the QR code for support): PasswordResetAbility ("supports
    # reset password", SADP reference §2.2, mapping inferred).
    ability = device.get('password_reset_ability')
    out['support_request'] = {'offered': ability if isinstance(ability, bool) else None,
                              'enabled': ability if isinstance(ability, bool) else None}
    return out


def offered_names(methods):
    return [name for name in sorted(methods) if methods[name].get('offered')]


def _unavailable(kind, methods):
    """Why the request of ``kind`` cannot be exported, or None. Unknown is tried: the device's
    answer then says."""
    if methods['support_request']['offered'] is False:
        return 'the device does not advertise password reset (PasswordResetAbility false)'
    email = methods['recovery_email']
    if kind == 'qr' and (email['offered'] is False or email['enabled'] is False):
        return ('the QR code reset needs a reserved e-mail address and the device %s' % (
            'offers none' if email['offered'] is False else 'has none set'))
    return None


def export_qr(sock, link, mac, timeout):
    """GetQRcodes (SADP reference §3.7 b; recovery reference §5, §7), sent once: it is a new
    request and voids the earlier one. None when the device has no reserved address."""
    uid = sadp.new_uuid()
    fields = sadp.transact(sock, link, 'GetQRcodes', uid, sadp.build_probe('GetQRcodes', uid, mac=mac), timeout, 1)
    if fields is None:
        raise sadp.SadpError('device %s did not answer the QR code export within %s s' % (mac, timeout))
    if fields.get('result') == 'notSetMailBox':
        return None
    if fields.get('result') not in (None, '', 'success') or not fields.get('qr_codes'):
        raise sadp._refused('GetQRcodes', fields, mac)
    return {'qr_code': fields['qr_codes'], 'mailbox': fields.get('mailbox'),
            'service_mailbox': fields.get('mail_service_box')}


def export_request(sock, link, mac, timeout):
    """The reset request (getcode's base64 Code, §3.7 a), sent once: a second export voids the
    first."""
    uid = sadp.new_uuid()
    fields = sadp.transact(sock, link, 'getcode', uid, sadp.build_probe('getcode', uid, mac=mac), timeout, 1)
    if fields is None:
        raise sadp.SadpError('device %s did not answer the reset request export within %s s' % (mac, timeout))
    if fields.get('result') != 'success' or not fields.get('code'):
        raise sadp._refused('getcode', fields, mac)
    return fields['code']


def _device_of(sock, params, task):
    mac = sadp._mac_param(params)
    serial = params.get('serial')
    if not mac and not serial:
        raise IsapiInputError('give mac or serial: the device to act on')
    found = sadp.discover(None, timeout=params['timeout'], retries=params['retries'],
                          until=lambda d: sadp._matches(d, mac, serial), warn=task.warn, sock=sock)
    found = [d for d in found if sadp._matches(d, mac, serial)]
    if not found:
        raise sadp.SadpError('no device with %s answered SADP on %s within %s s' % (
            'MAC %s' % mac if mac else 'serial %s' % serial, ', '.join(params['interfaces']),
            params['timeout']))
    return found[0]


def run_recovery_request(task):
    """Export one reset request for Hikvision support (the vendor flow's first step): the reset
    methods the device offers are read first (no password needed), and a request the device
    cannot take is reported, not exported and not failed."""
    params = task.params
    sadp._check_search(params)
    kind = params.get('request') or 'file'
    with sadp.SadpSocket(params['interfaces']) as sock:
        device = _device_of(sock, params, task)
        link = sock.link_named(device.get('interface'))
        identity = dict((k, device.get(k)) for k in ('serial', 'model', 'mac', 'firmware',
                                                     'ipv4_address', 'activated'))
        methods = reset_methods(device, reset_types(sock, link, device, params['timeout'],
                                                    params['retries'] + 1))
        result = {'changed': False, 'device': identity, 'reset_methods': methods,
                  'offered': offered_names(methods), 'kind': kind, 'exported': False}
        why = _unavailable(kind, methods)
        if why:
            result['msg'] = 'no %s request exported: %s' % (kind, why)
            return result
        result['changed'] = True
        if task.check_mode:
            result['msg'] = 'a %s reset request would be exported (voiding any earlier one)' % kind
            return result
        mac = sadp.normalize_mac(device['mac'])
        if kind == 'file':
            result['request'] = export_request(sock, link, mac, params['timeout'])
        else:
            qr = export_qr(sock, link, mac, params['timeout'])
            if qr is None:
                result.update(changed=False, msg='no qr request exported: the device has no reserved '
                                                 'e-mail address (notSetMailBox)')
                return result
            result.update(qr)
    result['exported'] = True
    result['msg'] = ('%s exported; do not reboot the device or export again until the key or code '
                     'is applied (valid 48 h)' % ('reset request' if kind == 'file' else 'QR code'))
    return result


NEEDS = {'guid': 'guid (the GUID file content)', 'answers': 'three answers',
         'key': 'support_key (the key Hikvision support returned)',
         'email_code': 'verification_code (the code from the reserved mailbox or the Hik-Connect app)'}


def prove(task):
    """One ISAPI login with the (new) password."""
    task.client.get('/ISAPI/System/deviceInfo')


def run_recovery_reset(task):
    params = task.params
    sadp._check_search(params)
    mac = sadp._mac_param(params, required=True)
    if params.get('proof_only'):
        if not task.check_mode:
            prove(task)
        return {'changed': False, 'proven': not task.check_mode, 'msg': 'password proved with one login'}
    method = params['method']
    secret = {'guid': params.get('guid'), 'answers': params.get('answers'),
              'key': params.get('support_key'),
              'email_code': (params.get('verification_code') or '').strip()}.get(method)
    if not secret or (method == 'answers' and len(secret) != 3):
        raise IsapiInputError('method=%s needs %s' % (method, NEEDS.get(method, 'guid, answers or key')))
    if not sadp_crypto.HAS_CRYPTOGRAPHY:
        raise IsapiInputError('the Python library "cryptography" is required for SADP resets')
    with sadp.SadpSocket(params['interfaces']) as sock:
        device = sadp._find(sock, params, mac, task.warn)
        if device is None:
            raise sadp.SadpError('no device with MAC %s answered SADP on %s within %s s'
                                 % (mac, ', '.join(params['interfaces']), params['timeout']))
        result = {'changed': True, 'method': method, 'device': device}
        if task.check_mode:
            result['msg'] = 'the admin password would be reset over SADP with the %s' % method
            return result
        outcome = send_reset(sock, sock.link_named(device.get('interface')),
                             mac, method, secret, params['password'], params['timeout'], params['retries'] + 1)
    result['reset'] = outcome
    prove(task)  # also settles a lost answer: the login says whether the reset happened
    result['proven'] = True
    result['msg'] = 'admin password reset over SADP (%s) and proved with one login' % method
    return result
