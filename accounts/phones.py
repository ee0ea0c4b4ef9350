"""Vietnamese mobile numbers: '0912 345 678', '0912.345.678', '+84 912 345 678' and '84912345678'
are the same number, stored as E.164 ('+84912345678').

Parsed, checked and formatted by `phonenumbers` (Google's libphonenumber metadata): which
prefixes are mobile networks is its data, kept current by its releases, not a pattern of ours.
"""

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

REGION = "VN"
_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalise_mobile(raw: str | None) -> str | None:
    """'+84912345678' for any accepted spelling of a Vietnamese mobile number, else None
    (a landline, a foreign number, an extension or no number)."""
    if not raw:
        return None
    try:
        number = phonenumbers.parse(str(raw).strip(), REGION)
    except phonenumbers.NumberParseException:
        return None
    if (
        number.extension
        or phonenumbers.region_code_for_number(number) != REGION
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def display_mobile(e164: str | None) -> str:
    """'+84912345678' → '0912 345 678', as people write it."""
    if not e164 or not e164.startswith("+84"):
        return e164 or ""
    try:
        number = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
