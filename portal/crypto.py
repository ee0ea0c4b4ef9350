"""Encryption at rest for the portal's secrets (Fernet, a key per purpose).

The key of each purpose is derived with HKDF from PORTAL_ENCRYPTION_KEY when set, else from
SECRET_KEY, so a database dump alone never reveals a working secret. Plaintext lives only in
memory. Links are stored as digests where the portal only needs to recognise them.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "fernet", "token_digest"]


@lru_cache(maxsize=16)
def _derive(secret: str, salt: bytes, info: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def fernet(salt: bytes, info: bytes, key: str = "") -> Fernet:
    """The Fernet of one purpose: `key` when given, else PORTAL_ENCRYPTION_KEY or SECRET_KEY."""
    secret = key or getattr(settings, "PORTAL_ENCRYPTION_KEY", "") or settings.SECRET_KEY
    return _derive(secret, salt, info)


def token_digest(token: str) -> str:
    """Links are stored as digests: the database never holds a working link."""
    return hashlib.sha256(token.encode()).hexdigest()
