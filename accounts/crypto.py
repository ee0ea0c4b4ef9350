"""Encryption at rest for temporary passwords.

The key is ACCOUNTS_ENCRYPTION_KEY when set (any string), else derived from SECRET_KEY with
HKDF, so a database dump alone never reveals a password. Plaintext lives only in memory.
"""

import base64
import hashlib
import secrets
import string
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["InvalidToken", "decrypt", "encrypt", "generate_password", "token_digest"]


@lru_cache(maxsize=4)
def _fernet(secret: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"accounts", info=b"temporary-password"
    ).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _current() -> Fernet:
    return _fernet(settings.ACCOUNTS_ENCRYPTION_KEY or settings.SECRET_KEY)


def encrypt(plaintext: str) -> bytes:
    return _current().encrypt(plaintext.encode())


def decrypt(ciphertext: bytes) -> str:
    return _current().decrypt(bytes(ciphertext)).decode()


def token_digest(token: str) -> str:
    """Links are stored as digests: the database never holds a working view-once link."""
    return hashlib.sha256(token.encode()).hexdigest()


_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "lIO0o1")


def generate_password(length: int = 14) -> str:
    """A temporary password: letters, digits and one symbol, without look-alike characters."""
    while True:
        chars = [secrets.choice(_ALPHABET) for _ in range(length - 1)]
        chars.insert(secrets.randbelow(length), secrets.choice("@#%+=?"))
        pw = "".join(chars)
        if (
            any(c.isdigit() for c in pw)
            and any(c.isupper() for c in pw)
            and any(c.islower() for c in pw)
        ):
            return pw
