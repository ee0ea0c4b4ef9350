"""One folding function for everything a person types: search, stored search keys, the naming
rule of e-mail addresses. Lower case, diacritics off, đ→d, NFC/NFD alike, spaces collapsed —
so "thanh" finds "Thành", "giao vu" finds "Giáo vụ" and "Đảng uỷ" finds "Đảng ủy", and SQLite
and PostgreSQL behave the same (we compare folded keys, not collations).
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# The Combining Diacritical Marks block, every one of them a mark (category Mn): all the
# accents of Vietnamese once decomposed.
_COMBINING = re.compile("[\u0300-\u036f]+")


class _Marks(dict):
    """str.translate's table for the other marks (category Mn) of other scripts: a mark goes,
    any other character stays. Filled as characters are met."""

    def __missing__(self, code: int):
        value = None if unicodedata.category(chr(code)) == "Mn" else code
        if len(self) < 50_000:  # a text of every character there is cannot grow it further
            self[code] = value
        return value


_MARKS = _Marks()


def fold(text: str | None) -> str:
    # A 10,000-row upload folds 1.4 million characters: C loops (replace, a regular
    # expression, translate), not a Python test per character.
    if not text:
        return ""
    text = str(text)
    if not text.isascii():  # ASCII has no đ and nothing to decompose
        text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "d"))
        text = _COMBINING.sub("", text)
        if not text.isascii():
            text = text.translate(_MARKS)
    return _SPACES.sub(" ", text.lower()).strip()


def fold_words(text: str | None) -> list[str]:
    """The folded words of `text`, for "every word must match" searches."""
    return [w for w in re.split(r"[^\w@.+-]+", fold(text)) if w]


_REPEATED = re.compile(r"\b(\w+(?: \w+){0,2}) \1\b")


def without_repeated_words(text: str | None) -> str:
    """A slip of the pen: "Phòng Công tác Công tác chính trị" → "Phòng Công tác chính trị".
    For display only; the document's text is stored as written."""
    return _REPEATED.sub(r"\1", text or "")
