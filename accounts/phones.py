"""Vietnamese mobile numbers: '0912 345 678', '0912.345.678', '+84 912 345 678' and '84912345678'
are the same number, stored as E.164 ('+84912345678')."""

import re

_NOISE = re.compile(r"[\s.\-()/]")
# Mobile networks since the 2018 renumbering: 03x, 05x, 07x, 08x, 09x (10 digits with the 0).
_MOBILE = re.compile(r"^[35789]\d{8}$")


def normalise_mobile(raw: str | None) -> str | None:
    """'+84912345678' for any accepted spelling of a Vietnamese mobile number, else None."""
    if not raw:
        return None
    digits = _NOISE.sub("", str(raw).strip())
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("0084"):
        national = digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    elif len(digits) == 9:
        national = digits  # the leading 0 lost by a spreadsheet
    else:
        return None
    if national.startswith("0"):
        national = national[1:]  # "+84 0912…", a common slip
    if not _MOBILE.match(national):
        return None
    return f"+84{national}"


def display_mobile(e164: str | None) -> str:
    """'+84912345678' → '0912 345 678', as people write it."""
    if not e164 or not e164.startswith("+84"):
        return e164 or ""
    national = "0" + e164[3:]
    return f"{national[:4]} {national[4:7]} {national[7:]}"
