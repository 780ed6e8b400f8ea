from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somevahti.core.calendar import today
from somevahti.core.permissions import has_perm, requires
from somevahti.core.roles import Perm

from .forms import AbsenceForm, CalendarFeedForm, CalendarUploadForm, WorkProfileForm
from .http import MemberRequest
from .ics import CalendarError
from .models import Absence, CalendarFeed, Person, WorkProfile
from .queries import absences_of, people_of, person_in_organization
from .services import (
    AbsenceError,
    WorkProfileError,
    add_absence,
    add_calendar_feed,
    add_work_profile,
    delete_absence,
    import_absences,
    remove_calendar_feed,
    remove_work_profile,
    update_absence,
)
from .tasks import refresh_calendar_feed_task


@requires(Perm.VIEW_PEOPLE)
def person_list(request: MemberRequest) -> HttpResponse:
    """Henkilöt: everyone in the organization, and who has left."""
    people = people_of(organization=request.organization)
    day = today()
    rows = [(person, _activity(person, day)) for person in people]
    return render(
        request,
        "people/person_list.html",
        {"rows": rows, "can_manage": has_perm(request, Perm.MANAGE_PEOPLE)},
    )


def _activity(person: Person, day: Any) -> str:
    if person.active_until is not None and person.active_until < day:
        return "left"
    if person.active_from is not None and day < person.active_from:
        return "not_started"
    return "active"


@requires(Perm.MANAGE_OWN_ABSENCES)
def my_absences(request: MemberRequest) -> HttpResponse:
    """Omat poissaolot: the signed-in person's absences, calendars and work profiles."""
    if request.person is None:
        raise PermissionDenied("no person")
    return _absence_page(request, request.person)


@requires(Perm.MANAGE_PEOPLE)
def person_absences(request: MemberRequest, person_id: int) -> HttpResponse:
    """The communications lead manages anyone's absences in the organization."""
    person = person_in_organization(person_id=person_id, organization=request.organization)
    return _absence_page(request, person)


def _page_url(request: MemberRequest, person: Person) -> str:
    if person.pk == getattr(request.person, "pk", None):
        return reverse("people:my_absences")
    return reverse("people:person_absences", kwargs={"person_id": person.pk})


def _check_may_manage(request: MemberRequest, person: Person) -> None:
    """One's own absences, or anyone's in the organization with MANAGE_PEOPLE; 404 across organizations."""
    if person.organization_id != getattr(request.organization, "pk", None):
        raise Http404(_("No such person in this organization."))
    own = person.pk == getattr(request.person, "pk", None)
    if own and has_perm(request, Perm.MANAGE_OWN_ABSENCES):
        return
    if has_perm(request, Perm.MANAGE_PEOPLE):
        return
    raise PermissionDenied("manage_people")


def _absence_page(request: MemberRequest, person: Person) -> HttpResponse:
    forms: dict[str, Any] = {
        "absence_form": AbsenceForm(prefix="absence"),
        "upload_form": CalendarUploadForm(prefix="upload"),
        "feed_form": CalendarFeedForm(prefix="feed"),
        "profile_form": WorkProfileForm(prefix="profile"),
    }
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        handler = _ACTIONS.get(action)
        if handler is None:
            return HttpResponse(_("Unknown action."), status=400)
        outcome = handler(request, person)
        if isinstance(outcome, HttpResponseRedirect):
            return outcome
        forms.update(outcome.get("forms", {}))
        status = 400 if any(f.errors for f in outcome.get("forms", {}).values()) else 200
    return render(
        request,
        "people/absences.html",
        {
            "subject": person,
            "own": person.pk == getattr(request.person, "pk", None),
            "data": absences_of(person=person, now=timezone.now()),
            "kind_choices": Absence.Kind.choices,
            **forms,
        },
        status=status,
    )


def _post_absence(request: MemberRequest, person: Person) -> HttpResponseRedirect | dict[str, Any]:
    form = AbsenceForm(request.POST, prefix="absence")
    if form.is_valid():
        data = form.cleaned_data
        try:
            add_absence(
                person=person, start=data["start"], end=data["end"], all_day=data["all_day"], kind=data["kind"],
                summary=data["summary"], by=request.user,
            )
        except AbsenceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The absence has been saved."))
            return redirect(_page_url(request, person))
    return {"forms": {"absence_form": form}}


def _post_upload(request: MemberRequest, person: Person) -> HttpResponseRedirect | dict[str, Any]:
    form = CalendarUploadForm(request.POST, request.FILES, prefix="upload")
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = import_absences(
                person=person, data=upload.read(), kind=form.cleaned_data["kind"],
                source=Absence.Source.ICS_UPLOAD, by=request.user,
            )
        except CalendarError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, result.summary())
            return redirect(_page_url(request, person))
    return {"forms": {"upload_form": form}}


def _post_feed(request: MemberRequest, person: Person) -> HttpResponseRedirect | dict[str, Any]:
    form = CalendarFeedForm(request.POST, prefix="feed")
    if form.is_valid():
        try:
            feed = add_calendar_feed(person=person, url=form.cleaned_data["url"], kind=form.cleaned_data["kind"], by=request.user)
        except CalendarError as exc:
            form.add_error("url", str(exc))
        else:
            refresh_calendar_feed_task.enqueue(feed_id=feed.pk)
            messages.success(request, _("The calendar address has been added. Its absences are read in a moment and then every hour."))
            return redirect(_page_url(request, person))
    return {"forms": {"feed_form": form}}


def _post_profile(request: MemberRequest, person: Person) -> HttpResponseRedirect | dict[str, Any]:
    form = WorkProfileForm(request.POST, prefix="profile")
    if form.is_valid():
        try:
            add_work_profile(
                person=person, platform=form.cleaned_data["platform"], address=form.cleaned_data["address"], by=request.user
            )
        except WorkProfileError as exc:
            form.add_error("address", str(exc))
        else:
            messages.success(request, _("The work profile has been added."))
            return redirect(_page_url(request, person))
    return {"forms": {"profile_form": form}}


_ACTIONS = {"absence": _post_absence, "upload": _post_upload, "feed": _post_feed, "profile": _post_profile}


def _absence_or_404(request: MemberRequest, absence_id: int) -> Absence:
    absence = (
        Absence.objects.select_related("person")
        .filter(pk=absence_id, person__organization=request.organization)
        .first()
    )
    if absence is None:
        raise Http404(_("No such absence."))
    _check_may_manage(request, absence.person)
    if absence.source != Absence.Source.FORM:
        raise Http404(_("This absence comes from a calendar. Change it in the calendar."))
    return absence


@requires(Perm.MANAGE_OWN_ABSENCES)
def absence_edit(request: MemberRequest, absence_id: int) -> HttpResponse:
    absence = _absence_or_404(request, absence_id)
    if request.method == "POST":
        form = AbsenceForm(request.POST, prefix="absence")
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_absence(
                    absence=absence, start=data["start"], end=data["end"], all_day=data["all_day"], kind=data["kind"],
                    summary=data["summary"], by=request.user,
                )
            except AbsenceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("The absence has been saved."))
                return redirect(_page_url(request, absence.person))
        status = 400
    else:
        form = AbsenceForm(prefix="absence", absence=absence)
        status = 200
    return render(
        request,
        "people/absence_edit.html",
        {"form": form, "absence": absence, "back_url": _page_url(request, absence.person)},
        status=status,
    )


@require_POST
@requires(Perm.MANAGE_OWN_ABSENCES)
def absence_delete(request: MemberRequest, absence_id: int) -> HttpResponse:
    absence = _absence_or_404(request, absence_id)
    person = absence.person
    delete_absence(absence=absence, by=request.user)
    messages.success(request, _("The absence has been removed."))
    return redirect(_page_url(request, person))


@require_POST
@requires(Perm.MANAGE_OWN_ABSENCES)
def feed_delete(request: MemberRequest, feed_id: int) -> HttpResponse:
    feed = CalendarFeed.objects.select_related("person").filter(pk=feed_id, person__organization=request.organization).first()
    if feed is None:
        raise Http404(_("No such calendar address."))
    _check_may_manage(request, feed.person)
    person = feed.person
    remove_calendar_feed(feed=feed, by=request.user)
    messages.success(request, _("The calendar address and the absences read from it have been removed."))
    return redirect(_page_url(request, person))


@require_POST
@requires(Perm.MANAGE_OWN_ABSENCES)
def work_profile_delete(request: MemberRequest, profile_id: int) -> HttpResponse:
    profile = WorkProfile.objects.select_related("person").filter(pk=profile_id, person__organization=request.organization).first()
    if profile is None:
        raise Http404(_("No such work profile."))
    _check_may_manage(request, profile.person)
    person = profile.person
    remove_work_profile(profile=profile, by=request.user)
    messages.success(request, _("The work profile has been removed."))
    return redirect(_page_url(request, person))
