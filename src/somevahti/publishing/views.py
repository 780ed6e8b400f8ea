"""Julkaisut: posts, the week calendar, the compose page with its live check, review and settings.

Views parse, call the publishing services and say what happened; they hold no publishing logic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from somevahti.channels.models import Channel
from somevahti.core.calendar import HELSINKI
from somevahti.core.permissions import has_perm, requires
from somevahti.core.roles import Perm
from somevahti.people.http import MemberRequest
from somevahti.people.models import Organization

from . import media as images
from .forms import (
    EditPublishedForm,
    FeedForm,
    MediaForm,
    PostFilterForm,
    PostForm,
    RejectForm,
    ResolveForm,
    ReviewSettingsForm,
    ScheduleForm,
    SubmitForm,
    WithdrawForm,
)
from .models import ChannelPublishingSettings, Media, Post, PostEdit, PostTarget, PublishingSettings
from .queries import post_for_user, posts, week_calendar
from .queries import public_media as find_public_media
from .services import (
    RETRYABLE_EDIT_OUTCOMES,
    EditReport,
    PostBlocked,
    PostFinding,
    PostNeedsReason,
    PublishingError,
    PublishReport,
    WithdrawReport,
    add_media,
    approve,
    approve_edit,
    cancel_schedule,
    check_content,
    check_post,
    create_draft,
    explain_outcome,
    platform_allows_edit,
    publish_post,
    refresh_bulletins,
    reject,
    reject_edit,
    remove_media,
    request_edit,
    requires_review,
    resolve_needs_check,
    retry_edit,
    schedule,
    set_bulletin_feed,
    set_review_required,
    submit_for_review,
    update_draft,
    withdraw,
)

PAGE_SIZE = 25


def _org(request: MemberRequest) -> Organization:
    return request.organization


def _person(request: HttpRequest) -> Any:
    return getattr(request, "person", None)


def _findings_context(findings: list[PostFinding]) -> dict[str, Any]:
    return {
        "findings": findings,
        "blocking": any(f.severity == "block" for f in findings),
        "warning": any(f.severity == "warn" for f in findings),
    }


# --- lists ------------------------------------------------------------------------------------


@require_GET
@requires(Perm.PUBLISH)
def post_list(request: MemberRequest) -> HttpResponse:
    form = PostFilterForm(request.GET or None)
    state = form.cleaned_data["state"] if form.is_valid() else ""
    page = Paginator(posts(organization=_org(request), state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "publishing/list.html",
        {"form": form, "page": page, "can_approve": has_perm(request, Perm.APPROVE), "can_manage": has_perm(request, Perm.MANAGE_CHANNELS)},
    )


def _parse_week(value: str | None) -> dt.date:
    today = timezone.localdate(timezone.now(), HELSINKI)
    if value:
        try:
            year, _sep, week = value.upper().partition("-W")
            return dt.date.fromisocalendar(int(year), int(week), 1)
        except ValueError:
            pass
    return today - dt.timedelta(days=today.weekday())


@require_GET
@requires(Perm.PUBLISH)
def calendar(request: MemberRequest) -> HttpResponse:
    monday = _parse_week(request.GET.get("week"))
    days = [monday + dt.timedelta(days=i) for i in range(7)]

    def week_of(day: dt.date) -> str:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"

    return render(
        request, "publishing/calendar.html",
        {
            "rows": week_calendar(organization=_org(request), monday=monday),
            "days": days,
            "week": monday.isocalendar()[1],
            "year": monday.isocalendar()[0],
            "previous": week_of(monday - dt.timedelta(days=7)),
            "next": week_of(monday + dt.timedelta(days=7)),
        },
    )


# --- compose ----------------------------------------------------------------------------------


def _initial(post: Post) -> dict[str, Any]:
    return {
        "text": post.text, "text_sv": post.texts.get("sv", ""), "text_en": post.texts.get("en", ""),
        "link": post.link, "channels": list(post.targets.values_list("channel_id", flat=True)),
    }


def _compose(request: MemberRequest, post: Post | None) -> HttpResponse:
    organization = _org(request)
    if post is not None and not post.is_editable:
        messages.error(request, _("A post that has been sent can no longer be edited; withdraw it and write a new one."))
        return redirect("publishing:detail", pk=post.pk)
    form = PostForm(request.POST or None, organization=organization, initial=_initial(post) if post else None)
    wants_image = request.method == "POST" and bool(request.FILES.get("image"))
    media_form = MediaForm(request.POST, request.FILES) if wants_image else MediaForm()
    status = 200
    if request.method == "POST":
        if form.is_valid() and (not wants_image or media_form.is_valid()):
            try:
                with transaction.atomic():
                    fields = {
                        "by": _person(request), "text": form.cleaned_data["text"], "texts": form.texts(),
                        "channels": list(form.cleaned_data["channels"]), "link": form.cleaned_data["link"],
                    }
                    saved = create_draft(organization=organization, **fields) if post is None else update_draft(post=post, **fields)
                    if wants_image:
                        add_media(
                            post=saved, by=_person(request), data=media_form.cleaned_data["image"],
                            alt_text=media_form.cleaned_data["alt_text"], consent=media_form.cleaned_data["consent"],
                            credit=media_form.cleaned_data["credit"], licence=media_form.cleaned_data["licence"],
                        )
            except images.ImageError as exc:
                media_form.add_error("image", str(exc))
            except PublishingError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The draft was saved. Check it and send it on."))
                return redirect("publishing:detail", pk=saved.pk)
        status = 400
    return render(
        request, "publishing/compose.html",
        {"form": form, "media_form": media_form, "post": post, "media": post.media.all() if post else []},
        status=status,
    )


@requires(Perm.PUBLISH)
def compose(request: MemberRequest) -> HttpResponse:
    return _compose(request, None)


@requires(Perm.PUBLISH)
def edit(request: MemberRequest, pk: int) -> HttpResponse:
    return _compose(request, post_for_user(pk=pk, organization=_org(request)))


@require_POST
@requires(Perm.PUBLISH)
def live_check(request: MemberRequest) -> HttpResponse:
    """The compose page's check as one types (htmx): content findings and bulletin advice."""
    texts = {
        lang: request.POST.get(name, "")[:10_000]
        for lang, name in (("fi", "text"), ("sv", "text_sv"), ("en", "text_en"))
    }
    texts = {lang: value for lang, value in texts.items() if value.strip()}
    context = {"checked": bool(texts), **_findings_context(check_content(organization=_org(request), texts=texts))}
    return render(request, "publishing/_check.html", context)


# --- one post ---------------------------------------------------------------------------------


def _targets(post: Post) -> list[dict[str, Any]]:
    rows = []
    for target in post.targets.select_related("channel").order_by("channel__name"):
        problem = ""
        if target.state in (PostTarget.State.FAILED, PostTarget.State.RETRY, PostTarget.State.NEEDS_CHECK, PostTarget.State.PENDING):
            problem = explain_outcome(target.outcome, target.error)
        edit_problem = ""
        if target.state == PostTarget.State.PUBLISHED and target.edit_outcome not in ("", "ok"):
            edit_problem = explain_outcome(target.edit_outcome, target.edit_error)
        rows.append({
            "target": target, "problem": problem, "edit_problem": edit_problem,
            "resolve_form": ResolveForm(prefix=f"t{target.pk}"),
        })
    return rows


def _edit_context(request: HttpRequest, post: Post) -> dict[str, Any]:
    """The post page's part about editing after publishing: the edit waiting for approval, the history."""
    person = _person(request)
    edits = list(post.edits.select_related("author", "reviewer"))
    pending = next((e for e in edits if e.state == PostEdit.State.IN_REVIEW), None)
    published = post.state in (Post.State.PUBLISHED, Post.State.FAILED) and post.targets.filter(state=PostTarget.State.PUBLISHED).exists()
    return {
        "edits": edits,
        "pending_edit": pending,
        "can_edit_published": published and pending is None,
        "can_approve_edit": pending is not None and has_perm(request, Perm.APPROVE)
        and (person is None or pending.author_id != person.pk),
        "can_retry_edit": published and post.targets.filter(
            state=PostTarget.State.PUBLISHED, edit_outcome__in=RETRYABLE_EDIT_OUTCOMES).exists(),
        "reject_edit_form": RejectForm(prefix="edit"),
    }


def _detail(request: HttpRequest, post: Post, *, status: int = 200, **extra: Any) -> HttpResponse:
    if post.state == Post.State.DRAFT:
        findings = check_post(post=post)
    else:
        findings = [PostFinding(**f) for f in post.approved_findings]
    person = _person(request)
    context = {
        "post": post,
        "targets": _targets(post),
        "media": post.media.all(),
        "review_required": requires_review(post),
        "can_approve": has_perm(request, Perm.APPROVE) and (person is None or post.author_id != person.pk),
        "is_author": person is not None and post.author_id == person.pk,
        "submit_form": SubmitForm(),
        "schedule_form": ScheduleForm(),
        "withdraw_form": WithdrawForm(),
        "reject_form": RejectForm(),
        "has_failed": post.targets.filter(state=PostTarget.State.FAILED).exists(),
        "has_published": post.targets.filter(state=PostTarget.State.PUBLISHED).exists(),
        **_findings_context(findings),
        **_edit_context(request, post),
        **extra,
    }
    return render(request, "publishing/detail.html", context, status=status)


@require_GET
@requires(Perm.PUBLISH)
def detail(request: MemberRequest, pk: int) -> HttpResponse:
    return _detail(request, post_for_user(pk=pk, organization=_org(request)))


def _review(request: HttpRequest, post: Post, *, reject_form: RejectForm, status: int = 200) -> HttpResponse:
    person = _person(request)
    return render(
        request, "publishing/review.html",
        {
            "post": post, "media": post.media.all(), "targets": _targets(post), "reject_form": reject_form,
            "is_author": person is not None and post.author_id == person.pk,
            **_findings_context(check_post(post=post)),
        },
        status=status,
    )


def _act[T](
    request: HttpRequest,
    post: Post,
    run: Callable[[], T],
    *,
    done: str | Callable[[T], object],
    form: forms.Form | None = None,
    form_name: str = "",
    field: str | None = None,
    refused: Callable[[], HttpResponse] | None = None,
    reason_asked: Callable[[], HttpResponse] | None = None,
) -> HttpResponse:
    """One button about a post: check its form, run the publishing service, go back to the post.

    `done` is the sentence said when the service went through, or a function that says what its
    result calls for. An invalid form is shown again on the post page as `form_name` (status 400),
    and so is a refusal of the service when a `field` of the form is named for it. Otherwise the
    refusal is said as an error and answered by `refused`, by default the post page; a request
    for a reason for the warnings is said as a warning and answered by `reason_asked`, where given.
    """
    if form is not None and not form.is_valid():
        return _detail(request, post, status=400, **{form_name: form})
    try:
        result = run()
    except PublishingError as exc:
        if reason_asked is not None and isinstance(exc, PostNeedsReason):
            messages.warning(request, str(exc))
            return reason_asked()
        if form is not None and field is not None:
            form.add_error(field, str(exc))
            return _detail(request, post, status=400, **{form_name: form})
        messages.error(request, str(exc))
        return refused() if refused is not None else redirect("publishing:detail", pk=post.pk)
    if isinstance(done, str):
        messages.success(request, done)
    else:
        done(result)
    return redirect("publishing:detail", pk=post.pk)


@require_GET
@requires(Perm.APPROVE)
def review(request: MemberRequest, pk: int) -> HttpResponse:
    """Tarkastus: the approver's view of a post waiting for approval."""
    return _review(request, post_for_user(pk=pk, organization=_org(request)), reject_form=RejectForm())


@require_POST
@requires(Perm.PUBLISH)
def remove_image(request: MemberRequest, pk: int, media_pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    item = get_object_or_404(Media, pk=media_pk, post=post)
    return _act(request, post, lambda: remove_media(media=item, by=_person(request)), done=_("The image was removed."))


@require_GET
@requires(Perm.PUBLISH)
def image_preview(request: MemberRequest, pk: int, media_pk: int) -> HttpResponse:
    """The public copy for the organization's own people, whatever the post's state."""
    post = post_for_user(pk=pk, organization=_org(request))
    item = get_object_or_404(Media, pk=media_pk, post=post)
    return _serve(item, cache="private, max-age=600")


@require_POST
@requires(Perm.PUBLISH)
def submit(request: MemberRequest, pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    form = SubmitForm(request.POST)
    form.is_valid()  # the reason is optional: the service says when the warnings need one

    def submitted(post: Post) -> None:
        if post.state == Post.State.IN_REVIEW:
            messages.success(request, _("The post is waiting for another person's approval."))
        else:
            messages.success(request, _("The post is approved: schedule it or publish it now."))

    return _act(
        request, post,
        lambda: submit_for_review(post=post, by=_person(request), override_reason=form.cleaned_data.get("override_reason", "")),
        done=submitted, refused=lambda: _detail(request, post, status=400),
        reason_asked=lambda: _detail(request, post, status=400, needs_reason=True, submit_form=form),
    )


@require_POST
@requires(Perm.APPROVE)
def approve_view(request: MemberRequest, pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    return _act(
        request, post, lambda: approve(post=post, by=_person(request)),
        done=_("The post is approved."), refused=lambda: redirect("publishing:review", pk=post.pk),
    )


@require_POST
@requires(Perm.APPROVE)
def reject_view(request: MemberRequest, pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _review(request, post, reject_form=form, status=400)
    return _act(
        request, post, lambda: reject(post=post, by=_person(request), comment=form.cleaned_data["comment"]),
        done=_("The post was returned to its author."), refused=lambda: _review(request, post, reject_form=form, status=400),
    )


@require_POST
@requires(Perm.PUBLISH)
def schedule_view(request: MemberRequest, pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    form = ScheduleForm(request.POST)
    return _act(
        request, post, lambda: schedule(post=post, by=_person(request), at=form.cleaned_data["at"]),
        done=_("The post is scheduled."), form=form, form_name="schedule_form", field="at",
    )


@require_POST
@requires(Perm.PUBLISH)
def unschedule(request: MemberRequest, pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    return _act(
        request, post, lambda: cancel_schedule(post=post, by=_person(request)),
        done=_("The schedule was cancelled; the post stays approved."),
    )


@require_POST
@requires(Perm.PUBLISH)
def publish_now(request: MemberRequest, pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))

    def published(report: PublishReport) -> None:
        state = report.post.state
        if state == Post.State.PUBLISHED:
            messages.success(request, _("The post was published."))
        elif state == Post.State.PUBLISHING:
            messages.info(request, _("The post is on its way; Somevahti finishes the rest by itself."))
        else:
            messages.error(request, _("Publishing failed on some channels; see each channel below."))

    return _act(
        request, post,
        lambda: publish_post(post=post, by=_person(request), force=True, retry_failed=request.POST.get("retry") == "1"),
        done=published,
    )


@require_POST
@requires(Perm.PUBLISH)
def withdraw_view(request: MemberRequest, pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    form = WithdrawForm(request.POST)

    def withdrawn(report: WithdrawReport) -> None:
        for target, problem in report.failed:
            messages.error(request, _("%(channel)s: %(problem)s") % {"channel": target.channel, "problem": problem})
        if report.withdrawn:
            messages.success(request, _("The post was withdrawn from %(count)s channels.") % {"count": len(report.withdrawn)})

    return _act(
        request, post, lambda: withdraw(post=post, by=_person(request), reason=form.cleaned_data["reason"]),
        done=withdrawn, form=form, form_name="withdraw_form",
    )


@require_POST
@requires(Perm.PUBLISH)
def resolve(request: MemberRequest, pk: int, target_pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    target = get_object_or_404(PostTarget, pk=target_pk, post=post)
    form = ResolveForm(request.POST, prefix=f"t{target.pk}")
    if not form.is_valid():
        messages.error(request, _("The link is not a valid address."))
        return redirect("publishing:detail", pk=post.pk)

    def resolved(_target: PostTarget) -> None:
        if form.cleaned_data["send_again"]:
            publish_post(post=post, by=_person(request), force=True)
        messages.success(request, _("Thank you; the channel's state was updated."))

    return _act(
        request, post,
        lambda: resolve_needs_check(target=target, by=_person(request), url=form.cleaned_data["url"], send_again=form.cleaned_data["send_again"]),
        done=resolved,
    )


# --- editing a published post -----------------------------------------------------------------


def _edit_messages(request: HttpRequest, report: EditReport) -> None:
    if report.waiting_for_review:
        messages.success(request, _("The edit is waiting for another person's approval; the channels still show the earlier text."))
        return
    if report.edited:
        messages.success(request, _("The text was changed on %(count)s channels.") % {"count": len(report.edited)})
    for target in report.not_editable:
        messages.warning(request, _("%(channel)s: %(problem)s") % {"channel": target.channel, "problem": explain_outcome("not_supported", "")})
    for target, problem in report.failed:
        messages.error(request, _("%(channel)s: %(problem)s") % {"channel": target.channel, "problem": problem})


@requires(Perm.PUBLISH)
def edit_published(request: MemberRequest, pk: int) -> HttpResponse:
    """Muokkaa julkaistua: a new text for a published post, sent where the platform allows editing."""
    post = post_for_user(pk=pk, organization=_org(request))
    context = _edit_context(request, post)
    if not context["can_edit_published"]:
        if context["pending_edit"] is not None:
            messages.error(request, _("An earlier edit of this post is waiting for approval; it must be approved or returned first."))
        else:
            messages.error(request, _("Only a post that is on at least one channel can be edited this way."))
        return redirect("publishing:detail", pk=post.pk)
    initial = {"text": post.text, "text_sv": post.texts.get("sv", ""), "text_en": post.texts.get("en", "")}
    form = EditPublishedForm(request.POST or None, initial=initial)
    findings: list[PostFinding] = []
    needs_reason = False
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                report = request_edit(
                    post=post, by=_person(request), text=form.cleaned_data["text"], texts=form.texts(),
                    reason=form.cleaned_data["reason"], override_reason=form.cleaned_data["override_reason"],
                )
            except PostNeedsReason as exc:
                form.add_error("override_reason", str(exc))
                findings, needs_reason = exc.findings, True
            except PostBlocked as exc:
                form.add_error("text", str(exc))
                findings = exc.findings
            except PublishingError as exc:
                form.add_error(None, str(exc))
            else:
                _edit_messages(request, report)
                return redirect("publishing:detail", pk=post.pk)
        status = 400
    channels = [
        {"target": target, "editable": platform_allows_edit(target.channel)}
        for target in post.targets.filter(state=PostTarget.State.PUBLISHED).select_related("channel").order_by("channel__name")
    ]
    return render(
        request, "publishing/edit_published.html",
        {
            "post": post, "form": form, "channels": channels, "needs_reason": needs_reason,
            "any_editable": any(c["editable"] for c in channels),
            "any_fixed": any(not c["editable"] for c in channels),
            "review_required": requires_review(post), "withdraw_form": WithdrawForm(),
            "checked": bool(findings), **_findings_context(findings),
        },
        status=status,
    )


@require_POST
@requires(Perm.APPROVE)
def approve_edit_view(request: MemberRequest, pk: int, edit_pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    edit = get_object_or_404(PostEdit, pk=edit_pk, post=post)
    return _act(
        request, post, lambda: approve_edit(edit=edit, by=_person(request)),
        done=partial(_edit_messages, request), refused=lambda: _detail(request, post, status=400),
    )


@require_POST
@requires(Perm.APPROVE)
def reject_edit_view(request: MemberRequest, pk: int, edit_pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    edit = get_object_or_404(PostEdit, pk=edit_pk, post=post)
    form = RejectForm(request.POST, prefix="edit")
    return _act(
        request, post, lambda: reject_edit(edit=edit, by=_person(request), comment=form.cleaned_data["comment"]),
        done=_("The edit was returned; the channels keep the earlier text."),
        form=form, form_name="reject_edit_form", refused=lambda: _detail(request, post, status=400),
    )


@require_POST
@requires(Perm.PUBLISH)
def retry_edit_view(request: MemberRequest, pk: int) -> HttpResponse:
    post = post_for_user(pk=pk, organization=_org(request))
    return _act(request, post, lambda: retry_edit(post=post, by=_person(request)), done=partial(_edit_messages, request))


# --- settings ---------------------------------------------------------------------------------


@requires(Perm.MANAGE_CHANNELS)
def settings_page(request: MemberRequest) -> HttpResponse:
    organization = _org(request)
    row, _created = PublishingSettings.objects.get_or_create(organization=organization)
    channels = list(Channel.objects.filter(organization=organization).exclude(status=Channel.Status.ARCHIVED).order_by("name"))
    required = set(ChannelPublishingSettings.objects.filter(channel__in=channels, review_required=True).values_list("channel_id", flat=True))
    feed_form = FeedForm(initial={"bulletin_feed_url": row.bulletin_feed_url})
    review_form = ReviewSettingsForm(channels=channels, required=required)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "feed":
            feed_form = FeedForm(request.POST)
            if feed_form.is_valid():
                try:
                    set_bulletin_feed(organization=organization, url=feed_form.cleaned_data["bulletin_feed_url"], by=_person(request))
                except PublishingError as exc:
                    feed_form.add_error("bulletin_feed_url", str(exc))
                else:
                    if feed_form.cleaned_data["bulletin_feed_url"]:
                        result = refresh_bulletins(organization=organization)
                        if result.error:
                            messages.error(request, _("The address was saved, but the feed could not be read: %(problem)s") % {"problem": result.error})
                        else:
                            messages.success(request, _("The feed was read: %(count)s bulletins.") % {"count": result.created + result.updated})
                    else:
                        messages.success(request, _("The bulletin feed was removed."))
                    return redirect("publishing:settings")
            status = 400
        elif action == "review":
            review_form = ReviewSettingsForm(request.POST, channels=channels, required=required)
            if review_form.is_valid():
                for channel, value in review_form.choices():
                    set_review_required(channel=channel, required=value, by=_person(request))
                messages.success(request, _("The approval settings were saved."))
                return redirect("publishing:settings")
            status = 400
        elif action == "refresh":
            result = refresh_bulletins(organization=organization)
            if result.error:
                messages.error(request, result.error)
            else:
                messages.success(request, _("The feed was read: %(count)s bulletins.") % {"count": result.created + result.updated})
            return redirect("publishing:settings")
    row.refresh_from_db()
    return render(
        request, "publishing/settings.html",
        {"settings": row, "feed_form": feed_form, "review_form": review_form, "bulletins": organization.bulletins.all()[:10]},
        status=status,
    )


# --- the public copy of an image --------------------------------------------------------------


def _serve(item: Media, *, cache: str) -> HttpResponse:
    try:
        content = images.public_path(item.public_filename).read_bytes()  # at most MAX_BYTES
    except OSError:
        raise Http404(_("No such image.")) from None
    response = HttpResponse(content, content_type=item.content_type)
    response["Cache-Control"] = cache
    response["Content-Disposition"] = f'inline; filename="{item.public_filename}"'
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def public_media(request: HttpRequest, name: str) -> HttpResponse:
    """`/media/p/<token>.<ext>`: no sign-in (the platforms fetch it); only public copies of
    posts that are, or are about to be, published."""
    item = find_public_media(name=name)
    if item is None:
        raise Http404(_("No such image."))
    return _serve(item, cache="public, max-age=3600")
