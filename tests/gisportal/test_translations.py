"""Georgian is the portal's first language: every message has a Georgian translation."""

import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "ka" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(
    r'^msgid ((?:".*"\n)+)(?:msgid_plural (?:".*"\n)+)?((?:msgstr(?:\[\d\])? (?:".*"\n)+)+)',
    re.MULTILINE,
)


def joined(lines: str) -> str:
    return "".join(line.strip()[1:-1] for line in lines.strip().splitlines())


def test_every_message_has_a_georgian_translation():
    text = PO.read_text(encoding="utf-8")
    entries = ENTRY.findall(text + "\n")

    untranslated = [
        joined(msgid)
        for msgid, msgstrs in entries
        if joined(msgid)
        and any(
            not joined(s.split(" ", 1)[1]) for s in re.findall(r"msgstr.*(?:\n\".*\")*", msgstrs)
        )
    ]
    assert len(entries) > 100
    assert untranslated == []


def test_no_georgian_translation_is_a_fuzzy_guess():
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8").split('msgid ""', 2)[-1]
