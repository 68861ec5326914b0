# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""NVR IP channels (docs/developer/isapi-reference.md, §12.1-12.2): the logic behind the nvr_channel module.

One task converges a whole NVR: every listed channel is matched by id, else by address, then
added (POST), modified (PUT of the device's own element, edited) or deleted. The stored camera
password is write-only, so whether it is right is read from the NVR's channel status: a channel
whose camera rejects the stored credential reports chanDetectResult errorUserNameOrPasswd.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiInputError, IsapiStatusError,
)

CHANNELS = '/ISAPI/ContentMgmt/InputProxy/channels'
DEFAULT_PORTS = {'HIKVISION': 8000, 'ONVIF': 80}
REJECTED = 'errorUserNameOrPasswd'
PROTOCOL_ELEMENTS = ('proxyProtocol', 'adminProtocol')
# What the user manages, as (key, descriptor-relative path or None for the channel itself).
MANAGED = (('name', 'name'), ('address', 'sourceInputPortDescriptor/ipAddress'),
           ('port', 'sourceInputPortDescriptor/managePortNo'),
           ('user', 'sourceInputPortDescriptor/userName'),
           ('stream_type', 'sourceInputPortDescriptor/streamType'))


def validate(channels):
    """Normalised wanted channels; bad input raises before anything is sent."""
    wanted, seen_ids, seen_addresses = [], set(), set()
    for index, item in enumerate(channels):
        where = 'channels[%d]' % index
        state = item.get('state') or 'present'
        cid = item.get('id')
        address = item.get('address')
        if cid is None and not address:
            raise IsapiInputError('%s needs an id or an address to find the channel by' % where)
        if cid is not None and cid < 1:
            raise IsapiInputError('%s.id must be 1 or more, got %d' % (where, cid))
        if address:
            try:
                ipaddress.ip_address(address)
            except ValueError:
                raise IsapiInputError('%s.address must be an IP address, got %r' % (where, address))
        protocol = item['protocol'].upper() if item.get('protocol') else None
        port = item.get('port')
        if state == 'present' and port is not None and not 1 <= port <= 65535:
            raise IsapiInputError('%s.port must be 1-65535, got %d' % (where, port))
        if item.get('name') is not None and not 1 <= len(item['name']) <= 32:
            raise IsapiInputError('%s.name must be 1 to 32 characters' % where)
        key_id, key_address = cid, address
        if key_id is not None and key_id in seen_ids:
            raise IsapiInputError('%s: channel id %d is listed twice' % (where, key_id))
        if key_address and key_address in seen_addresses:
            raise IsapiInputError('%s: address %s is listed twice' % (where, key_address))
        seen_ids.add(key_id)
        seen_addresses.add(key_address)
        wanted.append(dict(item, index=index, where=where, state=state, protocol=protocol,
                           port=port))
    return wanted


def read_channels(client):
    root = client.get(CHANNELS)
    channels = []
    for elem in xmldoc.findall(root, 'InputProxyChannel'):
        channels.append({'id': _int(xmldoc.text(elem, 'id')), 'element': elem})
    return channels, xmldoc.namespace(root)


def read_status(client):
    """{channel id: (online, chanDetectResult)} from the NVR's live status."""
    root = client.get(CHANNELS + '/status')
    result = {}
    for elem in xmldoc.findall(root, 'InputProxyChannelStatus'):
        online = xmldoc.text(elem, 'online')
        if online is None:  # some firmware nests it in the descriptor (§12.2)
            online = xmldoc.text(elem, 'sourceInputPortDescriptor/online')
        result[_int(xmldoc.text(elem, 'id'))] = (xmldoc.as_bool(online, False),
                                                 xmldoc.text(elem, 'chanDetectResult'))
    return result


def public(elem):
    """A channel as the task reports it (never a password: the device returns none)."""
    desc = xmldoc.find(elem, 'sourceInputPortDescriptor')
    return {
        'id': _int(xmldoc.text(elem, 'id')), 'name': xmldoc.text(elem, 'name'),
        'address': xmldoc.text(desc, 'ipAddress') if desc is not None else None,
        'port': _int(xmldoc.text(desc, 'managePortNo')) if desc is not None else None,
        'protocol': protocol_of(desc)[1] if desc is not None else None,
        'user': xmldoc.text(desc, 'userName') if desc is not None else None,
        'stream_type': xmldoc.text(desc, 'streamType') if desc is not None else None,
    }


def protocol_of(desc):
    """(element name, value) of the protocol element the device uses (§12.1 fw-diff)."""
    for name in PROTOCOL_ELEMENTS:
        value = xmldoc.text(desc, name)
        if value is not None:
            return name, value.upper()
    return None, None


def protocol_element(client, channels):
    """The protocol element name this NVR's own GET uses: from a channel it lists, else from
    its channel capabilities, else proxyProtocol (what real devices return, §12.1)."""
    for channel in channels:
        name = protocol_of(xmldoc.find(channel['element'], 'sourceInputPortDescriptor'))[0]
        if name:
            return name
    try:
        caps = client.get(CHANNELS + '/capabilities')
    except IsapiStatusError:
        return 'proxyProtocol'
    for name in PROTOCOL_ELEMENTS:
        if xmldoc.find(caps, 'sourceInputPortDescriptor/' + name) is not None:
            return name
    return 'proxyProtocol'


def capacity(client):
    """Number of IP channel slots, or None when the NVR does not say."""
    try:
        caps = client.get(CHANNELS + '/capabilities')
    except IsapiStatusError:
        return None
    elem = xmldoc.find(caps, 'id')
    return _int(elem.get('max')) if elem is not None else None


def match(wanted, channels):
    """The listed channel for a wanted one: by id when given, else by address."""
    if wanted.get('id') is not None:
        return next((c for c in channels if c['id'] == wanted['id']), None)
    return next((c for c in channels if public(c['element'])['address'] == wanted['address']),
                None)


def desired_values(wanted, current):
    """The managed values a wanted channel asks for (None = not asked, keep the device's).
    A protocol change without a port moves the port to the new protocol's default."""
    values = {'name': wanted.get('name'), 'address': wanted.get('address'),
              'port': wanted.get('port'), 'user': wanted.get('user'),
              'stream_type': wanted.get('stream_type'), 'protocol': wanted.get('protocol')}
    if values['port'] is None and values['protocol'] and values['protocol'] != current.get(
            'protocol'):
        values['port'] = DEFAULT_PORTS.get(values['protocol'])
    return values


def add_values(wanted):
    protocol = wanted.get('protocol') or 'HIKVISION'
    port = wanted.get('port') or DEFAULT_PORTS.get(protocol)
    if port is None:
        raise IsapiInputError('%s: port is required for protocol %s (defaults exist only for '
                              'HIKVISION and ONVIF)' % (wanted['where'], protocol))
    return dict(wanted, protocol=protocol, port=port, name=wanted.get('name') or wanted['address'],
                user=wanted.get('user') or 'admin', stream_type=wanted.get('stream_type') or 'auto')


def differences(current, values):
    return dict((k, v) for k, v in values.items() if v is not None and current.get(k) != v)


def new_channel(wanted, namespace, element_name):
    desc = {element_name: wanted['protocol'], 'addressingFormatType': 'ipaddress',
            'ipAddress': wanted['address'], 'managePortNo': wanted['port'], 'srcInputPort': 1,
            'userName': wanted['user'], 'password': wanted['password'],
            'streamType': wanted['stream_type']}
    body = {}
    if wanted.get('id') is not None:
        body['id'] = wanted['id']
    body['name'] = wanted['name']
    body['sourceInputPortDescriptor'] = desc
    return xmldoc.element('InputProxyChannel', body, ns=namespace)


def edited_channel(elem, namespace, changes, element_name, password):
    """The device's own channel element with the changes (and the password) written in."""
    body = xmldoc.parse(xmldoc.serialize(elem))
    if namespace and not xmldoc.namespace(body):
        body.set('xmlns', namespace)
    paths = dict(MANAGED)
    for key, value in changes.items():
        if key == 'protocol':
            xmldoc.set_text(body, 'sourceInputPortDescriptor/' + element_name, value)
        else:
            xmldoc.set_text(body, paths[key], value)
    if password is not None:
        xmldoc.set_text(body, 'sourceInputPortDescriptor/password', password)
    return body


def password_action(policy, wanted, status):
    """Whether to (re)send the camera password of an existing channel."""
    if wanted.get('password') is None or policy == 'on_create':
        return False
    if policy == 'always':
        return True
    return status is not None and not status[0] and status[1] == REJECTED


def run_channels(task):
    params = task.params
    client = task.client
    wanted_all = validate(params.get('channels') or [])
    policy = params['update_password']

    channels, namespace = read_channels(client)
    status = read_status(client)
    element_name = protocol_element(client, channels)
    plan, before, after = [], {}, {}
    claimed = set()
    for wanted in wanted_all:
        found = match(wanted, channels)
        if found is not None and found['id'] in claimed:
            raise IsapiInputError('%s matches channel %d, which another entry already manages' % (
                wanted['where'], found['id']), device=client.device)
        if wanted['state'] == 'absent':
            if found is not None:
                claimed.add(found['id'])
                plan.append(('delete', wanted, found, None))
            continue
        if found is None:
            if not wanted.get('address'):
                raise IsapiInputError('%s: channel %d does not exist; give its address (and '
                                      'password) to add it' % (wanted['where'], wanted['id']),
                                      device=client.device)
            if wanted.get('password') is None:
                raise IsapiInputError('%s: password is required to add the channel for %s' % (
                    wanted['where'], wanted['address']), device=client.device)
            plan.append(('add', add_values(wanted), None, None))
            continue
        claimed.add(found['id'])
        current = public(found['element'])
        changes = differences(current, desired_values(wanted, current))
        send_password = password_action(policy, wanted, status.get(found['id']))
        if changes or send_password:
            plan.append(('modify', wanted, found, (changes, send_password)))
    if params.get('exclusive'):
        for channel in channels:
            if channel['id'] not in claimed and not any(p[2] is channel for p in plan):
                plan.append(('delete', None, channel, None))

    _check_capacity(client, channels, plan)
    results = []
    for action, wanted, found, detail in plan:
        results.append(_describe(action, wanted, found, detail, before, after))
    result = {'changed': bool(plan), 'diff': {'before': before, 'after': after}}
    if not task.check_mode:
        for action, wanted, found, detail in plan:
            _apply(client, action, wanted, found, detail, namespace, element_name)
    if plan and not task.check_mode:
        channels, namespace = read_channels(client)
        status = read_status(client)
    result['channels'] = _report(channels, status)
    result['actions'] = results
    if not task.check_mode:
        for entry in result['channels']:
            if entry['detect_result'] == REJECTED:
                task.warn('channel %s (%s): the camera rejects the stored credentials; set its '
                          'password with update_password: when_offline or always' % (
                              entry['id'], entry['address']))
    return _unreachable(task, client, wanted_all, result)


# chanDetectResult values (docs/developer/isapi-reference.md, §12.2) that mean the NVR cannot
# reach a camera at all, in plain words. A wrong password (REJECTED) has its own warning;
# 'connecting' is not final yet.
UNREACHABLE = {
    'notExist': 'no camera answers at that address',
    'netUnreachable': 'the camera cannot be reached over the network',
    'domainError': 'the camera address does not resolve',
    'ipcStreamFail': 'the camera answers but its stream fails',
    'overSysBandwidth': 'the NVR has no bandwidth left for it',
    'ipAddrConflicWithIpc': 'its address conflicts with another camera',
    'cipAddrConflictWithDev': 'its address conflicts with the NVR',
    'unknownError': 'the NVR reports an unknown error',
}


def _unreachable(task, client, wanted_all, result):
    """Warn about (or, with on_unreachable: fail, fail on) every listed channel whose camera the
    NVR reports absent or unreachable, naming the channel and the NVR's detect result."""
    problems = []
    for wanted in wanted_all:
        if wanted['state'] != 'present':
            continue
        entry = next((c for c in result['channels'] if (
            c['id'] == wanted['id'] if wanted.get('id') is not None
            else c['address'] == wanted['address'])), None)
        if entry is None or entry['online'] or entry['detect_result'] in (REJECTED, 'connecting'):
            continue
        detect = entry['detect_result'] or 'none reported'
        problems.append('channel %s (%s) is offline: the NVR reports chanDetectResult %s (%s)' % (
            entry['id'], entry['address'], detect,
            UNREACHABLE.get(entry['detect_result'], 'the camera is not connected')))
    if not problems:
        return result
    if task.params.get('on_unreachable') == 'fail':
        done = ('; the task changed the NVR before this check (see actions)' if result['changed']
                and not task.check_mode else '')
        result.update(failed=True, msg='%s: %s%s; check the camera is powered, cabled and at that '
                      'address, or set on_unreachable: warn to accept it' % (
                          client.device, '; '.join(problems), done))
        return result
    for problem in problems:
        task.warn(problem)
    return result


def _check_capacity(client, channels, plan):
    adds = sum(1 for p in plan if p[0] == 'add')
    if not adds:
        return
    slots = capacity(client)
    deletes = sum(1 for p in plan if p[0] == 'delete')
    needed = len(channels) - deletes + adds
    if slots is not None and needed > slots:
        raise IsapiInputError('the NVR has %d IP channel slots; %d in use, %d to add and %d to '
                              'delete would need %d' % (slots, len(channels), adds, deletes, needed),
                              device=client.device)


def _describe(action, wanted, found, detail, before, after):
    if action == 'add':
        label = 'new:%s' % wanted['address']
        shown = dict((k, wanted.get(k)) for k in ('id', 'name', 'address', 'port', 'protocol',
                                                  'user', 'stream_type'))
        after[label] = dict(shown, password='(set)')
        return {'action': 'add', 'address': wanted['address']}
    current = public(found['element'])
    label = str(current['id'])
    if action == 'delete':
        before[label] = current
        return {'action': 'delete', 'id': current['id'], 'address': current['address']}
    changes, send_password = detail
    before[label] = dict((k, current.get(k)) for k in changes)
    after[label] = dict(changes)
    if send_password:
        before[label]['password'] = '(unchanged)'
        after[label]['password'] = '(changed)'
    return {'action': 'modify', 'id': current['id'], 'address': current['address'],
            'password_sent': send_password}


def _apply(client, action, wanted, found, detail, namespace, element_name):
    if action == 'add':
        client.post(CHANNELS, new_channel(wanted, namespace, element_name))
    elif action == 'delete':
        client.delete('%s/%d' % (CHANNELS, found['id']))
    else:
        changes, send_password = detail
        body = edited_channel(found['element'], namespace, changes, element_name,
                              wanted['password'] if send_password else None)
        client.put('%s/%d' % (CHANNELS, found['id']), body)


def _report(channels, status):
    report = []
    for channel in channels:
        entry = public(channel['element'])
        online, detect = status.get(entry['id'], (False, None))
        entry.update(online=online, detect_result=detect)
        report.append(entry)
    return report


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
