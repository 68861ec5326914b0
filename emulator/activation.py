"""Device side of ISAPI activation crypto (docs/developer/isapi-reference.md, §3.3-§3.4)."""
from __future__ import annotations

import base64
import binascii
import secrets

from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

RSA_EXPONENT = 65537


class ActivationCryptoError(ValueError):
    pass


def _b64_hex_decode(text: str) -> bytes:
    try:
        hex_text = base64.b64decode(text.strip(), validate=True).decode("ascii")
        return binascii.unhexlify(hex_text.strip())
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ActivationCryptoError(f"not base64(hex): {exc}") from None


def _b64_hex_encode(data: bytes) -> str:
    return base64.b64encode(data.hex().encode("ascii")).decode("ascii")


def new_random_string() -> str:
    return secrets.token_hex(16)


def encrypt_challenge(client_key_text: str, random_string: str) -> str:
    """Encrypt the 32-hex-char random string to the client's RSA modulus; return the <key> text."""
    modulus = int.from_bytes(_b64_hex_decode(client_key_text), "big")
    try:
        public_key = rsa.RSAPublicNumbers(RSA_EXPONENT, modulus).public_key()
        ciphertext = public_key.encrypt(random_string.encode("ascii"), padding.PKCS1v15())
    except ValueError as exc:
        raise ActivationCryptoError(f"unusable RSA modulus: {exc}") from None
    return _b64_hex_encode(ciphertext)


def decrypt_password(password_text: str, random_string: str) -> str:
    """Undo the client's AES-128-ECB encryption: zero padding off, first 16 characters dropped."""
    data = _b64_hex_decode(password_text)
    if not data or len(data) % 16:
        raise ActivationCryptoError("ciphertext is not a whole number of AES blocks")
    key = binascii.unhexlify(random_string)
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()
    plain = (decryptor.update(data) + decryptor.finalize()).rstrip(b"\x00")
    try:
        text = plain.decode("utf-8")
    except UnicodeDecodeError:
        raise ActivationCryptoError("decrypted password is not UTF-8 (wrong challenge?)") from None
    if len(text) < 16:
        raise ActivationCryptoError("decrypted text shorter than the 16-character prefix")
    return text[16:]


def client_encrypt_password(password: str, random_string: str) -> str:
    """Client-side counterpart, used by tests and the control API's helpers."""
    key = binascii.unhexlify(random_string)
    plain = random_string[:16].encode("ascii") + password.encode("utf-8")
    plain += b"\x00" * (-len(plain) % 16)
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    return _b64_hex_encode(encryptor.update(plain) + encryptor.finalize())
