# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain words for a device certificate that failed verification.

OpenSSL names the reason tersely (``certificate verify failed: Missing Authority Key
Identifier``). Python 3.13 made this common: its default context sets ssl.VERIFY_X509_STRICT,
so a certificate older Pythons accepted now fails on a missing or misused RFC 5280 extension.
This maps the reason (``SSLCertVerificationError.verify_message``, OpenSSL's own text) to which
certificate is wrong, why, and the fix.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import ssl

_STRICT = 'which Python 3.13+ requires (strict X.509 verification, RFC 5280)'
_CA = 'a CA certificate in the chain (the one ca_path names, or an intermediate the device sends)'

# (start of OpenSSL's verify message, what it means and how to fix it)
_REASONS = (
    ('Missing Authority Key Identifier',
     'the device certificate lacks an Authority Key Identifier extension, %s; reissue it from '
     'your CA with "authorityKeyIdentifier = keyid,issuer" (openssl x509 -req ... -extfile) and '
     'install it on the device' % _STRICT),
    ('Missing Subject Key Identifier',
     '%s lacks a Subject Key Identifier extension, %s; reissue that CA certificate with '
     '"subjectKeyIdentifier = hash" and point ca_path at the new one' % (_CA, _STRICT)),
    ('CA cert does not include key usage extension',
     '%s lacks a keyUsage extension, %s; reissue it with "keyUsage = critical, keyCertSign, '
     'cRLSign"' % (_CA, _STRICT)),
    ('Basic Constraints of CA cert not marked critical',
     '%s has a basicConstraints extension that is not critical, %s; reissue it with '
     '"basicConstraints = critical, CA:true"' % (_CA, _STRICT)),
    ('Authority Key Identifier marked critical',
     'a certificate in the chain marks its Authority Key Identifier critical, which RFC 5280 '
     'forbids and Python 3.13+ enforces; reissue it with the extension not critical'),
    ('Subject Key Identifier marked critical',
     'a certificate in the chain marks its Subject Key Identifier critical, which RFC 5280 '
     'forbids and Python 3.13+ enforces; reissue it with the extension not critical'),
    ('Empty Subject Alternative Name extension',
     'the device certificate has an empty subjectAltName, %s; reissue it with '
     '"subjectAltName = IP:%%(host)s" (or DNS: for a name)' % _STRICT),
    ('Subject empty and Subject Alt Name extension not critical',
     'the device certificate has an empty subject and a non-critical subjectAltName, %s; '
     'reissue it with a subject CN or a critical subjectAltName' % _STRICT),
    ('Key usage keyCertSign invalid for non-CA cert',
     'the device certificate allows keyCertSign but is not a CA, %s; reissue it with '
     '"keyUsage = critical, digitalSignature" (plus keyEncipherment for an RSA key)' % _STRICT),
    ('Path length invalid for non-CA cert',
     'the device certificate sets a path length but is not a CA, %s; reissue it with '
     '"basicConstraints = critical, CA:false"' % _STRICT),
    ('self-signed certificate in certificate chain',
     'the chain ends in a root CA the controller does not trust: set ca_path to that root CA '
     '(PEM)'),
    ('self-signed certificate',
     'the device presents a self-signed certificate: set ca_path to your CA and install a '
     'certificate it issued on the device (or, to trust this one device, set ca_path to its '
     'certificate)'),
    ('unable to get local issuer certificate',
     'the CA that issued the device certificate is not trusted here: set ca_path to that CA '
     '(PEM)'),
    ('certificate has expired',
     'the device certificate has expired (or the clock of the device or this controller is '
     'wrong): renew it'),
    ('certificate is not yet valid',
     'the device certificate is not valid yet: check the clock of the device and of this '
     'controller'),
    ('IP address mismatch',
     'the device certificate does not name %(host)s: reissue it with "subjectAltName = '
     'IP:%(host)s", or connect with the address it names'),
    ('Hostname mismatch',
     'the device certificate does not name %(host)s: reissue it with "subjectAltName = '
     'DNS:%(host)s", or connect with the name it carries'),
    ('invalid CA certificate',
     '%s is not marked as a CA: reissue it with "basicConstraints = critical, CA:true"' % _CA),
)


def _verify_error(exc):
    """The ssl.SSLCertVerificationError somewhere in a requests/urllib3 exception chain."""
    todo, seen = [exc], set()
    while todo:
        err = todo.pop(0)
        if err is None or id(err) in seen or len(seen) > 20:
            continue
        seen.add(id(err))
        if isinstance(err, ssl.SSLCertVerificationError):
            return err
        linked = list(getattr(err, 'args', ())) + [getattr(err, 'reason', None), err.__cause__,
                                                   err.__context__]
        todo.extend(e for e in linked if isinstance(e, BaseException))
    return None


def explain(exc, host):
    """(OpenSSL's reason, what it means and the fix) for a failed certificate verification in
    exc's chain, or None if exc is no such failure or its reason is not one we know."""
    err = _verify_error(exc)
    reason = (getattr(err, 'verify_message', None) or '') if err is not None else ''
    for prefix, text in _REASONS:
        if reason.startswith(prefix):
            return reason, text % {'host': host}
    return None
