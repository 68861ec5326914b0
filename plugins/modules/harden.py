#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: harden
short_description: Converge a Hikvision device to a hardening baseline in one task
version_added: 0.2.0
description:
  - Converges accounts, services, security, time, network and remote syslog of one device in one
    task, in that order, each area exactly as its own module does it (M(camfleet.hikvision.user),
    M(camfleet.hikvision.services), M(camfleet.hikvision.security), M(camfleet.hikvision.time),
    M(camfleet.hikvision.network), M(camfleet.hikvision.isapi_resource)), over one session, so the
    device sees one Digest handshake, and Ansible pays for one task instead of one per area.
  - An area whose option is left out (or null) is not touched. The first area that fails stops
    this device; RV(failed_area) names it and RV(areas) holds what the areas before it did.
  - With O(fleet=true) and C(run_once) one task converges every host of the play's current batch
    concurrently on the controller, each host with its own options templated from its own
    variables (its address, credentials and any per-host setting). The task itself does not
    fail for a host's failure; RV(hosts) holds each host's result, and a follow-up task per host
    (the baseline role's report) turns a host's failure into that host's failure.
  - This is what the C(camfleet.hikvision.baseline) role runs.
options:
  users:
    description:
      - Accounts to converge, each as M(camfleet.hikvision.user) converges it (created if missing,
        level set, password changed unless O(users[].update_password=on_create)).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Account name.
        type: str
        required: true
      level:
        description: Account level.
        type: str
        choices: [administrator, operator, viewer]
        default: viewer
      password:
        description: Its password (proved with one login; changed when that login fails).
        type: str
        required: true
      update_password:
        description: V(on_create) sets the password only when the account is created.
        type: str
        choices: [always, on_create]
        default: always
  remove_undeclared_users:
    description:
      - Delete every account not in O(users), O(keep_accounts) or the login account O(username),
        after O(users) are converged.
    type: bool
    default: false
  keep_accounts:
    description: Accounts O(remove_undeclared_users) leaves alone.
    type: list
    elements: str
    default: []
  services:
    description:
      - The options of M(camfleet.hikvision.services) (V(ssh), V(upnp), V(snmp), V(onvif), ...)
        except its secrets, which are O(onvif_users) and O(hik_connect_code) here. A key with a
        null value leaves that service alone.
    type: dict
  onvif_users:
    description: O(camfleet.hikvision.services#module:onvif_users) of the services area.
    type: list
    elements: dict
    suboptions:
      name:
        description: ONVIF account name.
        type: str
        required: true
      password:
        description: Its password.
        type: str
        required: true
      type:
        description: Its ONVIF level.
        type: str
        choices: [media_user, user, operator, administrator]
        default: media_user
  hik_connect_code:
    description: O(camfleet.hikvision.services#module:hik_connect_code) of the services area.
    type: str
  security:
    description: The options of M(camfleet.hikvision.security).
    type: dict
  time:
    description: The options of M(camfleet.hikvision.time).
    type: dict
  ntp_max_servers_by_model:
    description:
      - NTP servers each model takes (devices do not advertise it), by the model name
        M(camfleet.hikvision.device_info) reports; other models take O(time) C(ntp_max_servers).
      - The model is read only when the list is longer than the smallest of these limits.
    type: dict
    default: {}
  network:
    description: The options of M(camfleet.hikvision.network).
    type: dict
  syslog:
    description:
      - The values of C(/ISAPI/System/logServer) for this firmware, converged as
        M(camfleet.hikvision.isapi_resource) does. A device without that resource lists
        V(syslog) in RV(unsupported) instead of failing.
    type: dict
  check_role_variables:
    description:
      - Check the variables of the role this task runs in against that role's argument spec
        (entry point C(main)), for each host, before anything is sent; a host whose variables
        fail the check fails with the check's messages, which name the variables. This is how
        the baseline role's C(converge) entry point (what C(playbooks/harden.yml) runs) keeps the
        role's argument check without a task of its own per host.
      - Does nothing outside a role, or in a role without an argument spec.
    type: bool
    default: false
  fleet:
    description:
      - Converge every host of the play's current batch (C(ansible_play_batch)) from this one
        task, on the controller, O(fleet_workers) at a time. Needs C(run_once=true) on the task.
      - Every option (connection, credentials, settings) is templated again for each host with
        that host's variables, so the hosts need not share anything. Hosts must not be delegated
        (C(delegate_to)) and the task must not be async.
      - The task does not fail for one host; see RV(hosts) and RV(failed_hosts).
    type: bool
    default: false
  fleet_workers:
    description: With O(fleet=true), how many hosts are converged at once.
    type: int
    default: 50
  fleet_processes:
    description:
      - With O(fleet=true), how many controller processes share the batch (the task's own
        worker and children forked from it), O(fleet_workers) divided among them. Converging a
        device is Python work (Digest, XML, TLS), and one process uses one core.
      - V(0) takes one per core of the controller, at most one per 10 hosts.
    type: int
    default: 0
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
    details: One diff per area that differs, headed by the area (and, with O(fleet=true), the host).
notes:
  - Passwords are never returned. A password change of the login account itself (an entry of
    O(users) named O(username)) switches the session to the new password for the areas after it.
seealso:
  - module: camfleet.hikvision.services
  - module: camfleet.hikvision.security
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: One task per device
  camfleet.hikvision.harden:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    users:
      - {name: vms, level: viewer, password: "{{ vault_vms_password }}"}
    remove_undeclared_users: true
    services: {ssh: false, upnp: false, telnet: false, snmp: "off"}
    security: {http: false, https: true, tls_min_version: "1.2", web_auth: digest}
    time: {mode: ntp, timezone: "UTC+00:00", ntp_servers: [10.0.0.1], ntp_max_servers: 1}
    ntp_max_servers_by_model: {DS-2CD2386G2-IU: 3}

- name: One task for the whole batch (each host's own variables, a report task per host after it)
  camfleet.hikvision.harden:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    services: {ssh: false}
    fleet: true
  run_once: true
  register: hardened

- name: A host the fleet task could not harden fails here
  ansible.builtin.debug:
    msg: "{{ hardened.hosts[inventory_hostname].msg | default('hardened') }}"
  failed_when: hardened.hosts[inventory_hostname].failed | default(false)
'''

RETURN = r'''
areas:
  description:
    - What each area did, keyed by area (C(users) and C(removed) are lists, one entry per
      account), each with the return values of its own module (C(changed), C(settings), ...).
  returned: always
  type: dict
removed_users:
  description: Accounts O(remove_undeclared_users) deleted (or would delete, in check mode).
  returned: when O(remove_undeclared_users=true)
  type: list
  elements: str
  sample: [intruder]
unsupported:
  description: Controls this device lacks (from the services and security areas, and V(syslog)).
  returned: always
  type: list
  elements: str
  sample: [session_timeout]
reboot_required:
  description: An area's write answered that a reboot is needed to apply it.
  returned: always
  type: bool
failed_area:
  description: The area that failed (for example V(services) or V(user vms)).
  returned: failure
  type: str
hosts:
  description:
    - With O(fleet=true), each host's result (the keys above plus C(changed), C(failed), C(msg)),
      by inventory name.
  returned: with O(fleet=true)
  type: dict
failed_hosts:
  description: With O(fleet=true), the hosts whose result failed.
  returned: with O(fleet=true)
  type: list
  elements: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.hardening import SPEC
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_as_module


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
