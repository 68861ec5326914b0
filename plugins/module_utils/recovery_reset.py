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

TYPES = {'guid': 'GUIDReset', 'answers': 'AnswerReset'}
WRONG = {'guid': 'invalidGUID', 'answers': 'AnswerError'}


def reset_probe(uid, mac, method, secret, protected_password, random):
    """The request in the DLL's element order (§7): Uuid, MAC, Types, then GUID or the
    QuestionList, then Password."""
    root = xmldoc.element('Probe', version=None)
    sadp._append(root, 'Uuid', uid)
    sadp._append(root, 'MAC', sadp.wire_mac(mac))
    sadp._append(root, 'Types', TYPES[method])
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
                                 mac, 'GUID file' if method == 'guid' else 'security answers',
                                 result, fields.get('retry_times')),
                             retry_left=fields.get('retry_times'), refused=True)
    raise sadp._refused(TYPES[method], fields, mac)


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
    secret = params.get('guid') if method == 'guid' else params.get('answers')
    if not secret or (method == 'answers' and len(secret) != 3):
        raise IsapiInputError('method=%s needs %s' % (
            method, 'guid (the GUID file content)' if method == 'guid' else 'three answers'))
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
