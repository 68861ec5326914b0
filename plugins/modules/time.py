#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: time
short_description: Set the time zone, time mode, clock and NTP servers of a Hikvision device
version_added: 0.1.0
description:
  - Converges C(/ISAPI/System/time) and C(/ISAPI/System/time/ntpServers) in one task, each read
    once and written once only when something differs.
  - Time zones are given the way people write them and converted to the device's POSIX-style
    string, whose sign is inverted (C(CST-8:00:00) is UTC+8). Both sides are compared
    normalised, so V(+08:00) against a device showing C(CST-8:00:00) is no change.
  - Always reports RV(drift_seconds), the device clock minus the controller clock.
options:
  timezone:
    description:
      - V(UTC), an offset such as V(UTC+05:30), V(+02:00), V(-8) or V(+0530), or the device's own
        string such as V(CST-1:00:00DST01:00:00,M3.5.0/02:00:00,M10.5.0/03:00:00).
      - An offset without a DST rule removes a DST rule the device has.
    type: str
  mode:
    description: V(ntp) synchronises with O(ntp_servers); V(manual) keeps a clock set by this module.
    type: str
    choices: [ntp, manual]
  ntp_servers:
    description:
      - NTP servers, host names or IPv4 addresses, in order. Devices keep one to a few; a list
        longer than the device takes fails with the device's error, unless O(ntp_max_servers)
        trims it.
    type: list
    elements: str
  ntp_max_servers:
    description:
      - How many NTP servers this device takes. A longer O(ntp_servers) keeps its first entries
        and a warning names the dropped ones (the device does not advertise its limit, so the
        baseline role sets this per model).
    type: int
  ntp_interval:
    description: Minutes between synchronisations (1 to 10800).
    type: int
  local_time:
    description:
      - With O(mode=manual), the time to set (ISO 8601; without an offset it is in O(timezone)).
        Defaults to the controller's current time.
      - The clock is set when the device is not yet in manual mode or when its clock is more than
        O(max_drift) seconds away from this time.
    type: str
  max_drift:
    description: Seconds a manual clock may be off before the module sets it again.
    type: int
    default: 5
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
- name: Site time from the internal NTP servers, UTC+1
  camfleet.hikvision.time:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    timezone: UTC+01:00
    mode: ntp
    ntp_servers: [ntp1.site.example, 10.20.0.123]
    ntp_interval: 60
  register: clock

- name: One policy list for every model; a one-server camera keeps the first (with a warning)
  camfleet.hikvision.time:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    mode: ntp
    ntp_servers: [ntp1.site.example, ntp2.site.example, 10.20.0.123]
    ntp_max_servers: 1

- name: Flag devices whose clock is off
  ansible.builtin.debug:
    msg: "clock off by {{ clock.drift_seconds }} s"
  when: (clock.drift_seconds | abs) > 2
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
  sample: {mode: ntp, timezone: "UTC+00:00", ntp_servers: [ntp1.example.net]}
drift_seconds:
  description: Device clock minus controller clock in seconds (after the change, if one was made).
  returned: when the device reports its local time
  type: float
  sample: -0.4
reboot_required:
  description: The device answered that a reboot is needed to apply the change.
  returned: always
  type: bool
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.timecfg import SPEC


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
