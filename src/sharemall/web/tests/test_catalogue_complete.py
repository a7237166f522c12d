"""The Chinese catalogue stays whole: every message translated, none left fuzzy.

After changing user-facing text, regenerate and translate (see the header of django.po):
    cd src/sharemall && django-admin makemessages -l zh_Hans --no-obsolete \
        --settings=sharemall.config.test_settings
then compilemessages, and commit both django.po and django.mo.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import sharemall

PO_FILE = Path(sharemall.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgid: str = ""
    msgid_plural: str = ""
    msgstrs: list[str] = field(default_factory=list)


def _entries(path: Path) -> list[Entry]:
    """A small reader for the .po format: enough for flags, msgid(s) and msgstr(s)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: str | None = None  # which field continuation lines ("...") belong to
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):  # blank, or an obsolete entry
            current, target = None, None
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if target == "msgstr":
                current.msgstrs[-1] += text
            elif target is not None:
                setattr(current, target, getattr(current, target) + text)
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                current.msgstrs.append(text)
                target = "msgstr"
            elif keyword in ("msgid", "msgid_plural"):
                setattr(current, keyword, text)
                target = keyword
            else:  # msgctxt and the like
                target = None
    return [e for e in entries if e.msgid]  # the header has an empty msgid


def _describe(entry: Entry) -> str:
    return f"django.po:{entry.line}: {entry.msgid!r}"


def test_the_catalogue_has_messages() -> None:
    assert len(_entries(PO_FILE)) > 100


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    entries = _entries(PO_FILE)

    untranslated = [_describe(e) for e in entries if not e.msgstrs or not all(e.msgstrs)]
    fuzzy = [_describe(e) for e in entries if "fuzzy" in e.flags]

    assert not untranslated, "Untranslated messages:\n" + "\n".join(untranslated)
    assert not fuzzy, "Fuzzy messages (check, then drop the flag):\n" + "\n".join(fuzzy)


def test_translations_keep_the_placeholders() -> None:
    wrong = [
        _describe(e)
        for e in _entries(PO_FILE)
        for msgstr in e.msgstrs
        if set(PLACEHOLDER.findall(msgstr))
        != set(PLACEHOLDER.findall(e.msgid)) | set(PLACEHOLDER.findall(e.msgid_plural))
    ]

    assert not wrong, "Placeholders differ from the English:\n" + "\n".join(wrong)
