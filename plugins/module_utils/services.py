# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Network services on or off (docs/developer/isapi-reference.md, §11): the logic behind the services module.

Each service is a switch inside some ISAPI document. All asked switches are planned first (one
GET per document), so a control the firmware lacks is known before anything is written; then
each document that differs is written once.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

from ansible_collections.camfleet.hikvision.plugins.module_utils import xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.engine import Documents
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiInputError
from ansible_collections.camfleet.hikvision.plugins.module_utils.runner import ModuleSpec

INTERFACE = '/ISAPI/System/Network/interfaces/1'
ONVIF_USERS = '/ISAPI/Security/ONVIF/users'
INTEGRATE = '/ISAPI/System/Network/Integrate'


class Switch(object):
    """A boolean element inside a document; unsupported when the element is missing."""

    def __init__(self, path):
        self.path = path

    def read(self, root):
        return xmldoc.as_bool(xmldoc.text(root, self.path), False) \
            if xmldoc.find(root, self.path) is not None else None

    def write(self, root, value, params):
        xmldoc.set_text(root, self.path, value)


class EntrySwitch(Switch):
    """Lists of entries with their own switch (FTP servers, DDNS): on when any entry is on;
    off turns every entry off, on turns the first one on."""

    def __init__(self, entry):
        Switch.__init__(self, None)
        self.entry = entry

    def read(self, root):
        entries = [e for e in xmldoc.findall(root, self.entry) if xmldoc.find(e, 'enabled') is not None]
        if not entries:
            return None
        return any(xmldoc.as_bool(xmldoc.text(e, 'enabled'), False) for e in entries)

    def write(self, root, value, params):
        entries = [e for e in xmldoc.findall(root, self.entry) if xmldoc.find(e, 'enabled') is not None]
        for position, elem in enumerate(entries):
            xmldoc.set_text(elem, 'enabled', value and position == 0)


class EzvizSwitch(Switch):
    """Hik-Connect needs the device's verification code to be switched on (§11.5)."""

    def write(self, root, value, params):
        xmldoc.set_text(root, self.path, value)
        if value and params.get('hik_connect_code'):
            xmldoc.set_text(root, 'verificationCode', params['hik_connect_code'])


class ProtocolSwitch(Switch):
    """An AdminAccessProtocol entry matched by protocol name, not id (§11.1)."""

    def __init__(self, protocol):
        Switch.__init__(self, None)
        self.protocol = protocol

    def entry(self, root):
        return next((e for e in xmldoc.findall(root, 'AdminAccessProtocol')
                     if (xmldoc.text(e, 'protocol') or '').lower() == self.protocol.lower()), None)

    def read(self, root):
        elem = self.entry(root)
        return None if elem is None else xmldoc.as_bool(xmldoc.text(elem, 'enabled'), True)

    def write(self, root, value, params):
        xmldoc.set_text(self.entry(root), 'enabled', value)


class SadpSwitch(Switch):
    def __init__(self):
        Switch.__init__(self, 'SADP')

    def read(self, root):
        value = xmldoc.text(root, 'SADP')
        return None if value is None else value == 'discoverable'

    def write(self, root, value, params):
        xmldoc.set_text(root, 'SADP', 'discoverable' if value else 'nonDiscoverable')


class SnmpSwitch(Switch):
    """off | v3. The SNMP body was never captured (§11.10): versions are the children that carry
    an `enabled`, and the one whose name ends in v3 is SNMPv3."""

    def __init__(self):
        Switch.__init__(self, None)

    @staticmethod
    def versions(root):
        return [e for e in list(root) if xmldoc.find(e, 'enabled') is not None]

    def read(self, root):
        versions = self.versions(root)
        if not any(e.tag.lower().endswith('v3') for e in versions):
            return None
        on = [e.tag for e in versions if xmldoc.as_bool(xmldoc.text(e, 'enabled'), False)]
        if not on:
            return 'off'
        return 'v3' if on == [e for e in on if e.lower().endswith('v3')] else ','.join(on)

    def write(self, root, value, params):
        for elem in self.versions(root):
            xmldoc.set_text(elem, 'enabled', value == 'v3' and elem.tag.lower().endswith('v3'))


# key -> (document path(s), switch). A list of paths means "the first the firmware has".
SERVICES = [
    ('upnp', [INTERFACE], Switch('Discovery/UPnP/enabled')),
    ('zeroconf', [INTERFACE], Switch('Discovery/Zeroconf/enabled')),
    ('ssh', ['/ISAPI/System/Network/ssh'], Switch('enabled')),
    ('telnet', ['/ISAPI/System/Network/telnetd'], Switch('enabled')),
    ('hik_connect', ['/ISAPI/System/Network/EZVIZ'], EzvizSwitch('enabled')),
    ('onvif', ['/ISAPI/System/Network/Integrate'], Switch('ONVIF/enable')),
    ('cgi', ['/ISAPI/System/Network/Integrate'], Switch('CGI/enable')),
    ('snmp', ['/ISAPI/System/Network/SNMP'], SnmpSwitch()),
    ('ftp', ['/ISAPI/System/Network/ftp'], EntrySwitch('FTPNotification')),
    ('email', ['/ISAPI/System/Network/mailing/1', '/ISAPI/System/Network/mailing'], Switch('enabled')),
    ('ddns', ['/ISAPI/System/Network/DDNS'], EntrySwitch('DDNS')),
    ('bonjour', ['/ISAPI/Security/adminAccesses'], ProtocolSwitch('Bonjour')),
    ('sadp_discovery', ['/ISAPI/System/discoveryMode'], SadpSwitch()),
]


def plan_services(docs, params):
    """(before, after, edits, unsupported) for the asked services."""
    before, after, edits, unsupported = {}, {}, [], []
    for key, paths, switch in SERVICES:
        wanted = params.get(key)
        if wanted is None:
            continue
        path, root = docs.first(paths)
        current = switch.read(root) if root is not None else None
        if current is None:
            unsupported.append(key)
            continue
        before[key], after[key] = current, wanted
        if current != wanted:
            edits.append((key, path, switch))
    return before, after, edits, unsupported


def check_hik_connect(docs, params, edits):
    for key, path, switch in edits:
        if key == 'hik_connect' and params['hik_connect'] and not params.get('hik_connect_code'):
            raise IsapiInputError('hik_connect: true needs hik_connect_code, the verification code '
                                  'on the device label (6 to 12 letters or digits)',
                                  device=docs.client.device)


# -- ONVIF accounts -------------------------------------------------------------------------------
ONVIF_TYPES = {'media_user': 'user', 'user': 'user', 'operator': 'operator',
               'administrator': 'administrator'}


def check_onvif_users(users):
    names = set()
    for position, user in enumerate(users or []):
        name = user.get('name')
        if not name:
            raise IsapiInputError('onvif_users[%d]: name is required' % position)
        if name in names:
            raise IsapiInputError('onvif_users: %r is listed twice' % name)
        names.add(name)
        if not user.get('password') or len(user['password']) < 8:
            raise IsapiInputError('onvif_users[%d] (%s): password must have at least 8 characters'
                                  % (position, name))


def plan_onvif_users(client, params, namespace):
    """(before, after, writes) where writes are (method, path, element)."""
    root = client.get(ONVIF_USERS)
    existing = dict((xmldoc.text(e, 'userName'), e) for e in xmldoc.findall(root, 'User'))
    before, after, writes = [], [], []
    for user in params['onvif_users']:
        wanted_type = ONVIF_TYPES[user.get('type') or 'media_user']
        elem = existing.get(user['name'])
        if elem is None:
            after.append({'name': user['name'], 'type': wanted_type})
            body = xmldoc.element('User', {'userName': user['name'], 'password': user['password'],
                                           'userType': wanted_type}, ns=namespace)
            writes.append(('POST', ONVIF_USERS, body))
            continue
        current_type = xmldoc.text(elem, 'userType')
        before.append({'name': user['name'], 'type': current_type})
        after.append({'name': user['name'], 'type': wanted_type})
        always = params['onvif_update_password'] == 'always'
        if current_type != wanted_type or always:
            body = xmldoc.element('User', {'id': xmldoc.text(elem, 'id'), 'userName': user['name'],
                                           'userType': wanted_type}, ns=namespace)
            if always:
                xmldoc.set_text(body, 'password', user['password'])
                after[-1]['password'] = '(set)'
            writes.append(('PUT', '%s/%s' % (ONVIF_USERS, xmldoc.text(elem, 'id')), body))
    if params.get('onvif_users_purge'):
        # Accounts nobody declared are removed: an ONVIF account is a login of its own (§11).
        declared = set(u['name'] for u in params['onvif_users'])
        for name, elem in existing.items():
            if name not in declared:
                before.append({'name': name, 'type': xmldoc.text(elem, 'userType')})
                writes.append(('DELETE', '%s/%s' % (ONVIF_USERS, xmldoc.text(elem, 'id')), None))
    return before, after, writes


# -- the run function -----------------------------------------------------------------------------
def run_services(task):
    params = task.params
    check_onvif_users(params.get('onvif_users'))
    client = task.client
    docs = Documents(client)
    before, after, edits, unsupported = plan_services(docs, params)
    check_hik_connect(docs, params, edits)

    onvif_writes = []
    if params.get('onvif_users') is not None:
        onvif_on = after.get('onvif', before.get('onvif'))
        if onvif_on is None:
            root = docs.get(INTEGRATE, optional=True)
            onvif_on = Switch('ONVIF/enable').read(root) if root is not None else None
        if onvif_on is None:
            unsupported.append('onvif_users')
        elif not onvif_on:
            task.warn('onvif_users left alone: ONVIF is off on this device')
        else:
            namespace = xmldoc.namespace(docs.roots.get(INTEGRATE))
            u_before, u_after, onvif_writes = plan_onvif_users(client, params, namespace)
            before['onvif_users'], after['onvif_users'] = u_before, u_after
    if unsupported and params['strict']:
        raise IsapiInputError('not supported by this device: %s (strict: true; nothing was '
                              'changed)' % ', '.join(unsupported), device=client.device)

    result = {'changed': bool(edits or onvif_writes), 'reboot_required': False,
              'diff': {'before': before, 'after': after}, 'unsupported': unsupported}
    if not result['changed'] or task.check_mode:
        return result
    for key, path, switch in edits:
        switch.write(docs.roots[path], params[key], params)
        docs.changed(path)
    # Integrate first: ONVIF accounts are only accepted once ONVIF is on.
    result['reboot_required'] = docs.write(first=[INTEGRATE])
    for method, path, body in onvif_writes:
        if method == 'POST':
            client.post(path, body)
        elif method == 'DELETE':
            client.delete(path)
        else:
            client.put(path, body)
    return result


# The module's argument spec and run function (the module file and camfleet.hikvision.harden
# both use it).
SPEC = ModuleSpec(dict(
    upnp=dict(type='bool'),
    zeroconf=dict(type='bool'),
    ssh=dict(type='bool'),
    telnet=dict(type='bool'),
    hik_connect=dict(type='bool'),
    hik_connect_code=dict(type='str', no_log=True),
    onvif=dict(type='bool'),
    cgi=dict(type='bool'),
    snmp=dict(type='str', choices=['off', 'v3']),
    ftp=dict(type='bool'),
    email=dict(type='bool'),
    ddns=dict(type='bool'),
    bonjour=dict(type='bool'),
    sadp_discovery=dict(type='bool'),
    onvif_users=dict(type='list', elements='dict', options=dict(
        name=dict(type='str', required=True),
        password=dict(type='str', required=True, no_log=True),
        type=dict(type='str', default='media_user',
                  choices=['media_user', 'user', 'operator', 'administrator']),
    )),
    onvif_users_purge=dict(type='bool', default=False),
    onvif_update_password=dict(type='str', default='on_create', choices=['on_create', 'always'],
                               no_log=False),
    strict=dict(type='bool', default=False),
), run_services)
