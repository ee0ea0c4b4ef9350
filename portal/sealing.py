"""Secrets in outgoing mail: a working link is seen by its recipient only (issue 10 §1).

A context value wrapped in Secret (a tracking link, a view-once link) is rendered as a
placeholder; the row keeps the values encrypted in `secrets`, the delivery puts them back
into the mail it hands to the server, and the stored copy is redacted once the mail is
delivered or OUTBOX_SECRET_HOURS have passed. Pages, the admin and the logs only ever see
the placeholder, shown as "link visible only to the recipient".
"""

import json
import logging
import re

from django.utils.html import conditional_escape
from django.utils.translation import gettext_lazy as _

from . import crypto

log = logging.getLogger(__name__)


class Secret(str):
    """A context value that only the recipient of the message may see."""


_SECRET_SLOT = "\u2985{}\u2986"
_SECRET_SLOTS = re.compile("\u2985([A-Za-z0-9_]+)\u2986")


def _secrets_fernet():
    return crypto.fernet(b"portal", b"outbox-secrets")


def seal_secrets(context: dict) -> tuple[dict, str]:
    """The context with every Secret replaced by its placeholder, and the encrypted values."""
    found = {k: str(v) for k, v in context.items() if isinstance(v, Secret)}
    if not found:
        return context, ""
    sealed = {**context, **{k: _SECRET_SLOT.format(k) for k in found}}
    return sealed, _secrets_fernet().encrypt(json.dumps(found).encode()).decode()


def _open_secrets(sealed: str) -> dict:
    if not sealed:
        return {}
    try:
        return json.loads(_secrets_fernet().decrypt(sealed.encode()))
    except (crypto.InvalidToken, ValueError):
        log.warning("the secrets of a notification could not be decrypted")
        return {}


def reveal(text: str, values: dict, escape: bool = False) -> str:
    """Put the secrets back (the delivery, and nothing else); an unknown one is redacted."""
    if not text or "\u2985" not in text:
        return text

    def put(m):
        if m[1] not in values:
            return str(_REDACTED)
        return conditional_escape(values[m[1]]) if escape else values[m[1]]

    return _SECRET_SLOTS.sub(put, text)


def redact(text: str) -> str:
    """What a page shows of a stored text: every secret replaced by a note."""
    return reveal(text, {})


_REDACTED = _("[link visible only to the recipient]")

__all__ = ["Secret", "seal_secrets", "reveal", "redact"]
