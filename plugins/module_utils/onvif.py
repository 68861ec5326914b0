# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One ONVIF login: a WS-Security authenticated GetDeviceInformation (docs/developer/isapi-reference.md, §11.14).

ONVIF accounts are a list of their own on the device (§11.6) and ISAPI cannot tell whether one of
their passwords is right, so the only proof is an ONVIF request signed with it. This sends exactly
one, through the project's one HTTP client (same scheme, port and TLS verification as ISAPI),
never repeated: a refused password costs the device one failed login and nothing follows it.

Before it, one unauthenticated GetSystemDateAndTime reads the device clock, because the device
refuses a UsernameToken whose Created is far from its own time (a refusal that says nothing
about the password).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import datetime
import hashlib
import os

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import client_from_params
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiError, IsapiLockedError, IsapiProtocolError,
)

PATH = '/onvif/device_service'
# How an ONVIF account is keyed in the credential store: a name ISAPI accounts cannot have (a
# colon cannot be part of an HTTP Basic user-id, RFC 7617 §2), so it never shares an entry with
# the ISAPI account of the same name.
STORE_PREFIX = 'onvif:'
SOAP_ENV = 'http://www.w3.org/2003/05/soap-envelope'
WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd'
WSU = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd'
DIGEST_TYPE = ('http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0'
               '#PasswordDigest')
BASE64_TYPE = ('http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0'
               '#Base64Binary')
DEVICE_WSDL = 'http://www.onvif.org/ver10/device/wsdl'
CONTENT_TYPE = 'application/soap+xml; charset=utf-8; action="%s/%s"'


def store_key(name):
    return STORE_PREFIX + name


def account_name(key):
    """The ONVIF user name of a store key, or None for an ISAPI account."""
    return key[len(STORE_PREFIX):] if key.startswith(STORE_PREFIX) else None


def onvif_off(name, device=None):
    return IsapiError(
        'ONVIF is off on the device (Integrate/ONVIF/enable is false), so the ONVIF account %r '
        'cannot be proved with an ONVIF login: switch ONVIF on (camfleet.hikvision.services with '
        'onvif: true, or baseline_onvif) or leave the account out of onvif_accounts; nothing was '
        'changed' % name, device=device)


def _escape(text):
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def password_digest(nonce, created, password):
    """Base64(SHA-1(nonce bytes + Created + password)), the UsernameToken Profile's digest."""
    raw = hashlib.sha1(nonce + created.encode('utf-8') + password.encode('utf-8')).digest()
    return base64.b64encode(raw).decode('ascii')


def username_token(username, password, created, nonce=None):
    """The wsse:Security header: user name, digest, a fresh random nonce and Created."""
    nonce = nonce or os.urandom(16)
    return ('<s:Header><wsse:Security xmlns:wsse="%s" xmlns:wsu="%s" s:mustUnderstand="true">'
            '<wsse:UsernameToken><wsse:Username>%s</wsse:Username>'
            '<wsse:Password Type="%s">%s</wsse:Password>'
            '<wsse:Nonce EncodingType="%s">%s</wsse:Nonce><wsu:Created>%s</wsu:Created>'
            '</wsse:UsernameToken></wsse:Security></s:Header>' % (
                WSSE, WSU, _escape(username), DIGEST_TYPE, password_digest(nonce, created, password),
                BASE64_TYPE, base64.b64encode(nonce).decode('ascii'), created))


def envelope(operation, header=''):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope xmlns:s="%s">%s<s:Body>'
            '<%s xmlns="%s"/></s:Body></s:Envelope>' % (
                SOAP_ENV, header, operation, DEVICE_WSDL)).encode('utf-8')


def _post(client, operation, header=''):
    # secret=False: the body holds a digest, never the password itself (like HTTP Digest, which
    # the client also sends over a plain HTTP connection when the task asks for one).
    return client.request('POST', PATH, data=envelope(operation, header), auth=False,
                          idempotent=False, secret=False,
                          headers={'Content-Type': CONTENT_TYPE % (DEVICE_WSDL, operation)})


def _soap_body(reply):
    if not reply.looks_like_xml():
        return None
    try:
        root = reply.xml()
    except xmldoc.XmlError:
        return None
    return xmldoc.find(root, 'Body') if xmldoc.local_name(root) == 'Envelope' else None


def _fault(body):
    """(subcode, reason) of a SOAP 1.2 fault body, or None."""
    fault = xmldoc.find(body, 'Fault') if body is not None else None
    if fault is None:
        return None
    subcode = xmldoc.text(fault, 'Code/Subcode/Value') or xmldoc.text(fault, 'Code/Value') or ''
    return subcode, xmldoc.text(fault, 'Reason/Text') or ''


def _device_utc(client, name):
    """The device's UTC clock minus ours (a timedelta); zero when the device does not say."""
    reply = _post(client, 'GetSystemDateAndTime')
    if reply.status == 404:
        raise onvif_off(name, device=client.device)
    body = _soap_body(reply)
    utc = xmldoc.find(body, 'GetSystemDateAndTimeResponse/SystemDateAndTime/UTCDateTime') \
        if body is not None else None
    try:
        when = datetime.datetime(*[int(xmldoc.text(utc, p)) for p in (
            'Date/Year', 'Date/Month', 'Date/Day', 'Time/Hour', 'Time/Minute', 'Time/Second')],
            tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return datetime.timedelta(0)
    return when - datetime.datetime.now(datetime.timezone.utc)


def onvif_login(params, username, password, name=None):
    """One ONVIF login as username/password: True (accepted), False (refused: ter:NotAuthorized).
    Raises IsapiLockedError for a locked client and IsapiError when the device gave no verdict
    on the password (ONVIF off, unreachable, a stale or replayed token, another fault)."""
    client = client_from_params(dict(params, username=username, password=None), name=name,
                                retries=0)
    try:
        offset = _device_utc(client, username)
        created = (datetime.datetime.now(datetime.timezone.utc) + offset).strftime('%Y-%m-%dT%H:%M:%SZ')
        reply = _post(client, 'GetDeviceInformation', username_token(username, password, created))
        body = _soap_body(reply)
        if reply.status == 200 and xmldoc.find(body, 'GetDeviceInformationResponse') is not None:
            return True
        fault = _fault(body)
        if fault is not None and fault[0].endswith('NotAuthorized'):
            if 'lock' in fault[1].lower():
                raise IsapiLockedError(
                    'the device has locked this client after failed logins (ONVIF answered %r); '
                    'wait and fix the credentials before retrying (no further login was '
                    'attempted)' % fault[1], device=client.device, path=PATH)
            return False
        if fault is not None:
            raise IsapiError(
                'the device refused the ONVIF login of %r with the fault %s (%s): no verdict on '
                'the password, which was not tried again (a stale Created means the device clock '
                'is far off; set its time)' % (username, fault[0], fault[1]),
                device=client.device, path=PATH)
        if reply.status == 404:
            raise onvif_off(username, device=client.device)
        raise IsapiProtocolError(
            'answered the ONVIF GetDeviceInformation of %r with HTTP %d and no SOAP answer (a '
            'device that wants HTTP Digest instead of WS-Security for ONVIF answers 401, which '
            'this collection does not use)' % (username, reply.status),
            device=client.device, path=PATH, http_status=reply.status)
    finally:
        client.close()
