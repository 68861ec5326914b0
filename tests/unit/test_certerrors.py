"""Certificate verification failures in plain words (plugins/module_utils/certerrors.py), on
the exception chain requests raises: requests SSLError <- urllib3 MaxRetryError <- urllib3
SSLError <- ssl.SSLCertVerificationError."""
import ssl

import pytest
import requests
import urllib3.exceptions

from ansible_collections.camfleet.hikvision.plugins.module_utils import certerrors


def requests_error(verify_message):
    cause = ssl.SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify '
                                            'failed: %s (_ssl.c:1020)' % verify_message)
    cause.verify_message = verify_message
    cause.verify_code = 85
    wrapped = urllib3.exceptions.SSLError(cause)
    retry = urllib3.exceptions.MaxRetryError(None, '/ISAPI/System/deviceInfo', reason=wrapped)
    return requests.exceptions.SSLError(retry)


@pytest.mark.parametrize('reason,words', [
    ('Missing Authority Key Identifier',
     'the device certificate lacks an Authority Key Identifier extension, which Python 3.13+ requires'),
    ('Missing Subject Key Identifier', 'lacks a Subject Key Identifier extension'),
    ('CA cert does not include key usage extension', '"keyUsage = critical, keyCertSign, cRLSign"'),
    ('Basic Constraints of CA cert not marked critical', '"basicConstraints = critical, CA:true"'),
    ('Empty Subject Alternative Name extension', '"subjectAltName = IP:192.0.2.7"'),
    ('self-signed certificate in certificate chain', 'set ca_path to that root CA'),
    ('self-signed certificate', 'the device presents a self-signed certificate'),
    ('unable to get local issuer certificate', 'set ca_path to that CA (PEM)'),
    ("IP address mismatch, certificate is not valid for '192.0.2.7'.",
     'the device certificate does not name 192.0.2.7: reissue it with "subjectAltName = IP:192.0.2.7"'),
    ('certificate has expired', 'the device certificate has expired'),
])
def test_known_reasons_name_cause_and_fix(reason, words):
    found, advice = certerrors.explain(requests_error(reason), '192.0.2.7')
    assert found == reason
    assert words in advice


def test_unknown_reason_and_non_certificate_errors_are_left_alone():
    assert certerrors.explain(requests_error('some future OpenSSL reason'), 'h') is None
    other = requests.exceptions.SSLError(urllib3.exceptions.SSLError(
        ssl.SSLError(1, '[SSL: WRONG_VERSION_NUMBER] wrong version number')))
    assert certerrors.explain(other, 'h') is None
    assert certerrors.explain(ValueError('x'), 'h') is None
