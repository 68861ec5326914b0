# -*- coding: utf-8 -*-
# Copyright: camfleet.hikvision contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client side of ISAPI activation crypto (docs/developer/isapi-reference.md, §3.3-§3.6).

The client sends its RSA-1024 modulus, the device answers a 32-hex-character random string
encrypted to that key, and the admin password travels AES-128-ECB encrypted under a key made
from that string. Every encoding step is "base64 of lower-case hex", which is easy to get subtly
wrong; the §3.6 vectors in tests/unit pin each step.
"""

from __future__ import absolute_import, division, print_function
__metaclass__ = type

import base64
import binascii

try:
    from cryptography.hazmat.primitives.asymmetric import rsa, padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    HAS_CRYPTOGRAPHY = True
    CRYPTOGRAPHY_ERROR = None
except ImportError as exc:  # pragma: no cover - reported by the activate module
    HAS_CRYPTOGRAPHY = False
    CRYPTOGRAPHY_ERROR = exc

RSA_BITS = 1024
# The random string is 32 hex characters; only the last 32 bytes of the plaintext count (QB and
# the C# port both trim defensively).
RANDOM_LEN = 32


def new_key():
    """A fresh RSA-1024 key pair for one activation exchange."""
    return rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)


def public_key_field(private_key):
    """base64 of the lower-case hex of the big-endian modulus, without leading zero bytes."""
    modulus = private_key.public_key().public_numbers().n
    raw = modulus.to_bytes((modulus.bit_length() + 7) // 8, 'big')
    return base64.b64encode(binascii.hexlify(raw)).decode('ascii')


def decrypt_challenge(private_key, key_field):
    """The device's random string (32 hex characters) from the challenge reply's <key>."""
    ciphertext = binascii.unhexlify(base64.b64decode(key_field.strip()))
    plain = private_key.decrypt(ciphertext, padding.PKCS1v15())
    return plain[-RANDOM_LEN:].decode('ascii')


def encrypt_password(random_string, password):
    """The <password> of the activation request.

    AES key = hex-decoded random string; plaintext = first 16 characters of the random string
    followed by the password, zero-padded to the block size; ECB; then base64 of lower-case hex.
    """
    key = binascii.unhexlify(random_string)
    plain = random_string[:16].encode('ascii') + password.encode('utf-8')
    return base64.b64encode(binascii.hexlify(aes_ecb_encrypt(key, plain))).decode('ascii')


def aes_ecb_encrypt(key, plain):
    """AES-ECB with zero padding to the block size: what both ISAPI and SADP activation use."""
    plain += b'\0' * (-len(plain) % 16)
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return encryptor.update(plain) + encryptor.finalize()
