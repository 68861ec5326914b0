#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: firmware
short_description: Upgrade the firmware of a Hikvision device
version_added: 0.1.0
description:
  - Uploads a firmware image with C(PUT /ISAPI/System/updateFirmware), follows the flashing
    progress, waits for the device to reboot by itself and checks that it comes back running
    O(version).
  - Does nothing (no upload) when the device already runs O(version).
  - The image is streamed from its file, never read into memory whole, and the upload is never
    repeated automatically.
  - O(src) is a path on the controller. When the task runs on the controller the image is
    streamed from there; when it is delegated to another host the image is first copied to a
    private temporary directory on that host.
  - When the image says which models it is for (the emulator's test image format), a model
    mismatch fails the task before anything is uploaded. Vendor C(digicap.dav) images carry no
    header the collection reads, so for them the device itself refuses a wrong image
    (V(badDevType)).
  - Waiting for the reboot probes a path that needs no login, so a long upgrade never spends
    login attempts. Upgrade a few devices at a time (C(serial) or C(throttle) in the play).
options:
  src:
    description:
      - Path of the extracted firmware image (C(digicap.dav)) on the controller. A relative path
        is looked up like other controller files (the role's or playbook's C(files/) directory
        first).
    type: path
    required: true
  version:
    description:
      - The firmware the device must run afterwards, as C(V5.7.20) (version only) or
        C(V5.7.20 build 250101) (version and build).
    type: str
    required: true
  upload_timeout:
    description: Seconds the device may take to accept the upload (slow links, large images).
    type: int
    default: 600
  wait_timeout:
    description: Seconds to wait for flashing and the reboot that follows.
    type: int
    default: 1800
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Upgrade the cameras, two at a time
  hosts: cameras
  serial: 2
  gather_facts: false
  tasks:
    - name: Firmware V5.7.20
      camfleet.hikvision.firmware:
        host: "{{ isapi_host }}"
        password: "{{ isapi_password }}"
        src: firmware/DS-2CD2xx6G2/digicap.dav
        version: V5.7.20 build 250101
'''

RETURN = r'''
firmware:
  description: The firmware the device runs after the task (version and build).
  returned: always
  type: str
  sample: V5.7.20 build 250101
progress:
  description: The upgrade percentages seen while the device was flashing.
  returned: always
  type: list
  elements: int
  sample: [0, 35, 71, 100]
elapsed:
  description: Seconds from the start of the upload until the device ran the new firmware.
  returned: when upgraded
  type: float
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.firmware import run_firmware
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

SPEC = ModuleSpec(dict(
    src=dict(type='path', required=True),
    version=dict(type='str', required=True),
    upload_timeout=dict(type='int', default=600),
    wait_timeout=dict(type='int', default=1800),
), run_firmware)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
