# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client side of SADP password protection (docs/developer/sadp-reference.md, §3.3-§3.5).

Unlike ISAPI activation (crypto.py: base64 of hex everywhere), SADP sends raw base64 and a DER
public key. The parameters rest on a single public client (docs/developer/sadp-reference.md, §3.3 and §3.5 say so); they
are kept in this one file so a correction found on a real device lands in one place.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import hashlib

from ansible_collections.camfleet.hikvision.plugins.module_utils import crypto
from ansible_collections.camfleet.hikvision.plugins.module_utils.crypto import aes_ecb_encrypt

# One RSA/AES implementation serves ISAPI and SADP activation.
HAS_CRYPTOGRAPHY = crypto.HAS_CRYPTOGRAPHY
CRYPTOGRAPHY_ERROR = crypto.CRYPTOGRAPHY_ERROR
new_key = crypto.new_key

try:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import padding
except ImportError:  # pragma: no cover - HAS_CRYPTOGRAPHY says so
    pass

KEY_LEN = 16
SALTED_BLOCK = 64


def exchange_code(private_key):
    """<Code> of an exchangecode request: base64 of the DER PKCS#1 RSAPublicKey."""
    der = private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.PKCS1)
    return base64.b64encode(der).decode('ascii')


def device_random(private_key, code):
    """The device's random string from the exchangecode reply's <Code>."""
    return private_key.decrypt(base64.b64decode(code.strip()), padding.PKCS1v15())


def protect_password(random, password):
    """<Password> of activate: AES-128-ECB (zero padding) of random[:16] + password, key
    random[:16], base64."""
    if len(random) < KEY_LEN:
        raise ValueError('the device random string is shorter than %d bytes' % KEY_LEN)
    key = bytes(random[:KEY_LEN])
    return base64.b64encode(aes_ecb_encrypt(key, key + password.encode('utf-8'))).decode('ascii')


def salted_update_password(username, salt, password):
    """<Password bSalt="true"> of update: key = MD5(hex(SHA-256(user + salt + password))), the
    64-byte block holding that key encrypted under itself, base64 (88 characters)."""
    digest = hashlib.sha256((username + salt + password).encode('utf-8')).hexdigest()
    key = hashlib.md5(digest.encode('ascii')).digest()
    return base64.b64encode(aes_ecb_encrypt(key, key + b'\0' * (SALTED_BLOCK - KEY_LEN))).decode('ascii')


def md5_update_password(password):
    """<Password> of update on devices that advertise no Salt: base64 of the raw MD5."""
    return base64.b64encode(hashlib.md5(password.encode('utf-8')).digest()).decode('ascii')
