# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module shares, each with an environment fallback.

Documented once, in the doc fragment camfleet.hikvision.connection.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import os
import re
import ssl

from ansible.module_utils.common.parameters import env_fallback

from ansible_collections.camfleet.hikvision.plugins.module_utils.client import IsapiClient
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError

ENV_PREFIX = 'HIKVISION_'


def _env(name):
    return (env_fallback, [ENV_PREFIX + name])


CONNECTION_ARGSPEC = dict(
    host=dict(type='str', required=True, fallback=_env('HOST')),
    port=dict(type='int', fallback=_env('PORT')),
    scheme=dict(type='str', default='https', choices=['https', 'http'], fallback=_env('SCHEME')),
    username=dict(type='str', default='admin', fallback=_env('USERNAME')),
    password=dict(type='str', no_log=True, fallback=_env('PASSWORD')),
    validate_certs=dict(type='bool', default=True, fallback=_env('VALIDATE_CERTS')),
    ca_path=dict(type='path', fallback=_env('CA_PATH')),
    timeout=dict(type='int', default=30, fallback=_env('TIMEOUT')),
    allow_insecure_basic_auth=dict(type='bool', default=False,
                                   fallback=_env('ALLOW_INSECURE_BASIC_AUTH')),
    allow_insecure_secrets=dict(type='bool', default=False,
                                fallback=_env('ALLOW_INSECURE_SECRETS')),
)


def client_from_params(params, name=None, **options):
    """An IsapiClient for the task's connection options (checked first, see check_connection);
    ``options`` go to the client as they are (retries=0 for a request never to be repeated)."""
    check_connection(params)
    timeout = params.get('timeout')
    return IsapiClient(
        host=params['host'], port=params.get('port'), scheme=params.get('scheme') or 'https',
        username=params.get('username') or 'admin', password=params.get('password'),
        validate_certs=params.get('validate_certs', True), ca_path=params.get('ca_path'),
        timeout=30 if timeout is None else timeout,
        allow_insecure_basic_auth=params.get('allow_insecure_basic_auth', False),
        allow_insecure_secrets=params.get('allow_insecure_secrets', False), name=name, **options)


_URL_LIKE = re.compile(r'^[A-Za-z][A-Za-z0-9+.-]*://')
_BAD_HOST_CHARS = re.compile(r'[\s/?#@\\]')


def check_connection(params):
    """Refuse connection options that cannot work, before anything is sent, naming the field and
    the fix; so no library exception (InvalidURL, ssl.SSLError, UnicodeEncodeError) reaches the
    user. Raises IsapiInputError."""
    host = params.get('host')
    text = (host or '').strip()
    if not text:
        raise IsapiInputError('host is empty: give the address or DNS name of the device '
                              '(or set HIKVISION_HOST)')
    if _URL_LIKE.match(text):
        raise IsapiInputError('host %r is a URL; give only the address or DNS name (for example '
                              '192.0.2.64) and set scheme and port as their own options' % host)
    if _BAD_HOST_CHARS.search(host):
        raise IsapiInputError('host %r contains a space or one of / ? # @ \\; give only the '
                              'address or DNS name of the device' % host)
    port = params.get('port')
    if port is not None and not 1 <= port <= 65535:
        raise IsapiInputError('port %d is outside 1-65535; give the TCP port of the device\'s web '
                              'service (default 443 for https, 80 for http)' % port)
    timeout = params.get('timeout')
    if timeout is not None and timeout <= 0:
        raise IsapiInputError('timeout %d must be a positive number of seconds (default 30)'
                              % timeout)
    username = params.get('username')
    if username is not None:
        if not username.strip():
            raise IsapiInputError('username is empty: give the account to log in as (default '
                                  'admin)')
        try:
            username.encode('ascii')
        except UnicodeEncodeError:
            # Digest carries the user name in an HTTP header, which is Latin-1 on the wire, while
            # the digest hash is taken over UTF-8: a non-ASCII name can only fail and would count
            # toward the device's lockout. The protocol reference documents no other encoding.
            raise IsapiInputError('username %r has characters outside ASCII, which HTTP Digest '
                                  'login cannot carry reliably (the attempt would fail and count '
                                  'toward the lockout); log in with an ASCII account name'
                                  % username)
    ca_path = params.get('ca_path')
    if ca_path and params.get('validate_certs', True):
        _check_ca_path(ca_path)


# ca_path files found good in this process, by (path, mtime, size): a fleet-mode task checks
# the same CA file for every host, and loading it costs some milliseconds each time.
_CA_PATHS_CHECKED = set()


def _check_ca_path(ca_path):
    path = os.path.expanduser(ca_path)
    if not os.path.exists(path):
        raise IsapiInputError('ca_path %s does not exist: give the PEM file of the CA that signed '
                              'the device certificates' % ca_path)
    stat = os.stat(path)
    key = (path, stat.st_mtime, stat.st_size)
    if key in _CA_PATHS_CHECKED:
        return
    _load_ca_path(ca_path, path)
    _CA_PATHS_CHECKED.add(key)


def _load_ca_path(ca_path, path):
    try:
        if os.path.isdir(path):
            ssl.create_default_context(capath=path)
        else:
            context = ssl.create_default_context(cafile=path)
            if not context.get_ca_certs() and not _has_pem_block(path):
                raise ssl.SSLError('no certificate in it')
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise IsapiInputError('ca_path %s is not a PEM certificate file (%s): give the CA '
                              'certificate in PEM form (-----BEGIN CERTIFICATE-----)' % (
                                  ca_path, getattr(exc, 'reason', None) or exc))


def _has_pem_block(path):
    with open(path, 'rb') as handle:
        return b'-----BEGIN CERTIFICATE-----' in handle.read(1024 * 1024)
