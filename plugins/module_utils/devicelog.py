# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Device log search (docs/developer/isapi-reference.md, §12.4): the logic behind the device_log_info module.

The search pages with one searchID, advancing searchResultPostion by the rows received while the
device answers MORE. The major type is filtered by the device (metaId log.std-cgi.com/<Major>);
the minor type by this code, because the device-side minor filter is known from one source only.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import re
import uuid

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiInputError, IsapiProtocolError,
)

LOG_SEARCH = '/ISAPI/ContentMgmt/logSearch'
PAGE = 50
MAX_PAGES = 400
EARLIEST = '2000-01-01T00:00:00Z'
LATEST = '2037-12-31T23:59:59Z'
_TIME = re.compile(r'^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(Z|z)?$')


def device_time(value, field, default):
    """A search bound as devices take it: local wall time written with a Z (§1.5).

    Accepts YYYY-MM-DD[T ]HH:MM[:SS] with an optional Z; refuses explicit offsets, which the
    device would silently misread as local time."""
    if value is None:
        return default
    text = str(value).strip()
    match = _TIME.match(text)
    if not match:
        raise IsapiInputError(
            '%s must be the device\'s local time as YYYY-MM-DDTHH:MM:SS (optionally ending in Z, '
            'which devices read as local time too), got %r' % (field, text))
    stamp = '%sT%s%s' % (match.group(1), match.group(2), match.group(3) or ':00')
    try:
        datetime.datetime.strptime(stamp, '%Y-%m-%dT%H:%M:%S')
    except ValueError:
        # Shaped right but no real moment (hour 25, February 30): the device would answer
        # badParameters, so say which field is wrong instead.
        raise IsapiInputError('%s %r is not a valid date and time (month 01-12, day of that '
                              'month, hour 00-23, minutes and seconds 00-59)' % (field, text))
    return stamp + 'Z'


def search_pages(client, path, build, limit, keep=None):
    """Run a paged CMSearch: build(search_id, position) -> request element. Yields matches
    (searchMatchItem elements) until the device says it has no more, ``limit`` are kept, or the
    page bound is reached. ``keep`` filters what counts towards the limit.
    Returns (items, complete)."""
    search_id = str(uuid.uuid4()).upper()
    position, items = 0, []
    for dummy in range(MAX_PAGES):
        root = client.post_xml(path, build(search_id, position))
        status = (xmldoc.text(root, 'responseStatusStrg') or '').upper()
        page = xmldoc.findall(root, 'matchList/searchMatchItem')
        for item in page:
            if keep is None or keep(item):
                items.append(item)
                if len(items) >= limit:
                    return items, status != 'MORE' and item is page[-1]
        if status != 'MORE':
            return items, True
        if not page:
            raise IsapiProtocolError('answered MORE to a search but sent no results (position %d)'
                                     % position, device=client.device, path=path)
        position += len(page)
    return items, False


def search_body(search_id, position, start, end, major, namespace=None):
    meta = 'log.std-cgi.com' if major == 'all' else 'log.std-cgi.com/%s' % major
    return xmldoc.element('CMSearchDescription', {
        'searchID': search_id, 'metaId': meta,
        'timeSpanList': {'timeSpan': {'startTime': start, 'endTime': end}},
        'maxResults': PAGE, 'searchResultPostion': position,
    }, ns=namespace)


def entry(item):
    """One log line for the task result."""
    desc = xmldoc.find(item, 'logDescriptor')
    if desc is None:
        desc = item
    meta = xmldoc.text(desc, 'metaId') or ''
    parts = meta.split('/')
    major = parts[1] if len(parts) > 2 else (parts[-1] if len(parts) > 1 else None)
    minor = parts[2] if len(parts) > 2 else None
    return {
        'time': xmldoc.text(desc, 'StartDateTime'), 'major': major, 'minor': minor,
        'user': xmldoc.text(desc, 'userName'), 'address': xmldoc.text(desc, 'ipAddress'),
        'description': xmldoc.text(desc, 'infoContent') or xmldoc.text(desc, 'paraType'),
        'meta_id': meta,
    }


def run_device_log(task):
    params = task.params
    start = device_time(params.get('start'), 'start', EARLIEST)
    end = device_time(params.get('end'), 'end', LATEST)
    if start > end:
        raise IsapiInputError('start (%s) is after end (%s)' % (start, end))
    limit = params['max_results']
    if limit < 1:
        raise IsapiInputError('max_results must be 1 or more, got %d' % limit)
    major = params['major_type']
    minor = (params.get('minor_type') or '').lower() or None

    def wanted(item):
        return minor is None or (entry(item)['minor'] or '').lower() == minor

    client = task.client
    items, complete = search_pages(
        client, LOG_SEARCH, lambda sid, pos: search_body(sid, pos, start, end, major), limit,
        keep=wanted)
    entries = [entry(item) for item in items]
    counts = {}
    for line in entries:
        key = line['minor'] or line['meta_id']
        counts[key] = counts.get(key, 0) + 1
    return {'changed': False, 'entries': entries, 'counts': counts, 'total': len(entries),
            'truncated': not complete, 'start': start, 'end': end}
