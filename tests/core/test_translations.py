"""The Finnish and Swedish catalogues are complete, keep every placeholder, and are compiled.

A small reader of the .po format (standard library only): an untranslated or fuzzy entry, or a
translation that drops or renames a placeholder, shows to the user as English, as a gettext
guess, or as a KeyError when the string is formatted. A .mo older than its .po shows the old text.
"""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "somevahti"
CATALOGUES = {"main": SRC / "locale", "checks": SRC / "checks" / "locale"}
LANGUAGES = ("fi", "sv", "en")  # English is the source: its entries repeat the msgid (msgen)
CASES = [(name, lang) for name in CATALOGUES for lang in LANGUAGES]

# %(name)s, %s, %d … and {name}; "%%" is a literal per cent sign.
PLACEHOLDER = re.compile(r"%\([^)]+\)[a-z]|%[a-z]|\{[A-Za-z_][A-Za-z0-9_]*\}")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def plural(self) -> str | None:
        return self.fields.get("msgid_plural")

    @property
    def context(self) -> str | None:
        return self.fields.get("msgctxt")

    def translations(self) -> dict[str, str]:
        return {key: value for key, value in self.fields.items() if key.startswith("msgstr")}

    def source_of(self, key: str) -> str:
        """The English text a msgstr translates: msgstr[1] and up translate the plural."""
        if key in ("msgstr", "msgstr[0]") or self.plural is None:
            return self.msgid
        return self.plural

    def where(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(0)), text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file without the header; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    key = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, key = None, ""
            continue
        if line.startswith("#~"):
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current.fields[key] += _unquote(line)
        else:
            key, _, rest = line.partition(" ")
            current.fields[key] = _unquote(rest)
    return [entry for entry in entries if entry.msgid]


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def po_path(catalogue: str, lang: str) -> Path:
    return CATALOGUES[catalogue] / lang / "LC_MESSAGES" / "django.po"


def test_reader__understands_continued_lines_plurals_and_flags(tmp_path: Path) -> None:
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fi\\n"\n\n'
        '#, fuzzy, python-format\n#| msgid "Old"\nmsgid ""\n"Two "\n"lines %(n)s"\nmsgstr "Kaksi %(n)s"\n\n'
        'msgid "%(counter)s post"\nmsgid_plural "%(counter)s posts"\nmsgstr[0] "%(counter)s julkaisu"\n'
        'msgstr[1] ""\n\n#~ msgid "Gone"\n#~ msgstr "Poissa"\n',
        encoding="utf-8",
    )
    first, second = read_po(po)
    assert first.msgid == "Two lines %(n)s" and "fuzzy" in first.flags
    assert second.plural == "%(counter)s posts"
    assert second.translations() == {"msgstr[0]": "%(counter)s julkaisu", "msgstr[1]": ""}


@pytest.mark.parametrize(("catalogue", "lang"), CASES)
def test_catalogue__has_no_untranslated_or_fuzzy_entry(catalogue: str, lang: str) -> None:
    entries = read_po(po_path(catalogue, lang))
    assert entries, f"{po_path(catalogue, lang)} has no entries"
    empty = [f"{e.where()} {key}" for e in entries for key, value in e.translations().items() if not value.strip()]
    fuzzy = [e.where() for e in entries if "fuzzy" in e.flags]
    assert not empty, f"{lang} ({catalogue}): {len(empty)} untranslated:\n" + "\n".join(empty)
    assert not fuzzy, f"{lang} ({catalogue}): {len(fuzzy)} fuzzy:\n" + "\n".join(fuzzy)


@pytest.mark.parametrize(("catalogue", "lang"), CASES)
def test_catalogue__translations_keep_the_placeholders_of_the_english(catalogue: str, lang: str) -> None:
    wrong = []
    for entry in read_po(po_path(catalogue, lang)):
        for key, value in entry.translations().items():
            if value and placeholders(value) != placeholders(entry.source_of(key)):
                wrong.append(f"{entry.where()} {key}: {placeholders(value)} in {value!r}")
            if value and "python-format" in entry.flags and "%" in PLACEHOLDER.sub("", value).replace("%%", ""):
                wrong.append(f"{entry.where()} {key}: a lone % in {value!r}")
    assert not wrong, f"{lang} ({catalogue}):\n" + "\n".join(wrong)


@pytest.mark.parametrize(("catalogue", "lang"), [*CASES, ("main", "en"), ("checks", "en")])
def test_compiled_catalogue__holds_every_translation_of_the_po(catalogue: str, lang: str) -> None:
    po = po_path(catalogue, lang)
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in read_po(po):
        if "fuzzy" in entry.flags:
            continue
        texts = entry.translations()
        if entry.plural is None:
            if texts["msgstr"]:
                got = (
                    compiled.pgettext(entry.context, entry.msgid)
                    if entry.context is not None
                    else compiled.gettext(entry.msgid)
                )
                if got != texts["msgstr"]:
                    stale.append(f"{entry.where()}: .mo has {got!r}")
        elif all(texts.values()):
            for n, key in ((1, "msgstr[0]"), (2, "msgstr[1]")):
                got = (
                    compiled.npgettext(entry.context, entry.msgid, entry.plural, n)
                    if entry.context is not None
                    else compiled.ngettext(entry.msgid, entry.plural, n)
                )
                if got != texts[key]:
                    stale.append(f"{entry.where()} {key}: .mo has {got!r}")
    assert not stale, f"{po.with_suffix('.mo')} is older than its .po; run scripts/messages compile:\n" + "\n".join(
        stale
    )
