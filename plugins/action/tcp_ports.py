# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""camfleet.hikvision.tcp_ports: a TCP connect scan of one address from the controller."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.camfleet.hikvision.plugins.plugin_utils.portscan import scan

# Ports Hikvision devices and common services may answer on (docs/developer/hardening-reference.md,
# §3.4 row 29): FTP, SSH, Telnet, HTTP, HTTPS, RTSP, the SDK port, alternates, UPnP, ONVIF/WSD.
DEFAULT_PORTS = [21, 22, 23, 80, 443, 554, 1900, 3702, 5000, 7681, 8000, 8008, 8080, 8443, 8554,
                 9010, 9020]


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(('host', 'ports', 'approved', 'timeout'))
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = self._task.args
        if not args.get('host'):
            raise AnsibleActionFail('host is required')
        approved = sorted(set(int(p) for p in args.get('approved') or []))
        ports = sorted(set(int(p) for p in (args.get('ports') or DEFAULT_PORTS)) | set(approved))
        try:
            timeout = float(args.get('timeout', 1.0))
        except (TypeError, ValueError):
            raise AnsibleActionFail('timeout must be a number of seconds')
        found = scan(args['host'], ports, timeout=timeout)
        unexpected = [p for p in found if p not in approved]
        result.update(changed=False, open=found, scanned=ports, approved=approved,
                      unexpected=unexpected, only_approved=not unexpected)
        return result
