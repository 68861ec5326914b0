#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: security
short_description: Harden authentication, login lock, protocols, ports and the IP filter of a Hikvision device
version_added: 0.1.0
description:
  - Converges web and RTSP authentication modes, the illegal-login lock, HTTP/HTTPS, TLS
    versions, service ports and the IP address filter in one task; each document is read once
    and written once only when something differs.
  - "Refuses, before anything is written, a change that would cut this controller off: an IP
    allow list without the controller's own address toward the device (or a deny list with it),
    switching off the scheme the task is connected with, redirecting HTTP to HTTPS while
    connected over HTTP, or moving the port the task is connected to. Set
    O(i_know_this_cuts_me_off=true) to do it anyway."
  - An enabled IP filter is written disabled first, read back, and only then enabled.
  - A setting the firmware does not have is listed in RV(unsupported), unless O(strict=true).
options:
  web_auth:
    description: Web (ISAPI) authentication; V(digest) is the hardening target.
    type: str
    choices: [digest, digest/basic]
  rtsp_auth:
    description: RTSP authentication (its own resource on NVRs, the main stream on cameras).
    type: str
    choices: [digest, digest/basic]
  illegal_login_lock:
    description:
      - The lock that blocks a client address after failed logins. Older firmware has only
        O(illegal_login_lock.enabled).
      - The lock time is given in seconds (O(illegal_login_lock.duration)) or minutes
        (O(illegal_login_lock.duration_minutes)) and converted to the unit of the firmware.
    type: dict
    suboptions:
      enabled:
        description: Whether the lock is on.
        type: bool
      attempts:
        description: Failed logins before the lock.
        type: int
      duration:
        description: Lock time in seconds.
        type: int
      duration_minutes:
        description: Lock time in minutes.
        type: int
  http:
    description: Plain HTTP on or off.
    type: bool
  https:
    description: HTTPS on or off.
    type: bool
  redirect_to_https:
    description: Redirect HTTP to HTTPS, where the firmware has it.
    type: bool
  tls_min_version:
    description:
      - Turn on every TLS version this firmware has a switch for from this one up, and the older
        ones off. Prefer it to O(tls_versions) in policies, since it never turns a newer version off.
      - Mutually exclusive with O(tls_versions). The diff and RV(settings) show it as C(tls_versions).
    type: str
    choices: ['1.1', '1.2', '1.3']
  tls_versions:
    description: TLS versions to offer, for example V([1.2, 1.3]); the others are switched off.
    type: list
    elements: str
  http_port:
    description: HTTP port.
    type: int
  https_port:
    description: HTTPS port.
    type: int
  rtsp_port:
    description: RTSP port.
    type: int
  sdk_port:
    description: Port of the proprietary SDK service (C(DEV_MANAGE), 8000 by default).
    type: int
  ip_filter:
    description: The IP address filter.
    type: dict
    suboptions:
      enabled:
        description: Whether the filter is on.
        type: bool
      mode:
        description: V(allow) admits only the listed addresses; V(deny) refuses them.
        type: str
        choices: [allow, deny]
      addresses:
        description: IPv4 host addresses (the order does not matter).
        type: list
        elements: str
  session_timeout:
    description:
      - Web session timeout in minutes. No ISAPI resource for it is known, so it is always
        reported in RV(unsupported) (and fails with O(strict=true)).
    type: int
  i_know_this_cuts_me_off:
    description: Apply a change even though it would cut this controller off from the device.
    type: bool
    default: false
  strict:
    description: Fail, changing nothing, when an asked setting is not supported by the device.
    type: bool
    default: false
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
- name: TLS 1.2 and every newer version the firmware has, older ones off
  camfleet.hikvision.security:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    tls_min_version: '1.2'

- name: Hardening baseline
  camfleet.hikvision.security:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    web_auth: digest
    rtsp_auth: digest
    illegal_login_lock: {enabled: true, attempts: 5, duration_minutes: 30}
    https: true
    tls_min_version:
    description:
      - Turn on every TLS version this firmware has a switch for from this one up, and the older
        ones off. Prefer it to O(tls_versions) in policies, since it never turns a newer version off.
      - Mutually exclusive with O(tls_versions). The diff and RV(settings) show it as C(tls_versions).
    type: str
    choices: ['1.1', '1.2', '1.3']
  tls_versions: ['1.2', '1.3']

- name: Only the NVR and the management host may talk to the camera
  camfleet.hikvision.security:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    ip_filter:
      enabled: true
      mode: allow
      addresses: [10.20.1.10, 10.20.0.5]
'''

RETURN = r'''
settings:
  description:
    - What this module manages, as the device holds it once the task is done - each key the task
      looked at (the same keys as the diff), null where the device lacks it. In check mode and when
      nothing changed it is the device's current state, so a check-mode run is a read-only audit.
    - Built by the one change tracker every declarative module shares; never holds a password.
  returned: success
  type: dict
  sample: {web_auth: digest, tls_versions: ["1.2", "1.3"], http: false}
unsupported:
  description: Asked settings this device does not have (nothing was done for them).
  returned: always
  type: list
  elements: str
  sample: [rtsp_auth, session_timeout]
controller_address:
  description: The source address of this controller toward the device, used for the safety checks.
  returned: always
  type: str
reboot_required:
  description: The device answered that a reboot is needed to apply a change.
  returned: always
  type: bool
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.security import SPEC


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
