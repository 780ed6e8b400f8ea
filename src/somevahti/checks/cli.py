"""``somevahti check``: check one text, or a stream of JSON lines, for confidential content.

    somevahti check [FILE|-] [--jsonl] [--format text|json] [--lang fi|sv|en]
                    [--public-contacts FILE] [--org SLUG]

Exit status: 0 when nothing blocks publishing, 1 when any finding is a block, 2 on bad input
(an unreadable file, bad contacts, a JSON line that is not an object with a "text"). Bad input
wins over findings: a script must not take "2" for "checked and clean". In ``--jsonl`` mode a
bad line is reported on stderr with its line number and the remaining lines are still answered.

Input that is not valid UTF-8 is still checked: undecodable bytes become U+FFFD and a warning
goes to stderr. Refusing would let a single stray byte hide an identity code from the check;
the offsets then refer to the decoded text.

The core has no database: ``--org`` works only when the caller passes ``contacts_loader``, a
function from an organization's slug to its PublicContacts (the web app's CLI does).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Iterable
from typing import Any, NoReturn, TextIO

from .engine import ContactsError, Finding, PublicContacts, Severity, check_text
from .i18n import LANGUAGES, gettext_noop, normalise_language, translate

ContactsLoader = Callable[[str], PublicContacts]

# Messages printed by the command, marked for translation.
M_USAGE_PREFIX = gettext_noop("usage: ")
M_DESCRIPTION = gettext_noop(
    "Check a text for confidential content before it is published: personal identity codes, "
    "contact details, names, health and social welfare matters, confidentiality markings."
)
M_EPILOG = gettext_noop(
    "Exit status: 0 when nothing blocks publishing, 1 when something does, 2 on bad input."
)
M_POSITIONALS = gettext_noop("arguments")
M_OPTIONS = gettext_noop("options")
M_HELP = gettext_noop("show this help and exit")
M_FILE = gettext_noop("the file to check; - or nothing reads standard input")
M_JSONL = gettext_noop(
    'read one JSON object per line, {"id": ..., "text": ...}, and answer each on its own line'
)
M_FORMAT = gettext_noop("output format for a single text: text (for people) or json")
M_LANG = gettext_noop("language of the messages: fi, sv or en")
M_CONTACTS = gettext_noop("JSON file with the organization's public contact data, which is never a finding")
M_ORG = gettext_noop("use the public contact data of this organization from the web app's database")
M_ERROR = gettext_noop("error: %(message)s")
M_UNKNOWN_OPTION = gettext_noop("unknown argument: %(argument)s")
M_NEEDS_VALUE = gettext_noop("the option %(option)s needs a value")
M_BAD_CHOICE = gettext_noop("%(option)s must be one of: %(choices)s")
M_BAD_ARGUMENTS = gettext_noop("the command line is not valid (%(detail)s)")
M_SEE_HELP = gettext_noop("See %(prog)s --help.")
M_NO_FILE = gettext_noop("cannot read %(file)s: no such file")
M_CANNOT_READ = gettext_noop("cannot read %(file)s: %(reason)s")
M_NOT_UTF8 = gettext_noop(
    "%(file)s is not valid UTF-8; undecodable bytes were replaced with U+FFFD and the rest was checked"
)
M_NOT_UTF8_LINE = gettext_noop(
    "line %(line)s is not valid UTF-8; undecodable bytes were replaced with U+FFFD"
)
M_BAD_CONTACTS = gettext_noop("the public contacts in %(file)s are not valid: %(problem)s")
M_CONTACTS_NOT_JSON = gettext_noop("the public contacts in %(file)s are not valid JSON: %(problem)s")
M_ORG_NEEDS_DATABASE = gettext_noop(
    "--org needs the web app's database; run the check through the somevahti command of an "
    "installed site, or give the contacts with --public-contacts"
)
M_ORG_NOT_FOUND = gettext_noop("no organization %(org)s: %(problem)s")
M_LINE_NOT_JSON = gettext_noop("line %(line)s: not valid JSON (%(problem)s)")
M_LINE_NOT_OBJECT = gettext_noop('line %(line)s: expected a JSON object with "id" and "text"')
M_LINE_NO_TEXT = gettext_noop('line %(line)s: the object has no "text" string')
M_NO_FINDINGS = gettext_noop("No findings.")
M_SUMMARY = gettext_noop("Findings: %(count)s (blocking publication: %(blocks)s).")
M_SEVERITY_BLOCK = gettext_noop("block")
M_SEVERITY_WARN = gettext_noop("warn")
M_SEVERITY_INFO = gettext_noop("info")
M_STDIN = gettext_noop("standard input")

SEVERITY_NAMES = {
    Severity.BLOCK: M_SEVERITY_BLOCK,
    Severity.WARN: M_SEVERITY_WARN,
    Severity.INFO: M_SEVERITY_INFO,
}
FORMATS = ("text", "json")
PROG = "somevahti check"


class BadInput(Exception):
    """Input the command cannot use; the message is already translated."""


class _Parser(argparse.ArgumentParser):
    """argparse with our own translated messages instead of its English ones."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        def tr(message):
            return translate(message, lang)

        class Formatter(argparse.HelpFormatter):
            def add_usage(self, usage, actions, groups, prefix=None):  # type: ignore[no-untyped-def]
                super().add_usage(usage, actions, groups, prefix or tr(M_USAGE_PREFIX))

        super().__init__(
            prog=PROG,
            description=tr(M_DESCRIPTION),
            epilog=tr(M_EPILOG),
            add_help=False,
            formatter_class=Formatter,
            allow_abbrev=False,
        )
        self._positionals.title = tr(M_POSITIONALS)
        self._optionals.title = tr(M_OPTIONS)
        self.add_argument("-h", "--help", action="store_true", help=tr(M_HELP))
        self.add_argument("file", nargs="?", default="-", metavar="FILE|-", help=tr(M_FILE))
        self.add_argument("--jsonl", action="store_true", help=tr(M_JSONL))
        self.add_argument("--format", default="text", metavar="text|json", help=tr(M_FORMAT))
        self.add_argument("--lang", default=lang, metavar="fi|sv|en", help=tr(M_LANG))
        self.add_argument("--public-contacts", metavar="FILE", help=tr(M_CONTACTS))
        self.add_argument("--org", metavar="SLUG", help=tr(M_ORG))

    def error(self, message: str) -> NoReturn:
        if "expected one argument" in message:
            option = message.split(":", 1)[0].removeprefix("argument ").split("/")[-1]
            raise BadInput(translate(M_NEEDS_VALUE, self.lang, {"option": option}))
        raise BadInput(translate(M_BAD_ARGUMENTS, self.lang, {"detail": message}))


def _language_from(argv: list[str]) -> str:
    """The message language, known before parsing so that parse errors are translated too."""
    for index, argument in enumerate(argv):
        if argument == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if argument.startswith("--lang="):
            return argument.split("=", 1)[1]
    return os.environ.get("SOMEVAHTI_LANG", "fi")


def _read_bytes(source: str, stdin: TextIO, lang: str) -> tuple[bytes | str, str]:
    if source == "-":
        buffer = getattr(stdin, "buffer", None)
        return (buffer.read() if buffer is not None else stdin.read()), translate(M_STDIN, lang)
    try:
        with open(source, "rb") as handle:
            return handle.read(), source
    except FileNotFoundError:
        raise BadInput(translate(M_NO_FILE, lang, {"file": source})) from None
    except OSError as error:
        raise BadInput(
            translate(M_CANNOT_READ, lang, {"file": source, "reason": error.strerror or error})
        ) from None


def _decode(data: bytes | str) -> tuple[str, bool]:
    """Text and whether some bytes could not be decoded."""
    if isinstance(data, str):
        return data, False
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), True


def _load_contacts(
    args: argparse.Namespace, loader: ContactsLoader | None, lang: str
) -> PublicContacts | None:
    contacts: PublicContacts | None = None
    if args.public_contacts:
        raw, name = _read_bytes(args.public_contacts, _NO_STDIN, lang)
        text, _ = _decode(raw)
        try:
            contacts = PublicContacts.from_json(json.loads(text))
        except json.JSONDecodeError as error:
            raise BadInput(translate(M_CONTACTS_NOT_JSON, lang, {"file": name, "problem": error})) from None
        except ContactsError as error:
            raise BadInput(translate(M_BAD_CONTACTS, lang, {"file": name, "problem": error})) from None
    if args.org:
        if loader is None:
            raise BadInput(translate(M_ORG_NEEDS_DATABASE, lang))
        try:
            from_database = loader(args.org)
        except (LookupError, ValueError) as error:
            raise BadInput(translate(M_ORG_NOT_FOUND, lang, {"org": args.org, "problem": error})) from None
        contacts = from_database if contacts is None else contacts | from_database
    return contacts


class _NoStdin:
    def read(self) -> str:  # pragma: no cover - the contacts file is never "-"
        return ""


_NO_STDIN: Any = _NoStdin()


def _line_and_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _write_text_report(text: str, findings: list[Finding], lang: str, stdout: TextIO) -> None:
    if not findings:
        stdout.write(translate(M_NO_FINDINGS, lang) + "\n")
        return
    for finding in findings:
        line, column = _line_and_column(text, finding.start)
        severity = translate(SEVERITY_NAMES[finding.severity], lang)
        stdout.write(f"{line}:{column} {finding.type} {severity} {finding.message}\n")
        stdout.write(f"    → {finding.suggestion}\n")
    blocks = sum(f.severity is Severity.BLOCK for f in findings)
    stdout.write(translate(M_SUMMARY, lang, {"count": len(findings), "blocks": blocks}) + "\n")


def _answer_jsonl(
    lines: Iterable[bytes | str], stdout: TextIO, stderr: TextIO, lang: str, contacts: PublicContacts | None
) -> tuple[bool, bool]:
    """Answer each line as it comes; return (any bad line, any block finding)."""
    bad = blocked = False
    for number, raw in enumerate(lines, start=1):
        line, replaced = _decode(raw)
        if not line.strip():
            continue
        if replaced:
            stderr.write(translate(M_NOT_UTF8_LINE, lang, {"line": number}) + "\n")
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            stderr.write(translate(M_LINE_NOT_JSON, lang, {"line": number, "problem": error.msg}) + "\n")
            bad = True
            continue
        if not isinstance(item, dict):
            stderr.write(translate(M_LINE_NOT_OBJECT, lang, {"line": number}) + "\n")
            bad = True
            continue
        text = item.get("text")
        if not isinstance(text, str):
            stderr.write(translate(M_LINE_NO_TEXT, lang, {"line": number}) + "\n")
            bad = True
            continue
        findings = check_text(text, lang=lang, contacts=contacts)
        blocked = blocked or any(f.severity is Severity.BLOCK for f in findings)
        answer = {
            "id": item.get("id"),
            "findings": [{k: v for k, v in f.as_dict().items() if k != "suggestion"} for f in findings],
        }
        stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        stdout.flush()
    return bad, blocked


def run(
    argv: list[str],
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    contacts_loader: ContactsLoader | None = None,
) -> int:
    """Run ``somevahti check`` with ``argv`` (the arguments after "check"); return the exit status."""
    lang = normalise_language(_language_from(argv))
    parser = _Parser(lang)
    try:
        args, unknown = parser.parse_known_args(argv)
        if args.help:
            stdout.write(parser.format_help())
            return 0
        if unknown:
            raise BadInput(translate(M_UNKNOWN_OPTION, lang, {"argument": unknown[0]}))
        if args.lang.replace("_", "-").split("-")[0].lower() not in LANGUAGES:
            raise BadInput(
                translate(M_BAD_CHOICE, lang, {"option": "--lang", "choices": ", ".join(LANGUAGES)})
            )
        if args.format not in FORMATS:
            raise BadInput(
                translate(M_BAD_CHOICE, lang, {"option": "--format", "choices": ", ".join(FORMATS)})
            )
        contacts = _load_contacts(args, contacts_loader, lang)
        if args.jsonl:
            lines: Iterable[bytes | str]
            if args.file == "-":
                lines = getattr(stdin, "buffer", None) or stdin
            else:
                raw, _ = _read_bytes(args.file, stdin, lang)
                lines = raw.splitlines(keepends=True)
            bad, blocked = _answer_jsonl(lines, stdout, stderr, lang, contacts)
            return 2 if bad else 1 if blocked else 0
        raw, name = _read_bytes(args.file, stdin, lang)
        text, replaced = _decode(raw)
        if replaced:
            stderr.write(translate(M_NOT_UTF8, lang, {"file": name}) + "\n")
        findings = check_text(text, lang=lang, contacts=contacts)
        if args.format == "json":
            stdout.write(
                json.dumps({"findings": [f.as_dict() for f in findings]}, ensure_ascii=False, indent=2) + "\n"
            )
        else:
            _write_text_report(text, findings, lang, stdout)
        return 1 if any(f.severity is Severity.BLOCK for f in findings) else 0
    except BadInput as problem:
        stderr.write(f"{PROG}: {translate(M_ERROR, lang, {'message': problem})}\n")
        stderr.write(translate(M_SEE_HELP, lang, {"prog": PROG}) + "\n")
        return 2


def main() -> None:  # pragma: no cover - for running the core without the web app
    import sys

    raise SystemExit(run(sys.argv[1:], sys.stdin, sys.stdout, sys.stderr))


if __name__ == "__main__":  # pragma: no cover
    main()
