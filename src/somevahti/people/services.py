"""Every change of state of people's absences, calendar feeds and work profiles.

Poissaolot (absences) come from the form, from an uploaded iCalendar file, from a calendar
feed (Outlook or Google address) or from the organization file. Calendar imports update by
UID, so the same file twice changes nothing, and a file with an error changes nothing at all.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from somevahti.core import audit
from somevahti.core.fetch import PrivateAddressRefused, public_client

from .ics import CalendarAbsence, CalendarError, file_too_large, parse_absences
from .models import Absence, CalendarFeed, Organization, Person, WorkProfile

Actor = AbstractBaseUser | AnonymousUser | None

# Calendars are read from a year back to two years ahead; older stored absences are kept as they are.
IMPORT_PAST = dt.timedelta(days=365)
IMPORT_FUTURE = dt.timedelta(days=730)
FEED_MAX_REDIRECTS = 5


class PersonNotFound(LookupError):
    """No such organization, or no such person in it."""


class AbsenceError(ValueError):
    """An absence that cannot be saved as given."""


class WorkProfileError(ValueError):
    """A work profile that cannot be saved as given."""


# --- absences from the form ---------------------------------------------------------------


def _check_absence(*, start: dt.datetime, end: dt.datetime, kind: str) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise AbsenceError(_("The start and the end must include a time zone."))
    if end < start:
        raise AbsenceError(_("The end is before the start."))
    if end == start:
        raise AbsenceError(_("The absence ends at the moment it starts."))
    if kind not in Absence.Kind.values:
        raise AbsenceError(_("“%(kind)s” is not a kind of absence.") % {"kind": kind})


def _absence_data(absence: Absence) -> dict[str, Any]:
    return {
        "start": absence.start.isoformat(),
        "end": absence.end.isoformat(),
        "all_day": absence.all_day,
        "kind": absence.kind,
        "source": absence.source,
    }


@transaction.atomic
def add_absence(
    *, person: Person, start: dt.datetime, end: dt.datetime, all_day: bool, kind: str, summary: str, by: Actor
) -> Absence:
    """A new absence from the form. `end` is the first moment back at work."""
    _check_absence(start=start, end=end, kind=kind)
    absence = Absence.objects.create(
        person=person, start=start, end=end, all_day=all_day, kind=kind, summary=summary.strip()[:300],
        source=Absence.Source.FORM,
    )
    audit.record("people.absence_added", target=absence, actor=by, data=_absence_data(absence))
    return absence


@transaction.atomic
def update_absence(
    *, absence: Absence, start: dt.datetime, end: dt.datetime, all_day: bool, kind: str, summary: str, by: Actor
) -> Absence:
    """Change an absence made with the form; calendar events are changed in the calendar."""
    if absence.source != Absence.Source.FORM:
        raise AbsenceError(_("This absence comes from a calendar. Change it in the calendar."))
    _check_absence(start=start, end=end, kind=kind)
    before = _absence_data(absence)
    absence.start, absence.end, absence.all_day = start, end, all_day
    absence.kind, absence.summary = kind, summary.strip()[:300]
    absence.save(update_fields=["start", "end", "all_day", "kind", "summary", "updated_at"])
    audit.record("people.absence_updated", target=absence, actor=by, data={"before": before, "after": _absence_data(absence)})
    return absence


@transaction.atomic
def delete_absence(*, absence: Absence, by: Actor) -> None:
    if absence.source != Absence.Source.FORM:
        raise AbsenceError(_("This absence comes from a calendar. Remove it in the calendar."))
    audit.record("people.absence_deleted", target=absence, actor=by, data=_absence_data(absence))
    absence.delete()


# --- absences from calendars --------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    removed: int
    unchanged: int
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def summary(self) -> str:
        values = {"created": self.created, "updated": self.updated, "removed": self.removed, "unchanged": self.unchanged}
        if self.dry_run:
            return (
                _(
                    "Trial run, nothing was saved: %(created)s absences would be added, %(updated)s updated "
                    "and %(removed)s removed; %(unchanged)s would stay as they are."
                )
                % values
            )
        return (
            _("Absences: %(created)s added, %(updated)s updated, %(removed)s removed, %(unchanged)s unchanged.")
            % values
        )


def _differs(absence: Absence, event: CalendarAbsence, kind: str) -> bool:
    return (
        absence.start != event.start
        or absence.end != event.end
        or absence.all_day != event.all_day
        or absence.summary != event.summary
        or absence.kind != kind
    )


@transaction.atomic
def import_absences(
    *,
    person: Person,
    data: bytes,
    kind: str,
    source: str,
    feed: CalendarFeed | None = None,
    by: Actor = None,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Bring a person's absences in line with an iCalendar file.

    Events are matched by UID (and occurrence): new ones are added, changed ones updated, and
    absences from the same source (the same feed) that are no longer in the file, or are now
    cancelled, are removed. Absences that ended before the period read are kept. The file is
    read in full before anything changes, so an error changes nothing.
    """
    if kind not in Absence.Kind.values:
        raise CalendarError(_("“%(kind)s” is not a kind of absence.") % {"kind": kind})
    if source not in (Absence.Source.ICS_UPLOAD, Absence.Source.ICS_FEED):
        raise CalendarError(_("Calendar events can only be imported as a calendar file or a calendar feed."))
    now = now or timezone.now()
    window_start, window_end = now - IMPORT_PAST, now + IMPORT_FUTURE
    events = parse_absences(data, window_start=window_start, window_end=window_end, max_bytes=settings.ICS_MAX_BYTES)

    stored = {
        a.uid: a
        for a in Absence.objects.select_for_update().filter(person=person, source=source, feed=feed).exclude(uid="")
    }
    # The unique UID is per person and source: the same event in two feeds is kept once.
    elsewhere = set(
        Absence.objects.filter(person=person, source=source, uid__in=[e.uid for e in events])
        .exclude(pk__in=[a.pk for a in stored.values()])
        .values_list("uid", flat=True)
    )
    created = updated = unchanged = 0
    for event in events:
        absence = stored.get(event.uid)
        if absence is None:
            if event.uid in elsewhere:
                continue
            Absence.objects.create(
                person=person, source=source, feed=feed, uid=event.uid, start=event.start, end=event.end,
                all_day=event.all_day, summary=event.summary, kind=kind,
            )
            created += 1
        elif _differs(absence, event, kind):
            absence.start, absence.end, absence.all_day = event.start, event.end, event.all_day
            absence.summary, absence.kind = event.summary, kind
            absence.save(update_fields=["start", "end", "all_day", "summary", "kind", "updated_at"])
            updated += 1
        else:
            unchanged += 1
    seen = {e.uid for e in events}
    vanished = [a.pk for uid, a in stored.items() if uid not in seen and a.end > window_start]
    removed = Absence.objects.filter(pk__in=vanished).delete()[0] if vanished else 0
    result = ImportResult(created=created, updated=updated, removed=removed, unchanged=unchanged, dry_run=dry_run)
    if dry_run:
        transaction.set_rollback(True)
    elif result.changed or source == Absence.Source.ICS_UPLOAD:
        audit.record(
            "people.absences_imported",
            target=feed or person,
            actor=by,
            organization_id=person.organization_id,
            data={"source": source, "created": created, "updated": updated, "removed": removed, "unchanged": unchanged},
        )
    return result


def import_absences_file(*, organization_slug: str, email: str, path: str | os.PathLike[str], kind: str, dry_run: bool) -> ImportResult:
    """`somevahti absences import FILE.ics --org SLUG --person EMAIL`."""
    organization = Organization.objects.filter(slug=organization_slug).first()
    if organization is None:
        raise PersonNotFound(_("There is no organization “%(slug)s”.") % {"slug": organization_slug})
    person = Person.objects.filter(organization=organization, email__iexact=email.strip()).first()
    if person is None:
        raise PersonNotFound(
            _("There is no person with the e-mail address %(email)s in %(organization)s.")
            % {"email": email, "organization": organization.name}
        )
    file = Path(path)
    try:
        size = file.stat().st_size
        if size > settings.ICS_MAX_BYTES:
            raise file_too_large(size=size, max_bytes=settings.ICS_MAX_BYTES)
        data = file.read_bytes()
    except FileNotFoundError:
        raise CalendarError(_("The file %(path)s does not exist.") % {"path": str(path)}) from None
    except IsADirectoryError:
        raise CalendarError(_("%(path)s is a folder, not a file.") % {"path": str(path)}) from None
    except OSError as exc:
        raise CalendarError(
            _("The file %(path)s cannot be read: %(problem)s") % {"path": str(path), "problem": exc.strerror or exc}
        ) from None
    return import_absences(person=person, data=data, kind=kind, source=Absence.Source.ICS_UPLOAD, dry_run=dry_run)


# --- calendar feeds -----------------------------------------------------------------------


def _feed_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "webcal":
        # Outlook and Apple hand out webcal:// addresses; they are the same address over https.
        parts = parts._replace(scheme="https")
        scheme = "https"
    if scheme not in ("http", "https") or not parts.netloc:
        raise CalendarError(_("The calendar address must begin with https:// or http://."))
    return urlunsplit(parts)


@transaction.atomic
def add_calendar_feed(*, person: Person, url: str, kind: str, by: Actor) -> CalendarFeed:
    """A calendar address whose events are the person's absences. Fetching is the task's job."""
    url = _feed_url(url)
    if kind not in Absence.Kind.values:
        raise CalendarError(_("“%(kind)s” is not a kind of absence.") % {"kind": kind})
    if CalendarFeed.objects.filter(person=person, url=url).exists():
        raise CalendarError(_("This calendar address has already been added."))
    feed = CalendarFeed.objects.create(person=person, url=url, kind=kind)
    audit.record("people.calendar_feed_added", target=feed, actor=by, data={"kind": kind})
    return feed


@transaction.atomic
def remove_calendar_feed(*, feed: CalendarFeed, by: Actor) -> None:
    """The feed and the absences that came from it go; others stay."""
    audit.record("people.calendar_feed_removed", target=feed, actor=by, data={"absences": feed.absences.count()})
    feed.delete()


def fetch_calendar(url: str) -> bytes:
    """GET a calendar address with a time limit, a size limit and a few redirects."""
    limit = settings.ICS_MAX_BYTES
    seconds = settings.ICS_FEED_TIMEOUT
    try:
        with public_client(
            timeout=seconds,
            max_redirects=FEED_MAX_REDIRECTS,
            headers={"User-Agent": "Somevahti calendar reader", "Accept": "text/calendar, */*;q=0.5"},
        ) as client, client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise CalendarError(
                    _("The calendar address answered %(status)s instead of a calendar.")
                    % {"status": response.status_code}
                )
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise _too_large(limit)
            body = bytearray()
            for chunk in response.iter_bytes():
                body.extend(chunk)
                if len(body) > limit:
                    raise _too_large(limit)
            content_type = response.headers.get("Content-Type", "").lower()
    except PrivateAddressRefused:
        raise CalendarError(
            _("The calendar address points into an internal network; only public addresses can be read.")
        ) from None
    except httpx.TooManyRedirects:
        raise CalendarError(_("The calendar address redirects too many times.")) from None
    except httpx.TimeoutException:
        raise CalendarError(
            _("The calendar address did not answer within %(seconds)s seconds.") % {"seconds": f"{seconds:g}"}
        ) from None
    except httpx.HTTPError as exc:
        raise CalendarError(_("The calendar address could not be reached: %(problem)s") % {"problem": exc}) from None
    head = bytes(body[:200]).lstrip().lower()
    if "html" in content_type or head.startswith((b"<!doctype html", b"<html")):
        raise CalendarError(
            _("The address returned a web page, not a calendar. Copy the calendar's iCalendar (ICS) address.")
        )
    return bytes(body)


def _too_large(limit: int) -> CalendarError:
    return CalendarError(
        _("The calendar at the address is larger than %(max)s, the largest allowed.")
        % {"max": filesizeformat(limit)}
    )


def refresh_feed(*, feed: CalendarFeed, now: dt.datetime | None = None) -> ImportResult | None:
    """Fetch a feed and import it. A failed fetch is recorded on the feed and keeps its absences."""
    now = now or timezone.now()
    result: ImportResult | None = None
    with translation.override(feed.person.language or settings.LANGUAGE_CODE):
        try:
            data = fetch_calendar(feed.url)
            result = import_absences(
                person=feed.person, data=data, kind=feed.kind, source=Absence.Source.ICS_FEED, feed=feed, now=now
            )
            error = ""
        except CalendarError as exc:
            error = str(exc)
    with transaction.atomic():
        previous = feed.last_error
        feed.last_fetched_at = now
        feed.last_error = error
        feed.save(update_fields=["last_fetched_at", "last_error"])
        if error and error != previous:
            audit.record("people.calendar_feed_failed", target=feed, data={"error": error})
    return result


# --- work profiles ------------------------------------------------------------------------


@transaction.atomic
def add_work_profile(*, person: Person, platform: str, address: str, by: Actor) -> WorkProfile:
    """A work profile where the person sets the "on holiday" note (MAINT-HOLIDAY-NOTE)."""
    platform, address = platform.strip(), address.strip()
    if not platform or not address:
        raise WorkProfileError(_("Give both the platform and the address of the profile."))
    if WorkProfile.objects.filter(person=person, platform=platform, address=address).exists():
        raise WorkProfileError(_("This work profile has already been added."))
    profile = WorkProfile.objects.create(person=person, platform=platform[:40], address=address[:300])
    audit.record("people.work_profile_added", target=profile, actor=by, data={"platform": platform})
    return profile


@transaction.atomic
def remove_work_profile(*, profile: WorkProfile, by: Actor) -> None:
    audit.record("people.work_profile_removed", target=profile, actor=by, data={"platform": profile.platform})
    profile.delete()
