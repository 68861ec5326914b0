# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Recovery readiness, the device side (docs/developer/recovery-reference.md, §1-§5): while the
admin password is known, set what the firmware offers for a later self-service reset — the three
security answers, a reserved e-mail, a GUID file export — and report per method whether it is
ready. The secrets (answers, GUID file) come from and go to the credential store in the action
plugin; this part only talks to the device.

Order matters: capability discovery first (§1), so a method the firmware lacks is reported as
unsupported and never probed or written. SecurityCap says what can be set up; where the firmware
has ``/ISAPI/Security/extern/capabilities`` (read "before choosing a reset method", §1) it says
which methods a reset can then use, so a method set up but not usable for a reset is not ready.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiError, IsapiInputError, IsapiStatusError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.optional import optional_get
from ansible_collections.camfleet.hikvision.plugins.module_utils.securemode import SecurityMode

SECURITY_CAP = '/ISAPI/Security/capabilities'
EXTERN_CAP = '/ISAPI/Security/extern/capabilities'
# extern capability flag per method (§1)
EXTERN_FLAGS = (('security_questions', 'isSupportWithSecurityQuestion'),
                ('recovery_email', 'isSupportWithSecurityEmail'),
                ('guid_file', 'isSupportWithGUIDFileData'), ('hik_connect', 'isSupportWithHCApp'))
QUESTIONS = '/ISAPI/Security/questionConfiguration'
EMAIL = '/ISAPI/Security/email/parameter'
GUID = '/ISAPI/Security/GUIDFileData'
ANSWERS = 3  # three questions, all answered (§4)
QUESTION_IDS = (1, 2, 3)
GUID_MAX_BYTES = 4096  # §3: the file is 128 bytes; anything far larger is not a GUID file
METHODS = ('security_questions', 'recovery_email', 'guid_file')
# The credential store's names for the recovery secrets (plugin_utils/credstore).
ANSWERS_KIND = 'security_answers'
GUID_KIND = 'guid_file'


class Capabilities(object):
    """What SecurityCap says about recovery (§1) and security mode (§2.1)."""

    def __init__(self, root):
        def flag(name):
            return xmldoc.as_bool(xmldoc.text(root, name), False) if root is not None else False
        self.guid = flag('isSupportGUIDFileDataExport')
        self.questions = flag('isSupportSecurityQuestionConfig')
        self.email = flag('isSupportSecurityEmail')
        self.answer_max = 128
        self.mode = None
        if root is None:
            return
        limit = xmldoc.find(root, 'SecurityLimits/SecurityAnswerLenLimit')
        if limit is not None and (limit.get('max') or '').isdigit():
            self.answer_max = int(limit.get('max'))
        version = xmldoc.find(root, 'securityVersion')
        self.mode = SecurityMode.from_capabilities(
            version.get('opt') if version is not None else None, xmldoc.text(root, 'keyIterateNum'),
            xmldoc.as_bool(xmldoc.text(root, 'isIrreversible'), False), xmldoc.text(root, 'salt'))

    def supported(self):
        return {'security_questions': self.questions, 'recovery_email': self.email,
                'guid_file': self.guid}


def discover(client):
    root = client.get(SECURITY_CAP, params={'username': client.username})
    return Capabilities(root)


def extern_capabilities(client):
    """The reset side per method and minResetAdminPassWordNum (§1), or None where the firmware
    lacks the resource (which firmware first has it is unknown, §9): a read, never an error."""
    root = optional_get(client, EXTERN_CAP, None, '')
    if root is None:
        return None
    out = dict((name, xmldoc.as_bool(xmldoc.text(root, flag), None)) for name, flag in EXTERN_FLAGS)
    minimum = xmldoc.text(root, 'minResetAdminPassWordNum')
    out['min_reset_methods'] = int(minimum) if (minimum or '').isdigit() else None
    return out


def _secure(client, caps, password):
    """(query params, encrypt) for one request: security mode where the device offers it (the
    web UI's own way, §2.3), plain text otherwise (accepted by firmware that has no mode, §4)."""
    if caps.mode is None:
        return {}, lambda value: value
    return caps.mode.request(client.username, password)


def questions_marked(client):
    root = client.get(QUESTIONS)
    marks = [xmldoc.as_bool(xmldoc.text(q, 'mark'), False) for q in xmldoc.findall(root, 'QuestionList/Question')]
    return sum(1 for m in marks if m)


def set_questions(client, caps, password, answers):
    params, enc = _secure(client, caps, password)
    doc = xmldoc.element('SecurityQuestion', {'QuestionList': {'Question': [
        {'id': qid, 'answer': enc(answer)} for qid, answer in zip(QUESTION_IDS, answers)]},
        'password': enc(password)}, version=None)
    # secret=False only when encrypted: plain answers are secrets the client's HTTP guard checks.
    client.put(QUESTIONS, doc, params=params, idempotent=True,
               secret=False if params else 'the admin password and the security answers')


def _json(client, method, path, body=None):
    data = json.dumps(body).encode('utf-8') if body is not None else None
    headers = {'Content-Type': 'application/json'} if data is not None else None
    reply = client.request(method, path, params={'format': 'json'}, data=data, headers=headers,
                           secret='the admin password' if data is not None else None)
    try:
        doc = json.loads(reply.body.decode('utf-8')) if reply.body.strip() else {}
    except ValueError:
        doc = None
    if reply.status >= 400 or (method != 'GET' and isinstance(doc, dict) and
                               doc.get('statusCode') not in (None, 0, 1)):
        sub = doc.get('subStatusCode') if isinstance(doc, dict) else None
        raise IsapiStatusError('%s %s failed: HTTP %d%s' % (
            method, path, reply.status, ', subStatusCode %s' % sub if sub else ''),
            device=client.device, path=path, http_status=reply.status, sub_status_code=sub)
    return doc or {}


def mask(address):
    """How the device shows a reserved address (§5: masked in a GET)."""
    local, dummy, domain = address.partition('@')
    return '%s****@%s' % (local[:1], domain)


def email_shown(client):
    doc = _json(client, 'GET', EMAIL)
    info = (doc.get('SecurityEmail') or {}).get('SecurityInformation') or []
    return info[0].get('emailAddress') if info and isinstance(info[0], dict) else None


def set_email(client, password, address):
    _json(client, 'PUT', EMAIL, {'SecurityEmail': {
        'SecurityInformation': [{'emailAddress': address}], 'password': password}})


def export_guid(client, caps, password):
    if caps.mode is None:
        raise IsapiError('the device offers a GUID file export but no security mode to send the '
                         'admin password in (§3 of the recovery reference); not exported',
                         device=client.device)
    params, enc = caps.mode.request(client.username, password)
    doc = xmldoc.element('LoginPassword', {'password': enc(password)}, version=None)
    reply = client.request('POST', GUID, params=params, data=xmldoc.serialize(doc),
                           headers={'Content-Type': 'application/xml; charset="UTF-8"'},
                           idempotent=False, max_bytes=GUID_MAX_BYTES,
                           # the password goes encrypted, but the answer is the GUID file in clear
                           secret='the GUID file in its answer')
    if reply.status != 200 or reply.looks_like_xml():
        detail = ''
        if reply.looks_like_xml():
            root = reply.xml()
            detail = ' (%s; lockStatus %s, retryTimes %s, resLockTime %s s)' % (
                xmldoc.text(root, 'subStatusCode', '?'), xmldoc.text(root, 'lockStatus', '?'),
                xmldoc.text(root, 'retryTimes', '?'), xmldoc.text(root, 'resLockTime', '?'))
        raise IsapiStatusError('the GUID file export was refused: HTTP %d%s' % (reply.status, detail),
                               device=client.device, path=GUID, http_status=reply.status)
    return reply.body.decode('ascii', 'replace').strip()


def _check_email(params):
    address = params.get('recovery_email')
    if address is not None and ('@' not in address or len(address) > 32):
        raise IsapiInputError('recovery_email %r is not an e-mail address of at most 32 characters '
                              '(the device limit)' % address)


def _check_input(params, caps):
    answers = params.get('security_answers')
    if answers is not None:
        if len(answers) != ANSWERS or len(set(answers)) != ANSWERS or not all(answers):
            raise IsapiInputError('security_answers needs %d different, non-empty answers' % ANSWERS)
        if any(len(a) > caps.answer_max for a in answers):
            raise IsapiInputError('security_answers: each answer is at most %d characters on this '
                                  'device (SecurityAnswerLenLimit)' % caps.answer_max)


def run_recovery(task):
    """Per method: supported, ready, changed; the GUID file (if exported) under ``guid_file``
    for the action plugin to store and remove."""
    params, client = task.params, task.client
    password = params['password']
    _check_email(params)  # before anything is sent
    caps = discover(client)
    _check_input(params, caps)
    supported = caps.supported()
    methods = dict((name, {'supported': supported[name], 'ready': False, 'changed': False})
                   for name in METHODS)
    result = {'changed': False, 'recovery': methods}

    q = methods['security_questions']
    if caps.questions:
        marked = questions_marked(client)
        answers = params.get('security_answers')
        # 'if_unmarked': the store says the device has these answers; write only when the device
        # shows questions missing (a reset to default cleared them).
        if answers is not None and (params.get('answers_mode') == 'always' or marked < ANSWERS):
            q['changed'] = True
            if not task.check_mode:
                set_questions(client, caps, password, answers)
                marked = questions_marked(client)
        q['ready'] = True if q['changed'] and task.check_mode else marked >= ANSWERS
        q['configured_on_device'] = marked

    e = methods['recovery_email']
    if caps.email:
        shown = email_shown(client)
        address = params.get('recovery_email')
        if address is not None and shown != mask(address):
            e['changed'] = True
            if not task.check_mode:
                set_email(client, password, address)
                shown = email_shown(client)
        e['ready'] = shown is not None
        e['address_shown'] = shown

    g = methods['guid_file']
    if caps.guid and params.get('export_guid'):
        g['changed'] = True
        if not task.check_mode:
            result['guid_file'] = export_guid(client, caps, password)
        g['ready'] = True

    extern = extern_capabilities(client)
    result['reset_capabilities'] = extern
    if extern is not None:
        for name in METHODS:
            methods[name]['reset_supported'] = extern[name]
            if extern[name] is False:
                # set up, but the firmware's reset side does not take it (§1)
                methods[name]['ready'] = False
    result['changed'] = any(m['changed'] for m in methods.values())
    result['msg'] = 'recovery methods ready: %s; not offered by the firmware: %s' % (
        ', '.join(n for n in METHODS if methods[n]['ready']) or 'none',
        ', '.join(n for n in METHODS if not methods[n]['supported']) or 'none')
    return result
