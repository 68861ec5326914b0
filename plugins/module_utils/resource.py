# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The escape hatches: isapi_resource (any ISAPI document, through the one engine) and
isapi_request (one raw request)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import re

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2
    from urllib import quote

from ansible_collections.camfleet.hikvision.plugins.module_utils import engine, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.client import response_status
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec

ALLOWED_PREFIXES = ('/ISAPI/', '/SDK/')
XML_CONTENT_TYPE = 'application/xml; charset="UTF-8"'


_UNRESERVED = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~')
_PERCENT = re.compile(r'%([0-9A-Fa-f]{2})')


def normalise_path(path):
    """The path exactly as it will be sent (RFC 3986 §6.2.2): percent-encoded unreserved
    characters decoded, other escapes upper-cased, dot segments removed. An encoded slash,
    backslash or NUL is refused: servers disagree on what it means. Raises IsapiInputError."""
    if not path or not path.startswith('/'):
        raise IsapiInputError('path must start with /, got %r' % path)
    if '?' in path or '#' in path:
        raise IsapiInputError('path must not carry a query (%r); put it in query instead' % path)
    if '\\' in path or '%' in _PERCENT.sub('', path):
        raise IsapiInputError('path %r has a backslash or a stray %%; give a plain URL path such as '
                              '/ISAPI/System/time' % path)

    def unescape(match):
        char = chr(int(match.group(1), 16))
        if char in _UNRESERVED:
            return char
        if char in '/\\\x00':
            raise IsapiInputError('path %r hides %r in percent-encoding; write the path plainly'
                                  % (path, char))
        return '%' + match.group(1).upper()

    decoded = _PERCENT.sub(unescape, path)
    out = []
    for segment in decoded.split('/')[1:]:
        if segment == '..':
            if out:
                out.pop()
        elif segment != '.':
            out.append(segment)
    # A trailing dot segment leaves a directory path, as RFC 3986 §5.2.4 does.
    trailing = decoded.rsplit('/', 1)[-1] in ('.', '..') and out and out[-1] != ''
    # Characters a URL cannot carry raw (space, non-ASCII) are escaped here, not by the HTTP
    # library, so the path shown is byte for byte the one sent.
    return quote('/' + '/'.join(out) + ('/' if trailing else ''), safe="/%!$&'()*+,;=:@-._~")


def check_path(path, allow_any_path):
    """The normalised path (the one sent), refused when outside /ISAPI/ and /SDK/ unless asked."""
    sent = normalise_path(path)
    if not allow_any_path and not sent.startswith(ALLOWED_PREFIXES):
        shown = sent if sent == path else '%s (sent as %s)' % (path, sent)
        raise IsapiInputError('path %s is outside /ISAPI/ and /SDK/; set allow_any_path: true if '
                              'you really mean it' % shown)
    return sent


def _query(params):
    query = params.get('query') or {}
    return dict((k, xmldoc.xml_value(v)) for k, v in query.items()) or None


def missing_elements(root, flat):
    return [path for path in flat if flat[path] is not None and xmldoc.find(root, path) is None]


def run_resource(task):
    params = task.params
    path = check_path(params['path'], params['allow_any_path'])
    values = params['values']
    if not values:
        raise IsapiInputError('values is empty: name at least one element to manage')
    flat = engine.flatten(values)
    create = params['create_missing']
    client = task.client
    query = _query(params)
    root = client.get(path, params=query)
    missing = missing_elements(root, flat)
    if missing and not create:
        raise IsapiInputError(
            'values: %s has no %s; check the element names against a GET of %s (names are '
            'case-sensitive), or set create_missing: true to add them' % (
                path, ', '.join(missing), path), device=client.device)
    positional = [m for m in missing if '[' in m]
    if positional:
        raise IsapiInputError('values: cannot create repeated elements by position (%s); add them '
                              'with isapi_request' % ', '.join(positional), device=client.device)
    fields = engine.path_fields(flat, create=create)
    result = engine.converge(task, path, fields, flat, params=query, root=root)
    result['path'] = path
    return result


def request_body(params):
    """(bytes or None, content type) of the task's body; malformed XML is refused here."""
    body = params.get('body')
    if body is None:
        return None, None
    content_type = params.get('content_type') or XML_CONTENT_TYPE
    if isinstance(body, dict):
        if not params.get('root'):
            raise IsapiInputError('root is required when body is a dict (the name of the '
                                  'document element, e.g. Time)')
        return xmldoc.serialize(xmldoc.element(params['root'], body,
                                               ns=params.get('namespace'))), content_type
    if not isinstance(body, str):
        raise IsapiInputError('body must be XML text or a dict, got %s' % type(body).__name__)
    data = body.encode('utf-8')
    if 'xml' in content_type:
        try:
            xmldoc.parse(data)
        except xmldoc.XmlError as exc:
            raise IsapiInputError('body is not well-formed XML (%s)' % exc)
    return data, content_type


def run_request(task):
    params = task.params
    method = params['method']
    path = check_path(params['path'], params['allow_any_path'])
    data, content_type = request_body(params)
    writes = method != 'GET'
    result = {'changed': writes, 'method': method, 'path': path}
    if writes and task.check_mode:
        result['msg'] = 'check mode: %s %s not sent' % (method, path)
        return result
    client = task.client
    headers = {'Content-Type': content_type} if data is not None else None
    reply = client.request(method, path, params=_query(params), data=data, headers=headers,
                           idempotent=method in ('GET', 'PUT'))
    root = client.interpret(reply, method, path)
    result['status'] = reply.status
    result['response_status'] = response_status(root)
    result['reboot_required'] = bool(result['response_status']) and \
        result['response_status']['status_code'] == 7
    if root is not None:
        result['root'] = root.tag
        result['data'] = xmldoc.to_data(root)
    else:
        result['data'] = None
        result['content_type'] = reply.headers.get('Content-Type')
        result['size'] = len(reply.body)
    return result


# The module's argument spec and run function (the module file and camfleet.hikvision.harden
# both use it).
SPEC = ModuleSpec(dict(
    path=dict(type='str', required=True),
    values=dict(type='dict', required=True),
    query=dict(type='dict'),
    create_missing=dict(type='bool', default=False),
    method=dict(type='str', default='put', choices=['put']),
    allow_any_path=dict(type='bool', default=False),
), run_resource)
