# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""IPv4 settings of a device's network interface (docs/developer/isapi-reference.md, §7): the logic behind the network module.

Addressing changes are answered with statusCode 7 and applied by a reboot (§7.3), after which the
device answers only at its new address. The module reboots it, follows it there with a new
session (same credentials) and returns the new address for later tasks.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.camfleet.hikvision.plugins.module_utils import engine, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.maintenance import (
    pending_address, reboot_and_follow, running_address,
)
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec

MTU_RANGE = (576, 9676)

IP_FIELDS = {
    'addressing': engine.Field('addressingType',
                               to_device=lambda v: 'dynamic' if v == 'dhcp' else v,
                               from_device=lambda raw: 'dhcp' if raw == 'dynamic' else raw),
    'address': engine.Field('ipAddress'),
    'netmask': engine.Field('subnetMask'),
    'gateway': engine.Field('DefaultGateway/ipAddress', create=True),
    'dns_primary': engine.Field('PrimaryDNS/ipAddress', create=True),
    'dns_secondary': engine.Field('SecondaryDNS/ipAddress', create=True),
}
LINK_FIELDS = {'mtu': engine.Field('Link/MTU', 'int')}


# -- input checks (pure) --------------------------------------------------------------------------
def parse_ipv4(value, field):
    try:
        return ipaddress.IPv4Address(str(value).strip())
    except ValueError:
        raise IsapiInputError('%s %r is not an IPv4 address (dotted quad, e.g. 192.168.1.64)' % (
            field, value))


def parse_netmask(value):
    """'255.255.255.0', '24' or '/24' -> the dotted mask."""
    text = str(value).strip().lstrip('/')
    if text.isdigit():
        prefix = int(text)
        if not 1 <= prefix <= 32:
            raise IsapiInputError('netmask /%d is not a prefix length from 1 to 32' % prefix)
        return str(ipaddress.IPv4Network('0.0.0.0/%d' % prefix).netmask)
    try:
        return str(ipaddress.IPv4Network('0.0.0.0/%s' % text).netmask)
    except ValueError:
        raise IsapiInputError('netmask %r is not a contiguous subnet mask (e.g. 255.255.255.0 or 24)'
                              % value)


def check_dns(value, field):
    """A DNS server must be one host: 0.0.0.0 is the device's "none" (clear with dns: []), and a
    broadcast or multicast address is no server at all."""
    addr = parse_ipv4(value, field)
    if addr.is_unspecified:
        raise IsapiInputError('%s 0.0.0.0 is not a DNS server; to clear the DNS servers give '
                              'dns: [] instead' % field)
    if addr.is_multicast or str(addr) == '255.255.255.255':
        kind = 'multicast' if addr.is_multicast else 'broadcast'
        raise IsapiInputError('%s %s is a %s address, not a DNS server; give the unicast address '
                              'of a DNS server' % (field, addr, kind))
    return addr


def check_host(address, netmask, field='address'):
    """A usable host address: not unspecified, multicast or broadcast, nor the subnet's network
    or broadcast address."""
    addr = parse_ipv4(address, field)
    if addr.is_unspecified or addr.is_multicast or str(addr) == '255.255.255.255':
        raise IsapiInputError('%s %s is not usable as a host address' % (field, addr))
    net = ipaddress.IPv4Network('%s/%s' % (addr, netmask), strict=False)
    if net.prefixlen <= 30 and addr in (net.network_address, net.broadcast_address):
        kind = 'network' if addr == net.network_address else 'broadcast'
        raise IsapiInputError('%s %s is the %s address of %s; pick a host address inside it' % (
            field, addr, kind, net))
    return addr, net


def check_gateway(gateway, address, netmask):
    addr, net = check_host(address, netmask)
    gw, dummy = check_host(gateway, netmask, field='gateway')
    if gw not in net:
        raise IsapiInputError('gateway %s is outside the subnet %s of address %s; give a gateway '
                              'inside that subnet' % (gw, net, addr))
    if gw == addr:
        raise IsapiInputError('gateway %s is the device address itself' % gw)


def desired_ip(params):
    """The asked IPv4 settings in device form (None = not asked); format checks only."""
    addressing = params.get('addressing')
    if addressing == 'dhcp' and any(params.get(k) for k in ('address', 'netmask', 'gateway')):
        raise IsapiInputError('address, netmask and gateway cannot be set with addressing: dhcp; '
                              'the DHCP server assigns them')
    dns = params.get('dns') or []
    if len(dns) > 2:
        raise IsapiInputError('dns takes at most two servers (primary, secondary), got %d' % len(dns))
    desired = {
        'addressing': addressing,
        'address': str(parse_ipv4(params['address'], 'address')) if params.get('address') else None,
        'netmask': parse_netmask(params['netmask']) if params.get('netmask') else None,
        'gateway': str(parse_ipv4(params['gateway'], 'gateway')) if params.get('gateway') else None,
    }
    for key, value, position in (('dns_primary', dns, 0), ('dns_secondary', dns, 1)):
        if params.get('dns') is not None:
            desired[key] = (str(check_dns(value[position], 'dns[%d]' % position))
                            if len(value) > position else '0.0.0.0')
        else:
            desired[key] = None
    return desired


def check_combined(desired, current_root):
    """Address, mask and gateway as they will be after the change must fit together."""
    if (desired.get('addressing') or _current(current_root, 'addressing')) == 'dhcp':
        return
    address = desired['address'] or xmldoc.text(current_root, 'ipAddress')
    netmask = desired['netmask'] or xmldoc.text(current_root, 'subnetMask')
    gateway = desired['gateway'] or xmldoc.text(current_root, 'DefaultGateway/ipAddress')
    dummy, net = check_host(address, netmask)
    for key, field in (('dns_primary', 'dns[0]'), ('dns_secondary', 'dns[1]')):
        if desired.get(key) and net.prefixlen <= 30 and \
                ipaddress.IPv4Address(desired[key]) == net.broadcast_address:
            raise IsapiInputError('%s %s is the broadcast address of %s, not a DNS server; give the '
                                  'unicast address of a DNS server' % (field, desired[key], net))
    if gateway and gateway != '0.0.0.0' and (desired['gateway'] or desired['address']
                                             or desired['netmask']):
        check_gateway(gateway, address, netmask)


def _current(root, key):
    return IP_FIELDS[key].read(root)


def check_mtu(mtu, link_root):
    node = xmldoc.find(link_root, 'Link/MTU')
    low = int(node.get('min')) if node is not None and (node.get('min') or '').isdigit() else MTU_RANGE[0]
    high = int(node.get('max')) if node is not None and (node.get('max') or '').isdigit() else MTU_RANGE[1]
    if not low <= mtu <= high:
        raise IsapiInputError('mtu %d is outside what this interface takes (%d to %d)' % (mtu, low, high))


# -- the run function -----------------------------------------------------------------------------
def run_network(task):
    params = task.params
    client = task.client
    base = '/ISAPI/System/Network/interfaces/%d' % params['interface_id']
    desired = desired_ip(params)
    mtu = params.get('mtu')

    docs = engine.Documents(client)
    ip_root = docs.get(base + '/ipAddress')
    check_combined(desired, ip_root)
    ip_plan = engine.plan(ip_root, IP_FIELDS, desired, device=client.device)
    link_root, link_plan = None, None
    if mtu is not None:
        link_root = docs.get(base)
        if xmldoc.find(link_root, 'Link/MTU') is None:
            raise IsapiInputError('mtu: this interface document has no Link/MTU to set',
                                  device=client.device)
        check_mtu(mtu, link_root)
        link_plan = engine.plan(link_root, LINK_FIELDS, {'mtu': mtu}, device=client.device)

    # The document shows the saved settings; the address compares against the running one, so a
    # change staged earlier (reboot: false) still counts as a change until a reboot applies it.
    running = running_address(client)
    pending = pending_address(ip_root, running)
    ip_before = dict(ip_plan.before)
    if pending and 'address' in ip_before:
        ip_before['address'] = running
    before = dict(ip_before, **(link_plan.before if link_plan else {}))
    after = dict(ip_plan.after, **(link_plan.after if link_plan else {}))
    saved_address = xmldoc.text(ip_root, 'ipAddress')
    new_address = desired['address'] if ip_plan.changed and desired['address'] else saved_address
    moving = new_address != (running or saved_address)
    writes = ip_plan.changed or (link_plan is not None and link_plan.changed)
    # A write changes the device (cancelling a pending address too); a pending address that is
    # left pending is no change, one that a reboot applies is.
    result = {'changed': writes or (before != after and params['reboot']),
              'diff': {'before': before, 'after': after},
              'address': client.host, 'reboot_required': False}
    # A pending address needs the reboot even when nothing had to be written for it, but only
    # when the task asks for that address: a pending address is never applied unasked.
    apply_pending = desired['address'] is not None and moving
    if not result['changed']:
        return _report_pending(result, pending)
    if task.check_mode:
        if ip_plan.changed or apply_pending:
            result['reboot_required'] = True
            if moving:
                result['pending_address'] = new_address
            return result
        return _report_pending(result, pending)

    # MTU first: the interface document carries the IPAddress block too, so writing it after a
    # staged address change would only write the staged values back.
    if link_plan is not None and link_plan.changed:
        engine.apply(link_root, LINK_FIELDS, link_plan, {'mtu': mtu})
        docs.changed(base)
    if ip_plan.changed:
        engine.apply(ip_root, IP_FIELDS, ip_plan, desired)
        docs.changed(base + '/ipAddress')
    if not (docs.write(first=[base]) or apply_pending):
        return result  # applied as written, nothing left pending
    if pending and not (ip_plan.changed or apply_pending):
        # Only the pending address wants this reboot (the interface document carries it back):
        # the task did not ask for it, so it is reported, not applied.
        return _report_pending(result, pending)
    if not params['reboot']:
        result['reboot_required'] = True
        if moving:
            result['pending_address'] = new_address
        return result
    result.update(reboot_and_follow(task, client, new_address if moving else None))
    return result


def _report_pending(result, pending):
    """A saved address still waiting for a reboot the task does not do: say so."""
    if pending:
        result.update(reboot_required=True, pending_address=pending)
    return result


# The module's argument spec and run function (the module file and camfleet.hikvision.harden
# both use it).
SPEC = ModuleSpec(dict(
    interface_id=dict(type='int', default=1),
    addressing=dict(type='str', choices=['static', 'dhcp']),
    address=dict(type='str'),
    netmask=dict(type='str'),
    gateway=dict(type='str'),
    dns=dict(type='list', elements='str'),
    mtu=dict(type='int'),
    reboot=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=300),
), run_network)
