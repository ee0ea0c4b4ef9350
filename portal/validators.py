"""One rule for a person's name, wherever a name is typed (issue 12 §9): the account forms and
their bulk upload, the directory's people, the portal's users, learners named in minutes.

Letters of any script (Vietnamese with its diacritics, in NFC or NFD), single spaces between
words, a hyphen or an apostrophe inside a word. No digits, no symbols, no emoji: "=1+2" is a
formula waiting for a spreadsheet, not a name.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")


def clean_person_name(value, label=None) -> str:
    """The name with its spaces collapsed and in NFC, or ValidationError."""
    value = unicodedata.normalize("NFC", " ".join(str(value or "").split()))
    if not _NAME.match(value):
        if label:
            message = _("%(label)s may contain letters, spaces and hyphens only.") % {
                "label": label
            }
        else:
            message = _("A name may contain letters, spaces and hyphens only.")
        raise ValidationError(message, code="person_name")
    return value


def validate_person_name(value) -> None:
    """A model field validator (admin, model forms); blank fields are not validated."""
    clean_person_name(value)
