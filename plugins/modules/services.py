#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: services
short_description: Switch the network services of a Hikvision device on or off
version_added: 0.1.0
description:
  - Converges every asked service in one task. Each ISAPI document involved is read once, and
    written once only when one of its switches differs; services not asked are left alone.
  - A service the firmware does not have (the resource answers 404 or C(notSupport), or the
    switch is missing from the document) is listed in RV(unsupported) instead of failing,
    unless O(strict=true). Every check is made before anything is written.
options:
  upnp:
    description: UPnP (C(NetworkInterface/Discovery/UPnP)).
    type: bool
  zeroconf:
    description: Zeroconf multicast discovery (C(NetworkInterface/Discovery/Zeroconf)).
    type: bool
  ssh:
    description: SSH server.
    type: bool
  telnet:
    description: Telnet server (old firmware and some NVRs only).
    type: bool
  hik_connect:
    description: Hik-Connect / EZVIZ P2P cloud access. Switching it on needs O(hik_connect_code).
    type: bool
  hik_connect_code:
    description: The device's Hik-Connect verification code, sent only when switching it on.
    type: str
  onvif:
    description: ONVIF (C(Integrate/ONVIF/enable)).
    type: bool
  cgi:
    description: Hikvision-CGI (C(Integrate/CGI/enable)).
    type: bool
  snmp:
    description: V(off) switches every SNMP version off; V(v3) leaves only SNMPv3 on.
    type: str
    choices: ['off', v3]
  ftp:
    description: FTP upload. V(false) switches every FTP entry off; V(true) the first one on.
    type: bool
  email:
    description: E-mail notification, where the firmware's mailing document has a switch.
    type: bool
  ddns:
    description: DDNS. V(false) switches every DDNS entry off; V(true) the first one on.
    type: bool
  bonjour:
    description: Bonjour (the C(Bonjour) entry of the device's protocol list).
    type: bool
  sadp_discovery:
    description: Whether SADP may discover the device (C(/ISAPI/System/discoveryMode)).
    type: bool
  onvif_users:
    description:
      - ONVIF accounts to have, managed only while ONVIF is on after the task. Accounts not
        listed are left alone.
      - A password kept in the credential store (imported, or rotated by
        camfleet.hikvision.rotate_password's C(onvif_accounts)) is read with
        C(lookup('camfleet.hikvision.credential', inventory_hostname, user='onvif:<name>')).
    type: list
    elements: dict
    suboptions:
      name:
        description: Account name.
        type: str
        required: true
      password:
        description: Account password (at least 8 characters).
        type: str
        required: true
      type:
        description: Account level; V(media_user) is the least privilege.
        type: str
        choices: [media_user, user, operator, administrator]
        default: media_user
  onvif_users_purge:
    description:
      - With O(onvif_users), delete every ONVIF account the list does not name, so only declared
        ONVIF logins exist. Nothing is deleted when O(onvif_users) is omitted or ONVIF is off.
    type: bool
    default: false
  onvif_update_password:
    description:
      - V(on_create) sets ONVIF passwords only when creating an account (they cannot be read
        back). V(always) writes them every run and so always reports a change.
    type: str
    choices: [on_create, always]
    default: on_create
  strict:
    description: Fail, changing nothing, when an asked service is not supported by the device.
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
- name: Hardening baseline services
  camfleet.hikvision.services:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    upnp: false
    ssh: false
    telnet: false
    hik_connect: false
    ddns: false
    snmp: 'off'
    bonjour: false
  register: svc

- name: ONVIF for the VMS, with its own least-privilege account
  camfleet.hikvision.services:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    onvif: true
    onvif_users:
      - {name: vms, password: "{{ vault_onvif_password }}", type: media_user}

- name: Only the VMS account may log in over ONVIF; every other ONVIF account is deleted
  camfleet.hikvision.services:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    onvif: true
    onvif_users:
      - {name: vms, password: "{{ vault_onvif_password }}", type: media_user}
    onvif_users_purge: true
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
  sample: {upnp: false, ssh: false, onvif: false}
unsupported:
  description: Asked services this device does not have (nothing was done for them).
  returned: always
  type: list
  elements: str
  sample: [telnet, sadp_discovery]
reboot_required:
  description: The device answered that a reboot is needed to apply a change.
  returned: always
  type: bool
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.services import SPEC


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
