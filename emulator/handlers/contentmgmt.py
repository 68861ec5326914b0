"""Recording search and download (docs/developer/isapi-reference.md, §12.5), with small synthetic recordings.

Every track records continuously in SEGMENT_SECONDS segments aligned to the device's local wall
clock, kept for RETENTION_SECONDS. A segment's bytes and size derive from its track and times
only, so checksums are stable across searches, downloads and devices. Cameras record their SD
card on track 101; an NVR records track <id>01 for each IP channel configured now.

Times in searches are device-local wall time whatever the suffix says ("fake-Z", §1.5).
"""
from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from .. import xmlgen
from ..errors import IsapiError
from ..responses import raw_response
from ..router import route
from .common import optional_count
from ..state import register_area
from .timesync import device_now

SEGMENT_SECONDS = 600
RETENTION_SECONDS = 2 * 86400
MAX_RESULTS = 50  # per page; real devices cap a page too, which makes clients page
DEFAULT_RESULTS = 40
MAX_SEARCHES = 32
URI_TIME = "%Y%m%dT%H%M%SZ"
XML_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class Recordings:
    # searchID -> the device-local "now" frozen at its first page, so paging a range that
    # reaches the present does not shift when a new segment completes between pages.
    searches: dict = field(default_factory=dict)
    downloads: int = 0
    ranged_downloads: int = 0


register_area("recordings", lambda spec: Recordings(), kept_on_basic_reset=True)


def tracks_of(device) -> list:
    if device.spec.kind == "nvr":
        return sorted(ch.id * 100 + 1 for ch in device.state.channels)
    return [101]


def segment_size(track: int, start: datetime.datetime) -> int:
    seed = hashlib.sha256(f"size:{track}:{start:%Y%m%d%H%M%S}".encode()).digest()
    return 2048 + int.from_bytes(seed[:2], "big") % 6144


def segment_bytes(track: int, start: datetime.datetime, size: int) -> bytes:
    seed = f"data:{track}:{start:%Y%m%d%H%M%S}".encode()
    blocks, counter = [], 0
    while sum(len(b) for b in blocks) < size:
        blocks.append(hashlib.sha256(seed + counter.to_bytes(4, "big")).digest())
        counter += 1
    return b"".join(blocks)[:size]


def local_now(device) -> datetime.datetime:
    return device_now(device).replace(tzinfo=None)


def parse_local(value: str, device) -> datetime.datetime:
    """A search time as device-local wall time (§1.5): Z is ignored, an explicit offset is
    converted into the device's zone."""
    text = (value or "").strip()
    if not text:
        raise IsapiError("badXmlContent", detail="empty time")
    naive = text.endswith("Z") or text.endswith("z")
    try:
        parsed = datetime.datetime.fromisoformat(text[:-1] if naive else text)
    except ValueError:
        raise IsapiError("badParameters", detail=f"time {value!r}") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(device_now(device).tzinfo).replace(tzinfo=None)
    return parsed


def segments(track: int, start: datetime.datetime, end: datetime.datetime,
             now: datetime.datetime) -> list:
    """[(segment start, segment end)] of complete segments overlapping [start, end)."""
    oldest = now - datetime.timedelta(seconds=RETENTION_SECONDS)
    first = max(start, oldest)
    epoch = datetime.datetime(2000, 1, 1)
    offset = int((first - epoch).total_seconds()) // SEGMENT_SECONDS * SEGMENT_SECONDS
    cursor = epoch + datetime.timedelta(seconds=offset)
    step = datetime.timedelta(seconds=SEGMENT_SECONDS)
    found = []
    while cursor < end and cursor + step <= now:
        if cursor + step > start and cursor >= oldest - step:
            found.append((cursor, cursor + step))
        cursor += step
    return found


def playback_uri(device, track: int, start, end, size: int) -> str:
    # Real devices put the file name and size into the URI's query (rtsp://.../tracks/101/?...).
    name = f"{track:04d}{start:%Y%m%d%H%M%S}"
    return (f"rtsp://{device.state.address}/Streaming/tracks/{track}/"
            f"?starttime={start:{URI_TIME}}&endtime={end:{URI_TIME}}&name={name}&size={size}")


def match_item(device, track: int, start, end) -> dict:
    size = segment_size(track, start)
    source = uuid.uuid5(uuid.NAMESPACE_URL, f"{device.spec.serial}/{track}")
    return {"sourceID": "{%s}" % str(source).upper(), "trackID": track,
            "timeSpan": {"startTime": f"{start:{XML_TIME}}", "endTime": f"{end:{XML_TIME}}"},
            "mediaSegmentDescriptor": {"contentType": "video", "codecType": "H.264-BP",
                                       "playbackURI": playback_uri(device, track, start, end, size)}}


def _frozen_now(ctx, area: Recordings, search_id: str) -> datetime.datetime:
    if search_id and search_id in area.searches:
        return datetime.datetime.fromisoformat(area.searches[search_id])
    now = local_now(ctx.device)
    if search_id:
        area.searches[search_id] = now.isoformat()
        for old in list(area.searches)[:-MAX_SEARCHES]:
            del area.searches[old]
    return now


@route("POST", "/ISAPI/ContentMgmt/search", min_level="Viewer")
async def search(ctx):
    doc = ctx.xml("CMSearchDescription")
    area = ctx.state.areas["recordings"]
    search_id = xmlgen.text(doc, "searchID") or ""
    wanted = [t.text.strip() for t in doc.findall("trackIDList/trackID") if t.text and t.text.strip()]
    wanted += [t.text.strip() for t in doc.findall("trackList/trackID") if t.text and t.text.strip()]
    spans = doc.findall("timeSpanList/timeSpan")
    if not spans:
        raise IsapiError("badXmlContent", detail="missing <timeSpanList><timeSpan>")
    position = optional_count(xmlgen.text(doc, "searchResultPostion"), 0, "searchResultPostion")
    limit = min(optional_count(xmlgen.text(doc, "maxResults"), DEFAULT_RESULTS, "maxResults") or DEFAULT_RESULTS,
                MAX_RESULTS)
    now = _frozen_now(ctx, area, search_id)
    available = tracks_of(ctx.device)
    tracks = [t for t in available if not wanted or str(t) in wanted]
    items = []
    for track in tracks:
        for span in spans:
            start = parse_local(xmlgen.text(span, "startTime"), ctx.device)
            end = parse_local(xmlgen.text(span, "endTime"), ctx.device)
            items += [(track, s, e) for s, e in segments(track, start, end, now)]
    page = items[position:position + limit]
    status = "NO MATCHES" if not items else ("MORE" if position + len(page) < len(items) else "OK")
    tree = {"searchID": search_id, "responseStatus": "true", "responseStatusStrg": status,
            "numOfMatches": len(page),
            "matchList": {"searchMatchItem": [match_item(ctx.device, *item) for item in page]}
            if page else None}
    return ctx.reply("CMSearchResult", tree)


def _requested_segment(ctx, uri: str):
    parts = urlsplit(uri)
    pieces = [p for p in parts.path.split("/") if p]
    if len(pieces) < 2 or pieces[-2] != "tracks":
        raise IsapiError("badParameters", detail="playbackURI is not a track URI")
    try:
        track = int(pieces[-1])
    except ValueError:
        raise IsapiError("badParameters", detail="playbackURI track") from None
    query = parse_qs(parts.query)
    try:
        start = datetime.datetime.strptime(query["starttime"][0], URI_TIME)
        end = datetime.datetime.strptime(query["endtime"][0], URI_TIME)
    except (KeyError, ValueError):
        raise IsapiError("badParameters", detail="playbackURI times") from None
    if track not in tracks_of(ctx.device) or (start, end) not in segments(
            track, start, end, local_now(ctx.device)):
        raise IsapiError("invalidID", detail="no such recording")
    return track, start


def _range(header: str, size: int):
    """(first, last) of a single 'bytes=N-[M]' range, or None to send everything."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first_text, _, last_text = header[6:].partition("-")
    try:
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
    except ValueError:
        return None
    return first, min(last, size - 1)


@route("GET", "/ISAPI/ContentMgmt/download", min_level="Viewer")
async def download(ctx):
    doc = ctx.xml("downloadRequest")
    uri = xmlgen.text(doc, "playbackURI")
    if not uri:
        raise IsapiError("badXmlContent", detail="missing <playbackURI>")
    track, start = _requested_segment(ctx, uri)
    size = segment_size(track, start)
    data = segment_bytes(track, start, size)
    area = ctx.state.areas["recordings"]
    area.downloads += 1
    wanted = _range(ctx.request.headers.get("Range", ""), size)
    headers = [("Accept-Ranges", "bytes")]
    if wanted is None:
        return raw_response(data, "application/octet-stream", 200, headers)
    first, last = wanted
    if first >= size or first > last:
        return raw_response(b"", "application/octet-stream", 416,
                            headers + [("Content-Range", f"bytes */{size}")])
    area.ranged_downloads += 1
    return raw_response(data[first:last + 1], "application/octet-stream", 206,
                        headers + [("Content-Range", f"bytes {first}-{last}/{size}")])
