"""The catalogue is complete in both languages and compiled, and no template prints a string
outside the catalogue: a person never meets an English string in the Vietnamese UI, nor a
Vietnamese one in the English UI (issue 13).

The source strings (msgids) are English: the English UI shows them as they are, the Vietnamese
one shows their translation in locale/vi. So "complete in English" means every msgid is English
(no Vietnamese letters, but for the proper names of tests/e2e/proper_names.txt), and "complete
in Vietnamese" that every msgid has a Vietnamese translation.
"""

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
TEMPLATES = ROOT / "templates"
# Vietnamese letters: those English has not, and the vowels with a tone mark.
VIETNAMESE = re.compile(
    "[ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]", re.IGNORECASE
)


def proper_names() -> list[str]:
    path = ROOT / "tests" / "e2e" / "proper_names.txt"
    names = [line.strip() for line in path.read_text("utf-8").splitlines()]
    return sorted((n for n in names if n and not n.startswith("#")), key=len, reverse=True)


def without_proper_names(text: str, names: list[str]) -> str:
    for name in names:
        text = text.replace(name, " ")
    return text


def test_every_string_has_a_vietnamese_translation():
    catalogue = polib.pofile(str(PO))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated (make messages lists them): {missing[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_every_source_string_is_english():
    names = proper_names()
    vietnamese = [
        e.msgid
        for e in polib.pofile(str(PO))
        if VIETNAMESE.search(without_proper_names(f"{e.msgid} {e.msgid_plural or ''}", names))
    ]
    assert not vietnamese, f"Vietnamese in the English UI's strings: {vietnamese[:20]}"


def test_the_english_check_finds_vietnamese():
    names = proper_names()
    assert VIETNAMESE.search(without_proper_names("Minutes (biên bản)", names))
    assert not VIETNAMESE.search(without_proper_names("Open University Centre in Đà Nẵng", names))


def test_the_compiled_catalogue_matches_the_source():
    catalogue = polib.pofile(str(PO))
    with open(PO.with_suffix(".mo"), "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in catalogue.translated_entries():
        if entry.msgid_plural or entry.msgctxt:
            continue
        assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


# --- templates: every word a person reads comes through {% translate %} or a variable --------

# What a template may print as it is: codes and names that are the same in both languages
# (form and procedure codes, file formats, Roman section numbers, date patterns, product names).
CODES = {
    "BM",
    "CSV",
    "CreateEmailHUST",
    "English",
    "MTT",
    "QT",
    "TK",
    "XLSX",
    "dd",
    "eml",
    "log",
    "mm",
    "unit_code",
    "yyyy",
}
_WORD = re.compile(r"[^\W\d]\w*")
_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}


class _Visible(HTMLParser):
    """The text of an HTML template a person reads: text nodes and labelling attributes, not
    scripts, styles or what is marked translate="no"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text, self._skip = [], []

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            self._attributes(attrs)
            return
        skip = tag in ("script", "style") or dict(attrs).get("translate") == "no"
        self._skip.append(skip or bool(self._skip and self._skip[-1]))
        if not self._skip[-1]:
            self._attributes(attrs)

    def _attributes(self, attrs):
        self.text += [value for name, value in attrs if name in _ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag not in _VOID and self._skip:
            self._skip.pop()

    def handle_data(self, data):
        if not (self._skip and self._skip[-1]):
            self.text.append(data)


def untranslated_words(source: str, html: bool) -> list[str]:
    """The words of a template outside {% translate %} / {% blocktranslate %} and variables."""
    text, depth = [], 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            depth += name in ("blocktranslate", "blocktrans")
            depth -= name in ("endblocktranslate", "endblocktrans")
            text.append(" ")
        elif token.token_type == TokenType.TEXT and depth == 0:
            text.append(token.contents)
        else:
            text.append(" ")
    joined = "".join(text)
    if html:
        parser = _Visible()
        parser.feed(joined)
        joined = " ".join(parser.text)
    return [w for w in _WORD.findall(joined) if not _is_code(w)]


def _is_code(word: str) -> bool:
    # BM01, QT06 (a code with digits), I–IV (a section number), or one of CODES.
    return word in CODES or any(c.isdigit() for c in word) or set(word) <= set("IVX")


def test_the_template_check_finds_a_string_outside_the_catalogue():
    assert untranslated_words("<p>{% translate 'Save' %} {{ name }}</p>", html=True) == []
    assert untranslated_words('<p title="Close">{% translate "Save" %}</p>', html=True) == ["Close"]
    assert untranslated_words("<h2>KẾ HOẠCH</h2>", html=True) == ["KẾ", "HOẠCH"]
    assert untranslated_words('<p translate="no">{{ q.text }} as written</p>', html=True) == []
    assert untranslated_words("Kính gửi {{ name }},", html=False) == ["Kính", "gửi"]


def test_no_template_prints_a_string_outside_the_catalogue():
    found = {}
    for path in sorted(TEMPLATES.rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        words = untranslated_words(path.read_text("utf-8"), html=path.suffix == ".html")
        if words:
            found[str(path.relative_to(TEMPLATES))] = words[:10]
    assert not found, f"words outside {{% translate %}}: {found}"
