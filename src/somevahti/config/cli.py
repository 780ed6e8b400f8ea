"""The `somevahti` command: thin verbs over the services, stable for other tools to call.

Exit status: 0 on success, 1 where a verb says so (a blocking finding), 2 on bad input with
the reason on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO


class BadInput(Exception):
    """The user gave something wrong: say what and where, exit 2."""


def _setup_django(*, migrate: bool = True) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "somevahti.config.settings")
    import django

    django.setup()
    if migrate:
        ensure_database()


def ensure_database() -> None:
    """On a fresh database the tables are created first; on a current one this is quick."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    for alias in settings.DATABASES:
        executor = MigrationExecutor(connections[alias])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", database=alias, interactive=False, verbosity=0)


def _activate_language(lang: str | None) -> None:
    from django.utils import translation

    translation.activate(lang or os.environ.get("SOMEVAHTI_LANGUAGE") or "fi")


# --- verbs -------------------------------------------------------------------------------


def cmd_org_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _setup_django()
    _activate_language(args.lang)
    from somevahti.channels.importer import OrganizationFileError, import_organization_file

    try:
        result = import_organization_file(path=args.file, dry_run=args.dry_run)
    except OrganizationFileError as exc:
        for problem in exc.problems:
            print(problem, file=err)
        return 2
    print(result.summary(), file=out)
    return 0


def cmd_absences_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _setup_django()
    _activate_language(args.lang)
    from somevahti.people.ics import CalendarError
    from somevahti.people.services import PersonNotFound, import_absences_file

    try:
        result = import_absences_file(
            organization_slug=args.org, email=args.person, path=args.file, kind=args.kind, dry_run=args.dry_run
        )
    except (CalendarError, PersonNotFound) as exc:
        print(str(exc), file=err)
        return 2
    print(result.summary(), file=out)
    return 0


def cmd_coverage(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _setup_django()
    _activate_language(args.lang)
    import datetime as dt
    import json

    from somevahti.channels.queries import CoverageError, coverage_report

    try:
        start = dt.date.fromisoformat(args.start) if args.start else None
    except ValueError:
        raise BadInput(f"--start: {args.start!r} is not a date YYYY-MM-DD") from None
    if args.days < 1 or args.days > 3660:
        raise BadInput("--days: give a number of days from 1 to 3660")
    try:
        report = coverage_report(organization_slug=args.org, start=start, days=args.days)
    except CoverageError as exc:
        raise BadInput(str(exc)) from None
    if args.format == "json":
        json.dump(report.as_json(), out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write(report.as_text())
    return 0


def cmd_check(args: argparse.Namespace, out: TextIO, err: TextIO, argv: Sequence[str]) -> int:
    from somevahti.checks import cli as checks_cli

    def contacts_for(slug: str) -> Any:
        _setup_django()
        from somevahti.checks.queries import public_contacts_for

        return public_contacts_for(organization_slug=slug)

    return checks_cli.run(list(argv), sys.stdin, out, err, contacts_loader=contacts_for)


def cmd_evaluate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _setup_django()
    from somevahti.guideline.services import evaluate_rules
    from somevahti.people.models import Organization

    orgs = Organization.objects.filter(slug=args.org) if args.org else Organization.objects.all()
    if args.org and not orgs.exists():
        raise BadInput(f"--org: no organization {args.org!r}")
    for org in orgs:
        result = evaluate_rules(organization=org)
        print(f"{org.slug}: opened {result.opened}, open {result.opened + result.still_open}, resolved {result.resolved}", file=out)
    return 0


def cmd_inbox(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The feedback inbox of one organization, as a table or as JSON for other tools."""
    _setup_django()
    _activate_language(args.lang)
    import json

    from somevahti.core.calendar import HELSINKI
    from somevahti.inbox.queries import (
        STATE_OPEN,
        InboxFilter,
        UnknownState,
        inbox_items,
        state_filter_values,
    )
    from somevahti.people.models import Organization

    organization = Organization.objects.filter(slug=args.org).first()
    if organization is None:
        raise BadInput(f"--org: no organization {args.org!r}")
    state = args.state or STATE_OPEN
    try:
        items = list(inbox_items(organization=organization, filters=InboxFilter(state=state, sort="newest")))
    except UnknownState:
        raise BadInput(f"--state: {state!r} is not one of {', '.join(state_filter_values())}") from None

    def moment(value: Any) -> str | None:
        return value.astimezone(HELSINKI).isoformat() if value is not None else None

    rows: list[dict[str, Any]] = [
        {
            "id": item.pk,
            "channel": item.channel.key,
            "kind": item.kind,
            "author": item.author_name or item.author_handle,
            "text": item.text,
            "created_at": moment(item.created_at),
            "received_at": moment(item.received_at),
            "deadline": moment(item.deadline),
            "state": item.state,
            "assignee": item.assignee.email if item.assignee else None,
            "findings": [str(f.get("type", "")) for f in item.findings],
        }
        for item in items
    ]
    if args.format == "json":
        json.dump(rows, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    if not rows:
        print(f"{organization.slug}: no feedback items in state {state}", file=out)
        return 0
    columns = ("id", "channel", "kind", "state", "deadline", "assignee", "author", "findings", "text")
    table = [
        [
            str(row["id"]),
            str(row["channel"]),
            str(row["kind"]),
            str(row["state"]),
            str(row["deadline"] or "-")[:16].replace("T", " "),
            str(row["assignee"] or "-"),
            str(row["author"])[:24],
            ",".join(row["findings"]) or "-",
            " ".join(str(row["text"]).split())[:60],
        ]
        for row in rows
    ]
    widths = [max(len(column), *(len(line[i]) for line in table)) for i, column in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip(), file=out)
    for line in table:
        print("  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip(), file=out)
    return 0


def cmd_archive(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """The archive: verify the chain, search, export for an information request, import history."""
    _setup_django()
    _activate_language(getattr(args, "lang", None))
    import datetime as dt
    import json
    from pathlib import Path

    from django.utils import timezone

    from somevahti.people.models import Organization

    organization = Organization.objects.filter(slug=args.org).first()
    if organization is None:
        raise BadInput(f"--org: no organization {args.org!r}")

    if args.archive_verb == "verify":
        from somevahti.archive.services import verify_chain_audited

        verified = verify_chain_audited(organization=organization)
        print(verified.describe(), file=out if verified.ok else err)
        return 0 if verified.ok else 1

    if args.archive_verb == "import":
        from somevahti.archive.imports import ImportFileError
        from somevahti.archive.services import import_platform_export
        from somevahti.channels.models import Channel

        channel = Channel.objects.filter(organization=organization, key=args.channel).first()
        if channel is None:
            raise BadInput(f"--channel: no channel {args.channel!r} in {organization.slug}")
        path = Path(args.file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise BadInput(f"{args.file}: {exc.strerror}") from None
        try:
            imported = import_platform_export(organization=organization, channel=channel, raw=raw, name=path.name)
        except ImportFileError as exc:
            raise BadInput(f"{args.file}: {exc}") from None
        print(imported.summary(), file=out)
        return 0

    from somevahti.archive.queries import ArchiveQuery

    def day(value: str | None, option: str) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise BadInput(f"{option}: {value!r} is not a date YYYY-MM-DD") from None

    criteria = ArchiveQuery(
        query=" ".join(args.query),
        date_from=day(args.date_from, "--from"),
        date_to=day(args.date_to, "--to"),
        channel=args.channel or "",
        kind=args.kind or "",
        author=args.author or "",
    )

    if args.archive_verb == "export":
        from somevahti.archive.export import export_archive

        exported = export_archive(
            organization=organization, criteria=criteria, fmt=args.format, redacted=args.redact, now=timezone.now()
        )
        try:
            Path(args.out).write_bytes(exported.content)
        except OSError as exc:
            raise BadInput(f"--out: {args.out}: {exc.strerror}") from None
        print(f"{args.out}: {exported.manifest['records']} records, sha256 {exported.manifest['sha256']}", file=out)
        return 0

    from somevahti.archive.queries import search_archive
    from somevahti.archive.services import record_search
    from somevahti.core.calendar import HELSINKI

    result = search_archive(
        organization=organization,
        query=criteria.query,
        date_from=criteria.date_from,
        date_to=criteria.date_to,
        channel=criteria.channel,
        kind=criteria.kind,
        author=criteria.author,
        limit=args.limit,
        offset=0,
    )
    record_search(organization=organization, criteria={**criteria.as_dict(), "via": "cli"}, total=result.total)
    rows: list[dict[str, Any]] = [
        {
            "sequence": r.sequence,
            "occurred_at": r.occurred_at.astimezone(HELSINKI).isoformat(),
            "kind": r.kind,
            "channel": r.channel.key if r.channel else "",
            "author": r.author,
            "text": r.text,
        }
        for r in result.records
    ]
    if args.format == "json":
        json.dump({"total": result.total, "records": rows}, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return 0
    print(f"{organization.slug}: {result.total} records match" + (f", showing {len(rows)}" if len(rows) < result.total else ""), file=out)
    for row in rows:
        text = " ".join(str(row["text"]).split())[:80]
        print(f"#{row['sequence']}  {row['occurred_at'][:16].replace('T', ' ')}  {row['channel'] or '-'}  {row['kind']}  {text}", file=out)
    return 0


def cmd_post(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Write, check and publish (or schedule) a post to one channel: the compose page's workflow.

    Exit 0 when it was published, scheduled or sent for approval (or, with --dry-run, nothing
    blocks); 1 when a check blocks it, warnings have no --reason, or the platform refused it;
    2 on bad input."""
    _setup_django()
    _activate_language(getattr(args, "lang", None))
    import datetime as dt
    from pathlib import Path

    from django.utils import timezone

    from somevahti.channels.models import Channel
    from somevahti.core.calendar import HELSINKI
    from somevahti.people.models import Organization
    from somevahti.publishing import media as images
    from somevahti.publishing import services as publishing

    organization = Organization.objects.filter(slug=args.org).first()
    if organization is None:
        raise BadInput(f"--org: no organization {args.org!r}")
    channel = Channel.objects.filter(organization=organization, key=args.channel).first()
    if channel is None:
        raise BadInput(f"--channel: no channel {args.channel!r} in {organization.slug}")
    if channel.status != Channel.Status.ACTIVE:
        raise BadInput(f"--channel: {args.channel!r} is not active")
    try:
        text = Path(args.text_file).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise BadInput(f"--text-file: {args.text_file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise BadInput(f"--text-file: {args.text_file} is not UTF-8 text") from None
    if not text:
        raise BadInput(f"--text-file: {args.text_file} is empty")
    image: bytes | None = None
    if args.image:
        if not (args.alt or "").strip():
            raise BadInput("--alt: an image needs an alternative text")
        try:
            image = Path(args.image).read_bytes()
            images.prepare_image(image)
        except OSError as exc:
            raise BadInput(f"--image: {args.image}: {exc.strerror}") from None
        except images.ImageError as exc:
            raise BadInput(f"--image: {args.image}: {exc}") from None
    at = None
    if args.at:
        try:
            at = dt.datetime.fromisoformat(args.at)
        except ValueError:
            raise BadInput(f"--at: {args.at!r} is not a time like 2026-12-01T09:00") from None
        if timezone.is_naive(at):
            at = at.replace(tzinfo=HELSINKI)
        if at < timezone.now():
            raise BadInput(f"--at: {args.at} has already passed")

    findings = publishing.check_content(
        organization=organization, texts={"fi": text},
        image_facts=[publishing.ImageFacts(args.alt or "")] if image is not None else [],
    )
    for finding in findings:
        where = f" [{finding.start}-{finding.end}] {finding.excerpt!r}" if finding.start is not None else ""
        link = f" {finding.url}" if finding.url else ""
        print(f"{finding.severity.upper()} {finding.rule} {finding.type}{where}: {finding.message}{link}", file=out)
    blocking = [f for f in findings if f.severity == "block"]
    warnings = [f for f in findings if f.severity == "warn"]
    if args.dry_run:
        print("dry run: nothing was saved or sent", file=out)
        return 1 if blocking else 0
    if blocking:
        print("blocked: the post must not be published as it is; nothing was saved", file=err)
        return 1
    if warnings and not (args.reason or "").strip():
        print("warnings: give --reason to publish anyway; nothing was saved", file=err)
        return 1
    try:
        post = publishing.create_draft(organization=organization, by=None, text=text, channels=[channel])
        if image is not None:
            publishing.add_media(post=post, by=None, data=image, alt_text=args.alt, consent=args.consent)
        post = publishing.submit_for_review(post=post, by=None, override_reason=args.reason or "")
    except publishing.PublishingError as exc:
        print(str(exc), file=err)
        return 1
    if post.state == post.State.IN_REVIEW:
        print(f"post {post.pk}: waiting for another person's approval (channel {channel.key} asks for it)", file=out)
        return 0
    if at is not None:
        publishing.schedule(post=post, by=None, at=at)
        print(f"post {post.pk}: scheduled for {at.astimezone(HELSINKI).isoformat()}", file=out)
        return 0
    report = publishing.publish_post(post=post, force=True)
    failed = False
    for target in report.post.targets.select_related("channel"):
        detail = target.url or publishing.explain_outcome(target.outcome, target.error)
        print(f"post {post.pk}: {target.channel.key}: {target.state} {detail}".rstrip(), file=out)
        failed = failed or target.state in (target.State.FAILED, target.State.NEEDS_CHECK)
    return 1 if failed else 0


def cmd_manage(args: argparse.Namespace, out: TextIO, err: TextIO, argv: Sequence[str]) -> int:
    _setup_django(migrate=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["somevahti", *argv])
    return 0


def cmd_worker(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("db_worker", interval=1.0)
    return 0


def cmd_scheduler(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("crontask", no_heartbeat=True)
    return 0


def cmd_serve(args: argparse.Namespace, out: TextIO, err: TextIO, *, demo: bool = False) -> int:
    if demo:
        # The demo talks to in-memory platforms that receive realistic comments over time.
        os.environ.setdefault("SOMEVAHTI_CONNECTOR", "somevahti.connectors.fake.FakeConnector")
        os.environ.setdefault("SOMEVAHTI_DEMO_FEED", "true")
        if not os.environ.get("EMAIL_HOST"):
            # Without a mail server, the demo writes its e-mails as files in the data folder.
            os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    _setup_django()
    from somevahti.config.server import run_server

    return run_server(host=args.host, port=args.port, demo=demo, background=not args.no_background, out=out)


# --- parser ------------------------------------------------------------------------------

# The values of archive.models.RecordKind (the parser is built before Django is set up).
ARCHIVE_KINDS = (
    "post_published", "post_edited", "post_withdrawn", "interaction_received", "interaction_edited",
    "interaction_hidden", "interaction_unhidden", "interaction_removed", "reply_sent", "imported",
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="somevahti", description="Somevahti: the social media guideline in practice.")
    sub = parser.add_subparsers(dest="verb", required=True)

    for name, help_text in (("demo", "set up, load the demo organization if empty, and serve"), ("serve", "serve (production)")):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--host", default=os.environ.get("SOMEVAHTI_HOST", "127.0.0.1"))
        p.add_argument("--port", type=int, default=int(os.environ.get("SOMEVAHTI_PORT", "8000")))
        p.add_argument("--no-background", action="store_true", help="do not start the task worker and scheduler")

    org = sub.add_parser("org", help="organizations")
    org_sub = org.add_subparsers(dest="org_verb", required=True)
    imp = org_sub.add_parser("import", help="load or update an organization from a JSON file")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true")
    imp.add_argument("--lang", choices=["fi", "sv", "en"])

    absn = sub.add_parser("absences", help="absences")
    absn_sub = absn.add_subparsers(dest="absences_verb", required=True)
    aimp = absn_sub.add_parser("import", help="import absences from an iCalendar file")
    aimp.add_argument("file")
    aimp.add_argument("--org", required=True)
    aimp.add_argument("--person", required=True, help="the person's work e-mail")
    aimp.add_argument("--kind", default="vacation", choices=["vacation", "sick", "training", "leave", "other"])
    aimp.add_argument("--dry-run", action="store_true")
    aimp.add_argument("--lang", choices=["fi", "sv", "en"])

    cov = sub.add_parser("coverage", help="administrator coverage gaps (MAINT-ADMINS)")
    cov.add_argument("--org", required=True)
    cov.add_argument("--start")
    cov.add_argument("--days", type=int, default=180)
    cov.add_argument("--format", choices=["text", "json"], default="text")
    cov.add_argument("--lang", choices=["fi", "sv", "en"])

    sub.add_parser("check", help="check a text for personal data and confidential matters", add_help=False)

    ev = sub.add_parser("evaluate", help="evaluate the guideline's rules now")
    ev.add_argument("--org")

    inbox = sub.add_parser("inbox", help="the feedback inbox (MAINT-SAME-DAY)")
    inbox.add_argument("--org", required=True)
    inbox.add_argument("--state", help="open, all, or one state: new, assigned, answered, closed, hidden, removed (default open: new and assigned)")
    inbox.add_argument("--format", choices=["text", "json"], default="text")
    inbox.add_argument("--lang", choices=["fi", "sv", "en"])

    arch = sub.add_parser("archive", help="the archive: verify, search, export, import")
    arch_sub = arch.add_subparsers(dest="archive_verb", required=True)
    aver = arch_sub.add_parser("verify", help="recompute the hash chain and name the first broken record")
    aver.add_argument("--org", required=True)
    for name, help_text in (("search", "search the archive"), ("export", "export a search for an information request")):
        p = arch_sub.add_parser(name, help=help_text)
        p.add_argument("--org", required=True)
        p.add_argument("query", nargs="*", help="words (every inflected form matches)")
        p.add_argument("--from", dest="date_from", help="first day YYYY-MM-DD")
        p.add_argument("--to", dest="date_to", help="last day YYYY-MM-DD")
        p.add_argument("--channel", help="channel key")
        p.add_argument("--kind", choices=ARCHIVE_KINDS, help="one kind of record")
        p.add_argument("--author", help="a part of the author's name")
    arch_sub.choices["search"].add_argument("--format", choices=["text", "json"], default="text")
    arch_sub.choices["search"].add_argument("--limit", type=int, default=50)
    arch_sub.choices["export"].add_argument("--format", choices=["jsonl", "csv", "pdf"], required=True)
    arch_sub.choices["export"].add_argument("--out", required=True, help="the .zip file to write")
    arch_sub.choices["export"].add_argument("--redact", action="store_true", help="replace personal data with markers")
    aimp2 = arch_sub.add_parser("import", help="import a Facebook or Instagram export file")
    aimp2.add_argument("--org", required=True)
    aimp2.add_argument("--channel", required=True, help="channel key")
    aimp2.add_argument("file")
    for p in arch_sub.choices.values():
        p.add_argument("--lang", choices=["fi", "sv", "en"])

    post = sub.add_parser("post", help="check and publish a post to one channel")
    post.add_argument("--org", required=True)
    post.add_argument("--channel", required=True, help="channel key")
    post.add_argument("--text-file", required=True, help="UTF-8 file with the post's text")
    post.add_argument("--image", help="a JPEG, PNG or WebP image")
    post.add_argument("--alt", help="the image's alternative text (required with --image)")
    post.add_argument("--consent", default="no_people", choices=["given", "no_people", "not_needed"], help="consent of the people in the image")
    post.add_argument("--reason", help="why the post is published despite warnings (audited)")
    post.add_argument("--at", help="publish at this time (ISO 8601, Finnish time when no offset)")
    post.add_argument("--dry-run", action="store_true", help="show the findings; save and send nothing")
    post.add_argument("--lang", choices=["fi", "sv", "en"])

    sub.add_parser("worker", help="run the background task worker")
    sub.add_parser("scheduler", help="run the scheduler of periodic tasks")
    sub.add_parser("manage", help="Django's management commands", add_help=False)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    # `check` and `manage` parse their own arguments.
    if argv and argv[0] in {"check", "manage"}:
        verb, rest = argv[0], argv[1:]
        try:
            return cmd_check(argparse.Namespace(), out, err, rest) if verb == "check" else cmd_manage(argparse.Namespace(), out, err, rest)
        except BadInput as exc:
            print(f"somevahti {verb}: {exc}", file=err)
            return 2
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return 2 if exc.code not in (0, None) else 0
    handlers: dict[str, Callable[[argparse.Namespace, TextIO, TextIO], int]] = {
        "coverage": cmd_coverage,
        "evaluate": cmd_evaluate,
        "inbox": cmd_inbox,
        "post": cmd_post,
        "archive": cmd_archive,
        "worker": cmd_worker,
        "scheduler": cmd_scheduler,
        "demo": lambda a, o, e: cmd_serve(a, o, e, demo=True),
        "serve": cmd_serve,
    }
    try:
        if args.verb == "org":
            return cmd_org_import(args, out, err)
        if args.verb == "absences":
            return cmd_absences_import(args, out, err)
        return handlers[args.verb](args, out, err)
    except BadInput as exc:
        print(f"somevahti {args.verb}: {exc}", file=err)
        return 2


if __name__ == "__main__":
    sys.exit(main())
