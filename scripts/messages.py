"""Rebuild the Vietnamese catalogue (make messages).

English msgids in the code; Vietnamese translations are kept by area in
locale/vi/sources/<area>.po (portal, office, accounts, dialogue, ...), so people working on
different apps never edit the same file. This script extracts the strings (makemessages),
fills locale/vi/LC_MESSAGES/django.po from the sources, compiles django.mo, and lists what is
still untranslated (exit 1 with --check when anything is).
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"
SOURCES = ROOT / "locale" / "vi" / "sources"


def key(entry):
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def main(check: bool) -> int:
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "vi",
            "--no-obsolete",
            "--no-location",
            "--ignore",
            ".venv/*",
            "--ignore",
            "var/*",
            "--ignore",
            "bench/*",
            "--ignore",
            "tests/*",
            "--ignore",
            "staticfiles/*",
            "--ignore",
            "scripts/*",
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    known = {}
    for source in sorted(SOURCES.glob("*.po")):
        for entry in polib.pofile(str(source)):
            if entry.msgstr or any(entry.msgstr_plural.values()):
                known[key(entry)] = entry
    po = polib.pofile(str(PO))
    po.metadata["Language"] = "vi"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    missing = []
    for entry in po:
        source = known.get(key(entry))
        if source is None:
            missing.append(entry)
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: source.msgstr_plural.get(0) or source.msgstr}
        else:
            entry.msgstr = source.msgstr
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save(str(PO))
    po.save_as_mofile(str(PO.with_suffix(".mo")))
    for entry in missing:
        ctx = f'msgctxt "{entry.msgctxt}"\n' if entry.msgctxt else ""
        plural = f'msgid_plural "{entry.msgid_plural}"\n' if entry.msgid_plural else ""
        print(f'{ctx}msgid "{entry.msgid}"\n{plural}msgstr ""\n')
    print(f"{len(po) - len(missing)} translated, {len(missing)} missing", file=sys.stderr)
    return 1 if (check and missing) else 0


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv))
