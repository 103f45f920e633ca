"""Personal data at rest: AES-256-GCM encryption, keyed blind indexes, and display masks.

Ciphertexts are stored as text ``v1.<base64(nonce || ciphertext || tag)>`` so the key version can change
later without touching the column type. Lookups by value (a phone number at login, an ID number at
roster import) go through an HMAC "blind index" instead of decrypting every row.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

_VERSION = "v1"


@lru_cache(maxsize=4)
def _keys(data_key: str) -> tuple[AESGCM, bytes]:
    raw = base64.b64decode(data_key)
    if len(raw) != 32:
        raise ValueError("ZJ_DATA_KEY must be 32 bytes, base64-encoded")
    # Separate sub-keys for encryption and for the blind index, derived from the one configured key.
    enc = hmac.new(raw, b"zhijiao-encrypt", hashlib.sha256).digest()
    idx = hmac.new(raw, b"zhijiao-index", hashlib.sha256).digest()
    return AESGCM(enc), idx


def encrypt(plaintext: str, context: str) -> str:
    """Encrypt ``plaintext``; ``context`` (e.g. "user.id_number") is bound as associated data."""
    aead, _ = _keys(settings.ZJ_DATA_KEY)
    nonce = os.urandom(12)
    sealed = aead.encrypt(nonce, plaintext.encode(), context.encode())
    return f"{_VERSION}.{base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str, context: str) -> str:
    version, _, body = token.partition(".")
    if version != _VERSION:
        raise ValueError(f"unknown ciphertext version {version!r}")
    aead, _ = _keys(settings.ZJ_DATA_KEY)
    blob = base64.b64decode(body)
    return aead.decrypt(blob[:12], blob[12:], context.encode()).decode()


def blind_index(value: str, context: str) -> str:
    _, idx = _keys(settings.ZJ_DATA_KEY)
    return hmac.new(idx, f"{context}:{value}".encode(), hashlib.sha256).hexdigest()


def mask(value: str) -> str:
    """Keep the first three and last four characters: ID 110***********1234, phone 138****5678."""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
