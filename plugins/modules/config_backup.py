#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: config_backup
short_description: Back up the configuration of a Hikvision device, encrypted, to the controller
version_added: 0.1.0
description:
  - Exports the device configuration file (C(GET /ISAPI/System/configurationData)) and stores it
    on the controller at O(dest). The file holds the device's credentials, so it is never
    written in plain text.
  - With O(encryption=vault) (the default) the file is encrypted with ansible-vault using the
    run's vault secret (C(--vault-password-file) or C(--vault-id)); without one the task fails
    before anything is exported.
  - With O(encryption=device) the device encrypts its own export with O(secret_key) (firmware
    that advertises C(cfgFileSecretKeyLenLimit)); the file is additionally vault-encrypted when
    the run has a vault secret. Restoring needs the same O(secret_key).
  - Next to the backup go C(<backup>.sha256) (the checksum of the stored file, in
    C(sha256sum) format) and C(<name>.json), a readable snapshot of the managed settings
    (identity, users without passwords, network, time, NTP and the security and service
    resources the device answers, with secrets hidden) for diffs between backups.
  - A backup is an action, so a new file reports C(changed). When the device's export equals the
    latest existing backup (compared after decryption) nothing is written and the task reports
    no change. Devices that encrypt their export themselves may encrypt it differently each
    time; then every run writes a new backup.
  - Files are written atomically with mode C(0600). In check mode the export is read and
    compared, and nothing is written.
  - When the task is delegated to another host the export is carried back to the controller
    through that host's private Ansible temporary directory, where it exists unencrypted (unless
    O(encryption=device)) until the task ends.
options:
  dest:
    description:
      - Where the backup goes on the controller. An existing directory (or a path ending in
        C(/)) gets a new file C(<inventory_hostname>_<UTC timestamp>.cfg) per backup; any other
        path is the backup file itself. A relative path is relative to the playbook directory.
    type: path
    required: true
  encryption:
    description: Who encrypts the stored file, see the description.
    type: str
    choices: [vault, device]
    default: vault
  secret_key:
    description:
      - The key the device encrypts its export with (O(encryption=device)); its allowed length
        comes from the device (often 1 to 16 characters). Keep it, restoring needs it.
    type: str
  export_timeout:
    description: Seconds the device may take to produce its export.
    type: int
    default: 120
  _staging_path:
    description:
      - Internal, set by the action plugin when the task is delegated to another host (where the module leaves the export for the controller to fetch,
        inside that host's private Ansible temporary directory). Do not set it.
    type: path
extends_documentation_fragment:
  - camfleet.hikvision.connection
  - camfleet.hikvision.attributes
  - camfleet.hikvision.attributes.ISAPI_GROUP
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Back up every device into backups/ (run with --vault-password-file)
  camfleet.hikvision.config_backup:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    dest: "{{ playbook_dir }}/backups/"

- name: Let the device encrypt its own export
  camfleet.hikvision.config_backup:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    dest: "backups/{{ inventory_hostname }}.cfg"
    encryption: device
    secret_key: "{{ vault_config_key }}"
'''

RETURN = r'''
dest:
  description: The backup file (new, or the latest one when nothing changed).
  returned: always
  type: str
checksum:
  description: SHA-256 of the stored (encrypted) file.
  returned: when a backup was written or found equal
  type: str
size:
  description: Size of the stored file in bytes.
  returned: when a backup was written or found equal
  type: int
snapshot:
  description: Path of the readable JSON snapshot next to the backup.
  returned: always
  type: str
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.backup import run_config_backup
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec, run_as_module

SPEC = ModuleSpec(dict(
    dest=dict(type='path', required=True),
    encryption=dict(type='str', default='vault', choices=['vault', 'device']),
    secret_key=dict(type='str', no_log=True),
    export_timeout=dict(type='int', default=120),
    # Set by the action plugin when the module runs on another host: where to leave the export
    # for the controller to fetch (inside that host's private Ansible temp dir).
    _staging_path=dict(type='path'),
), run_config_backup, required_if=[('encryption', 'device', ['secret_key'])])


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
