# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function
__metaclass__ = type

DOCUMENTATION = r'''
name: sadp
short_description: Hikvision cameras and NVRs found on the local network with SADP
version_added: 0.1.0
description:
  - Sends a SADP inquiry (UDP multicast to 239.255.255.250 port 37020) out of each interface in
    O(interfaces) and makes a host of every device that answers, by unicast or by multicast, so
    devices on another IP subnet of the same segment are found too when they answer by
    multicast.
  - Devices are de-duplicated by MAC (else serial). Malformed or truncated answers are ignored
    with a warning.
  - Host vars include C(isapi_host) and C(isapi_port), so the collection's playbooks run on
    discovered hosts, plus every field the device reported as C(sadp_<field>) (for example
    C(sadp_ipv4_address), C(sadp_ipv4_netmask), C(sadp_ipv4_gateway), C(sadp_mac),
    C(sadp_serial), C(sadp_model), C(sadp_firmware), C(sadp_http_port), C(sadp_command_port),
    C(sadp_activated), C(sadp_dhcp)) and C(device_kind), C(device_model), C(device_serial),
    C(device_mac), C(device_firmware), C(device_activated).
  - Groups (unless O(default_groups=false)) C(sadp_camera)/C(sadp_nvr)/C(sadp_other),
    C(sadp_type_<DeviceType>), C(sadp_model_<model>), C(sadp_activated)/C(sadp_inactive) and
    C(sadp_firmware_<version>); more with O(groups), O(keyed_groups) and O(compose).
  - The inventory source is a file whose name ends in C(sadp.yml) or C(sadp.yaml).
author:
  - camfleet.hikvision maintainers (@camfleet)
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: The name of this plugin.
    required: true
    choices: ['camfleet.hikvision.sadp']
    type: str
  interfaces:
    description:
      - Network interfaces (names such as V(eth0), or their IPv4 addresses) to search on.
      - Probes leave only through these, with a multicast TTL of 1.
    type: list
    elements: str
    required: true
  timeout:
    description: Seconds to listen for answers in total.
    type: float
    default: 3.0
  retries:
    description: Further probe rounds inside O(timeout), for datagrams lost on a busy network.
    type: int
    default: 1
  hostname:
    description:
      - Jinja2 expression over the host vars that names each host. Default the serial number.
      - A name given to two devices gets the MAC appended to the second.
    type: str
    default: device_serial
  isapi_port:
    description:
      - Value of the C(isapi_port) host var when the device does not report an HTTPS port
        (SADP replies usually carry only C(HttpPort)).
    type: int
    default: 443
  default_groups:
    description: Add the groups by kind, device type, model, activation and firmware.
    type: bool
    default: true
notes:
  - Runs on the controller, which must be on the devices' network segment. Interface names are
    resolved on Linux; elsewhere give the interface's IPv4 address.
'''

EXAMPLES = r'''
# site.sadp.yml
plugin: camfleet.hikvision.sadp
interfaces: [eth1]
timeout: 3
hostname: "'cam-' ~ sadp_mac | replace(':', '')"
keyed_groups:
  - key: sadp_ipv4_address | ansible.utils.ipsubnet(24)
    prefix: subnet
compose:
  isapi_scheme: "'https'"
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/camfleet-sadp
cache_timeout: 300
'''

import re

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiError

DEFAULT_HOSTNAME = 'device_serial'


def host_vars(device, isapi_port=443):
    """Host vars of one discovered device: the ISAPI connection vars the playbooks use, the
    identity vars the emulator's inventory also sets, and every reported field as sadp_*."""
    values = dict(('sadp_%s' % key, value) for key, value in device.items())
    values.update(
        isapi_host=device.get('ipv4_address'),
        isapi_port=device.get('https_port') or isapi_port,
        isapi_http_port=device.get('http_port'),
        device_kind=device.get('kind'),
        device_model=device.get('model'),
        device_serial=device.get('serial'),
        device_mac=sadp.normalize_mac(device.get('mac')),
        device_firmware=device.get('firmware'),
        device_activated=device.get('activated'),
    )
    return values


def _safe(text):
    return re.sub(r'[^A-Za-z0-9_]', '_', str(text)).strip('_').lower()


def default_groups(device):
    groups = ['sadp_%s' % (device.get('kind') or 'other')]
    if device.get('device_type') is not None:
        groups.append('sadp_type_%s' % _safe(device['device_type']))
    if device.get('model'):
        groups.append('sadp_model_%s' % _safe(device['model']))
    activated = device.get('activated')
    if activated is True:
        groups.append('sadp_activated')
    elif activated is False:
        groups.append('sadp_inactive')
    if device.get('firmware'):
        groups.append('sadp_firmware_%s' % _safe(device['firmware']))
    return groups


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):

    NAME = 'camfleet.hikvision.sadp'

    def verify_file(self, path):
        return (super(InventoryModule, self).verify_file(path)
                and path.endswith(('sadp.yml', 'sadp.yaml')))

    def parse(self, inventory, loader, path, cache=True):
        super(InventoryModule, self).parse(inventory, loader, path, cache)
        self._read_config_data(path)
        cache_key = self.get_cache_key(path)
        use_cache = self.get_option('cache') and cache
        devices = None
        if use_cache:
            try:
                devices = self._cache[cache_key]
            except KeyError:
                devices = None
        if devices is None:
            devices = self._discover()
            if self.get_option('cache'):
                self._cache[cache_key] = devices
        self._populate(devices)

    def _discover(self):
        try:
            return sadp.discover(self.get_option('interfaces'), timeout=self.get_option('timeout'),
                                 retries=self.get_option('retries'), warn=self.display.warning)
        except IsapiError as exc:
            raise AnsibleParserError('SADP discovery failed: %s' % exc)

    def _host_name(self, variables):
        expression = self.get_option('hostname')
        if expression == DEFAULT_HOSTNAME:
            # The default needs no templating (and an untrusted default could not be templated).
            return variables.get('device_serial') or variables.get('device_mac')
        name = self._compose(expression, variables)
        return str(name) if name else None

    def _populate(self, devices):
        strict = self.get_option('strict')
        for device in devices:
            variables = host_vars(device, self.get_option('isapi_port'))
            name = self._host_name(variables)
            if not name:
                self.display.warning('SADP device %s has no name from hostname; skipped'
                                     % variables.get('device_mac'))
                continue
            if name in self.inventory.hosts:
                name = '%s_%s' % (name, _safe(variables.get('device_mac') or len(self.inventory.hosts)))
            self.inventory.add_host(name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
            if self.get_option('default_groups'):
                for group in default_groups(device):
                    self.inventory.add_group(group)
                    self.inventory.add_child(group, name)
            self._set_composite_vars(self.get_option('compose'), variables, name, strict=strict)
            self._add_host_to_composed_groups(self.get_option('groups'), variables, name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option('keyed_groups'), variables, name, strict=strict)
