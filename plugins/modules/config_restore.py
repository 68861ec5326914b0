#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: config_restore
short_description: Restore a configuration backup onto a Hikvision device
version_added: 0.1.0
description:
  - Imports a file written by M(camfleet.hikvision.config_backup) with
    C(PUT /ISAPI/System/configurationData).
  - The backup is read and decrypted on the controller with the run's vault secret, and checked
    against its C(.sha256) file when there is one, before anything is sent.
  - Does nothing when the device's current export already equals the backup.
  - The device applies most settings at once and the rest after a reboot (C(reboot_required));
    O(reboot=true) reboots it and waits. Accounts and passwords become those of the backup, so
    later tasks must use the backup's admin password.
  - When the backup holds another admin password than O(password), give it as
    O(backup_password); after the import the task logs in with it to reboot. Without it, the
    task logs in once after the import to check the device still takes O(password); if the
    device refuses it (one failed login, never more), the task fails with C(changed=true), says
    the configuration was imported and the device now expects the backup's admin password, and
    leaves the reboot to M(camfleet.hikvision.reboot) run with that password.
  - The file is refused before anything is sent when it cannot be a configuration export
    (empty, or text such as the snapshot C(.json) or the C(.sha256) file); a file that does not
    match its C(.sha256) file is reported as damaged.
  - When delegated to another host the decrypted backup passes through that host's private
    Ansible temporary directory.
  - "With O(password_from_store=true) both passwords come from the credential store: the task
    logs in with the store's current admin password, and the backup's admin password is the one
    of the store's history the backup carries - the version M(camfleet.hikvision.config_backup)
    recorded in the backup's snapshot when the run had a store, else the one that was current
    when the backup was taken. That password is written to the store as pending B(before) the
    import and promoted to current after one login with it works; the password before it stays
    in the history. A history that no longer holds it stops the task before anything is sent.
    Re-running an interrupted restore settles the pending password with one login and does not
    import again when the device has it."
options:
  src:
    description:
      - The backup file on the controller. A relative path is looked up like other controller
        files (the role's or playbook's C(files/) directory first).
      - A directory stands for the newest backup of this device (C(inventory_hostname)) anywhere
        under it, by the time stamp in the file names config_backup gives (the backup role's
        C(<backup_dir>/<date>/<device>/) layout).
    type: path
    required: true
  password_from_store:
    description:
      - Take O(password) and O(backup_password) from the credential store (see above); both are
        then ignored. The store key is the task's C(inventory_hostname), account O(username).
    type: bool
    default: false
  secret_key:
    description: The key the backup was exported with, for a backup made with C(encryption=device).
    type: str
  reboot:
    description: Reboot the device after the import when it asks for one, and wait for it.
    type: bool
    default: false
  backup_password:
    description:
      - The password the C(admin) account (or O(username)) had when the backup was taken, when
        it differs from O(password). The import gives the device the backup's accounts, so the
        task continues with this password after the import. One login proves it (also without
        O(reboot)), then the reboot and the wait follow.
      - If the import's answer is lost, the task logs in once with it to find out whether the
        import took.
    type: str
  wait_timeout:
    description: Seconds to wait for the reboot with O(reboot=true).
    type: int
    default: 300
  _checksum:
    description:
      - Internal, set by the action plugin when the backup matched its C(.sha256) file. Do not
        set it.
    type: str
  _staging_path:
    description:
      - Internal, set by the action plugin when the task is delegated to another host (where the controller transferred the decrypted backup,
        inside that host's private Ansible temporary directory). Do not set it.
    type: path
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
  - camfleet.hikvision.credential_store
attributes:
  check_mode:
    support: full
  diff_mode:
    support: full
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Put the last known-good configuration back
  camfleet.hikvision.config_restore:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    src: "backups/{{ inventory_hostname }}.cfg"
    reboot: true

- name: Restore a backup taken before the admin password was rotated
  camfleet.hikvision.config_restore:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    backup_password: "{{ isapi_password_at_backup_time }}"
    src: "backups/{{ inventory_hostname }}.cfg"
    reboot: true

- name: After a reset by the button (device activated through the store), the newest backup back
  camfleet.hikvision.config_restore:
    host: "{{ isapi_host }}"
    src: "{{ playbook_dir }}/camfleet-out/backups"
    password_from_store: true
    reboot: true

- name: Finish a restore whose reboot was left out (the device now has the backup's password)
  camfleet.hikvision.reboot:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password_at_backup_time }}"
'''

RETURN = r'''
reboot_required:
  description: The device needs a reboot to apply all of the backup (false after O(reboot=true)).
  returned: always
  type: bool
rebooted:
  description: The device was rebooted and answers again.
  returned: when O(reboot=true) and the device asked for it
  type: bool
session_password:
  description:
    - Which of the task's passwords the device accepted after the import, before the reboot
      (V(password) or V(backup_password)). Later tasks must use that one.
  returned: when O(reboot=true) and the device asked for a reboot, or O(backup_password) was given and the backup imported
  type: str
checksum:
  description: SHA-256 of the backup file as stored.
  returned: always
  type: str
src:
  description: The backup file imported (the newest one when O(src) is a directory).
  returned: always
  type: str
store:
  description:
    - With O(password_from_store=true), what the store holds afterwards (no secret) - C(state)
      (V(current), V(pending), V(discarded)), C(restored_from) (the version of the backup's
      password in the history), C(found_by) (V(version) or V(time)), C(reconciled).
  returned: with O(password_from_store=true) when the store could be read
  type: dict
  sample: {backend: file, state: current, restored_from: v2, found_by: version, reconciled: false}
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.backup import run_config_restore
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module
from ansible_collections.camfleet.hikvision.plugins.module_utils.store_options import STORE_ARGSPEC

SPEC = ModuleSpec(dict(
    src=dict(type='path', required=True),
    password_from_store=dict(type='bool', default=False),
    store=STORE_ARGSPEC,
    secret_key=dict(type='str', no_log=True),
    reboot=dict(type='bool', default=False),
    backup_password=dict(type='str', no_log=True),
    _checksum=dict(type='str', no_log=False),
    wait_timeout=dict(type='int', default=300),
    # Set by the action plugin when the module runs on another host: the decrypted backup,
    # transferred into that host's private Ansible temp dir.
    _staging_path=dict(type='path'),
), run_config_restore)


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
