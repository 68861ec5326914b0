# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Recording search and download (docs/developer/isapi-reference.md, §12.5): the logic behind the recordings module.

Downloads stream to ``<file>.part`` in chunks (never into memory), continue an existing part
with an HTTP Range request, and become the final file only once complete. A manifest JSON in
the destination records every finished file's size and sha256, so a re-run skips files whose
content still matches and reports no change.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import hashlib
import json
import os
import re
import tempfile

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.devicelog import (
    device_time, search_pages,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiInputError, IsapiProtocolError,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.optional import optional_get

SEARCH = '/ISAPI/ContentMgmt/search'
DOWNLOAD = '/ISAPI/ContentMgmt/download'
CHANNELS = '/ISAPI/ContentMgmt/InputProxy/channels'
MANIFEST = 'recordings-manifest.json'
PAGE = 50
CHUNK = 1024 * 1024
_SIZE = re.compile(r'[?&]size=(\d+)')


def tracks_for(client, channels):
    """Main-stream track ids (channel x 100 + 1): the asked channels, else an NVR's configured
    IP channels, else a camera's own (SD card) track 101."""
    if channels:
        return [c * 100 + 1 for c in channels]
    root = optional_get(client, CHANNELS, None, '')
    if root is None:
        return [101]  # cameras answer 403 on InputProxy (§12.1): expected, so no warning
    ids = [int(xmldoc.text(e, 'id')) for e in xmldoc.findall(root, 'InputProxyChannel')
           if (xmldoc.text(e, 'id') or '').isdigit()]
    return [i * 100 + 1 for i in sorted(ids)]


def search_body(search_id, position, tracks, start, end):
    return xmldoc.element('CMSearchDescription', {
        'searchID': search_id,
        'trackIDList': {'trackID': [str(t) for t in tracks]},
        'timeSpanList': {'timeSpan': {'startTime': start, 'endTime': end}},
        'maxResults': PAGE, 'searchResultPostion': position,
        'metadataList': {'metadataDescriptor': '//recordType.meta.std-cgi.com'},
    })


def compact(stamp):
    return re.sub(r'[^0-9TZ]', '', stamp or '')


def recording(item):
    uri = xmldoc.text(item, 'mediaSegmentDescriptor/playbackURI') or ''
    track = xmldoc.text(item, 'trackID')
    start = xmldoc.text(item, 'timeSpan/startTime')
    end = xmldoc.text(item, 'timeSpan/endTime')
    size = _SIZE.search(uri)
    track_no = int(track) if track and track.isdigit() else None
    return {'track': track_no, 'channel': track_no // 100 if track_no else None,
            'start': start, 'end': end, 'size': int(size.group(1)) if size else None,
            'playback_uri': uri,
            'file': '%s_%s_%s.mp4' % (track or 'track', compact(start), compact(end))}


def search(client, tracks, start, end, limit):
    items, complete = search_pages(
        client, SEARCH, lambda sid, pos: search_body(sid, pos, tracks, start, end), limit)
    found, seen = [], set()
    for item in items:
        rec = recording(item)
        if rec['playback_uri'] and rec['playback_uri'] not in seen:
            seen.add(rec['playback_uri'])
            found.append(rec)
    return found, complete


# --- files ---------------------------------------------------------------------------------------
def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b''):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(dest):
    path = os.path.join(dest, MANIFEST)
    if not os.path.exists(path):
        return {'files': {}}
    try:
        with open(path) as handle:
            data = json.load(handle)
    except ValueError:
        return {'files': {}}  # unreadable: every file gets verified by downloading again
    return data if isinstance(data.get('files'), dict) else {'files': {}}


def save_manifest(dest, manifest):
    fd, tmp = tempfile.mkstemp(prefix='.manifest-', dir=dest)
    with os.fdopen(fd, 'w') as handle:
        json.dump(manifest, handle, indent=1, sort_keys=True)
    os.replace(tmp, os.path.join(dest, MANIFEST))


def is_present(dest, rec, manifest):
    final = os.path.join(dest, rec['file'])
    known = manifest['files'].get(rec['file'])
    if not known or not os.path.isfile(final):
        return False
    size = os.path.getsize(final)
    if size != known.get('size') or (rec['size'] is not None and size != rec['size']):
        return False
    return sha256_of(final) == known.get('sha256')


def _shift_to_start(path, offset):
    """A device that ignored our Range sent the whole file after the old part: keep only it."""
    with open(path, 'r+b') as handle:
        position = 0
        while True:
            handle.seek(offset + position)
            chunk = handle.read(CHUNK)
            if not chunk:
                break
            handle.seek(position)
            handle.write(chunk)
            position += len(chunk)
        handle.truncate(position)


def fetch(client, dest, rec, max_file_size):
    """Download one recording into dest; returns 'downloaded' or 'resumed'."""
    final = os.path.join(dest, rec['file'])
    part = final + '.part'
    offset = os.path.getsize(part) if os.path.exists(part) else 0
    if rec['size'] is not None and offset > rec['size']:
        offset = 0
    body = xmldoc.element('downloadRequest', {'playbackURI': rec['playback_uri']})
    resumed = bool(offset)
    if not (rec['size'] is not None and 0 < offset == rec['size']):
        headers = {'Range': 'bytes=%d-' % offset} if offset else None
        try:
            with open(part, 'ab' if offset else 'wb') as sink:
                reply = client.download(DOWNLOAD, sink, document=body, headers=headers,
                                        max_bytes=max_file_size)
        except IsapiProtocolError as exc:
            if offset and exc.details.get('http_status') == 416:
                os.remove(part)  # the device refuses the range: start this file over
                return fetch(client, dest, rec, max_file_size)
            raise
        if offset and reply.status == 200:
            _shift_to_start(part, offset)
        resumed = resumed and reply.status == 206
    size = os.path.getsize(part)
    if rec['size'] is not None and size != rec['size']:
        os.remove(part)
        raise IsapiProtocolError('sent %d bytes of %s, which the search said has %d; the partial '
                                 'file was removed, run again' % (size, rec['file'], rec['size']),
                                 device=client.device, path=DOWNLOAD)
    digest = sha256_of(part)
    os.replace(part, final)
    rec['sha256'] = digest
    return 'resumed' if resumed else 'downloaded'


def run_recordings(task):
    params = task.params
    start = device_time(params['start'], 'start', None)
    end = device_time(params['end'], 'end', None)
    if start > end:
        raise IsapiInputError('start (%s) is after end (%s)' % (start, end))
    for channel in params.get('channels') or []:
        if channel < 1:
            raise IsapiInputError('channels must be channel numbers (1 or more), got %d' % channel)
    dest = params.get('dest')
    if dest and os.path.exists(dest) and not os.path.isdir(dest):
        raise IsapiInputError('dest %s exists and is not a directory' % dest)
    client = task.client
    tracks = tracks_for(client, params.get('channels'))
    found, complete = search(client, tracks, start, end, params['max_recordings']) if tracks \
        else ([], True)
    result = {'changed': False, 'tracks': tracks, 'recordings': found, 'count': len(found),
              'total_size': sum(r['size'] or 0 for r in found), 'truncated': not complete,
              'downloaded': 0, 'downloaded_bytes': 0}
    if not dest:
        return result
    result['dest'] = dest
    result['manifest'] = os.path.join(dest, MANIFEST)
    if not task.check_mode:
        os.makedirs(dest, exist_ok=True)
    manifest = load_manifest(dest) if os.path.isdir(dest) else {'files': {}}
    for rec in found:
        if os.path.isdir(dest) and is_present(dest, rec, manifest):
            rec['status'] = 'present'
            rec['sha256'] = manifest['files'][rec['file']]['sha256']
            continue
        if task.check_mode:
            rec['status'] = 'would_download'
            result['changed'] = True
            continue
        rec['status'] = fetch(client, dest, rec, params['max_file_size'])
        size = os.path.getsize(os.path.join(dest, rec['file']))
        manifest['files'][rec['file']] = {'sha256': rec['sha256'], 'size': size,
                                          'track': rec['track'], 'start': rec['start'],
                                          'end': rec['end']}
        save_manifest(dest, manifest)
        result['changed'] = True
        result['downloaded'] += 1
        result['downloaded_bytes'] += size
    return result
