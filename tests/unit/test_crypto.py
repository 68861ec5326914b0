"""Activation crypto against the test vectors of docs/developer/isapi-reference.md, §3.6."""
import base64
import binascii
import json
import os

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from ansible_collections.camfleet.hikvision.plugins.module_utils import crypto

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data')
with open(os.path.join(DATA, 'activation-vectors.json')) as f:
    VECTORS = json.load(f)


def _vector_key():
    with open(os.path.join(DATA, VECTORS['private_key_file']), 'rb') as f:
        return serialization.load_pem_private_key(f.read(), password=None)


def test_challenge_decrypts_to_the_published_random_string():
    assert crypto.decrypt_challenge(_vector_key(), VECTORS['challenge_key']) == VECTORS['challenge_random']


def test_password_encryption_matches_the_published_vector():
    assert crypto.encrypt_password(VECTORS['random'], VECTORS['password']) == VECTORS['password_field']


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
