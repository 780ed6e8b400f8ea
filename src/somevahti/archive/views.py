"""Arkisto: search the archive, read one record, export for an information request, verify the
chain, and set the retention periods (säilytysajat) with the log of what left search.

Every view of search results and of a record, and every export, is written to the audit log
(Act on Information Management in Public Administration 906/2019, section 17).
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from somevahti.core.permissions import has_perm, requires
from somevahti.core.roles import Perm
from somevahti.people.http import MemberRequest

from . import services
from .export import export_archive
from .forms import ArchiveSearchForm, ExportForm, RetentionForm
from .models import DEFAULT_RETENTION_DAYS, RecordKind
from .queries import (
    disposal_log,
    record_for_user,
    records_due_by_kind,
    records_in_search_by_kind,
    search_archive,
)
from .search import matching_words

PAGE_SIZE = 25
SEARCH_FIELDS = ("q", "date_from", "date_to", "channel", "kind", "author")


def highlighted(text: str, query: str) -> list[tuple[str, bool]]:
    """The text in pieces, each marked when a query word matched it."""
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in matching_words(text, query):
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def _can_verify(request: HttpRequest) -> bool:
    return has_perm(request, Perm.VIEW_ARCHIVE) and has_perm(request, Perm.MANAGE_GUIDELINE)


@require_GET
@requires(Perm.VIEW_ARCHIVE)
def archive_search(request: MemberRequest) -> HttpResponse:
    organization = request.organization
    searched = any(name in request.GET for name in SEARCH_FIELDS)
    form = ArchiveSearchForm(request.GET if searched else None, organization=organization)
    context: dict[str, Any] = {"form": form, "searched": False, "can_verify": _can_verify(request)}
    if searched and form.is_valid():
        criteria = form.criteria()
        try:
            number = max(1, int(request.GET.get("page", "1")))
        except ValueError:
            number = 1
        result = search_archive(
            organization=organization,
            query=criteria.query,
            date_from=criteria.date_from,
            date_to=criteria.date_to,
            channel=criteria.channel,
            kind=criteria.kind,
            author=criteria.author,
            limit=PAGE_SIZE,
            offset=(number - 1) * PAGE_SIZE,
        )
        services.record_search(
            organization=organization,
            criteria={**criteria.as_dict(), "page": number},
            total=result.total,
            by=request.user,
            request=request,
        )
        paginator = Paginator(range(result.total), PAGE_SIZE)
        context.update(
            searched=True,
            total=result.total,
            page=paginator.get_page(number) if result.total else None,
            rows=[{"record": r, "pieces": highlighted(r.text, criteria.query)} for r in result.records],
            export_form=ExportForm(),
            criteria_fields=[(name, request.GET.get(name, "")) for name in SEARCH_FIELDS],
        )
    return render(request, "archive/search.html", context)


@require_GET
@requires(Perm.VIEW_ARCHIVE)
def record_detail(request: MemberRequest, sequence: int) -> HttpResponse:
    organization = request.organization
    record = record_for_user(organization=organization, sequence=sequence)
    services.record_viewed(record=record, by=request.user, request=request)
    payload = json.dumps(record.payload, ensure_ascii=False, indent=2, sort_keys=True)
    return render(request, "archive/detail.html", {"record": record, "payload": payload})


@require_POST
@requires(Perm.VIEW_ARCHIVE)
def export(request: MemberRequest) -> HttpResponse:
    organization = request.organization
    search_form = ArchiveSearchForm(request.POST, organization=organization)
    export_form = ExportForm(request.POST)
    if not (search_form.is_valid() and export_form.is_valid()):
        errors = [
            str(e) for form in (search_form, export_form) for field in form.errors.values() for e in field
        ]
        messages.error(request, " ".join(errors))
        return redirect("archive:search")
    result = export_archive(
        organization=organization,
        criteria=search_form.criteria(),
        fmt=export_form.cleaned_data["format"],
        redacted=export_form.cleaned_data["redact"],
        by=request.user,
        now=timezone.now(),
        request=request,
    )
    response = HttpResponse(result.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response


@require_POST
@requires(Perm.VIEW_ARCHIVE, Perm.MANAGE_GUIDELINE)
def verify(request: MemberRequest) -> HttpResponse:
    organization = request.organization
    result = services.verify_chain_audited(organization=organization, by=request.user, request=request)
    (messages.success if result.ok else messages.error)(request, result.describe())
    return redirect("archive:search")


def describe_period(days: int | None) -> str:
    if days is None:
        return _("kept for good")
    if days % 365 == 0:
        years = days // 365
        return ngettext("%(count)s year", "%(count)s years", years) % {"count": years}
    return ngettext("%(count)s day", "%(count)s days", days) % {"count": days}


@requires(Perm.MANAGE_RETENTION)
def retention(request: MemberRequest) -> HttpResponse:
    """Säilytysajat: the period of each record kind, what a change would make due, and the disposal log.

    Saving never removes anything from search: the scheduled run does, every night."""
    organization = request.organization
    now = timezone.now()
    current = services.retention_days(organization=organization)
    form = RetentionForm(request.POST or None, current=current)
    proposed: dict[str, int | None] | None = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            proposed = form.days_by_kind()
            if request.POST.get("action") != "preview":
                try:
                    changed = services.set_retention_policies(organization=organization, days_by_kind=proposed, by=request.user)
                except services.RetentionError as exc:
                    form.add_error(None, str(exc))
                else:
                    due = sum(records_due_by_kind(organization=organization, days_by_kind=proposed, now=now).values())
                    messages.success(request, ngettext(
                        "%(changed)s retention period was saved. Nothing was removed now; at the next scheduled run %(due)s records already past their period will leave search.",
                        "%(changed)s retention periods were saved. Nothing was removed now; at the next scheduled run %(due)s records already past their period will leave search.",
                        len(changed),
                    ) % {"changed": len(changed), "due": due})
                    return redirect("archive:retention")
        status = 400 if form.errors else 200
    in_search = records_in_search_by_kind(organization=organization)
    due_now = records_due_by_kind(organization=organization, days_by_kind=current, now=now)
    due_proposed = (
        records_due_by_kind(organization=organization, days_by_kind=proposed, now=now) if proposed is not None else None
    )
    rows = [
        {
            "kind": kind, "amount": amount, "unit": unit,
            "current": describe_period(current.get(kind.value)),
            "default": describe_period(DEFAULT_RETENTION_DAYS.get(kind.value)),
            "in_search": in_search.get(kind.value, 0),
            "due_now": due_now.get(kind.value, 0),
            "due_proposed": due_proposed.get(kind.value, 0) if due_proposed is not None else None,
            "proposed": describe_period(proposed[kind.value]) if proposed is not None else "",
        }
        for kind, amount, unit in form.rows()
    ]
    log = [
        {"entry": entry, "kind": RecordKind(entry.kind).label if entry.kind in RecordKind.values else entry.kind}
        for entry in disposal_log(organization=organization)
    ]
    return render(
        request, "archive/retention.html",
        {
            "form": form, "rows": rows, "log": log, "previewed": proposed is not None and status == 200,
            "due_proposed_total": sum(due_proposed.values()) if due_proposed else 0,
        },
        status=status,
    )
