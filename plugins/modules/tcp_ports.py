#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: tcp_ports
short_description: TCP connect scan of a device address from the controller
version_added: 0.2.0
description:
  - Runs on the controller only (an action plugin). Opens a TCP connection to each port of
    O(host) and closes it at once - nothing is sent, so no login is attempted.
  - Reports which ports answered and which of them are not in O(approved). Never changes anything.
options:
  host:
    description: Address to scan.
    type: str
    required: true
  ports:
    description:
      - Ports to try. Defaults to the ports Hikvision devices and their optional services use
        (21, 22, 23, 80, 443, 554, 1900, 3702, 5000, 7681, 8000, 8008, 8080, 8443, 8554, 9010, 9020).
        O(approved) ports are always tried too.
    type: list
    elements: int
  approved:
    description: The ports allowed to answer (for example C([443, 554])).
    type: list
    elements: int
    default: []
  timeout:
    description: Seconds to wait for each connection.
    type: float
    default: 1.0
extends_documentation_fragment:
  - camfleet.hikvision.attributes.CONTROLLER_GROUP
attributes:
  check_mode:
    support: full
    details: The scan only connects; it runs the same in check mode.
  diff_mode:
    support: none
author:
  - camfleet.hikvision maintainers (@camfleet)
'''

EXAMPLES = r'''
- name: Only HTTPS and RTSP answer
  camfleet.hikvision.tcp_ports:
    host: "{{ isapi_host }}"
    approved: [443, 554]
  register: scan
  failed_when: not scan.only_approved
'''

RETURN = r'''
open:
  description: Ports that accepted a connection.
  returned: always
  type: list
  elements: int
unexpected:
  description: Open ports not in O(approved).
  returned: always
  type: list
  elements: int
only_approved:
  description: Whether no port outside O(approved) answered.
  returned: always
  type: bool
scanned:
  description: Every port tried.
  returned: always
  type: list
  elements: int
'''

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec=dict(
        host=dict(type='str', required=True),
        ports=dict(type='list', elements='int'),
        approved=dict(type='list', elements='int', default=[]),
        timeout=dict(type='float', default=1.0),
    ), supports_check_mode=True)
    module.fail_json(msg='camfleet.hikvision.tcp_ports runs on the controller only (action plugin)')


if __name__ == '__main__':
    main()
