"""Data kept in both languages (issue 13): the Vietnamese value, and the English one beside it
(`name` / `name_en`). One rule for every page: the English when the reader reads English and it
is filled in, else the Vietnamese, never an empty string."""

from django.utils.translation import get_language


def reading_english() -> bool:
    return (get_language() or "vi").startswith("en")


def in_language(vi: str, en: str | None, english: bool | None = None) -> str:
    """`en` on an English page when it is filled in, else `vi`. `english`: reading_english(),
    when the caller looked it up once for many rows."""
    if english is None:
        english = reading_english()
    return en if en and english else vi


def localized(obj, field: str) -> str:
    """`obj.<field>_en` on an English page when it is filled in, else `obj.<field>`."""
    return in_language(getattr(obj, field), getattr(obj, f"{field}_en", ""))
