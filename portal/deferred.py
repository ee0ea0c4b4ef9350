"""Texts the portal writes into a record (an event's note, a change-log line) translated when
they are read, not when they are written (issue 13): a reader sees them in their language,
whoever caused them.

    note = deferred(gettext_noop("Merged into no. %(no)s"), no=7)
    note = deferred("%(topic)s: %(old)s → %(new)s", topic=both(topic.name, topic.name_en), ...)
    shown(note)   # "Gộp vào mục số 7" on a Vietnamese page, "Merged into no. 7" on an English one

The record keeps the English message (a msgid of the catalogue) and its values as JSON behind a
marker; a value given in both languages (`both`) is shown in the reader's, falling back to the
Vietnamese. Text a person wrote may follow after a line break and is shown as written. Any text
without the marker (older rows, what people wrote) is shown as it is.
"""

import json

from django.utils.translation import gettext

from .bilingual import in_language

MARK = "\u2063i18n:"
_DECODER = json.JSONDecoder()


def both(vi: str, en: str = "") -> dict:
    """A value in both languages (a unit's or topic's name): the reader's is shown."""
    return {"vi": vi or "", "en": en or ""}


def name_of(obj) -> dict:
    """An object's name in both languages (`name` and `name_en`)."""
    return both(getattr(obj, "name", "") or str(obj), getattr(obj, "name_en", ""))


def deferred(message: str, **values) -> str:
    """`message` % `values`, kept to be translated when read (see shown)."""
    return MARK + json.dumps({"m": str(message), "v": values}, ensure_ascii=False)


def _pick(value):
    if isinstance(value, dict) and "vi" in value:
        return in_language(value["vi"], value.get("en"))
    return value


def shown(text: str) -> str:
    """The text in the reader's language (as it is when it was not written by deferred)."""
    if not text or not text.startswith(MARK):
        return text
    try:
        data, end = _DECODER.raw_decode(text, len(MARK))
        message = gettext(data["m"])
        values = {k: _pick(v) for k, v in data.get("v", {}).items()}
        return (message % values if values else message) + text[end:]
    except (ValueError, KeyError, TypeError):
        return text
