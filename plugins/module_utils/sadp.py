# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""SADP (Search Active Device Protocol) over UDP multicast: discovery, activation and network
updates of devices on the local segment (docs/developer/sadp-reference.md). Used by the sadp inventory plugin and the
sadp_discover / sadp_device modules.

Whether a device answers by unicast or by multicast is not documented and varies (docs/developer/sadp-reference.md, §1.3),
so one socket receives both: bound to port 37020 with SO_REUSEADDR, joined to the group on every
interface the user names, sending from that same socket. Every datagram is one XML document.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ipaddress
import re
import select
import socket
import struct
import time
import uuid as uuidlib

from ansible_collections.camfleet.hikvision.plugins.module_utils import sadp_crypto, xmldoc
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import (
    IsapiAuthError, IsapiError, IsapiInputError, IsapiLockedError,
)

GROUP = '239.255.255.250'
PORT = 37020
# Real replies exceed 1 KB; 8 KB leaves margin (docs/developer/sadp-reference.md, §4). Larger datagrams are truncated by
# the kernel and then fail to parse, which is reported like any malformed reply.
MAX_DATAGRAM = 8192
# Linux values; the socket module of Python 3.11 does not export them.
IP_PKTINFO = getattr(socket, 'IP_PKTINFO', 8)
SIOCGIFADDR = 0x8915
BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff'


class SadpError(IsapiError):
    """A SADP exchange failed: no answer, or the device refused."""


# -- ProbeMatch / Hello fields (docs/developer/sadp-reference.md, §2.2) -------------------------------------------------

# (element, key, kind). Element names are matched case-insensitively (§2.2 notes).
FIELDS = (
    ('Uuid', 'uuid', 'str'), ('Types', 'types', 'str'), ('Result', 'result', 'str'),
    ('DeviceType', 'device_type', 'int'), ('DeviceDescription', 'model', 'str'),
    ('DeviceSN', 'serial', 'str'), ('CommandPort', 'command_port', 'int'),
    ('HttpPort', 'http_port', 'int'), ('HttpsPort', 'https_port', 'int'), ('MAC', 'mac', 'mac'),
    ('IPv4Address', 'ipv4_address', 'str'), ('IPv4SubnetMask', 'ipv4_netmask', 'str'),
    ('IPv4Gateway', 'ipv4_gateway', 'str'), ('IPv6Address', 'ipv6_address', 'str'),
    ('IPv6Gateway', 'ipv6_gateway', 'str'), ('IPv6MaskLen', 'ipv6_mask_len', 'int'),
    ('DHCP', 'dhcp', 'bool'), ('AnalogChannelNum', 'analog_channels', 'int'),
    ('DigitalChannelNum', 'digital_channels', 'int'), ('SoftwareVersion', 'firmware', 'str'),
    ('DSPVersion', 'dsp_version', 'str'), ('BootTime', 'boot_time', 'str'),
    ('OEMCode', 'oem_code', 'str'), ('OEMInfo', 'oem_info', 'str'),
    ('SoftwareVersionEncrypt', 'software_version_encrypt', 'str'),
    ('DSPVersionEncrypt', 'dsp_version_encrypt', 'str'),
    ('OEMInfoEncrypt', 'oem_info_encrypt', 'str'), ('Encrypt', 'encrypt', 'bool'),
    ('ResetAbility', 'reset_ability', 'bool'), ('DiskNumber', 'disk_number', 'int'),
    ('Activated', 'activated', 'bool'), ('PasswordResetAbility', 'password_reset_ability', 'bool'),
    ('SyncIPCPassword', 'sync_ipc_password', 'bool'),
    ('PasswordResetModeSecond', 'password_reset_mode_second', 'bool'),
    ('DetailOEMCode', 'detail_oem_code', 'str'), ('EZVIZCode', 'ezviz_code', 'bool'),
    ('DeviceLock', 'device_lock', 'bool'), ('SupportGUID', 'support_guid', 'bool'),
    ('SupportSecurityQuestion', 'support_security_question', 'bool'),
    ('SupportHCPlatform', 'support_hc_platform', 'bool'),
    ('HCPlatformEnable', 'hc_platform_enable', 'str'),
    ('IsModifyVerificationCode', 'is_modify_verification_code', 'bool'),
    ('Salt', 'salt', 'str'), ('Salt2', 'salt2', 'str'), ('SupportBind', 'support_bind', 'bool'),
    ('MaxBindNum', 'max_bind_num', 'int'),
    ('SupportRestoreInactive', 'support_restore_inactive', 'bool'),
    ('supportwifiRegion', 'support_wifi_region', 'str'),
    ('currentwifiRegion', 'current_wifi_region', 'str'),
    ('supportWifiEnhancement', 'support_wifi_enhancement', 'bool'),
    ('enableWifiEnhancement', 'enable_wifi_enhancement', 'bool'),
    ('Licensed', 'licensed', 'str'), ('SystemMode', 'system_mode', 'str'),
    ('ControllerType', 'controller_type', 'str'),
    ('SupportChannelDefaultPassword', 'support_channel_default_password', 'bool'),
    ('SupportMailBox', 'support_mailbox', 'bool'),
    ('supportSSIDAndPasswordCfg', 'support_ssid_and_password_cfg', 'bool'),
    ('SpecificDeviceType', 'specific_device_type', 'str'), ('EHomeVer', 'ehome_version', 'str'),
    ('DHCPAbility', 'dhcp_ability', 'str'), ('SecurityMode', 'security_mode', 'str'),
    ('SDKServerStatus', 'sdk_server_status', 'str'),
    ('SDKOverTLSServerStatus', 'sdk_over_tls_server_status', 'str'),
    ('SDKOverTLSPort', 'sdk_over_tls_port', 'int'), ('UserName', 'user_name', 'str'),
    ('supportIPv6', 'support_ipv6', 'bool'), ('supportModifyIPv6', 'support_modify_ipv6', 'bool'),
    ('WifiMAC', 'wifi_mac', 'mac'), ('supportEzvizUnbind', 'support_ezviz_unbind', 'bool'),
    ('EZVIZBindStatus', 'ezviz_bind_status', 'str'), ('codeEncrypt', 'code_encrypt', 'bool'),
    ('SupportPasswordResetType', 'support_password_reset_type', 'bool'),
    ('physicalAccessVerification', 'physical_access_verification', 'str'),
    ('Encoder', 'encoder', 'str'), ('Support', 'support', 'str'),
    ('RetryTimes', 'retry_times', 'int'), ('RetryModifyTime', 'retry_modify_time', 'int'),
    ('SurplusLockTime', 'surplus_lock_time', 'int'), ('Code', 'code', 'str'),
    # getPasswordResetType and GetQRcodes answers (§3.2)
    ('PasswordResetTypeEnabled', 'password_reset_type_enabled', 'bool'),
    ('SecurityQuestionEnabled', 'security_question_enabled', 'bool'),
    ('GuidFileDataEnabled', 'guid_file_data_enabled', 'bool'),
    ('SecurityEmailEnabled', 'security_email_enabled', 'bool'),
    ('HCVerificationCodeEnabled', 'hc_verification_code_enabled', 'bool'),
    ('QRcodes', 'qr_codes', 'str'), ('MailBox', 'mailbox', 'str'),
    ('MailServiceBox', 'mail_service_box', 'str'),
)
_BY_LOWER = dict((element.lower(), (key, kind)) for element, key, kind in FIELDS)
# Exchange material and echo fields are not device facts.
_NOT_DEVICE = ('uuid', 'types', 'result', 'code', 'retry_times', 'retry_modify_time',
               'surplus_lock_time', 'password_reset_type_enabled', 'security_question_enabled',
               'guid_file_data_enabled', 'security_email_enabled', 'hc_verification_code_enabled',
               'qr_codes', 'mailbox', 'mail_service_box')
_MAC = re.compile(r'^[0-9a-f]{2}([-:.]?[0-9a-f]{2}){5}$')


def normalize_mac(text):
    """'68-6D-BC-EE-F8-F0', '68:6d:...' or '686dbceef8f0' as '68:6d:bc:ee:f8:f0'; None if not a MAC."""
    if text is None:
        return None
    value = str(text).strip().lower()
    if not _MAC.match(value):
        return None
    digits = re.sub(r'[^0-9a-f]', '', value)
    return ':'.join(digits[i:i + 2] for i in range(0, 12, 2))


def wire_mac(mac):
    """The form devices send and expect in commands: lower-case, hyphenated (docs/developer/sadp-reference.md, §2.2)."""
    return mac.replace(':', '-')


def _convert(kind, value):
    if kind == 'int':
        return int(value) if re.match(r'^-?\d+$', value) else value
    if kind == 'bool':
        parsed = xmldoc.as_bool(value)
        return value if parsed is None else parsed
    if kind == 'mac':
        return normalize_mac(value) or value
    return value


class Message(object):
    """One parsed datagram: root tag plus direct children as normalized fields."""

    def __init__(self, root, fields, extra):
        self.root = root
        self.fields = fields
        self.extra = extra

    @property
    def types(self):
        return (self.fields.get('types') or '').lower()


def parse_datagram(data):
    """A Message, or None when the datagram is not a well-formed SADP XML document."""
    if not data or len(data) > MAX_DATAGRAM:
        return None
    try:
        root = xmldoc.parse(data)
    except (xmldoc.XmlError, ValueError):
        return None
    if root is None or root.tag not in ('Probe', 'ProbeMatch', 'Hello'):
        return None
    fields, extra = {}, {}
    for child in xmldoc.children(root):
        value = xmldoc.text(child) or ''
        known = _BY_LOWER.get(child.tag.lower())
        if known:
            fields[known[0]] = _convert(known[1], value)
        else:
            extra[child.tag] = value
    return Message(root.tag, fields, extra)


def device_view(message):
    """The device facts of a ProbeMatch or Hello (no exchange material), or None when it names
    neither a MAC nor a serial, which every real reply carries."""
    device = dict((k, v) for k, v in message.fields.items() if k not in _NOT_DEVICE)
    if not normalize_mac(device.get('mac')) and not device.get('serial'):
        return None
    if message.extra:
        device['other_fields'] = dict(message.extra)
    device['kind'] = device_kind(device.get('model'))
    return device


def device_kind(model):
    """camera / nvr from the model name (DS-2... cameras; DS-7/8/9... and iDS-7/9... recorders)."""
    name = (model or '').upper()
    if name.startswith('DS-2') or name.startswith('IDS-2'):
        return 'camera'
    if re.match(r'^I?DS-[789]', name):
        return 'nvr'
    return 'other'


def device_key(device):
    return normalize_mac(device.get('mac')) or 'serial:%s' % device.get('serial')


# -- messages sent (docs/developer/sadp-reference.md, §2.1, §3) -----------------------------------------------------------

def new_uuid():
    return str(uuidlib.uuid4()).upper()


def build_probe(types, uid, mac=None, fields=None, mac_after=None):
    """A Probe document. Element order follows the vendor templates: Uuid, MAC, Types, ... for
    MAC-addressed commands; update puts MAC after the element named by mac_after (§3.2, §3.5).
    fields is a list of (element, value) or (element, value, attributes)."""
    root = xmldoc.element('Probe', version=None)
    _append(root, 'Uuid', uid)
    if mac and not mac_after:
        _append(root, 'MAC', wire_mac(mac))
    _append(root, 'Types', types)
    for item in fields or ():
        _append(root, item[0], item[1], item[2] if len(item) > 2 else None)
        if mac and mac_after == item[0]:
            _append(root, 'MAC', wire_mac(mac))
    return xmldoc.serialize(root)


def _append(root, tag, value, attributes=None):
    child = root.makeelement(tag, dict(attributes or {}))
    child.text = xmldoc.xml_value(value)
    root.append(child)
    return child


# -- interfaces and the socket ------------------------------------------------------------------

class Link(object):
    def __init__(self, name, address):
        self.name = name
        self.address = address


def resolve_interface(name):
    """A Link for an interface name (Linux) or an IPv4 address of this host."""
    text = str(name or '').strip()
    try:
        return Link(text, str(ipaddress.IPv4Address(text)))
    except ValueError:
        pass
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not Linux
        raise IsapiInputError('interfaces: %r: give the IPv4 address of the interface on this '
                              'platform' % text)
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        packed = fcntl.ioctl(probe.fileno(), SIOCGIFADDR, struct.pack('256s', text[:15].encode()))
    except OSError:
        raise IsapiInputError('interfaces: %r is not a network interface with an IPv4 address on '
                              'this host (list them with "ip -4 addr")' % text)
    finally:
        probe.close()
    return Link(text, socket.inet_ntoa(packed[20:24]))


class SadpSocket(object):
    """Port 37020, joined to the group on each link, sending from the same socket (docs/developer/sadp-reference.md, §1.3)."""

    def __init__(self, interfaces, port=PORT, group=GROUP):
        if not interfaces:
            raise IsapiInputError('interfaces: name at least one network interface (or its IPv4 '
                                  'address) to search on')
        self.links = [resolve_interface(name) for name in interfaces]
        self.port = port
        self.group = group
        self.sent = []
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(('', port))
            # TTL 1 (the Linux default, set explicitly): probes never leave the segment.
            sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
            try:
                sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
            except OSError:  # pragma: no cover - not Linux: replies then lack the interface
                pass
            for link in self.links:
                try:
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, self._mreq(link))
                except OSError as exc:
                    if exc.errno != 98:  # EADDRINUSE: two names for one interface
                        raise
        except OSError as exc:
            sock.close()
            raise SadpError('cannot open the SADP socket (UDP %d, group %s): %s; another program '
                            'may hold the port without SO_REUSEADDR, or the interface has no '
                            'multicast' % (port, group, exc))
        self.sock = sock

    def _mreq(self, link):
        return socket.inet_aton(self.group) + socket.inet_aton(link.address)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def link_named(self, name):
        for link in self.links:
            if link.name == name:
                return link
        return self.links[0]

    def send(self, payload, link):
        """To the group, out of this link only (IP_MULTICAST_IF: no default-route trap, §5.2)."""
        self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                             socket.inet_aton(link.address))
        try:
            self.sock.sendto(payload, (self.group, self.port))
        except OSError as exc:
            raise SadpError('cannot send a SADP probe on %s (%s): %s' % (link.name, link.address, exc))
        self.sent.append((link.name, self.group))

    def receive(self, deadline):
        """Yield (data, source_ip, via, link_name) until the deadline; via is 'multicast' or
        'unicast' from the datagram's destination address."""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            ready = select.select([self.sock], [], [], left)[0]
            if not ready:
                return
            data, ancdata, dummy_flags, source = self.sock.recvmsg(MAX_DATAGRAM + 1, 64)
            via, link_name = 'unicast', None
            for level, kind, payload in ancdata:
                if level == socket.IPPROTO_IP and kind == IP_PKTINFO and len(payload) >= 12:
                    index, dummy_spec, dest = struct.unpack('i4s4s', payload[:12])
                    via = 'multicast' if socket.inet_ntoa(dest) == self.group else 'unicast'
                    link_name = self._link_of(index)
            yield data, source[0], via, link_name

    def _link_of(self, index):
        for link in self.links:
            try:
                if socket.if_nametoindex(link.name) == index:
                    return link.name
            except OSError:
                continue
        return self.links[0].name if len(self.links) == 1 else None


# -- discovery ------------------------------------------------------------------------------

class Discovery(object):
    """Collects devices from ProbeMatch/Hello datagrams, de-duplicated by MAC (else serial)."""

    def __init__(self):
        self.devices = {}
        self.order = []
        self.malformed = []

    def add(self, data, source, via, link_name):
        message = parse_datagram(data)
        if message is None:
            self.malformed.append(source)
            return None
        if message.root == 'Probe':
            return None  # our own probe looped back, or another client's
        if message.root == 'ProbeMatch' and message.types not in ('inquiry', ''):
            return None  # a reply to someone's command, not a device listing
        device = device_view(message)
        if device is None:
            self.malformed.append(source)
            return None
        key = device_key(device)
        known = self.devices.get(key)
        if known is not None:
            if via not in known['reply_via']:
                known['reply_via'].append(via)
            return known
        device.update(source=source, reply_via=[via], interface=link_name)
        self.devices[key] = device
        self.order.append(key)
        return device

    def result(self):
        return [self.devices[key] for key in self.order]

    def warning(self):
        if not self.malformed:
            return None
        sources = sorted(set(self.malformed))
        return ('ignored %d malformed or truncated SADP datagram(s) from %s'
                % (len(self.malformed), ', '.join(sources)))


def discover(interfaces, timeout=3.0, retries=1, until=None, warn=None, port=PORT, group=GROUP,
             sock=None):
    """Probe on every interface (retries + 1 rounds spread over timeout seconds) and return the
    devices that answered. until(device) -> True stops early (a search for one device)."""
    own = sock is None
    sock = sock or SadpSocket(interfaces, port=port, group=group)
    found = Discovery()
    try:
        rounds = max(1, int(retries) + 1)
        window = max(float(timeout), 0.1) / rounds
        for dummy in range(rounds):
            for link in sock.links:
                sock.send(build_probe('inquiry', new_uuid()), link)
            for data, source, via, link_name in sock.receive(time.monotonic() + window):
                device = found.add(data, source, via, link_name)
                if device is not None and until is not None and until(device):
                    return [device]
    finally:
        if own:
            sock.close()
        message = found.warning()
        if message and warn:
            warn(message)
    return found.result()


def transact(sock, link, types, uid, payload, timeout, attempts=1, warn=None):
    """Send a command and return the fields of the ProbeMatch that echoes its Uuid, or None.
    Only commands that are safe to repeat get attempts > 1."""
    for dummy in range(max(1, attempts)):
        sock.send(payload, link)
        for data, dummy_source, dummy_via, dummy_link in sock.receive(time.monotonic() + timeout):
            message = parse_datagram(data)
            if message is None or message.root != 'ProbeMatch':
                continue
            if (message.fields.get('uuid') or '').upper() == uid and message.types == types.lower():
                return message.fields
    return None


# -- activation and update (docs/developer/sadp-reference.md, §3.3-§3.5) ----------------------------------------------------

def _refused(types, fields, mac):
    result = fields.get('result') or '(no Result)'
    if result == 'PasswordError':
        left = fields.get('retry_modify_time')
        return IsapiAuthError('device %s refused the admin password for %s (PasswordError); %s '
                              'attempt(s) left before it locks SADP changes'
                              % (mac, types, left if left is not None else 'unknown'),
                              retry_left=left)
    if result == 'locked':
        minutes = fields.get('surplus_lock_time')
        return IsapiLockedError('device %s has locked SADP changes after failed passwords for '
                                '%s more minute(s); not retrying' % (mac, minutes),
                                lock_minutes=minutes)
    if result == 'riskPassword':
        return SadpError('device %s refused the new password as too weak (riskPassword)' % mac)
    return SadpError('device %s answered %s with Result %s' % (mac, types, result), result=result)


def exchange_key(sock, link, mac, timeout, attempts):
    """The device's single-use random string, by the RSA exchange (§3.3)."""
    key = sadp_crypto.new_key()
    uid = new_uuid()
    payload = build_probe('exchangecode', uid, mac=mac,
                          fields=[('Code', sadp_crypto.exchange_code(key))])
    fields = transact(sock, link, 'exchangecode', uid, payload, timeout, attempts)
    if fields is None:
        raise SadpError('device %s did not answer the SADP key exchange within %s s on %s'
                        % (mac, timeout, link.name))
    if fields.get('result') not in (None, '', 'success') or not fields.get('code'):
        raise _refused('exchangecode', fields, mac)
    try:
        return sadp_crypto.device_random(key, fields['code'])
    except ValueError as exc:
        raise SadpError('device %s sent an exchange code this client cannot decrypt: %s' % (mac, exc))


def activate(sock, link, mac, password, timeout, attempts):
    """Activate over SADP. Returns 'success', or 'lost' when no answer came (the caller looks)."""
    random = exchange_key(sock, link, mac, timeout, attempts)
    uid = new_uuid()
    payload = build_probe('activate', uid, mac=mac,
                          fields=[('Password', sadp_crypto.protect_password(random, password))])
    # Not repeated: the random string is single-use and a repeat could only say hasActivated.
    fields = transact(sock, link, 'activate', uid, payload, timeout, 1)
    if fields is None:
        return 'lost'
    if fields.get('result') in ('success', 'hasActivated'):
        return fields['result']
    raise _refused('activate', fields, mac)


def update_password_field(device, password, encoding='auto', username=None):
    """(value, attributes) of the update's <Password> (§3.5): salted when the device advertises
    a Salt (inferred rule; encoding overrides it)."""
    salt = device.get('salt')
    if encoding == 'salted' or (encoding == 'auto' and salt):
        if not salt:
            raise SadpError('update_password_encoding=salted, but device %s advertises no Salt'
                            % device.get('mac'))
        user = username or device.get('user_name') or 'admin'
        return sadp_crypto.salted_update_password(user, salt, password), {'bSalt': 'true'}
    return sadp_crypto.md5_update_password(password), None


def update_fields(device, desired, password_field):
    """The update's parameters in the vendor order (§3.5): every value the device reported,
    changed where desired says so."""
    merged = dict(device)
    merged.update(desired)
    value, attributes = password_field
    fields = [('PWErrorParse', 'true'), ('Password', value, attributes),
              ('IPv4Address', merged.get('ipv4_address') or '0.0.0.0'),
              ('CommandPort', merged.get('command_port') or 8000),
              ('IPv4SubnetMask', merged.get('ipv4_netmask') or '0.0.0.0'),
              ('IPv4Gateway', merged.get('ipv4_gateway') or '0.0.0.0'),
              ('IPv6Address', merged.get('ipv6_address') or '::'),
              ('IPv6Gateway', merged.get('ipv6_gateway') or '::'),
              ('IPv6MaskLen', merged.get('ipv6_mask_len') or 64),
              ('DHCP', bool(merged.get('dhcp')))]
    if merged.get('http_port') is not None:
        fields.append(('HttpPort', merged['http_port']))
    if merged.get('sdk_over_tls_port') is not None:
        fields.append(('SDKOverTLSPort', merged['sdk_over_tls_port']))
    return fields


def update(sock, link, device, desired, password, timeout, encoding='auto', username=None):
    """Send update; returns 'success' or 'lost'. Never repeated: a wrong password counts
    against the device's lockout."""
    mac = normalize_mac(device['mac'])
    uid = new_uuid()
    fields = update_fields(device, desired,
                           update_password_field(device, password, encoding, username))
    payload = build_probe('update', uid, mac=mac, fields=fields, mac_after='PWErrorParse')
    reply = transact(sock, link, 'update', uid, payload, timeout, 1)
    if reply is None:
        return 'lost'
    if reply.get('result') == 'success':
        return 'success'
    raise _refused('update', reply, mac)


# -- the modules' logic ---------------------------------------------------------------------------

NETWORK_KEYS = ('ipv4_address', 'ipv4_netmask', 'ipv4_gateway', 'dhcp')
SEARCH_ARGSPEC = dict(
    interfaces=dict(type='list', elements='str', required=True),
    timeout=dict(type='float', default=3.0),
    retries=dict(type='int', default=1),
)


def _check_search(params):
    if params['timeout'] <= 0 or params['timeout'] > 300:
        raise IsapiInputError('timeout must be between 0 and 300 seconds (got %s)' % params['timeout'])
    if not 0 <= params['retries'] <= 10:
        raise IsapiInputError('retries must be between 0 and 10 (got %s)' % params['retries'])


def _mac_param(params, required=False):
    raw = params.get('mac')
    if raw is None:
        if required:
            raise IsapiInputError('mac is required: the device to act on')
        return None
    mac = normalize_mac(raw)
    if mac is None or mac == BROADCAST_MAC:
        raise IsapiInputError('mac must be a device MAC address like 68:6d:bc:ee:f8:f0 (got %r)' % raw)
    return mac


def _matches(device, mac, serial):
    if mac and normalize_mac(device.get('mac')) != mac:
        return False
    if serial and str(device.get('serial') or '').upper() != serial.upper():
        return False
    return True


def run_sadp_discover(task):
    params = task.params
    _check_search(params)
    mac, serial = _mac_param(params), params.get('serial')
    wanted = mac or serial
    devices = discover(params['interfaces'], timeout=params['timeout'], retries=params['retries'],
                       until=(lambda d: _matches(d, mac, serial)) if wanted else None,
                       warn=task.warn)
    devices = [d for d in devices if _matches(d, mac, serial)]
    result = {'changed': False, 'devices': devices, 'count': len(devices)}
    if wanted:
        if not devices and params.get('fail_when_missing'):
            raise SadpError('no device with %s answered SADP on %s within %s s'
                            % ('MAC %s' % mac if mac else 'serial %s' % serial,
                               ', '.join(params['interfaces']), params['timeout']))
        result['device'] = devices[0] if devices else {}
        result['found'] = bool(devices)
    return result


def _desired_network(params):
    desired = dict((k, params.get(k)) for k in NETWORK_KEYS if params.get(k) is not None)
    for key in ('ipv4_address', 'ipv4_gateway'):
        if key in desired:
            try:
                desired[key] = str(ipaddress.IPv4Address(desired[key]))
            except ValueError:
                raise IsapiInputError('%s must be an IPv4 address (got %r)' % (key, desired[key]))
    if 'ipv4_netmask' in desired:
        try:
            net = ipaddress.IPv4Network('0.0.0.0/%s' % desired['ipv4_netmask'])
        except ValueError:
            raise IsapiInputError('ipv4_netmask must be a dotted mask like 255.255.255.0 or a '
                                  'prefix length (got %r)' % desired['ipv4_netmask'])
        desired['ipv4_netmask'] = str(net.netmask)
    if desired.get('dhcp') and 'ipv4_address' in desired:
        raise IsapiInputError('ipv4_address cannot be set together with dhcp=true: the DHCP '
                              'server assigns the address')
    return desired


def _check_gateway(merged):
    address, mask, gateway = (merged.get('ipv4_address'), merged.get('ipv4_netmask'),
                              merged.get('ipv4_gateway'))
    if merged.get('dhcp') or not (address and mask and gateway) or gateway == '0.0.0.0':
        return
    net = ipaddress.IPv4Network('%s/%s' % (address, mask), strict=False)
    if ipaddress.IPv4Address(gateway) not in net:
        raise IsapiInputError('ipv4_gateway %s is not inside %s: the device could not reach it'
                              % (gateway, net))


def _find(sock, params, mac, warn):
    found = discover(None, timeout=params['timeout'], retries=params['retries'],
                     until=lambda d: _matches(d, mac, None), warn=warn, sock=sock)
    found = [d for d in found if _matches(d, mac, None)]
    return found[0] if found else None


def _view(device, keys):
    return dict((k, device.get(k)) for k in keys)


def _settled(device, desired):
    if desired.get('activated') and not device.get('activated'):
        return False
    return all(device.get(k) == v for k, v in desired.items() if k != 'activated')


def _confirm(sock, params, mac, desired, warn):
    """Re-probe until the device shows the desired state (it answers from its new address)."""
    deadline = time.monotonic() + max(params['timeout'] * 3, 5)
    device = None
    while time.monotonic() < deadline:
        device = _find(sock, params, mac, warn)
        if device is not None and _settled(device, desired):
            return device
    raise SadpError('device %s did not report the new settings over SADP in time (last seen: %s)'
                    % (mac, _view(device or {}, ('activated',) + NETWORK_KEYS)))


def run_sadp_device(task):
    params = task.params
    _check_search(params)
    mac = _mac_param(params, required=True)
    desired = _desired_network(params)
    want_active = params['activated']
    if want_active or desired:
        from ansible_collections.camfleet.hikvision.plugins.module_utils.device import check_password
        check_password(params.get('password'), username='admin', field='password')
    if not sadp_crypto.HAS_CRYPTOGRAPHY:
        raise IsapiInputError('the Python library "cryptography" is required for SADP activation '
                              'and updates: %s' % sadp_crypto.CRYPTOGRAPHY_ERROR)

    with SadpSocket(params['interfaces']) as sock:
        device = _find(sock, params, mac, task.warn)
        if device is None:
            raise SadpError('no device with MAC %s answered SADP on %s within %s s'
                            % (mac, ', '.join(params['interfaces']), params['timeout']))
        link = sock.link_named(device.get('interface'))
        if desired and not device.get('activated') and not want_active:
            raise IsapiInputError('device %s is not activated, so its network cannot be changed; '
                                  'set activated=true to activate it first' % mac)
        merged = dict(device)
        merged.update(desired)
        _check_gateway(merged)

        keys = ('activated',) + tuple(k for k in NETWORK_KEYS if k in desired)
        before = _view(device, keys)
        activating = bool(want_active and not device.get('activated'))
        changes = dict((k, v) for k, v in desired.items() if device.get(k) != v)
        after = dict(before, **changes)
        if activating:
            after['activated'] = True
        result = {'changed': bool(activating or changes), 'device': device,
                  'isapi_host': after.get('ipv4_address') or device.get('ipv4_address')}
        if result['changed']:
            result['diff'] = {'before': before, 'after': after}
        if not result['changed']:
            result['msg'] = 'device already as requested; nothing sent'
            return result
        if task.check_mode:
            result['msg'] = 'device would be changed over SADP'
            return result

        attempts = params['retries'] + 1
        if activating:
            outcome = activate(sock, link, mac, params['password'], params['timeout'], attempts)
            if outcome == 'hasActivated':
                task.warn('device %s was activated by someone else meanwhile' % mac)
            device = _confirm(sock, params, mac, {'activated': True}, task.warn)
        if changes:
            outcome = update(sock, link, device, changes, params['password'], params['timeout'],
                             encoding=params['update_password_encoding'],
                             username=params.get('username'))
            if outcome == 'lost':
                task.warn('no answer to the SADP update from %s; checking what the device reports'
                          % mac)
        device = _confirm(sock, params, mac, dict(changes, activated=want_active or
                                                  bool(device.get('activated'))), task.warn)
        result['device'] = device
        result['isapi_host'] = device.get('ipv4_address')
        result['msg'] = 'device changed over SADP and the change confirmed by a new probe'
        return result
