#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: recordings
short_description: Search and download recordings from a Hikvision camera or NVR
version_added: 0.1.0
description:
  - Searches the recordings of some channels in a time range (C(POST /ISAPI/ContentMgmt/search),
    paged while the device answers C(MORE)) and reports them with their sizes and the total
    before anything is downloaded.
  - With O(dest), downloads each one (C(GET /ISAPI/ContentMgmt/download)) to
    C(<dest>/<track>_<start>_<end>.mp4), streamed to disk in chunks with a size cap.
  - Resumable and checksummed. A file is written as C(<file>.part) first; a later run continues
    a part with an HTTP Range request (or starts that file over when the device does not honour
    ranges). A finished file's size and sha256 go into C(<dest>/recordings-manifest.json); a
    later run skips files whose size and sha256 still match it.
  - C(changed) is true only when something was downloaded.
  - Where files are written. When the task runs on the controller (C(ansible_connection=local), the
    usual case) the action plugin runs it in-process and O(dest) is a directory on the
    B(controller). When the task is delegated to another host (a jump host in the site network),
    the module runs there and writes O(dest) on B(that) host; fetch the files from there.
options:
  channels:
    description:
      - Channel numbers; each is searched on its main-stream track (channel x 100 + 1).
      - Defaults to the configured IP channels of an NVR and to the SD card (track 101) of a camera.
    type: list
    elements: int
  start:
    description: Start of the time range in the device's local time, C(YYYY-MM-DDTHH:MM:SS)
      (a trailing C(Z) is accepted; devices read it as local time).
    type: str
    required: true
  end:
    description: End of the time range, same format as O(start).
    type: str
    required: true
  dest:
    description:
      - Directory to download into (created if missing). Without it the module only searches.
      - Use one directory per device; the manifest is per directory.
    type: path
  max_file_size:
    description: Largest single file accepted, in bytes; a larger answer fails the task.
    type: int
    default: 4294967296
  max_recordings:
    description: Stop the search after this many recordings; RV(truncated) says there were more.
    type: int
    default: 10000
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
attributes:
  check_mode:
    support: full
    details: Searches and compares with the files already in O(dest); downloads nothing.
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: What did the gate camera record last night?
  camfleet.hikvision.recordings:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    start: "2024-05-01T20:00:00"
    end: "2024-05-02T06:00:00"
  register: found

- name: Fetch channels 1 and 3 of the NVR to the controller (re-runs resume and skip)
  camfleet.hikvision.recordings:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    channels: [1, 3]
    start: "2024-05-01T20:00:00"
    end: "2024-05-01T21:00:00"
    dest: "/srv/evidence/{{ inventory_hostname }}"
'''

RETURN = r'''
tracks:
  description: The track ids searched.
  returned: success
  type: list
  elements: int
recordings:
  description: Every recording found, with its download status when O(dest) is given.
  returned: success
  type: list
  elements: dict
  sample:
    - {track: 101, channel: 1, start: "2024-05-01T20:00:00Z", end: "2024-05-01T20:10:00Z",
       size: 52428800, file: 101_20240501T200000Z_20240501T201000Z.mp4,
       playback_uri: "rtsp://10.0.0.5/Streaming/tracks/101/?starttime=...", status: downloaded,
       sha256: "9f86d081884c7d65..."}
count:
  description: Number of recordings found.
  returned: success
  type: int
total_size:
  description: Sum of the recordings' sizes in bytes, as the device reports them.
  returned: success
  type: int
truncated:
  description: The search stopped at O(max_recordings).
  returned: success
  type: bool
downloaded:
  description: Number of files downloaded (or resumed) by this run.
  returned: success
  type: int
downloaded_bytes:
  description: Total size of the files downloaded by this run.
  returned: success
  type: int
manifest:
  description: Path of the manifest in O(dest).
  returned: when dest is given
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.recordings import run_recordings
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

SPEC = ModuleSpec(dict(
    channels=dict(type='list', elements='int'),
    start=dict(type='str', required=True),
    end=dict(type='str', required=True),
    dest=dict(type='path'),
    max_file_size=dict(type='int', default=4 * 1024 ** 3),
    max_recordings=dict(type='int', default=10000),
), run_recordings)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
