"""The bad-input table (issue 8): every module refuses wrong input with a message that names the
field and the fix, and leaves the device exactly as it was (its whole state read back from the
emulator). Cases marked pre-send are refused before anything reaches the device: the emulator
counted no request at all, so no credential was sent. The rest may read first but write nothing
and cost no failed login."""
import ipaddress
import os

import pytest
import yaml

from ansible_collections.camfleet.hikvision.plugins.modules import (
    activate, config_backup, config_restore, credential_import, device_info, device_log_info,
    factory_reset, firmware, harden, isapi_request, isapi_resource, network, nvr_channel, reboot,
    recordings, recovery, recovery_request, recovery_reset, rotate_password, sadp_device,
    sadp_discover, security, services, time, user,
)

from .conftest import run

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PRE, READ = 'pre-send', 'after-read'
WEAK = 'password must mix at least two of: digits, lower-case, upper-case, special characters ' \
       '(devices call one kind "risky" and refuse it); use three or more for a strong password'
GUARD = 'is outside /ISAPI/ and /SDK/; set allow_any_path: true if you really mean it'
TZ_RULE = 'write it as DST[offset][,start[/time],end[/time]], for example ' \
          'CST-1:00:00DST01:00:00,M3.5.0/02:00:00,M10.5.0/03:00:00'
CA_FIX = 'give the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)'
DIGEST = 'which HTTP Digest login cannot carry reliably (the attempt would fail and count ' \
         'toward the lockout); log in with an ASCII account name'

# (id, module, profile, task params, expected message, when it is refused)
# {dev} is the device's URL prefix ("https://<address>:443: "), {tmp} a private temp dir.
CASES = [
    # -- the shared connection options (plugins/module_utils/connection.py), any module ------------
    ('host-empty', device_info, 'current_camera', dict(host=''),
     'host is empty: give the address or DNS name of the device (or set HIKVISION_HOST)', PRE),
    ('host-blank', reboot, 'current_camera', dict(host='   '),
     'host is empty: give the address or DNS name of the device (or set HIKVISION_HOST)', PRE),
    ('host-url', user, 'current_camera', dict(host='https://192.0.2.64/', name='op'),
     "host 'https://192.0.2.64/' is a URL; give only the address or DNS name (for example "
     '192.0.2.64) and set scheme and port as their own options', PRE),
    ('host-space', time, 'current_camera', dict(host='cam 1.example', timezone='UTC'),
     "host 'cam 1.example' contains a space or one of / ? # @ \\; give only the address or DNS "
     'name of the device', PRE),
    ('host-path', services, 'current_camera', dict(host='192.0.2.64/ISAPI', ssh=False),
     "host '192.0.2.64/ISAPI' contains a space or one of / ? # @ \\; give only the address or "
     'DNS name of the device', PRE),
    ('host-userinfo', security, 'current_camera', dict(host='admin@192.0.2.64', http=False),
     "host 'admin@192.0.2.64' contains a space or one of / ? # @ \\; give only the address or "
     'DNS name of the device', PRE),
    ('port-zero', device_log_info, 'current_camera', dict(port=0),
     "port 0 is outside 1-65535; give the TCP port of the device's web service (default 443 "
     'for https, 80 for http)', PRE),
    ('import-port-zero', credential_import, 'current_camera', dict(port=0),
     "port 0 is outside 1-65535; give the TCP port of the device's web service (default 443 "
     'for https, 80 for http)', PRE),
    ('rotate-port-zero', rotate_password, 'current_camera', dict(port=0),
     "port 0 is outside 1-65535; give the TCP port of the device's web service (default 443 "
     'for https, 80 for http)', PRE),
    ('import-host-url', credential_import, 'current_camera', dict(host='https://192.0.2.64/'),
     "host 'https://192.0.2.64/' is a URL; give only the address or DNS name (for example "
     '192.0.2.64) and set scheme and port as their own options', PRE),
    ('port-high', network, 'current_camera', dict(port=70000, dns=['192.0.2.53']),
     "port 70000 is outside 1-65535; give the TCP port of the device's web service (default 443 "
     'for https, 80 for http)', PRE),
    ('port-negative', factory_reset, 'current_camera', dict(port=-443, mode='basic'),
     "port -443 is outside 1-65535; give the TCP port of the device's web service (default 443 "
     'for https, 80 for http)', PRE),
    ('timeout-zero', reboot, 'current_camera', dict(timeout=0),
     'timeout 0 must be a positive number of seconds (default 30)', PRE),
    ('timeout-negative', isapi_request, 'current_camera', dict(timeout=-5, path='/ISAPI/System/time'),
     'timeout -5 must be a positive number of seconds (default 30)', PRE),
    ('ca-missing', device_info, 'current_camera', dict(ca_path='{tmp}/no-such-ca.pem'),
     'ca_path {tmp}/no-such-ca.pem does not exist: give the PEM file of the CA that signed the '
     'device certificates', PRE),
    ('ca-not-pem', recordings, 'current_camera',
     dict(ca_path='{tmp}/not-a-cert.pem', start='2024-01-01T00:00:00', end='2024-01-02T00:00:00'),
     None, PRE),  # message checked by prefix below: the ssl library's reason varies by version
    ('ca-empty', nvr_channel, 'nvr', dict(ca_path='{tmp}/empty.pem', channels=[{'id': 1}]),
     None, PRE),
    ('user-cjk', device_info, 'current_camera', dict(username=u'\u7ba1\u7406\u5458'),
     u"username '\u7ba1\u7406\u5458' has characters outside ASCII, " + DIGEST, PRE),
    ('user-latin1', isapi_resource, 'current_camera',
     dict(username=u'j\u00fcrgen', path='/ISAPI/System/time', values={'timeZone': 'CST-8:00:00'}),
     u"username 'j\u00fcrgen' has characters outside ASCII, " + DIGEST, PRE),
    ('user-blank', time, 'current_camera', dict(username=' ', timezone='UTC'),
     'username is empty: give the account to log in as (default admin)', PRE),

    # -- harden: a later area's bad input is refused before the earlier areas are applied ------
    ('harden-late-choice', harden, 'current_camera',
     dict(services={'ssh': False}, time={'mode': 'sundial'}),
     'time: value of mode must be one of: ntp, manual, got: sundial', PRE),
    ('harden-late-value', harden, 'current_camera',
     dict(services={'ssh': False}, time={'timezone': 'CST-8:00:00DSTjunk'}),
     "time: timezone 'CST-8:00:00DSTjunk': the DST part 'DSTjunk' is not a POSIX TZ rule; " + TZ_RULE,
     PRE),
    ('harden-late-dns', harden, 'nvr',
     dict(users=[{'name': 'vms', 'password': 'Vms-Pass-2024!'}], network={'dns': ['224.0.0.251']}),
     'network: dns[0] 224.0.0.251 is a multicast address, not a DNS server; give the unicast '
     'address of a DNS server', PRE),
    ('harden-weak-user', harden, 'current_camera',
     dict(services={'ssh': False}, users=[{'name': 'vms', 'password': 'abcdefgh'}]),
     'users[0]: ' + WEAK, PRE),
    ('harden-secret-in-area', harden, 'current_camera',
     dict(services={'ssh': False, 'onvif_users': []}),
     'services.onvif_users: give it as the option onvif_users of its own (it holds a secret, '
     'which only a top-level option keeps out of the output)', PRE),

    # -- network --------------------------------------------------------------------------------
    ('dns-unspecified', network, 'current_camera', dict(dns=['0.0.0.0']),
     'dns[0] 0.0.0.0 is not a DNS server; to clear the DNS servers give dns: [] instead', PRE),
    ('dns-broadcast', network, 'current_camera', dict(dns=['192.0.2.53', '255.255.255.255']),
     'dns[1] 255.255.255.255 is a broadcast address, not a DNS server; give the unicast address '
     'of a DNS server', PRE),
    ('dns-multicast', network, 'current_camera', dict(dns=['224.0.0.251']),
     'dns[0] 224.0.0.251 is a multicast address, not a DNS server; give the unicast address of a '
     'DNS server', PRE),
    ('dns-multicast-high', network, 'nvr', dict(dns=['192.0.2.53', '239.255.255.250']),
     'dns[1] 239.255.255.250 is a multicast address, not a DNS server; give the unicast address '
     'of a DNS server', PRE),
    ('dns-subnet-broadcast', network, 'current_camera', dict(dns=['{subnet_broadcast}']),
     'dns[0] {subnet_broadcast} is the broadcast address of {subnet}, not a DNS server; '
     'give the unicast address of a DNS server', READ),
    ('dns-three', network, 'current_camera', dict(dns=['192.0.2.1', '192.0.2.2', '192.0.2.3']),
     'dns takes at most two servers (primary, secondary), got 3', PRE),
    ('dns-not-ip', network, 'current_camera', dict(dns=['dns.example']),
     "dns[0] 'dns.example' is not an IPv4 address (dotted quad, e.g. 192.168.1.64)", PRE),
    ('address-not-ip', network, 'current_camera', dict(address='192.0.2.300'),
     "address '192.0.2.300' is not an IPv4 address (dotted quad, e.g. 192.168.1.64)", PRE),
    ('netmask-prefix', network, 'current_camera', dict(netmask='/33'),
     'netmask /33 is not a prefix length from 1 to 32', PRE),
    ('netmask-holes', network, 'current_camera', dict(netmask='255.0.255.0'),
     "netmask '255.0.255.0' is not a contiguous subnet mask (e.g. 255.255.255.0 or 24)", PRE),
    ('dhcp-with-address', network, 'current_camera', dict(addressing='dhcp', address='192.0.2.9'),
     'address, netmask and gateway cannot be set with addressing: dhcp; the DHCP server assigns '
     'them', PRE),

    # -- time -----------------------------------------------------------------------------------
    ('tz-junk-dst', time, 'current_camera', dict(timezone='CST-8:00:00DSTjunk'),
     "timezone 'CST-8:00:00DSTjunk': the DST part 'DSTjunk' is not a POSIX TZ rule; " + TZ_RULE, PRE),
    ('tz-dst-one-rule', time, 'current_camera', dict(timezone='CST-1:00:00DST01:00:00,M3.5.0'),
     "timezone 'CST-1:00:00DST01:00:00,M3.5.0': the DST part 'DST01:00:00,M3.5.0' is not a POSIX "
     'TZ rule; ' + TZ_RULE, PRE),
    ('tz-dst-month', time, 'current_camera',
     dict(timezone='CST-1:00:00DST01:00:00,M13.5.0/02:00:00,M10.5.0/03:00:00'),
     "timezone 'CST-1:00:00DST01:00:00,M13.5.0/02:00:00,M10.5.0/03:00:00': in the DST part rule "
     'M13.5.0 needs M<month 1-12>.<week 1-5>.<weekday 0-6>', PRE),
    ('tz-dst-minutes', time, 'nvr',
     dict(timezone='CST-1:00:00DST01:00:00,M3.5.0/02:61:00,M10.5.0/03:00:00'),
     "timezone 'CST-1:00:00DST01:00:00,M3.5.0/02:61:00,M10.5.0/03:00:00': in the DST part "
     'minutes 61 are out of range (00-59)', PRE),
    ('tz-offset-minutes', time, 'current_camera', dict(timezone='UTC+05:75'),
     "timezone 'UTC+05:75': minutes 75 are out of range (00-59)", PRE),
    ('tz-short-minutes', time, 'legacy_camera', dict(timezone='+0199'),
     "timezone '+0199': minutes 99 are out of range (00-59)", PRE),
    ('tz-device-minutes', time, 'current_camera', dict(timezone='CST-5:75:00'),
     "timezone 'CST-5:75:00': minutes 75 are out of range (00-59)", PRE),
    ('tz-device-seconds', time, 'current_camera', dict(timezone='CST-5:30:60'),
     "timezone 'CST-5:30:60': seconds 60 are out of range (00-59)", PRE),
    ('tz-beyond', time, 'current_camera', dict(timezone='UTC+15'),
     "timezone 'UTC+15' is beyond UTC-14:00..UTC+14:00", PRE),
    ('tz-garbage', time, 'current_camera', dict(timezone='Europe/Nowhere'),
     "timezone 'Europe/Nowhere' is not understood: give UTC, an offset such as UTC+05:30, +02:00 "
     "or -8, or the device's own string such as CST-8:00:00 (which is UTC+8)", PRE),
    ('ntp-interval', time, 'current_camera', dict(ntp_interval=0),
     'ntp_interval 0 is outside 1 to 10800 minutes', PRE),

    # -- isapi_request / isapi_resource -------------------------------------------------------------
    ('path-dotdot', isapi_request, 'current_camera', dict(method='DELETE', path='/ISAPI/../admin/reset'),
     'path /ISAPI/../admin/reset (sent as /admin/reset) ' + GUARD, PRE),
    ('path-encoded-dots', isapi_request, 'nvr', dict(method='PUT', path='/ISAPI/%2e%2e/System/reboot'),
     'path /ISAPI/%2e%2e/System/reboot (sent as /System/reboot) ' + GUARD, PRE),
    ('path-relative', isapi_request, 'current_camera', dict(path='ISAPI/System/time'),
     "path must start with /, got 'ISAPI/System/time'", PRE),
    ('path-query', isapi_request, 'current_camera', dict(path='/ISAPI/System/time?x=1'),
     "path must not carry a query ('/ISAPI/System/time?x=1'); put it in query instead", PRE),
    ('body-not-xml', isapi_request, 'current_camera',
     dict(method='PUT', path='/ISAPI/System/time', body='<Time><timeZone>'),
     None, PRE),
    ('body-dict-no-root', isapi_request, 'current_camera',
     dict(method='PUT', path='/ISAPI/System/time', body={'timeZone': 'CST-8:00:00'}),
     'root is required when body is a dict (the name of the document element, e.g. Time)', PRE),
    ('resource-dotdot', isapi_resource, 'current_camera',
     dict(path='/ISAPI/Security/../../cgi-bin/admin', values={'a': 1}),
     'path /ISAPI/Security/../../cgi-bin/admin (sent as /cgi-bin/admin) ' + GUARD, PRE),
    ('resource-no-values', isapi_resource, 'current_camera',
     dict(path='/ISAPI/System/time', values={}),
     'values is empty: name at least one element to manage', PRE),
    ('resource-typo', isapi_resource, 'current_camera',
     dict(path='/ISAPI/System/time', values={'timezone': 'CST-8:00:00'}),
     '{dev}values: /ISAPI/System/time has no timezone; check the element names against a GET of '
     '/ISAPI/System/time (names are case-sensitive), or set create_missing: true to add them', READ),

    # -- user -----------------------------------------------------------------------------------
    ('user-weak-password', user, 'current_camera', dict(name='op', user_password='alllowercase'),
     'user_' + WEAK, PRE),
    ('user-short-password', user, 'legacy_camera', dict(name='op', user_password='Ab1!'),
     'user_password must be 8 to 16 characters long (it has 4); the device refuses other lengths', PRE),
    ('user-password-is-name', user, 'current_camera', dict(name='Operator1', user_password='operator1'),
     'user_password must not be the user name', PRE),
    ('user-delete-admin', user, 'current_camera', dict(name='admin', state='absent'),
     '{dev}the built-in admin account (id 1) cannot be deleted', READ),
    ('user-create-without-password', user, 'nvr', dict(name='newop'),
     "{dev}user_password is required to create user 'newop'", READ),
    ('user-demote-admin', user, 'current_camera', dict(name='admin', level='viewer'),
     '{dev}the built-in admin account must stay administrator (level viewer asked)', READ),

    # -- activate -------------------------------------------------------------------------------
    ('activate-weak', activate, 'current_camera', dict(password='12345678'), WEAK, PRE),
    ('activate-not-admin', activate, 'current_camera', dict(username='op'),
     "username must be admin: activation sets the password of the built-in 'admin' account "
     "(got 'op')", PRE),

    # -- security -------------------------------------------------------------------------------
    ('security-tls', security, 'current_camera', dict(tls_versions=['1.0']),
     "tls_versions: '1.0' is not one of 1.1, 1.2, 1.3", PRE),
    ('security-port', security, 'current_camera', dict(https_port=70000),
     'https_port 70000 is not a TCP port (1 to 65535)', PRE),
    ('security-lock-both', security, 'nvr',
     dict(illegal_login_lock={'duration': 600, 'duration_minutes': 10}),
     'illegal_login_lock: give duration (seconds) or duration_minutes, not both', PRE),
    ('security-ip-filter', security, 'current_camera',
     dict(ip_filter={'enabled': True, 'addresses': ['10.0.0.300']}),
     "ip_filter.addresses: '10.0.0.300' is not an IPv4 host address", PRE),

    # -- services -------------------------------------------------------------------------------
    ('onvif-short-password', services, 'current_camera',
     dict(onvif_users=[{'name': 'vms', 'password': 'short'}]),
     'onvif_users[0] (vms): password must have at least 8 characters', PRE),
    ('onvif-twice', services, 'current_camera',
     dict(onvif_users=[{'name': 'vms', 'password': 'Long-enough-1'},
                       {'name': 'vms', 'password': 'Long-enough-2'}]),
     "onvif_users: 'vms' is listed twice", PRE),

    # -- nvr_channel ----------------------------------------------------------------------------
    ('channel-id', nvr_channel, 'nvr', dict(channels=[{'id': 0}]),
     'channels[0].id must be 1 or more, got 0', PRE),
    ('channel-address', nvr_channel, 'nvr', dict(channels=[{'address': 'camera-7'}]),
     "channels[0].address must be an IP address, got 'camera-7'", PRE),
    ('channel-port', nvr_channel, 'nvr', dict(channels=[{'address': '192.0.2.7', 'port': 0}]),
     'channels[0].port must be 1-65535, got 0', PRE),
    ('channel-name', nvr_channel, 'nvr', dict(channels=[{'address': '192.0.2.7', 'name': 'x' * 33}]),
     'channels[0].name must be 1 to 32 characters', PRE),
    ('channel-twice', nvr_channel, 'nvr',
     dict(channels=[{'address': '192.0.2.7'}, {'address': '192.0.2.7'}]),
     'channels[1]: address 192.0.2.7 is listed twice', PRE),

    # -- device_log_info / recordings -----------------------------------------------------------
    ('log-start-format', device_log_info, 'current_camera', dict(start='yesterday'),
     "start must be the device's local time as YYYY-MM-DDTHH:MM:SS (optionally ending in Z, "
     "which devices read as local time too), got 'yesterday'", PRE),
    ('log-start-after-end', device_log_info, 'nvr', dict(start='2024-02-01T00:00:00', end='2024-01-01T00:00:00'),
     'start (2024-02-01T00:00:00Z) is after end (2024-01-01T00:00:00Z)', PRE),
    ('log-max-results', device_log_info, 'current_camera', dict(max_results=0),
     'max_results must be 1 or more, got 0', PRE),
    ('recordings-channel', recordings, 'nvr',
     dict(channels=[0], start='2024-01-01T00:00:00', end='2024-01-02T00:00:00'),
     'channels must be channel numbers (1 or more), got 0', PRE),
    ('recordings-dest-file', recordings, 'current_camera',
     dict(dest='{tmp}/a-file', start='2024-01-01T00:00:00', end='2024-01-02T00:00:00'),
     'dest {tmp}/a-file exists and is not a directory', PRE),
    ('recordings-end-hour', recordings, 'current_camera',
     dict(start='2024-01-01T00:00:00', end='2024-01-02 25:00'),
     "end '2024-01-02 25:00' is not a valid date and time (month 01-12, day of that month, hour "
     '00-23, minutes and seconds 00-59)', PRE),
    ('log-start-day', device_log_info, 'nvr', dict(start='2024-02-30T00:00:00'),
     "start '2024-02-30T00:00:00' is not a valid date and time (month 01-12, day of that month, "
     'hour 00-23, minutes and seconds 00-59)', PRE),

    # -- firmware / config_backup / config_restore / reboot / factory_reset ---------------------------
    ('firmware-src-missing', firmware, 'current_camera',
     dict(src='{tmp}/digicap.dav', version='V5.7.20'),
     'src {tmp}/digicap.dav is not a file (give the path of the extracted digicap.dav)', PRE),
    ('firmware-src-empty', firmware, 'current_camera', dict(src='{tmp}/empty.pem', version='V5.7.20'),
     'src {tmp}/empty.pem is empty', PRE),
    ('firmware-version', firmware, 'nvr', dict(src='{tmp}/a-file', version='latest'),
     None, PRE),
    ('backup-no-key', config_backup, 'current_camera',
     dict(dest='{tmp}/', encryption='device'),
     'encryption is device but all of the following are missing: secret_key', PRE),
    ('backup-timeout', config_backup, 'current_camera', dict(dest='{tmp}/', timeout=0),
     'timeout 0 must be a positive number of seconds (default 30)', PRE),
    ('restore-host', config_restore, 'current_camera', dict(src='{tmp}/a-file', host='http://cam'),
     "host 'http://cam' is a URL; give only the address or DNS name (for example 192.0.2.64) and "
     'set scheme and port as their own options', PRE),
    ('reset-mode', factory_reset, 'current_camera', dict(mode='everything'),
     None, PRE),

    # -- SADP (no ISAPI connection; checked before any packet) ---------------------------------------
    ('sadp-mac', sadp_device, 'current_camera',
     dict(interfaces=['lo'], mac='68:6d:bc', password='Str0ng-Pass!'),
     "mac must be a device MAC address like 68:6d:bc:ee:f8:f0 (got '68:6d:bc')", PRE),
    ('sadp-timeout', sadp_discover, 'current_camera', dict(interfaces=['lo'], timeout=0),
     'timeout must be between 0 and 300 seconds (got 0.0)', PRE),
    ('sadp-weak', sadp_device, 'current_camera',
     dict(interfaces=['lo'], mac='68:6d:bc:ee:f8:f0', password='onlylowercase'), WEAK, PRE),

    # -- recovery ----------------------------------------------------------------------------------
    ('recovery-email', recovery, 'current_camera', dict(recovery_email='not-an-address'),
     "recovery_email 'not-an-address' is not an e-mail address of at most 32 characters (the "
     'device limit)', PRE),
    ('recovery-reset-mac', recovery_reset, 'current_camera',
     dict(interfaces=['lo'], mac='68:6d:bc', method='guid', guid='x'),
     "mac must be a device MAC address like 68:6d:bc:ee:f8:f0 (got '68:6d:bc')", PRE),
    ('recovery-request-timeout', recovery_request, 'current_camera',
     dict(interfaces=['lo'], serial='X', timeout=0),
     'timeout must be between 0 and 300 seconds (got 0.0)', PRE),
]

PREFIX_ONLY = {
    'ca-not-pem': 'ca_path {tmp}/not-a-cert.pem is not a PEM certificate file (',
    'ca-empty': 'ca_path {tmp}/empty.pem is not a PEM certificate file (',
    'body-not-xml': 'body is not well-formed XML (',
    'firmware-version': 'version must look like V5.7.20 or "V5.7.20 build 250101" (got ',
    'reset-mode': 'value of mode must be one of: basic, full, got: everything',
}
CA_SUFFIX = '): ' + CA_FIX


def _files(tmp):
    with open(os.path.join(tmp, 'not-a-cert.pem'), 'w') as handle:
        handle.write('this is not a certificate\n')
    open(os.path.join(tmp, 'empty.pem'), 'w').close()
    with open(os.path.join(tmp, 'a-file'), 'w') as handle:
        handle.write('not a directory, not a backup, not an image\n')


def _fill(value, tmp, **names):
    if isinstance(value, str):
        for key, text in dict(names, tmp=tmp).items():
            value = value.replace('{%s}' % key, text)
        return value
    if isinstance(value, dict):
        return dict((k, _fill(v, tmp, **names)) for k, v in value.items())
    if isinstance(value, list):
        return [_fill(v, tmp, **names) for v in value]
    return value


def _settings(device):
    """The device's whole state without what a successful read itself records (the login
    session list, its remoteLogin log line and a zero failure count per client): those are not
    settings, and failed logins are asserted on their own."""
    state = device.state()
    state.pop('locks')
    state['areas'].pop('audit', None)
    state['log'] = [e for e in state['log'] if e['event'] != 'remoteLogin']
    return state


@pytest.mark.parametrize('case, module, profile, extra, expected, when', CASES,
                         ids=[c[0] for c in CASES])
def test_bad_input_is_refused_and_the_device_is_unchanged(new_device, tmp_path, case, module,
                                                          profile, extra, expected, when):
    tmp = str(tmp_path)
    _files(tmp)
    device = new_device(profile)
    before = _settings(device)
    net = ipaddress.IPv4Network('%s/%s' % (device.address, before['network']['mask']), strict=False)
    names = dict(subnet=str(net), subnet_broadcast=str(net.broadcast_address))
    extra = _fill(extra, tmp, **names)
    if 'host' in module.SPEC.argument_spec:
        params = device.params(**extra)
    else:  # SADP modules take no ISAPI connection options
        params = extra
    result = run(module.SPEC, params)

    assert result.get('failed') is True, result
    assert result['changed'] is False
    dev = 'https://%s:%d: ' % (device.address, device.info['https_port'])
    if expected is not None:
        assert result['msg'] == _fill(expected, tmp, dev=dev, **names)
    else:
        assert result['msg'].startswith(_fill(PREFIX_ONLY[case], tmp)), result['msg']
        if case.startswith('ca-'):
            assert result['msg'].endswith(CA_SUFFIX)
    assert 'Traceback' not in str(result)
    assert _settings(device) == before  # users, network, time, services, security, channels, log
    counters = device.counters()
    assert counters['failed_logins'] == {} and counters['writes'] == 0
    if when == PRE:
        # Not even the Digest challenge was asked for: no request, so no credential, went out.
        assert counters['requests'] == {} and counters['unauthorized'] == 0
        assert counters['successful_logins'] == 0


def test_the_table_covers_every_module_and_is_large_enough():
    modules = set(os.path.splitext(os.path.basename(c[1].__file__))[0] for c in CASES)
    shipped = set(os.path.splitext(n)[0] for n in os.listdir(os.path.dirname(user.__file__))
                  if n.endswith('.py') and not n.startswith('_'))
    # The roles' controller-side helpers (action group "controller": audit_report, changelog,
    # tcp_ports) take no device connection, so the device table does not apply; their refusals
    # are tested with the roles (test_audit_role.py, test_roles_lifecycle.py, test_verify_role.py).
    with open(os.path.join(ROOT, 'meta', 'runtime.yml'), encoding='utf-8') as fh:
        controller = set(yaml.safe_load(fh)['action_groups']['controller'])
    assert modules == shipped - controller
    assert len(CASES) >= 60


PLAY = '''
- hosts: all
  gather_facts: false
  module_defaults:
    group/camfleet.hikvision.isapi:
      host: "{{ isapi_host }}"
      port: "{{ isapi_port }}"
      password: "{{ isapi_password }}"
      ca_path: "{{ isapi_ca_path }}"
  tasks:
    - name: ca not pem
      camfleet.hikvision.device_info: {ca_path: "{{ bad_ca }}"}
      ignore_errors: true
    - name: zero timeout
      camfleet.hikvision.reboot: {timeout: 0}
      ignore_errors: true
    - name: url host
      camfleet.hikvision.time: {host: "https://{{ isapi_host }}", timezone: UTC}
      ignore_errors: true
    - name: non-latin user
      camfleet.hikvision.user: {username: "\\u7ba1\\u7406", name: op}
      ignore_errors: true
    - name: escape
      camfleet.hikvision.isapi_request: {method: DELETE, path: /ISAPI/../admin/reset}
      ignore_errors: true
'''


@pytest.mark.parametrize('path', ['in_process', 'module'])
def test_no_library_exception_reaches_the_user_on_either_path(fleet, new_device, tmp_path, path):
    from .conftest import run_playbook
    device = new_device('current_camera', inventory_password=True)
    bad_ca = tmp_path / 'bad-ca.pem'
    bad_ca.write_text('not a certificate\n')
    env = {'CAMFLEET_FORCE_MODULE': '1'} if path == 'module' else {}
    before = _settings(device)
    rc, results, out = run_playbook(fleet, PLAY, tmp_path, env=env, limit=device.name,
                                    extra_vars={'bad_ca': str(bad_ca)})
    msgs = dict((r['task'], r['result']['msg']) for r in results)
    assert [r['status'] for r in results] == ['failed'] * 5
    assert msgs['ca not pem'].startswith('ca_path %s is not a PEM certificate file (' % bad_ca)
    assert msgs['zero timeout'] == 'timeout 0 must be a positive number of seconds (default 30)'
    assert msgs['url host'].startswith("host 'https://%s' is a URL; " % device.address)
    assert msgs['non-latin user'] == (u"username '\u7ba1\u7406' has characters outside ASCII, "
                                      + DIGEST)
    assert msgs['escape'] == 'path /ISAPI/../admin/reset (sent as /admin/reset) ' + GUARD
    assert 'Traceback' not in out and 'UnicodeEncodeError' not in out and 'SSLError' not in out
    assert _settings(device) == before
    assert device.counters()['requests'] == {}
