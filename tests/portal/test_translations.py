"""The Vietnamese catalogue is complete and compiled: a person never meets an English string in
the Vietnamese UI."""

import gettext
from pathlib import Path

import polib

PO = Path(__file__).resolve().parents[2] / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def test_every_string_has_a_vietnamese_translation():
    catalogue = polib.pofile(str(PO))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated (make messages lists them): {missing[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_the_compiled_catalogue_matches_the_source():
    catalogue = polib.pofile(str(PO))
    with open(PO.with_suffix(".mo"), "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in catalogue.translated_entries():
        if entry.msgid_plural or entry.msgctxt:
            continue
        assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid
