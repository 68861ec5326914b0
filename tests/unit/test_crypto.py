"""Activation crypto against the test vectors of isapi.md §3.6."""
import base64
import binascii

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ansible_collections.camfleet.hikvision.plugins.module_utils import crypto

# The RSA key and challenge of the §3.6 vector (test data published with that vector).
VECTOR_KEY_PEM = b"""-----BEGIN RSA PRIVATE KEY-----
MIICXAIBAAKBgQCSHixcONwzc7wXmPI79+JdmteTUW96HLADJY7YOcsw+t/HvFzB
0RC17WxbTCD+eIpKaj5jnMpJnhUeqmijvP5+DAe1OMRjNwGmsjXZDOXs83+rM3ej
C0+sdRLOTF2X1xpdOGAld1OBXqUJrbjb3DGY3RtJfgG2ExNZkHysVHmOtQIDAQAB
AoGASN//o+c/+/FnCCXh+oLBRYoqpnDhNngEWS1sNu9sJfuZjJandIr+2J2Xg1lO
w1v/LOocP7Y9NcZAJlE7ax6hlh7ow1SDIzsQhGTZ9i0j00V3rlrKS1oxWoD6zo+5
cIbpapzMP8k823thO8SYQRdu/nYzimqOgAJUeJrfnsGJzoECQQC4WAkpWrlvJiTu
zbA1DTXswcF/vW1FGkQQcmBuQ+pIu7dcxy0EuSsFDCFVFL5W0ry9pp8jb+PQ3+gy
OHWQ3g+xAkEAyupJIXxOPM7uyoQAn+Dba3iJnTp/rJOTU3bQH/vh9z3x29tp2EYu
/+oGA/3XoTiHxwgDg340j4QDHPHqyJ2URQJAc7joP2qxn+HNK5A5/oPFh1P2ma8b
ila7xatXd8DwsSoOKJLsYtuu8uMzhYqZFj4Ct/eCTSevVu9If0ZMH14XcQJBAJLP
H0oS3agxL6NmDe2eiiIfe7E9+dGqlBT3CW2al8qCDtK61MGdRbPyZZfNuIz0kYf2
zFP+o5iSMo5mmS+8kuECQB+myw/w+l/fF8tUx5+cp3PX597GFIP+gX7pN3JAmyrz
aIU6TCa1ciqpIauk7GHRMFcbjZjMDRIZ96WumlpnUrc=
-----END RSA PRIVATE KEY-----
"""
VECTOR_CHALLENGE = (
    'M2Y3MDU1NWZhMzg2ZjhkYzI4NDIxZjEzZWY1MTBjYzY4NDdmZTBlYjAzMDMyNzRmZGIzNWRlZmY2ZGQ1N2I3NzAy'
    'MDFmNDczMzk1NTY3MGUzZjMwZDJlMzE5MWE4NTkxMzA2YjdjNmNhYzJlYzdhYWQ5MDhjNmI5MThkYzNjMmVkMWQ4'
    'YjVlNzkyM2VjMDdlNzk1MGM0NWM3NjY5N2JmNmFlYjkwYjQ4YjQyOGFiMzg5MWI2MTNkNzUzZmU0ZGQyYjEyZThl'
    'MjhiMzJhM2VhMDI5NGVhYTA5NWVhZjVhMzRmZThlZTc1MDM2YWVmMjQwNjgzYzlkYzA2MzRkNzE0Nw==')


def _vector_key():
    return serialization.load_pem_private_key(VECTOR_KEY_PEM, password=None)


def test_challenge_decrypts_to_the_published_random_string():
    assert crypto.decrypt_challenge(_vector_key(), VECTOR_CHALLENGE) == '1ad021adbbecb495fa4794e12f0ac63c'


def test_password_encryption_matches_the_published_vector():
    assert crypto.encrypt_password('c8059b41126bd480f684b6a46d48804c', 'qwer1234') == (
        'NDk5M2NhMWZiNTdmNDViNzY1NDlkOTVkMTI4YjBkODhmY2U5M2QwZTcxMzdhYmJlZWM1YzU2ZmE3YTczNDQ1Nw==')


def test_long_password_spans_blocks_and_round_trips():
    random_string = '00112233445566778899aabbccddeeff'
    field = crypto.encrypt_password(random_string, 'A-much-longer-Passw0rd!')
    raw = binascii.unhexlify(base64.b64decode(field))
    assert len(raw) == 48  # 16 + 23 bytes -> three blocks after zero padding
    decryptor = Cipher(algorithms.AES(binascii.unhexlify(random_string)), modes.ECB()).decryptor()
    plain = (decryptor.update(raw) + decryptor.finalize()).rstrip(b'\0')
    assert plain == b'0011223344556677A-much-longer-Passw0rd!'


def test_public_key_field_is_base64_of_256_hex_chars_of_the_modulus():
    key = _vector_key()
    hex_text = base64.b64decode(crypto.public_key_field(key)).decode('ascii')
    assert len(hex_text) == 256 and hex_text == hex_text.lower()
    assert int(hex_text, 16) == key.public_key().public_numbers().n


def test_fresh_key_round_trip_through_pkcs1v15():
    key = crypto.new_key()
    assert key.key_size == 1024
    ciphertext = key.public_key().encrypt(b'c8059b41126bd480f684b6a46d48804c', padding.PKCS1v15())
    field = base64.b64encode(binascii.hexlify(ciphertext)).decode('ascii')
    assert crypto.decrypt_challenge(key, field) == 'c8059b41126bd480f684b6a46d48804c'
