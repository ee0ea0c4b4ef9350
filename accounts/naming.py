"""The naming rule of seed 004 §4.1 and the splitting of Vietnamese names.

    staff:    a.xyz@hust.edu.vn        students: a.xyz@sis.hust.edu.vn
    a   = tên (given name), without diacritics
    xyz = họ và đệm (family and middle names), run together without diacritics

Nguyễn Văn A → a.nguyenvan. Both parts go through the one folding function (portal.text.fold),
so NFC and NFD input, upper case, đ/Đ and stray spaces all give the same address. An address
already issued, or a reserved name (postmaster, admin, … — settings), is never suggested: the
rule then appends 2, 3, … to the local part.
"""

import re

from django.conf import settings

from portal.text import fold

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _squash(text: str) -> str:
    return _NOT_ALNUM.sub("", fold(text))


def split_full_name(full_name: str) -> tuple[str, str]:
    """'Nguyễn Văn An' → ('Nguyễn Văn', 'An'): Vietnamese names end with the given name."""
    words = " ".join((full_name or "").split()).split(" ")
    words = [w for w in words if w]
    if not words:
        return "", ""
    if len(words) == 1:
        return "", words[0]
    return " ".join(words[:-1]), words[-1]


def domain_for(person_kind: str) -> str:
    if person_kind == "student":
        return settings.ACCOUNTS_STUDENT_DOMAIN
    return settings.ACCOUNTS_STAFF_DOMAIN


def local_part(family_and_middle_names: str, given_name: str) -> str:
    """The local part the rule gives, before any collision suffix ('' if a part is empty)."""
    given, family = _squash(given_name), _squash(family_and_middle_names)
    if not given or not family:
        return given or family
    return settings.ACCOUNTS_ADDRESS_PATTERN.format(given=given, family=family)


def is_reserved(local: str) -> bool:
    reserved = {name.strip().lower() for name in settings.ACCOUNTS_RESERVED_NAMES}
    return local.lower() in reserved


def address_rule(
    family_and_middle_names: str, given_name: str, person_kind: str, taken=frozenset()
) -> str:
    """The first address by the rule that is neither taken nor reserved.

    `taken` is a set of full addresses (lower case) already issued or known to exist.
    """
    base = local_part(family_and_middle_names, given_name)
    if not base:
        return ""
    domain = domain_for(person_kind)
    candidate, n = base, 1
    while is_reserved(candidate) or f"{candidate}@{domain}".lower() in taken:
        n += 1
        candidate = f"{base}{n}"
    return f"{candidate}@{domain}"


_ADDRESS = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")


def check_local_part(local: str) -> bool:
    return bool(_ADDRESS.match(local)) and ".." not in local
