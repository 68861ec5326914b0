# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The device web UI's "security mode" (docs/developer/recovery-reference.md, §2): selected
fields of a request travel AES-128-CBC encrypted under a key derived from the login password,
with ``?security=1&iv=<iv>`` in the URL.

Each step is string-based (hex digests concatenated as text), which is easy to get subtly wrong;
the §2.4 vectors in tests/data/securemode-vectors.json pin every step.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii
import hashlib
import os

try:
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    HAS_CRYPTOGRAPHY = True
except ImportError:  # pragma: no cover - reported by the recovery module
    HAS_CRYPTOGRAPHY = False

# The constant both web UI generations append before hashing (§2.2).
KEY_SUFFIX = 'AaBbCcDd1234!@#$'


def _h(text):
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def derive_key(user, password, salt, iterations, irreversible):
    """The AES key as 32 lower-case hex characters (§2.2); '' when iterations is 0 (no
    encryption)."""
    if not iterations:
        return ''
    base = _h(user + (salt or '') + password) if irreversible else password
    key = _h(base + KEY_SUFFIX)
    for dummy in range(int(iterations) - 1):
        key = _h(key)
    return key[:32]


def new_iv():
    """32 lower-case hex characters, new per request (§2.3: the UI hashes the time; random
    bytes are as good and never repeat within a millisecond)."""
    return binascii.hexlify(os.urandom(16)).decode('ascii')


def _escape(value):
    # The UI's encodeString escapes only these three (§2.3).
    return value.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def _unescape(value):
    return value.replace('&lt;', '<').replace('&gt;', '>').replace('&amp;', '&')


def encrypt_field(key_hex, iv_hex, value):
    """hex(AES-128-CBC(PKCS#7(base64(escape(value))))); an empty value stays empty (§2.3)."""
    if not value:
        return value
    plain = base64.b64encode(_escape(value).encode('utf-8'))
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(binascii.unhexlify(key_hex)),
                 modes.CBC(binascii.unhexlify(iv_hex))).encryptor()
    return binascii.hexlify(enc.update(data) + enc.finalize()).decode('ascii')


def decrypt_field(key_hex, iv_hex, value):
    if not value:
        return value
    dec = Cipher(algorithms.AES(binascii.unhexlify(key_hex)),
                 modes.CBC(binascii.unhexlify(iv_hex))).decryptor()
    data = dec.update(binascii.unhexlify(value)) + dec.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    plain = unpadder.update(data) + unpadder.finalize()
    return _unescape(base64.b64decode(plain).decode('utf-8'))


class SecurityMode(object):
    """What a device's SecurityCap says about security mode, and one request's key and IV."""

    def __init__(self, version, iterations, irreversible, salt):
        self.version = version
        self.iterations = iterations
        self.irreversible = irreversible
        self.salt = salt

    @classmethod
    def from_capabilities(cls, versions, iterations, irreversible, salt):
        """``versions``: the securityVersion opt list. Only version 1 (AES-128) is known
        (§2.1); a device offering none is used without security mode (returns None)."""
        if '1' not in [v.strip() for v in (versions or '').split(',')] or not iterations:
            return None
        return cls(1, int(iterations), irreversible, salt)

    def request(self, user, password):
        """(query params, encrypt function) for one request."""
        key = derive_key(user, password, self.salt, self.iterations, self.irreversible)
        iv = new_iv()
        return {'security': str(self.version), 'iv': iv}, lambda value: encrypt_field(key, iv, value)
