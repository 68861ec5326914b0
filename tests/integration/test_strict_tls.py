"""Strict X.509 verification (Python 3.13+ default) against the emulator's certificates.

A fleet of its own: one device with the default, RFC 5280 conformant certificate and one with
``certificate: legacy`` (no key identifiers, no keyUsage), on 127.53.0.0/16 (+1 per xdist worker).
"""
import socket
import ssl
import sys

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from emulator.testing import RunningFleet

from ansible_collections.camfleet.hikvision.plugins.module_utils.connection import client_from_params
from ansible_collections.camfleet.hikvision.plugins.module_utils.errors import IsapiTLSError
from ansible_collections.camfleet.hikvision.plugins.modules.device_info import SPEC as INFO

from .conftest import run

PASSWORD = 'Strict-Tls-Pass1'
strict_python = pytest.mark.skipif(sys.version_info < (3, 13),
                                   reason='Python 3.13+ verifies X.509 strictly by default')


@pytest.fixture(scope='module')
def fleet(request, tmp_path_factory):
    worker = getattr(request.config, 'workerinput', {}).get('workerid', 'gw0')
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    spec = {'time_scale': 0.01, 'subnet': '127.%d.0.0/16' % (53 + index),
            'sites': [{'name': 'tls', 'devices': [
                {'name': 'conformant', 'password': PASSWORD},
                {'name': 'legacy', 'password': PASSWORD, 'certificate': 'legacy'},
            ]}]}
    with RunningFleet(fleet=spec, out_dir=str(tmp_path_factory.mktemp('strict-tls'))) as running:
        yield running


def params(fleet, name):
    info = fleet.devices[name]
    return dict(host=info['address'], port=info['https_port'], scheme='https', username='admin',
                password=PASSWORD, validate_certs=True, ca_path=fleet.ca_path, timeout=10,
                allow_insecure_basic_auth=False)


def served_certificate(fleet, name):
    info = fleet.devices[name]
    pem = ssl.get_server_certificate((info['address'], info['https_port']))
    return x509.load_pem_x509_certificate(pem.encode())


def test_ca_and_device_certificates_carry_the_rfc5280_extensions(fleet):
    with open(fleet.ca_path, 'rb') as fh:
        ca = x509.load_pem_x509_certificate(fh.read())
    ext = ca.extensions
    constraints = ext.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca is True
    usage = ext.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    ca_ski = ext.get_extension_for_class(x509.SubjectKeyIdentifier).value

    cert = served_certificate(fleet, 'conformant')
    ext = cert.extensions
    address = fleet.devices['conformant']['address']
    san = ext.get_extension_for_class(x509.SubjectAlternativeName).value
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == [address]
    assert san.get_values_for_type(x509.DNSName) == ['conformant']
    assert ext.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier == ca_ski.digest
    assert ext.get_extension_for_class(x509.SubjectKeyIdentifier).value == \
        x509.SubjectKeyIdentifier.from_public_key(cert.public_key())
    assert list(ext.get_extension_for_class(x509.ExtendedKeyUsage).value) == [ExtendedKeyUsageOID.SERVER_AUTH]
    usage = ext.get_extension_for_class(x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and not usage.value.key_cert_sign
    assert ext.get_extension_for_class(x509.BasicConstraints).value.ca is False

    legacy = served_certificate(fleet, 'legacy').extensions
    for missing in (x509.AuthorityKeyIdentifier, x509.SubjectKeyIdentifier, x509.KeyUsage):
        with pytest.raises(x509.ExtensionNotFound):
            legacy.get_extension_for_class(missing)


@strict_python
def test_default_strict_verification_accepts_the_conformant_device(fleet):
    # Python's default context and urllib3's (what requests, so the client, uses) are strict.
    import urllib3.util.ssl_
    assert ssl.create_default_context().verify_flags & ssl.VERIFY_X509_STRICT
    assert urllib3.util.ssl_.create_urllib3_context().verify_flags & ssl.VERIFY_X509_STRICT

    info = fleet.devices['conformant']
    context = ssl.create_default_context(cafile=fleet.ca_path)
    with socket.create_connection((info['address'], info['https_port']), timeout=10) as sock:
        with context.wrap_socket(sock, server_hostname=info['address']) as tls:
            assert tls.version() in ('TLSv1.2', 'TLSv1.3')

    result = run(INFO, params(fleet, 'conformant'))
    assert result.get('failed') is not True, result
    assert result['device']['serial_number'] == info['serial']


@strict_python
def test_a_nonconformant_certificate_fails_with_its_cause_and_fix(fleet):
    address = fleet.devices['legacy']['address']
    port = fleet.devices['legacy']['https_port']
    fleet.control.reset_counters('legacy')
    with pytest.raises(IsapiTLSError) as err:
        client_from_params(params(fleet, 'legacy')).get('/ISAPI/System/deviceInfo')
    assert str(err.value) == (
        'https://%s:%d: TLS to https://%s:%d failed (certificate verify failed: Missing Authority '
        'Key Identifier): the device certificate lacks an Authority Key Identifier extension, '
        'which Python 3.13+ requires (strict X.509 verification, RFC 5280); reissue it from your '
        'CA with "authorityKeyIdentifier = keyid,issuer" (openssl x509 -req ... -extfile) and '
        'install it on the device' % (address, port, address, port))
    # the handshake failed before any request, so nothing counts against the device
    assert fleet.control.counters('legacy')['requests'] == {}

    # the same words reach a task's result (in-process path; the module path shares the client)
    result = run(INFO, params(fleet, 'legacy'))
    assert result['failed'] is True
    assert 'lacks an Authority Key Identifier extension' in result['msg'], result
    assert PASSWORD not in str(result)


def test_certificate_kind_is_checked_when_the_fleet_loads():
    from emulator.fleet import FleetError, load_fleet
    with pytest.raises(FleetError, match=r"device d: certificate must be one of \['conformant', 'legacy'\]"):
        load_fleet({'sites': [{'name': 's', 'devices': [{'name': 'd', 'certificate': 'bogus'}]}]})
