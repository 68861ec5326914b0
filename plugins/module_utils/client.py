# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one ISAPI client every module and plugin uses.

It owns transport (one requests session per task, connection reuse, TLS verification, proxies
from the environment), authentication (HTTP Digest done here, not by a library, so that no 401
is ever retried behind our back), XML, error mapping and bounded retries.

Lockout safety, the rule everything here serves: a Hikvision device locks the client's IP after a
few failed logins (docs/developer/isapi-reference.md, §2.5). So each credential gets exactly one attempt. The only repeats
of an authenticated request are (a) a digest answer to a challenge the device marked
``stale=TRUE`` and (b) a fresh nonce for a credential this client has already seen accepted;
neither can count as a wrong password. Once a credential is rejected, the client refuses to send
it again for the rest of the task.

Writes are retried only when a repeat cannot do harm: an idempotent PUT, or any write the device
never received (connection refused, connect timeout) or refused unprocessed (503/deviceBusy).
A non-idempotent write whose answer is lost raises IsapiAnswerLostError for the caller to read
back. A write that changes the credential in use (``changes_credential``) is never resent with a
credential that may no longer be valid: after it the session stops counting its credential as
proven (so a refusal is not renegotiated into a second failed login), and when its answer is
lost the client finds out which password the device now has with one login (see
``_settle_credential``).
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import os
import re
import time

try:
    import requests
    from requests.adapters import HTTPAdapter
    HAS_REQUESTS = True
    REQUESTS_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the runner
    HAS_REQUESTS = False
    REQUESTS_ERROR = exc

from ansible_collections.camfleet.hikvision.plugins.module_utils import certerrors, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiAnswerLostError, IsapiAuthError, IsapiConnectionError, IsapiInputError, IsapiLockedError,
    IsapiNotActivatedError, IsapiProtocolError, IsapiStatusError, IsapiTLSError,
)

DEFAULT_TIMEOUT = 30
DEFAULT_CONNECT_TIMEOUT = 10
# ISAPI documents are small; anything much larger is not an ISAPI answer (or is hostile).
MAX_XML_BYTES = 4 * 1024 * 1024
RETRY_DELAYS = (0.5, 1.0, 2.0)
SAFE_METHODS = ('GET', 'HEAD')

_CHALLENGE_RE = re.compile(r'(\w+)=(?:"([^"]*)"|([^\s,]+))')
_DIGEST_HASHES = {'MD5': hashlib.md5, 'SHA-256': hashlib.sha256}
# What makes a request carry a secret in clear: a non-empty password (or Hik-Connect verification
# code) element in its XML body, or a password or export key in its URL query
# (docs/developer/isapi-reference.md, §6.2, §10 and §11.5).
_SECRET_ELEMENT = re.compile(
    br'<(?:[\w.-]+:)?(password|loginPassword|verificationCode)\b[^>]*(?<!/)>\s*[^<\s]',
    re.IGNORECASE)
_SECRET_QUERY = ('loginpassword', 'password', 'secretkey')


def secret_in(data, params):
    """What secret a request carries in clear (for the message), or None."""
    for key in (params or {}):
        if str(key).lower() in _SECRET_QUERY:
            return 'the %s in its URL query' % key
    if isinstance(data, (bytes, bytearray)):
        match = _SECRET_ELEMENT.search(data)
        if match:
            return 'a <%s> in its body' % match.group(1).decode('ascii')
    return None


class Reply(object):
    """A device answer: HTTP status, headers, body, and the parsed XML on demand."""

    def __init__(self, response, body):
        self.status = response.status_code
        self.headers = response.headers
        self.body = body
        self._xml = None

    def xml(self):
        if self._xml is None:
            self._xml = xmldoc.parse(self.body)
        return self._xml

    def looks_like_xml(self):
        return self.body.lstrip()[:1] == b'<' and b'<html' not in self.body[:200].lower()


class WriteResult(object):
    """Outcome of a successful write: statusCode 1 (or 0), or 7 which means reboot to apply.

    ``answer_lost`` is set when the answer never came but the write was established to have
    taken (a credential change proven by logging in with the new password)."""

    def __init__(self, reboot_required=False, new_id=None, status=None, answer_lost=None):
        self.reboot_required = reboot_required
        self.new_id = new_id
        self.status = status or {}
        self.answer_lost = answer_lost


def parse_challenges(values):
    """WWW-Authenticate header values -> [(scheme, {param: value})]; several per header allowed."""
    challenges = []
    for value in values:
        # A header may hold several challenges ("Digest ..., Basic realm=...").
        for part in re.split(r',\s*(?=(?:Digest|Basic)\s)', value.strip(), flags=re.IGNORECASE):
            if not part.strip():
                continue
            scheme, dummy, rest = part.strip().partition(' ')
            params = dict((m.group(1).lower(), m.group(2) if m.group(2) is not None else m.group(3))
                          for m in _CHALLENGE_RE.finditer(rest))
            challenges.append((scheme.lower(), params))
    return challenges


def digest_authorization(params, username, password, method, uri, nc, cnonce):
    """The Authorization header value answering one Digest challenge (RFC 7616, qop=auth)."""
    algorithm = (params.get('algorithm') or 'MD5').upper()
    sess = algorithm.endswith('-SESS')
    hash_fn = _DIGEST_HASHES.get(algorithm[:-5] if sess else algorithm)
    if hash_fn is None:
        raise ValueError('unsupported digest algorithm %s' % algorithm)

    def h(text):
        return hash_fn(text.encode('utf-8')).hexdigest()

    realm, nonce = params.get('realm', ''), params.get('nonce', '')
    ha1 = h('%s:%s:%s' % (username, realm, password))
    if sess:
        ha1 = h('%s:%s:%s' % (ha1, nonce, cnonce))
    ha2 = h('%s:%s' % (method, uri))
    qops = [q.strip() for q in (params.get('qop') or '').split(',') if q.strip()]
    nc_text = '%08x' % nc
    if 'auth' in qops:
        response = h('%s:%s:%s:%s:auth:%s' % (ha1, nonce, nc_text, cnonce, ha2))
    else:
        response = h('%s:%s:%s' % (ha1, nonce, ha2))
    fields = [('username', username), ('realm', realm), ('nonce', nonce), ('uri', uri),
              ('algorithm', params.get('algorithm') or 'MD5'), ('response', response)]
    if params.get('opaque') is not None:
        fields.append(('opaque', params['opaque']))
    header = 'Digest ' + ', '.join('%s="%s"' % (k, v) for k, v in fields)
    if 'auth' in qops:
        header += ', qop=auth, nc=%s, cnonce="%s"' % (nc_text, cnonce)
    return header


def response_status(root):
    """The fields of a ResponseStatus element, or None when root is something else."""
    if root is None or root.tag != 'ResponseStatus':
        return None
    code = xmldoc.text(root, 'statusCode')
    return {
        'status_code': int(code) if code and code.lstrip('-').isdigit() else None,
        'sub_status_code': xmldoc.text(root, 'subStatusCode'),
        'status_string': xmldoc.text(root, 'statusString'),
        'error_code': xmldoc.text(root, 'errorCode'),
        'request_url': xmldoc.text(root, 'requestURL'),
        'id': xmldoc.text(root, 'id'),
        'description': xmldoc.text(root, 'description') or xmldoc.text(root, 'errorMsg'),
    }


def lock_info(body):
    """(locked, seconds_left, tries_left) from a 401 body (userCheck or ResponseStatus forms)."""
    try:
        root = xmldoc.parse(body)
    except xmldoc.XmlError:
        return False, None, None
    status = (xmldoc.text(root, 'lockStatus') or '').lower()
    seconds = xmldoc.text(root, 'unlockTime') or xmldoc.text(root, 'resLockTime')
    tries = xmldoc.text(root, 'retryLoginTime') or xmldoc.text(root, 'retryTimes')
    return status in ('lock', 'locked'), _to_int(seconds), _to_int(tries)


def _to_int(value):
    return int(value) if value is not None and value.isdigit() else None


class IsapiClient(object):
    """One device, one credential, one HTTP session.

    Create one per task; call ``close()`` (or use it as a context manager) when done.
    """

    def __init__(self, host, username='admin', password=None, port=None, scheme='https',
                 validate_certs=True, ca_path=None, timeout=DEFAULT_TIMEOUT,
                 connect_timeout=DEFAULT_CONNECT_TIMEOUT, allow_insecure_basic_auth=False,
                 retries=len(RETRY_DELAYS), name=None, sleep=time.sleep,
                 allow_insecure_secrets=False):
        if not HAS_REQUESTS:
            raise IsapiProtocolError('the Python library "requests" is required on the host that '
                                     'runs this task: %s' % REQUESTS_ERROR)
        self.host = host
        self.scheme = scheme
        self.port = int(port) if port else (443 if scheme == 'https' else 80)
        self.username = username
        self._password = password
        self.timeout = timeout
        self.connect_timeout = min(connect_timeout, timeout)
        self.allow_insecure_basic_auth = allow_insecure_basic_auth
        self.allow_insecure_secrets = allow_insecure_secrets
        self.warnings = []          # for the task's result (the runner collects them)
        self.retries = retries
        self._sleep = sleep
        host_part = '[%s]' % host if ':' in host and not host.startswith('[') else host
        self.base_url = '%s://%s:%d' % (scheme, host_part, self.port)
        self.device = name or self.base_url
        if name and name != host:
            self.device = '%s (%s)' % (name, self.base_url)

        self.session = requests.Session()
        # trust_env keeps proxy variables working; the no-op auth on every request (below) keeps
        # requests from sending ~/.netrc credentials, which would count as failed logins.
        self.session.trust_env = True
        adapter = HTTPAdapter(max_retries=0, pool_connections=1, pool_maxsize=2)
        self.session.mount('http://', adapter)
        self.session.mount('https://', adapter)
        if not validate_certs:
            self.session.verify = False
        elif ca_path:
            self.session.verify = os.path.expanduser(ca_path)
        else:
            # Requests only reads its CA-bundle variables in Session.request(); this client sends
            # prepared requests itself, so it honours them here, as users of requests expect.
            self.session.verify = os.environ.get('REQUESTS_CA_BUNDLE') or \
                os.environ.get('CURL_CA_BUNDLE') or True

        # The proxy for base_url, resolved from the environment at the first request: requests
        # would otherwise scan the whole environment three times per request (a tenth of this
        # client's CPU per request, measured); only the host decides it, and it is fixed here.
        self._proxies = None
        self._challenge = None      # (scheme, params) chosen from the device's 401
        self._nc = 0
        self._proven = False        # this credential has been accepted at least once
        self._rejected = None       # the error that rejected this credential, never re-sent
        self.requests_sent = 0

    # -- life cycle ---------------------------------------------------------------------
    def close(self):
        self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def use_password(self, password):
        """Switch this session to another password (after changing the one in use)."""
        self._password = password
        self._proven = False
        self._rejected = None

    @property
    def password(self):
        """The password this session now logs in with (the module sends it as loginPassword)."""
        return self._password

    @property
    def authenticated(self):
        return self._proven

    # -- high level -------------------------------------------------------------------
    def get(self, path, params=None, auth=True, timeout=None, retry=True):
        """GET an XML document; returns its root element. retry=False reports the first
        connection failure at once (for probes whose point is to see the device go away)."""
        reply = self.request('GET', path, params=params, auth=auth, timeout=timeout,
                             idempotent=retry)
        return self._xml_of(reply, 'GET', path)

    def get_raw(self, path, params=None, timeout=None, max_bytes=None, secret=None):
        """GET a binary body (configuration export, recordings)."""
        reply = self.request('GET', path, params=params, timeout=timeout, max_bytes=max_bytes,
                             secret=secret)
        return reply.body

    def put(self, path, document=None, params=None, auth=True, idempotent=True, timeout=None,
            content_type='application/xml; charset="UTF-8"', secret=None,
            changes_credential=False, new_password=None):
        """PUT a document (an Element or bytes). Returns a WriteResult.

        ``idempotent`` says whether sending the same PUT twice is harmless; only then may a lost
        connection be retried. Reboot, reset and activation pass False.

        ``changes_credential`` says the write may change the password of the account this
        session logs in with (its own password change, a configuration import);
        ``new_password`` is the password it then has, when known. Such a write is never retried
        once it may have reached the device; after it the session uses ``new_password``.
        """
        if not changes_credential:
            return self._write('PUT', path, document, params, auth, idempotent, timeout,
                               content_type, secret)
        try:
            result = self._write('PUT', path, document, params, auth, False, timeout,
                                 content_type, secret)
        except IsapiAnswerLostError as exc:
            return self._settle_credential(exc, new_password, path)
        self._credential_changed(new_password)
        return result

    def post(self, path, document=None, params=None, auth=True, timeout=None,
             content_type='application/xml; charset="UTF-8"', secret=None):
        return self._write('POST', path, document, params, auth, False, timeout, content_type,
                           secret)

    def post_xml(self, path, document=None, params=None, auth=True, timeout=None,
                 idempotent=False):
        """POST that answers a document rather than a ResponseStatus (search, challenge)."""
        body = xmldoc.serialize(document) if document is not None and not isinstance(
            document, bytes) else document
        reply = self.request('POST', path, data=body, params=params, auth=auth, timeout=timeout,
                             headers={'Content-Type': 'application/xml; charset="UTF-8"'},
                             idempotent=idempotent)
        return self._xml_of(reply, 'POST', path)

    def delete(self, path, params=None, timeout=None):
        # Not repeated blindly: a second DELETE of what the first removed answers an error
        # (userInexistence), so a lost answer is raised for the caller to read back.
        return self._write('DELETE', path, None, params, True, False, timeout, None)

    # -- writes that change the credential in use -----------------------------------------
    def _credential_changed(self, new_password):
        if new_password is not None:
            self.use_password(new_password)
        else:
            # The import may have replaced the password: one refusal from now on is final.
            self._proven = False

    def _settle_credential(self, lost, new_password, path):
        """The answer to a credential-changing write was lost. Find out which password the
        device has with one login, never resending the write, and continue with it.

        The new password is tried first: a write that reached the device has almost always
        taken, so this usually costs no failed login; if it is refused, the write did not
        take and the old password (proven before the write) is still the device's. Either
        way at most one failed login."""
        old_password = self._password
        if new_password is None:
            self._proven = False
            raise IsapiAnswerLostError(
                '%s; it may have changed the password this task logs in with, to one this task '
                'does not know' % lost.args[0], device=self.device, path=path, applied=None)
        # A device that answered too late may still be applying the write: give it that time.
        self._sleep(lost.settle_seconds or 1)
        self.use_password(new_password)
        try:
            self.get('/ISAPI/Security/userCheck')
        except IsapiLockedError:
            raise
        except IsapiAuthError:
            self.use_password(old_password)
            raise IsapiAnswerLostError(
                '%s. Logging in once with the new password was refused, so the change did not '
                'take and the device still has the old password; nothing was resent. Run the '
                'task again to make the change' % lost.args[0], device=self.device, path=path,
                applied=False)
        except IsapiConnectionError as exc:
            raise IsapiAnswerLostError(
                '%s, and the device has not answered since (%s). It now has either the old or '
                'the new password; running the same task again finds out which with one '
                'login' % (lost.args[0], exc.args[0]), device=self.device, path=path,
                applied=None)
        return WriteResult(answer_lost=lost.args[0])

    def download(self, path, sink, document=None, method='GET', headers=None, params=None,
                 timeout=None, max_bytes=None, secret=None):
        """Stream a file answer (recordings, exports) into ``sink`` (a writable file object) in
        chunks instead of memory. Only a 200/206 body goes to the sink; any other answer is read
        (size-capped) and mapped to a typed error. Returns the Reply (``.body`` is empty for
        what went to the sink). Never retried: a repeat would append to a partly written sink;
        resuming is the caller's business (HTTP Range)."""
        if document is not None and not isinstance(document, (bytes, bytearray)):
            document = xmldoc.serialize(document)
        send_headers = dict(headers or {})
        if document is not None:
            send_headers.setdefault('Content-Type', 'application/xml; charset="UTF-8"')
        reply = self.request(method, path, data=document, params=params, headers=send_headers,
                             timeout=timeout, idempotent=False, max_bytes=max_bytes, sink=sink,
                             secret=secret)
        if reply.status not in (200, 206):
            if reply.looks_like_xml():
                self._xml_of(reply, method, path)
            raise IsapiProtocolError('answered %s %s with HTTP %d' % (method, path, reply.status),
                                     device=self.device, path=path, http_status=reply.status)
        return reply

    def interpret(self, reply, method, path):
        """The XML root of a Reply from request(), with error answers mapped to typed errors
        exactly as get()/put() map them; None for an empty or non-XML success (raw requests)."""
        if reply.body.strip() and reply.looks_like_xml():
            return self._xml_of(reply, method, path)
        if reply.status >= 400:
            raise IsapiProtocolError('answered %s %s with HTTP %d' % (method, path, reply.status),
                                     device=self.device, path=path, http_status=reply.status)
        return None

    # -- mapping of answers -------------------------------------------------------------
    def _xml_of(self, reply, method, path):
        if not reply.looks_like_xml():
            raise IsapiProtocolError(
                'answered %s %s with %s instead of XML (HTTP %d): is this a Hikvision ISAPI '
                'device, and are the port and scheme right?' % (
                    method, path, reply.headers.get('Content-Type', 'no content type'),
                    reply.status), device=self.device, path=path, http_status=reply.status)
        try:
            root = reply.xml()
        except xmldoc.XmlError as exc:
            raise IsapiProtocolError('answered %s %s with malformed XML (%s)' % (method, path, exc),
                                     device=self.device, path=path)
        status = response_status(root)
        if status is not None and (reply.status >= 400 or status['status_code'] not in (0, 1, 7)):
            self._raise_status(status, method, path, reply.status)
        if reply.status >= 400:
            raise IsapiProtocolError('answered %s %s with HTTP %d' % (method, path, reply.status),
                                     device=self.device, path=path, http_status=reply.status)
        return root

    def _write(self, method, path, document, params, auth, idempotent, timeout, content_type,
               secret=None):
        if document is not None and not isinstance(document, (bytes, bytearray)) and not hasattr(
                document, 'read'):
            document = xmldoc.serialize(document)
        headers = {'Content-Type': content_type} if content_type and document is not None else {}
        reply = self.request(method, path, data=document, params=params, auth=auth,
                             timeout=timeout, headers=headers, idempotent=idempotent,
                             secret=secret)
        if not reply.body.strip():
            if reply.status >= 400:
                raise IsapiProtocolError('answered %s %s with HTTP %d and no body' % (
                    method, path, reply.status), device=self.device, path=path,
                    http_status=reply.status)
            return WriteResult()
        root = self._xml_of(reply, method, path)
        status = response_status(root) or {}
        return WriteResult(reboot_required=status.get('status_code') == 7,
                           new_id=status.get('id'), status=status)

    def _raise_status(self, status, method, path, http_status):
        sub = status.get('sub_status_code') or ''
        text = '%s %s failed: statusCode %s (%s), subStatusCode %s' % (
            method, path, status.get('status_code'), status.get('status_string') or '?', sub or '?')
        if status.get('description'):
            text += ': %s' % status['description']
        cls = IsapiStatusError
        if sub == 'notActivated':
            cls = IsapiNotActivatedError
            text = ('is not activated (factory-fresh): it answers nothing but activation. Run '
                    'camfleet.hikvision.activate first (%s %s)' % (method, path))
        elif sub in ('lowPrivilege',):
            text += ' - the user %r lacks the permission for this' % self.username
        raise cls(text, device=self.device, status_code=status.get('status_code'),
                  sub_status_code=sub or None, status_string=status.get('status_string'),
                  path=path, http_status=http_status, error_code=status.get('error_code'))

    # -- transport and authentication ---------------------------------------------------
    def request(self, method, path, params=None, data=None, headers=None, auth=True,
                timeout=None, idempotent=None, max_bytes=None, sink=None, secret=None):
        """Send one logical request; returns a Reply. Handles auth, retries and error mapping
        of transport failures; leaves ResponseStatus interpretation to the callers above.
        With ``sink`` a 200/206 body is written there in chunks (see download()).

        ``secret`` names the secret a request (or its answer) carries in clear where the client
        cannot see it (a configuration export or import); None lets the client look for one in
        the body and query (secret_in); False says a password element holds no clear secret
        (activation's encrypted one). A request with a secret goes over plain HTTP only with
        allow_insecure_secrets, and then with a warning."""
        if secret is None:
            secret = secret_in(data, params)
        if secret:
            self._guard_secret(method, path, secret)
        if idempotent is None:
            idempotent = method in SAFE_METHODS
        if auth and self._rejected is not None:
            raise self._rejected
        attempt = 0
        while True:
            try:
                reply = self._authenticated_send(method, path, params, data, headers, auth,
                                                 timeout, max_bytes, sink)
            except IsapiConnectionError as exc:
                if isinstance(exc, IsapiTLSError):
                    raise
                if not idempotent and method in SAFE_METHODS:
                    # A probe (its point is to see the device go away) or a download (a repeat
                    # would append to its sink) is never repeated.
                    raise
                if not idempotent and exc.sent:
                    # It may have reached the device: repeating it blindly could apply it twice.
                    raise IsapiAnswerLostError(
                        '%s %s reached the device but %s, so whether it took is not known' % (
                            method, path, exc.reason or 'no answer came back'),
                        device=self.device, path=path, settle_seconds=exc.settle_seconds)
                if attempt >= self.retries:
                    raise
                self._sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
                attempt += 1
                if hasattr(data, 'seek'):
                    data.seek(0)
                continue
            if reply.status == 503 or (reply.status >= 400 and self._busy(reply)):
                # A busy answer means the device did not take the request, so even a write that
                # must not run twice (reboot, reset, upload) is safe to send again.
                if attempt < self.retries:
                    self._sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
                    attempt += 1
                    if hasattr(data, 'seek'):
                        data.seek(0)
                    continue
                if reply.status == 503 and not self._busy(reply):
                    raise IsapiStatusError(
                        '%s %s: device busy (HTTP 503) after %d attempts' % (method, path, attempt + 1),
                        device=self.device, status_code=2, sub_status_code='deviceBusy',
                        path=path, http_status=503)
            return reply

    def _guard_secret(self, method, path, secret):
        if self.scheme == 'https':
            return
        if not self.allow_insecure_secrets:
            raise IsapiInputError(
                'refused to send %s %s over plain HTTP: it carries %s, readable by anyone on the '
                'network path. Use scheme: https, or set allow_insecure_secrets: true (or '
                'HIKVISION_ALLOW_INSECURE_SECRETS) if you accept that risk; it was not sent' % (
                    method, path, secret), device=self.device, path=path)
        warning = ('%s: %s %s sent %s in clear text over plain HTTP because allow_insecure_secrets '
                   'is set; use scheme: https' % (self.device, method, path, secret))
        if warning not in self.warnings:
            self.warnings.append(warning)

    @staticmethod
    def _busy(reply):
        if not reply.looks_like_xml():
            return False
        try:
            status = response_status(reply.xml())
        except xmldoc.XmlError:
            return False
        return bool(status) and status['status_code'] == 2 and status['sub_status_code'] in (
            'deviceBusy', 'serviceUnavailable', None)

    def _authenticated_send(self, method, path, params, data, headers, auth, timeout, max_bytes,
                            sink=None):
        if auth and self._challenge is None and data is not None:
            # Learn the challenge with a bodiless request first, so a large upload is sent once.
            self._learn_challenge(timeout)
        sent_credential = auth and self._challenge is not None
        response, body, prepared = self._send(method, path, params, data, headers, auth,
                                              timeout, max_bytes, sink)
        if response.status_code != 401 or not auth:
            reply = Reply(response, body)
            if auth and sent_credential and not self._before_auth(reply):
                self._proven = True
            return reply

        challenges = parse_challenges(self._header_values(response, 'WWW-Authenticate'))
        if not sent_credential:
            # First contact: the device told us how it wants to be asked. One attempt follows,
            # unless the device already says this client is locked: then even a right password
            # would only be refused (and may extend the lock).
            if lock_info(body)[0]:
                self._reject(body, path)
            self._challenge = self._choose(challenges, path)
        else:
            fresh = self._matching(challenges)
            locked = lock_info(body)[0]
            renegotiate = fresh is not None and not locked and (
                (fresh[1].get('stale') or '').lower() == 'true' or (
                    self._proven and fresh[1].get('nonce') != self._challenge[1].get('nonce')))
            if not renegotiate:
                self._reject(body, path)
            self._challenge = fresh
        if hasattr(data, 'seek'):
            data.seek(0)
        response, body, prepared = self._send(method, path, params, data, headers, True,
                                              timeout, max_bytes, sink)
        if response.status_code == 401:
            self._reject(body, path)
        reply = Reply(response, body)
        if not self._before_auth(reply):
            self._proven = True
        return reply

    def _before_auth(self, reply):
        """A busy answer (503, deviceBusy) comes before the device checks the credential, so it
        proves nothing: taken as proof, the 401 a wrong password then gets would look like an
        expired nonce and the password would be sent a second time (a second failed login)."""
        return reply.status == 503 or (reply.status >= 400 and self._busy(reply))

    def _learn_challenge(self, timeout):
        path = '/ISAPI/Security/userCheck'
        response, body, dummy = self._send('GET', path, None, None, None, False, timeout, None)
        if response.status_code == 401:
            if lock_info(body)[0]:
                self._reject(body, path)
            self._challenge = self._choose(
                parse_challenges(self._header_values(response, 'WWW-Authenticate')), path)

    def _choose(self, challenges, path):
        digests = [c for c in challenges if c[0] == 'digest']
        if digests:
            for preferred in ('SHA-256', 'MD5'):
                for challenge in digests:
                    if (challenge[1].get('algorithm') or 'MD5').upper() == preferred:
                        return challenge
            return digests[0]
        if any(c[0] == 'basic' for c in challenges):
            if self.scheme != 'https' and not self.allow_insecure_basic_auth:
                raise IsapiAuthError(
                    'offers only Basic authentication, which would send the password in clear '
                    'text over HTTP. Use scheme: https, or set allow_insecure_basic_auth: true '
                    'if you accept that risk', device=self.device, path=path)
            return ('basic', {})
        raise IsapiProtocolError('answered 401 without a usable WWW-Authenticate challenge',
                                 device=self.device, path=path)

    def _matching(self, challenges):
        if self._challenge is None:
            return None
        for challenge in challenges:
            if challenge[0] == self._challenge[0] and (
                    challenge[1].get('algorithm') or 'MD5').upper() == (
                    self._challenge[1].get('algorithm') or 'MD5').upper():
                return challenge
        return None

    def _reject(self, body, path):
        locked, seconds, tries = lock_info(body)
        if locked:
            error = IsapiLockedError(
                'the device has locked this client for %s s after failed logins; wait that long '
                'and fix the credentials before retrying (no further login was attempted)' % (
                    seconds if seconds is not None else 'some'),
                device=self.device, path=path, unlock_seconds=seconds)
        else:
            detail = ' (%d attempts left before the device locks this client)' % tries \
                if tries is not None else ''
            error = IsapiAuthError(
                'authentication failed for user %r%s; check username/password for this device. '
                'Not retried: the device locks clients after repeated failures' % (
                    self.username, detail), device=self.device, path=path, attempts_left=tries)
        self._rejected = error
        raise error

    def _authorization(self, method, uri):
        scheme, params = self._challenge
        if scheme == 'basic':
            import base64
            token = ('%s:%s' % (self.username, self._password or '')).encode('utf-8')
            return 'Basic ' + base64.b64encode(token).decode('ascii')
        self._nc += 1
        cnonce = hashlib.sha256(os.urandom(16)).hexdigest()[:16]
        return digest_authorization(params, self.username, self._password or '', method, uri,
                                    self._nc, cnonce)

    @staticmethod
    def _header_values(response, name):
        raw = getattr(response, 'raw', None)
        headers = getattr(raw, 'headers', None)
        if headers is not None and hasattr(headers, 'getlist'):
            values = headers.getlist(name)
            if values:
                return values
        value = response.headers.get(name)
        return [value] if value else []

    def _send(self, method, path, params, data, headers, auth, timeout, max_bytes, sink=None):
        request = requests.Request(method, self.base_url + path, params=params, data=data,
                                   headers=headers or {}, auth=_no_auth)
        try:
            prepared = self.session.prepare_request(request)
        except (requests.exceptions.RequestException, ValueError) as exc:
            # check_connection refuses what it can foresee; this catches the rest (an odd host).
            raise IsapiInputError('cannot form a request to %s%s (%s): check host and port' % (
                self.base_url, path, _short(exc)), device=self.device, path=path)
        if auth and self._challenge is not None:
            prepared.headers['Authorization'] = self._authorization(method, prepared.path_url)
        read_timeout = timeout or self.timeout
        self.requests_sent += 1
        try:
            if self._proxies is None:
                self._proxies = requests.utils.resolve_proxies(prepared, self.session.proxies,
                                                               self.session.trust_env)
            response = self.session.send(prepared, stream=True, allow_redirects=False,
                                         timeout=(self.connect_timeout, read_timeout),
                                         proxies=self._proxies)
            to_sink = sink if sink is not None and response.status_code in (200, 206) else None
            limit = max_bytes or MAX_XML_BYTES
            if sink is not None and to_sink is None:
                # A challenge or error answered to a download is a document, not the file.
                limit = min(limit, MAX_XML_BYTES)
            body = self._read_body(response, limit, method, path, to_sink)
        except requests.exceptions.SSLError as exc:
            explained = certerrors.explain(exc, self.host)
            if explained:
                raise IsapiTLSError('TLS to %s failed (certificate verify failed: %s): %s' % (
                    (self.base_url,) + explained), device=self.device, path=path)
            raise IsapiTLSError(
                'TLS to %s failed (%s). If the device uses a certificate from your own CA set '
                'ca_path to that CA; if it is self-signed, install a proper certificate or set '
                'validate_certs: false; if the port speaks plain HTTP, use scheme: http' % (
                    self.base_url, _short(exc)), device=self.device, path=path)
        except requests.exceptions.ConnectTimeout as exc:
            raise _unsent(IsapiConnectionError(
                'no answer from %s within %s s (%s): check host, port and that this controller '
                'can route to the device' % (self.base_url, self.connect_timeout, _short(exc)),
                device=self.device, path=path))
        except requests.exceptions.ReadTimeout as exc:
            error = IsapiConnectionError(
                '%s %s got no answer within %s s: raise timeout for slow operations' % (
                    method, path, read_timeout), device=self.device, path=path)
            error.reason = 'no answer came within %s s' % read_timeout
            error.settle_seconds = min(read_timeout, 30)  # so slow it may still be applying it
            raise error
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            error = IsapiConnectionError(
                'cannot talk to %s (%s): check host, port and scheme, and that the device is up' % (
                    self.base_url, _short(exc)), device=self.device, path=path)
            error.reason = 'the connection was closed without an answer (%s)' % _short(exc)
            raise _unsent(error) if _never_connected(exc) else error
        except (requests.exceptions.RequestException, OSError, ValueError) as exc:
            # Anything else the libraries raise (a CA file that went away, an odd URL) is reported,
            # never a traceback.
            raise IsapiConnectionError('%s %s to %s failed (%s)' % (
                method, path, self.base_url, _short(exc)), device=self.device, path=path)
        return response, body, prepared

    def _read_body(self, response, limit, method, path, sink=None):
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > limit:
                    raise IsapiProtocolError(
                        'answered %s %s with more than %d bytes; refusing to read on (not an ISAPI '
                        'answer, or raise the limit for a file download)' % (method, path, limit),
                        device=self.device, path=path)
                if sink is not None:
                    sink.write(chunk)
                else:
                    chunks.append(chunk)
        finally:
            response.close()
        return b''.join(chunks)


def _no_auth(prepared):
    return prepared


def _never_connected(exc):
    """Whether a requests ConnectionError happened before any byte reached the device
    (refused, unreachable, name not resolved), so a retry cannot repeat a write."""
    reason = getattr(exc.args[0] if exc.args else None, 'reason', None)
    names = [type(reason).__name__] + [k.__name__ for k in type(reason).__mro__]
    return 'NewConnectionError' in names or 'ConnectTimeoutError' in names


def _unsent(error):
    error.sent = False
    error.reason = 'the connection was refused'
    return error


def _short(exc):
    """The innermost, human part of a requests/urllib3 exception chain."""
    text = str(exc)
    match = re.search(r"(\[SSL[^\]]*\][^')\"]*|Connection refused|Name or service not known|"
                      r"timed out|Connection reset by peer|Remote end closed connection[^')\"]*|"
                      r"certificate verify failed[^')\"]*|wrong version number)", text)
    return match.group(1).strip() if match else text[:200]
