#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
module: network
short_description: Set the IPv4 address, gateway, DNS and MTU of a Hikvision device
version_added: 0.1.0
description:
  - Reads the interface's C(ipAddress) document, changes only the asked settings (IPv6 and every
    other element are written back as the device sent them) and writes it once.
  - Input is checked before anything is sent; an invalid address or mask, a gateway outside the
    subnet, or the subnet's network or broadcast address as host fails naming the field.
  - Devices apply addressing, gateway and DNS changes only after a reboot (they answer
    C(reboot_required)). With O(reboot=true) the module reboots the device, follows it to its new
    address with a new session and the same credentials, proves it answers there, and returns
    the new RV(address) for later tasks. If it does not answer there within O(wait_timeout), the
    task fails naming both addresses.
  - The device keeps running at its old address until that reboot, while its configuration
    already shows the saved new one. The module compares the address against the running one,
    the address it reaches the device at (O(host), when that is an IPv4 address). So a change saved
    earlier with O(reboot=false) is still reported as pending (RV(pending_address)), and the same
    task run again with O(reboot=true) reboots the device and follows it there, even though
    nothing needs writing any more. A pending address the task does not ask about is reported,
    never applied unasked.
  - When O(host) is a host name, only the saved address is compared. When O(host) is not the
    device's own address (NAT, port forwarding), a saved address that differs from it looks
    pending; the module then looks for the device at both addresses after the reboot and warns
    when it answers at O(host) again.
options:
  interface_id:
    description: Interface number (1 is the wired interface).
    type: int
    default: 1
  addressing:
    description: V(static) or V(dhcp).
    type: str
    choices: [static, dhcp]
  address:
    description: IPv4 address of the device (static addressing).
    type: str
  netmask:
    description: Subnet mask, dotted (V(255.255.255.0)) or as prefix length (V(24)).
    type: str
  gateway:
    description: IPv4 default gateway; must be inside the subnet of the address.
    type: str
  dns:
    description: DNS servers, primary then secondary. An empty list clears both.
    type: list
    elements: str
  mtu:
    description: MTU of the link, where the interface document has C(Link/MTU).
    type: int
  reboot:
    description:
      - Reboot to apply a change the device answers with C(reboot_required), or an asked address
        that is saved but still pending from an earlier run, and follow the device to its new
        address.
      - With V(false) the task returns RV(reboot_required) and RV(pending_address) instead.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the device to reboot and answer (at the new address).
    type: int
    default: 300
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
- name: Move the camera to its production address
  camfleet.hikvision.network:
    host: "{{ isapi_host }}"
    password: "{{ isapi_password }}"
    addressing: static
    address: 10.20.1.64
    netmask: 24
    gateway: 10.20.1.1
    dns: [10.20.0.53, 10.20.0.54]
  register: net

- name: Later tasks talk to the new address
  ansible.builtin.set_fact:
    isapi_host: "{{ net.address }}"
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
  sample: {addressing: static, address: 192.168.1.64, mtu: 1500}
address:
  description: The address the device answers at after the task (the new one when it moved).
  returned: always
  type: str
  sample: 10.20.1.64
previous_address:
  description: The address the device answered at before it moved.
  returned: when the device was rebooted onto a new address
  type: str
pending_address:
  description:
    - The saved address the device will take at its next reboot (it still runs at RV(address)).
    - Also returned when an address saved earlier is still pending and the task did not ask to
      change the address.
  returned: when a saved address differs from the running one and the device was not rebooted
    (reboot=false, check mode, or the task did not ask for the address)
  type: str
reboot_required:
  description: The change is saved but applies only after a reboot that has not happened.
  returned: always
  type: bool
rebooted:
  description: The module rebooted the device to apply the change.
  returned: when it did
  type: bool
'''

from ansible_collections.camfleet.hikvision.plugins.module_utils.network import SPEC
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import run_as_module


def main():
    run_as_module(SPEC)


if __name__ == '__main__':
    main()
