# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The collection's change log, <dir>/changelog.jsonl: one JSON line per device and step (when,
who, device, step, status, changed, files, details; never a secret), written by the changelog
action for the roles and by rotate_password for each account. Hosts run in parallel worker
processes, so each line is one O_APPEND write (atomic for lines this short on a local file
system)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import datetime
import json
import os


def new_entry(who, device, step, status, changed, details, files=()):
    return {
        'when': datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
        'who': who, 'device': device, 'step': step, 'status': status,
        'changed': bool(changed), 'files': list(files), 'details': details,
    }


def append(directory, entry):
    os.makedirs(directory, mode=0o750, exist_ok=True)
    line = (json.dumps(entry, sort_keys=True) + '\n').encode('utf-8')
    fd = os.open(os.path.join(directory, 'changelog.jsonl'), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)
