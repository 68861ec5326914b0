#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: nvr_channel
short_description: Manage the IP camera channels of a Hikvision NVR
version_added: 0.1.0
description:
  - Converges the IP channels of one NVR in one task (C(/ISAPI/ContentMgmt/InputProxy/channels)).
    Each entry of O(channels) is matched to a channel by O(channels[].id) when given, else by
    O(channels[].address), and then added, modified or deleted.
  - Only the options an entry sets are compared; everything else on the channel stays as the NVR
    has it (read-modify-write of the channel's own document).
  - The protocol is written under the element name the NVR itself returns (C(proxyProtocol) on
    current firmware, C(adminProtocol) in the 2019 guide).
  - Camera passwords are write-only on the NVR. Whether the stored one is right is read from the
    NVR's live channel status (C(chanDetectResult) C(errorUserNameOrPasswd) means the camera
    rejects it); see O(update_password). A channel added with a wrong password is still added,
    and the task warns.
  - A listed channel whose camera the NVR cannot reach (absent, unreachable) is reported by a
    warning naming the channel and the NVR's detect result, or fails the task; see
    O(on_unreachable).
  - Returns every channel with its C(online) state and C(chanDetectResult) after the task.
options:
  channels:
    description: The channels to manage. Channels not listed are left alone unless O(exclusive).
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: Channel number on the NVR. Omit to match by address and let the NVR pick
          the slot when adding.
        type: int
      name:
        description: Channel name (1 to 32 characters). Defaults to the address when adding.
        type: str
      address:
        description: IP address of the camera. Required to add a channel.
        type: str
      port:
        description: Management port of the camera. Defaults to 8000 for V(HIKVISION) and 80 for
          V(ONVIF) when adding (or when the protocol changes).
        type: int
      protocol:
        description: How the NVR talks to the camera. V(HIKVISION) when adding.
        type: str
        choices: [HIKVISION, ONVIF, ISAPI, PSIA, RTSP]
      user:
        description: Camera account the NVR logs in with. V(admin) when adding.
        type: str
      password:
        description: Password of O(channels[].user) on the camera. Required to add a channel;
          when it is sent to an existing channel is decided by O(update_password).
        type: str
      stream_type:
        description: Stream transport the NVR asks for. V(auto) when adding.
        type: str
        choices: [auto, main, sub, tcp, udp]
      state:
        description: Whether the channel should exist.
        type: str
        choices: [present, absent]
        default: present
  exclusive:
    description: Delete every channel that no entry of O(channels) matches.
    type: bool
    default: false
  update_password:
    description:
      - When the password of an existing channel is sent.
      - V(when_offline) sends it only when the NVR reports the channel offline because the camera
        rejects the stored credentials (C(errorUserNameOrPasswd)); other offline reasons
        (unreachable camera) cannot be fixed by a password and are only reported. This is
        idempotent and what credential rotation uses after the cameras' passwords changed.
      - V(always) sends it on every run (always reports a change).
      - V(on_create) sends it only when adding the channel.
    type: str
    choices: [when_offline, always, on_create]
    default: when_offline
  on_unreachable:
    description:
      - What to do when the NVR reports a listed channel offline because it cannot reach the
        camera (C(chanDetectResult) such as C(notExist) or C(netUnreachable)), after the task's
        changes. The NVR adds such a channel without complaint.
      - V(warn) returns a warning naming the channel, its address and the detect result.
      - V(fail) fails the task with that message instead (changes already made stay made, and
        are listed in RV(actions)); use it where a channel without a camera is a mistake.
      - A camera that rejects the stored password has its own warning (see O(update_password));
        a channel the NVR is still C(connecting) to is not reported.
    type: str
    choices: [warn, fail]
    default: warn
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
- name: Two cameras on the site NVR, nothing else
  camfleet.hikvision.nvr_channel:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    exclusive: true
    channels:
      - {id: 1, name: gate, address: 192.168.10.11, password: "{{ vault_cam_password }}"}
      - {id: 2, name: yard, address: 192.168.10.12, protocol: ONVIF, user: nvr,
         password: "{{ vault_onvif_password }}"}

- name: After rotating camera passwords, give the NVR the new ones where it is locked out
  camfleet.hikvision.nvr_channel:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    update_password: when_offline
    channels: "{{ nvr_cameras | map('combine', {'password': new_camera_password}) | list }}"

- name: Refuse to leave a channel without a reachable camera (typo in an address, camera down)
  camfleet.hikvision.nvr_channel:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    on_unreachable: fail
    channels:
      - {id: 3, name: dock, address: 192.168.10.13, password: "{{ vault_cam_password }}"}

- name: Remove a decommissioned camera
  camfleet.hikvision.nvr_channel:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    channels:
      - {address: 192.168.10.19, state: absent}
'''

RETURN = r'''
settings:
  description:
    - What this module manages, as the device holds it once the task is done - each key the task
      looked at (the same keys as the diff). In check mode and when nothing changed it is the
      device's current state, so a check-mode run is a read-only audit.
    - Built by the one change tracker every declarative module shares; never holds a password.
  returned: success
  type: dict
channels:
  description: Every channel of the NVR after the task (before it, in check mode). No passwords.
  returned: success
  type: list
  elements: dict
  sample:
    - {id: 1, name: gate, address: 192.168.10.11, port: 8000, protocol: HIKVISION, user: admin,
       stream_type: auto, online: true, detect_result: connect}
actions:
  description: What was (or in check mode would be) done, one entry per channel touched.
  returned: success
  type: list
  elements: dict
  sample: [{action: modify, id: 1, address: 192.168.10.11, password_sent: true}]
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.channels import run_channels
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

CHANNEL_OPTIONS = dict(
    id=dict(type='int'),
    name=dict(type='str'),
    address=dict(type='str'),
    port=dict(type='int'),
    protocol=dict(type='str', choices=['HIKVISION', 'ONVIF', 'ISAPI', 'PSIA', 'RTSP']),
    user=dict(type='str'),
    password=dict(type='str', no_log=True),
    stream_type=dict(type='str', choices=['auto', 'main', 'sub', 'tcp', 'udp']),
    state=dict(type='str', default='present', choices=['present', 'absent']),
)

SPEC = ModuleSpec(dict(
    channels=dict(type='list', elements='dict', required=True, options=CHANNEL_OPTIONS),
    exclusive=dict(type='bool', default=False),
    update_password=dict(type='str', default='when_offline', no_log=False,
                         choices=['when_offline', 'always', 'on_create']),
    on_unreachable=dict(type='str', default='warn', choices=['warn', 'fail']),
), run_channels)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
