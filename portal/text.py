"""One folding function for everything a person types: search, stored search keys, the naming
rule of e-mail addresses. Lower case, diacritics off, đ→d, NFC/NFD alike, spaces collapsed —
so "thanh" finds "Thành", "giao vu" finds "Giáo vụ" and "Đảng uỷ" finds "Đảng ủy", and SQLite
and PostgreSQL behave the same (we compare folded keys, not collations).
"""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFD", str(text).translate(_D))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", text.lower()).strip()


def fold_words(text: str | None) -> list[str]:
    """The folded words of `text`, for "every word must match" searches."""
    return [w for w in re.split(r"[^\w@.+-]+", fold(text)) if w]


_REPEATED = re.compile(r"\b(\w+(?: \w+){0,2}) \1\b")


def without_repeated_words(text: str | None) -> str:
    """A slip of the pen: "Phòng Công tác Công tác chính trị" → "Phòng Công tác chính trị".
    For display only; the document's text is stored as written."""
    return _REPEATED.sub(r"\1", text or "")
