"""Palautteet: the feedback inbox, one item with its thread, canned replies and the report.

Views parse, call the inbox services and say what happened; they hold no inbox logic.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from somevahti.channels.models import Channel
from somevahti.checks.engine import Finding
from somevahti.checks.presentation import segments
from somevahti.checks.services import check_for_organization
from somevahti.connectors.base import Outcome, Result
from somevahti.core.calendar import today
from somevahti.core.permissions import has_perm, requires
from somevahti.core.roles import Perm
from somevahti.people.http import MemberRequest
from somevahti.people.models import Person

from . import canned as canned_services
from .forms import (
    AUTOMATIC,
    AssignForm,
    CannedChoiceForm,
    CannedReplyForm,
    GiveUpDeliveryForm,
    InboxFilterForm,
    NoAnswerForm,
    ReplyForm,
    ReportRangeForm,
)
from .models import CannedReply, Interaction, InteractionEvent, WebhookDelivery
from .queries import (
    WAITING_TOO_LONG,
    DeliveryScope,
    assignable_people,
    canned_for_user,
    canned_replies,
    channels_by_page,
    deliveries_needing_attention_count,
    delivery_for_user,
    delivery_page_ids,
    delivery_scope,
    inbox_items,
    interaction_for_user,
    interaction_history,
    post_of,
    thread_of,
    visible_deliveries,
)
from .reports import ReportError, duration_words, feedback_report, share_chart
from .services import (
    InboxError,
    ReplyBlocked,
    ReplyNeedsConfirmation,
    assign_interaction,
    auto_assign,
    close_interaction,
    hide_interaction,
    mark_no_answer_needed,
    send_reply,
)
from .webhooks import (
    MAX_ATTEMPTS,
    DeliveryError,
    give_up_delivery,
    problem_in_words,
    retry_deliveries_now,
    retry_delivery_now,
)

PAGE_SIZE = 25
REPORT_WEEKS = 8


# --- words ------------------------------------------------------------------------------------


def deadline_words(item: Interaction, now: dt.datetime) -> tuple[str, bool]:
    """How much time is left, in words, and whether the deadline has passed."""
    if item.deadline is None or not item.expects_answer:
        return _("No deadline"), False
    if item.first_response_at is not None:
        if item.first_response_at <= item.deadline:
            return _("Answered on time"), False
        return _("Answered late"), False
    if item.state not in Interaction.OPEN_STATES:
        return _("Not waiting for an answer"), False
    left = item.deadline - now
    if left >= dt.timedelta(0):
        return _("%(duration)s left") % {"duration": duration_words(left)}, False
    return _("Overdue by %(duration)s") % {"duration": duration_words(-left)}, True


def outcome_message(result: Result) -> str:
    """What a platform's refusal means for the person, in their language."""
    if result.outcome == Outcome.RATE_LIMITED:
        return _("The platform asks us to wait; try again in a few minutes.")
    if result.outcome == Outcome.UNAUTHORIZED:
        return _("The channel's connection has expired; an administrator must reconnect it.")
    if result.outcome == Outcome.NOT_FOUND:
        return _("The comment has been removed from the platform.")
    if result.outcome == Outcome.PENDING:
        return _("The platform is still processing it; check again in a moment.")
    return _("The platform did not accept it: %(message)s") % {"message": result.message or _("no reason was given")}


EVENT_LABELS: dict[str, Any] = {
    "received": gettext_lazy("Received"),
    "edited": gettext_lazy("Edited on the platform by its author"),
    "platform_removed": gettext_lazy("Removed from the platform"),
    "platform_hidden": gettext_lazy("Hidden on the platform"),
    "platform_unhidden": gettext_lazy("Shown again on the platform"),
    "answered": gettext_lazy("Answered"),
    "answered_on_platform": gettext_lazy("Answered directly on the platform"),
    "hidden": gettext_lazy("Hidden on the platform through Somevahti"),
    "unhidden": gettext_lazy("Shown again on the platform through Somevahti"),
    "closed": gettext_lazy("Closed"),
}


@dataclass(frozen=True)
class HistoryEntry:
    event: InteractionEvent
    description: str
    actor: str


def _history(item: Interaction) -> list[HistoryEntry]:
    events = interaction_history(interaction=item)
    user_ids = {e.actor_id for e in events if e.actor_id}
    emails = {e.data.get("assignee") for e in events if e.verb == "assigned" and e.data.get("assignee")}
    people = Person.objects.filter(organization_id=item.organization_id).filter(user_id__in=user_ids) if user_ids else []
    by_user = {p.user_id: p.name for p in people}
    by_email = dict(Person.objects.filter(organization_id=item.organization_id, email__in=emails).values_list("email", "name")) if emails else {}
    entries = []
    for event in events:
        if event.verb == "assigned":
            email = event.data.get("assignee", "")
            text = _("Assigned to %(assignee)s") % {"assignee": by_email.get(email, email)}
        elif event.verb == "no_answer_needed":
            text = _("Marked as needing no answer: %(reason)s") % {"reason": event.data.get("reason", "")}
        else:
            text = str(EVENT_LABELS.get(event.verb, event.verb))
        actor = by_user.get(event.actor_id, event.actor.get_username() if event.actor else "") if event.actor_id else ""
        entries.append(HistoryEntry(event=event, description=text, actor=actor or _("Somevahti")))
    return entries


def _language() -> str:
    return (get_language() or settings.LANGUAGE_CODE)[:2]


def _findings_context(organization: Any, text: str, *, only: str = "") -> dict[str, Any]:
    """Findings in the reader's language, highlighted the way the checks page does it."""
    found: list[Finding] = check_for_organization(organization=organization, text=text, lang=_language())
    if only:
        found = [f for f in found if f.severity == only]
    return {
        "checked": bool(text.strip()),
        "findings": [(f, text[f.start : f.end]) for f in found],
        "segments": segments(text, found),
        "blocking": any(f.severity == "block" for f in found),
    }


# --- the list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    item: Interaction
    deadline: str
    overdue: bool


@requires(Perm.VIEW_INBOX)
def interaction_list(request: MemberRequest) -> HttpResponse:
    """Palautteet: every interaction of the organization; the open ones, most urgent first, by default."""
    organization = request.organization
    form = InboxFilterForm(request.GET or None, organization=organization)
    filters = form.filters()
    page = Paginator(
        inbox_items(organization=organization, filters=filters, person=request.person),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [Row(item, *deadline_words(item, now)) for item in page.object_list]
    failed_deliveries = (
        deliveries_needing_attention_count(scope=_delivery_scope(request), now=now) if has_perm(request, Perm.MANAGE_CHANNELS) else 0
    )
    return render(
        request,
        "inbox/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filters": filters,
            "can_answer": has_perm(request, Perm.ANSWER_INBOX),
            "can_manage_canned": has_perm(request, Perm.MANAGE_CANNED),
            "failed_deliveries": failed_deliveries,
        },
    )


# --- one item ---------------------------------------------------------------------------------


def _detail(
    request: MemberRequest,
    item: Interaction,
    *,
    reply_form: ReplyForm | None = None,
    reply_check: dict[str, Any] | None = None,
    needs_reason: bool = False,
    assign_form: AssignForm | None = None,
    no_answer_form: NoAnswerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organization = request.organization
    can_answer = has_perm(request, Perm.ANSWER_INBOX)
    now = timezone.now()
    deadline, overdue = deadline_words(item, now)
    context: dict[str, Any] = {
        "item": item,
        "deadline": deadline,
        "overdue": overdue,
        "thread": thread_of(interaction=item),
        "post": post_of(interaction=item),
        "history": _history(item),
        "replies": list(item.replies.select_related("author").order_by("created_at")),
        "comment": _findings_context(organization, item.text) if item.text else None,
        "can_answer": can_answer,
        "can_manage_canned": has_perm(request, Perm.MANAGE_CANNED),
        "is_open": item.state in Interaction.OPEN_STATES,
    }
    if can_answer:
        choices = canned_replies(organization=organization, language=_language())
        canned_form = CannedChoiceForm(request.GET if "canned" in request.GET else None, canned=choices)
        if reply_form is None:
            text = ""
            if canned_form.is_bound and canned_form.is_valid() and canned_form.cleaned_data["canned"]:
                chosen = next((c for c in choices if c.pk == canned_form.cleaned_data["canned"]), None)
                text = chosen.text if chosen else ""
            reply_form = ReplyForm(initial={"text": text})
        people = assignable_people(interaction=item, at=now)
        context.update(
            canned_form=canned_form,
            reply_form=reply_form,
            reply_check=reply_check or {"checked": False},
            needs_reason=needs_reason,
            assign_form=assign_form or AssignForm(people=people, initial={"assignee": str(item.assignee_id or AUTOMATIC)}),
            no_answer_form=no_answer_form or NoAnswerForm(),
            hidden=item.state == Interaction.State.HIDDEN,
        )
    return render(request, "inbox/detail.html", context, status=status)


@requires(Perm.VIEW_INBOX)
def interaction_detail(request: MemberRequest, pk: int) -> HttpResponse:
    item = interaction_for_user(pk=pk, organization=request.organization)
    return _detail(request, item)


@require_GET
@requires(Perm.ANSWER_INBOX)
def reply_text(request: MemberRequest, pk: int) -> HttpResponse:
    """The reply field filled with the chosen canned reply (htmx swaps it into the form)."""
    item = interaction_for_user(pk=pk, organization=request.organization)
    form = CannedChoiceForm(request.GET, canned=canned_replies(organization=request.organization))
    text = ""
    if form.is_valid() and form.cleaned_data["canned"]:
        text = canned_for_user(pk=form.cleaned_data["canned"], organization=request.organization).text
    if not request.htmx:
        url = reverse("inbox:detail", args=[item.pk])
        return redirect(f"{url}?canned={form.cleaned_data.get('canned') or ''}#reply")
    return render(request, "inbox/_reply_text.html", {"item": item, "reply_form": ReplyForm(initial={"text": text})})


@require_POST
@requires(Perm.ANSWER_INBOX)
def reply(request: MemberRequest, pk: int) -> HttpResponse:
    item = interaction_for_user(pk=pk, organization=request.organization)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _detail(request, item, reply_form=form, status=400)
    text = form.cleaned_data["text"]
    try:
        sent = send_reply(
            interaction=item, text=text, by=request.user, override_reason=form.cleaned_data["override_reason"]
        )
    except ReplyNeedsConfirmation as exc:
        messages.warning(request, str(exc))
        check = _findings_context(item.organization, text.strip(), only="warn")
        return _detail(request, item, reply_form=form, reply_check=check, needs_reason=True, status=400)
    except ReplyBlocked as exc:
        messages.error(request, _("The reply was not sent: %(reason)s") % {"reason": str(exc)})
        check = _findings_context(item.organization, text.strip())
        return _detail(request, item, reply_form=form, reply_check=check, status=400)
    except InboxError as exc:
        form.add_error("text", str(exc))
        return _detail(request, item, reply_form=form, status=400)
    if sent.status == sent.Status.SENT:
        messages.success(request, _("The reply was sent to the platform."))
    else:
        messages.error(request, _("The reply was not sent. %(reason)s") % {"reason": outcome_message_for(sent.outcome, sent.message)})
    return redirect("inbox:detail", pk=item.pk)


def outcome_message_for(outcome: str, message: str) -> str:
    try:
        return outcome_message(Result(Outcome(outcome), message=message))
    except ValueError:
        return outcome_message(Result(Outcome.FAILED, message=message))


@require_POST
@requires(Perm.ANSWER_INBOX)
def assign(request: MemberRequest, pk: int) -> HttpResponse:
    item = interaction_for_user(pk=pk, organization=request.organization)
    now = timezone.now()
    people = assignable_people(interaction=item, at=now)
    form = AssignForm(request.POST, people=people)
    if not form.is_valid():
        return _detail(request, item, assign_form=form, status=400)
    choice = form.cleaned_data["assignee"]
    if choice == AUTOMATIC:
        chosen = auto_assign(interaction=item, now=now)
        if chosen is None:
            messages.error(request, _("Nobody is available on this channel right now; choose a person."))
        else:
            messages.success(request, _("Assigned automatically to %(name)s.") % {"name": chosen.name})
        return redirect("inbox:detail", pk=item.pk)
    person = next(entry.person for entry in people if str(entry.person.pk) == choice)
    try:
        assign_interaction(interaction=item, assignee=person, by=request.user)
    except InboxError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Assigned to %(name)s.") % {"name": person.name})
    return redirect("inbox:detail", pk=item.pk)


@require_POST
@requires(Perm.ANSWER_INBOX)
def hide(request: MemberRequest, pk: int) -> HttpResponse:
    item = interaction_for_user(pk=pk, organization=request.organization)
    hidden = request.POST.get("hidden") != "0"
    result = hide_interaction(interaction=item, hidden=hidden, by=request.user)
    if result.ok:
        messages.success(
            request,
            _("The comment is now hidden on the platform. Somevahti keeps its copy.")
            if hidden
            else _("The comment is shown again on the platform."),
        )
    else:
        messages.error(request, outcome_message(result))
    return redirect("inbox:detail", pk=item.pk)


@require_POST
@requires(Perm.ANSWER_INBOX)
def no_answer(request: MemberRequest, pk: int) -> HttpResponse:
    item = interaction_for_user(pk=pk, organization=request.organization)
    form = NoAnswerForm(request.POST)
    if not form.is_valid():
        return _detail(request, item, no_answer_form=form, status=400)
    try:
        mark_no_answer_needed(interaction=item, reason=form.cleaned_data["reason"], by=request.user)
    except InboxError as exc:
        form.add_error("reason", str(exc))
        return _detail(request, item, no_answer_form=form, status=400)
    messages.success(request, _("Marked as needing no answer, and closed."))
    return redirect("inbox:detail", pk=item.pk)


@require_POST
@requires(Perm.ANSWER_INBOX)
def close(request: MemberRequest, pk: int) -> HttpResponse:
    item = interaction_for_user(pk=pk, organization=request.organization)
    close_interaction(interaction=item, by=request.user)
    messages.success(request, _("The feedback item was closed."))
    return redirect("inbox:detail", pk=item.pk)


# --- canned replies and official positions ------------------------------------------------------


@requires(Perm.ANSWER_INBOX)
def canned_list(request: MemberRequest) -> HttpResponse:
    rows = canned_replies(organization=request.organization)
    languages = dict(settings.LANGUAGES)
    groups: list[tuple[str, str, list[CannedReply]]] = []
    for kind, kind_label in CannedReply.Kind.choices:
        for code, _name in settings.LANGUAGES:
            members = [r for r in rows if r.kind == kind and r.language == code]
            if members:
                groups.append((str(kind_label), str(languages[code]), members))
    return render(
        request, "inbox/canned_list.html", {"groups": groups, "can_manage": has_perm(request, Perm.MANAGE_CANNED)}
    )


@requires(Perm.MANAGE_CANNED)
def canned_create(request: MemberRequest) -> HttpResponse:
    form = CannedReplyForm(request.POST or None, initial={"language": _language()})
    if request.method == "POST" and form.is_valid():
        try:
            row = canned_services.create_canned_reply(organization=request.organization, by=request.user, **form.cleaned_data)  # type: ignore[attr-defined,arg-type]
        except InboxError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": row.title})
            return redirect("inbox:canned_list")
    return render(request, "inbox/canned_form.html", {"form": form, "row": None}, status=400 if form.errors else 200)


@requires(Perm.MANAGE_CANNED)
def canned_edit(request: MemberRequest, pk: int) -> HttpResponse:
    row = canned_for_user(pk=pk, organization=request.organization)
    form = CannedReplyForm(request.POST) if request.method == "POST" else CannedReplyForm.for_row(row)
    if request.method == "POST" and form.is_valid():
        try:
            canned_services.update_canned_reply(canned=row, by=request.user, **form.cleaned_data)
        except InboxError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("“%(title)s” was saved.") % {"title": row.title})
            return redirect("inbox:canned_list")
    return render(request, "inbox/canned_form.html", {"form": form, "row": row}, status=400 if form.errors else 200)


@require_POST
@requires(Perm.MANAGE_CANNED)
def canned_delete(request: MemberRequest, pk: int) -> HttpResponse:
    row = canned_for_user(pk=pk, organization=request.organization)
    title = row.title
    canned_services.delete_canned_reply(canned=row, by=request.user)
    messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
    return redirect("inbox:canned_list")


# --- the report -------------------------------------------------------------------------------


@requires(Perm.VIEW_INBOX)
def report(request: MemberRequest) -> HttpResponse:
    """Same-day answers per channel and week (MAINT-SAME-DAY)."""
    end = today()
    default_start = end - dt.timedelta(weeks=REPORT_WEEKS - 1)
    bound = "start" in request.GET or "end" in request.GET
    form = ReportRangeForm(request.GET if bound else None, initial={"start": default_start, "end": end})
    context: dict[str, Any] = {"form": form, "report": None}
    if bound and not form.is_valid():
        return render(request, "inbox/report.html", context, status=400)
    start, end = (form.cleaned_data["start"], form.cleaned_data["end"]) if bound else (default_start, end)
    try:
        result = feedback_report(organization=request.organization, start=start, end=end)
    except ReportError as exc:
        form.add_error(None, str(exc))
        return render(request, "inbox/report.html", context, status=400)
    context.update(
        report=result,
        charts=[(channel_report, share_chart(channel_report.weeks)) for channel_report in result.channels],
    )
    return render(request, "inbox/report.html", context)


# --- platform deliveries that need attention (toimitukset) --------------------------------------

DELIVERY_BODY_SHOWN = 20_000  # characters of a body shown to instance administrators


@dataclass(frozen=True)
class DeliveryRow:
    delivery: WebhookDelivery
    state: str
    problem: str
    size: int
    channels: list[Channel]
    other_pages: int  # pages of the delivery that are not among `channels`
    may_give_up: bool
    body: str  # only for whoever sees all


def _delivery_state_words(delivery: WebhookDelivery) -> str:
    if delivery.state == WebhookDelivery.State.PENDING:
        return _("Waiting")
    if delivery.state == WebhookDelivery.State.GIVEN_UP:
        return _("Given up by %(name)s: %(reason)s") % {"name": delivery.given_up_by, "reason": delivery.given_up_reason}
    if delivery.state == WebhookDelivery.State.FAILED:
        if delivery.unreadable:
            return _("Failed; not tried again automatically, because trying again cannot help")
        if delivery.attempts >= MAX_ATTEMPTS:
            return _("Failed; the automatic tries are used up")
        return _("Failed; will be tried again automatically")
    return str(delivery.get_state_display())


def _delivery_rows(deliveries: list[WebhookDelivery], scope: DeliveryScope) -> list[DeliveryRow]:
    pages = {d.pk: delivery_page_ids(d) for d in deliveries}
    known = channels_by_page(frozenset().union(*pages.values()) if pages else frozenset())
    rows = []
    for delivery in deliveries:
        ids = pages[delivery.pk]
        shown = ids if scope.sees_all else ids & scope.own_page_ids
        channels = [
            c
            for pid in sorted(shown)
            for c in known.get(pid, [])
            if scope.sees_all or c.organization_id == scope.organization.pk
        ]
        body = bytes(delivery.body)
        rows.append(
            DeliveryRow(
                delivery=delivery,
                state=_delivery_state_words(delivery),
                problem=problem_in_words(delivery),
                size=len(body),
                channels=channels,
                other_pages=len(ids - {c.platform_id for c in channels}),
                may_give_up=delivery.state == WebhookDelivery.State.FAILED and scope.may_give_up(ids),
                body=body[: DELIVERY_BODY_SHOWN * 4].decode("utf-8", errors="replace")[:DELIVERY_BODY_SHOWN] if scope.sees_all else "",
            )
        )
    return rows


def _delivery_scope(request: MemberRequest) -> DeliveryScope:
    return delivery_scope(user=request.user, organization=request.organization)


@requires(Perm.MANAGE_CHANNELS)
def delivery_list(request: MemberRequest, *, give_up_form: GiveUpDeliveryForm | None = None, failed_pk: int | None = None) -> HttpResponse:
    """Toimitukset: platform deliveries that could not be processed, or those given up."""
    scope = _delivery_scope(request)
    given_up = request.GET.get("state") == "given_up"
    now = timezone.now()
    page = Paginator(visible_deliveries(scope=scope, now=now, given_up=given_up), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "inbox/deliveries.html",
        {
            "page": page,
            "rows": _delivery_rows(list(page.object_list), scope),
            "given_up": given_up,
            "sees_all": scope.sees_all,
            "waiting_minutes": int(WAITING_TOO_LONG.total_seconds() // 60),
            "give_up_form": give_up_form,
            "failed_pk": failed_pk,
        },
        status=400 if give_up_form is not None else 200,
    )


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def delivery_retry(request: MemberRequest, pk: int) -> HttpResponse:
    delivery = delivery_for_user(pk=pk, scope=_delivery_scope(request))
    result = retry_delivery_now(delivery=delivery, by=request.user, organization_id=request.organization.pk)
    if result.state == WebhookDelivery.State.PROCESSED:
        messages.success(
            request,
            ngettext(
                "The delivery was processed: %(count)s feedback item stored or updated.",
                "The delivery was processed: %(count)s feedback items stored or updated.",
                result.interactions,
            )
            % {"count": result.interactions},
        )
    else:
        messages.error(request, _("The delivery still could not be processed. %(problem)s") % {"problem": problem_in_words(result)})
    return redirect("inbox:deliveries")


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def delivery_retry_all(request: MemberRequest) -> HttpResponse:
    scope = _delivery_scope(request)
    ids = visible_deliveries(scope=scope, now=timezone.now()).values_list("pk", flat=True)
    summary = retry_deliveries_now(delivery_ids=list(ids), by=request.user, organization_id=request.organization.pk)
    if summary.processed + summary.failed == 0:
        messages.info(request, _("There was nothing to try again: deliveries that cannot be read must be tried one at a time."))
    else:
        messages.success(
            request,
            _("Tried again: %(processed)s processed, %(failed)s still failed.")
            % {"processed": summary.processed, "failed": summary.failed},
        )
    if summary.waiting:
        messages.info(request, _("%(count)s more are waiting; try again to process the next ones.") % {"count": summary.waiting})
    return redirect("inbox:deliveries")


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def delivery_give_up(request: MemberRequest, pk: int) -> HttpResponse:
    scope = _delivery_scope(request)
    delivery = delivery_for_user(pk=pk, scope=scope)
    if not scope.may_give_up(delivery_page_ids(delivery)):
        raise PermissionDenied("the delivery is also for other organizations' pages")
    form = GiveUpDeliveryForm(request.POST)
    if form.is_valid():
        try:
            give_up_delivery(
                delivery=delivery, reason=form.cleaned_data["reason"], by=request.user, organization_id=request.organization.pk
            )
        except DeliveryError as exc:
            form.add_error("reason", str(exc))
        else:
            messages.success(request, _("The delivery was given up. It is kept and can still be tried again."))
            return redirect("inbox:deliveries")
    return delivery_list(request, give_up_form=form, failed_pk=delivery.pk)
