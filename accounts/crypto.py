"""Encryption at rest for temporary passwords.

The key is ACCOUNTS_ENCRYPTION_KEY when set (any string), else derived from SECRET_KEY with
HKDF, so a database dump alone never reveals a password. Plaintext lives only in memory.
"""

import secrets
import string

from cryptography.fernet import Fernet
from django.conf import settings

from portal.crypto import InvalidToken, fernet, token_digest

__all__ = [
    "InvalidToken",
    "decrypt",
    "encrypt",
    "generate_password",
    "open_token",
    "seal_token",
    "token_digest",
]


def _current() -> Fernet:
    # The same key as before portal.crypto: HKDF(salt "accounts", info "temporary-password").
    return fernet(
        b"accounts", b"temporary-password", settings.ACCOUNTS_ENCRYPTION_KEY or settings.SECRET_KEY
    )


def seal_token(token: str) -> str:
    """A tracking token at rest: encrypted (its own key), so a database dump opens nothing."""
    return (
        fernet(
            b"accounts", b"tracking-token", settings.ACCOUNTS_ENCRYPTION_KEY or settings.SECRET_KEY
        )
        .encrypt(token.encode())
        .decode()
    )


def open_token(sealed: str) -> str:
    return (
        fernet(
            b"accounts",
            b"tracking-token",
            settings.ACCOUNTS_ENCRYPTION_KEY or settings.SECRET_KEY,
        )
        .decrypt(sealed.encode())
        .decode()
    )


def encrypt(plaintext: str) -> bytes:
    return _current().encrypt(plaintext.encode())


def decrypt(ciphertext: bytes) -> str:
    return _current().decrypt(bytes(ciphertext)).decode()


_ALPHABET = "".join(c for c in string.ascii_letters + string.digits if c not in "lIO0o1")


def generate_password(length: int = 14) -> str:
    """A temporary password: letters, digits and one symbol, without look-alike characters."""
    while True:
        chars = [secrets.choice(_ALPHABET) for _ in range(length - 1)]
        # Never first: a password beginning with "=" or "+" is a formula in a spreadsheet.
        chars.insert(1 + secrets.randbelow(length - 1), secrets.choice("@#%+=?"))
        pw = "".join(chars)
        if (
            any(c.isdigit() for c in pw)
            and any(c.isupper() for c in pw)
            and any(c.islower() for c in pw)
        ):
            return pw
