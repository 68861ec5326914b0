# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Secondary reads that may be missing or forbidden on a device.

Firmware answers a resource it lacks or forbids with 403 or 404, or with a ResponseStatus
``notSupport`` / ``invalidOperation`` that some firmware sends with HTTP 400 or 500
(docs/developer/isapi-reference.md, §13.3). A read-only module must still report what it could
read, mark the rest unknown and say so in a warning; it never fails for that.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiNotActivatedError, IsapiProtocolError, IsapiStatusError,
)

UNAVAILABLE_SUBS = ('notSupport', 'invalidOperation', 'lowPrivilege', 'methodNotAllowed',
                    'invalidID')


def is_unavailable(exc):
    """Whether an error means "this device lacks or forbids the resource"."""
    if isinstance(exc, IsapiNotActivatedError) or not isinstance(
            exc, (IsapiStatusError, IsapiProtocolError)):
        return False
    http = exc.details.get('http_status')
    return http in (403, 404, 405) or exc.details.get('sub_status_code') in UNAVAILABLE_SUBS


def describe(exc):
    """'HTTP 404 notSupport' for a warning."""
    parts = []
    if exc.details.get('http_status'):
        parts.append('HTTP %s' % exc.details['http_status'])
    if exc.details.get('sub_status_code'):
        parts.append(exc.details['sub_status_code'])
    return ' '.join(parts) or 'not supported'


def optional_get(client, path, warn, consequence, **kwargs):
    """GET path; None (and one warning naming the path, the answer and ``consequence``) when the
    device lacks or forbids it. Any other failure is raised as usual."""
    try:
        return client.get(path, **kwargs)
    except (IsapiStatusError, IsapiProtocolError) as exc:
        if not is_unavailable(exc):
            raise
        if warn is not None:
            warn('%s: GET %s answered %s; %s' % (client.device, path, describe(exc), consequence))
        return None
