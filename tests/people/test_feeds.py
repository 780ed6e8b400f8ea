"""Calendar feeds fetched from a real local HTTP server."""

from __future__ import annotations

import pytest

from somevahti.people.ics import CalendarError
from somevahti.people.models import Absence, CalendarFeed
from somevahti.people.services import add_calendar_feed, refresh_feed
from somevahti.people.tasks import refresh_calendar_feeds_task

from .conftest import NOW, Route, ics


def make_feed(person, url: str) -> CalendarFeed:  # type: ignore[no-untyped-def]
    return add_calendar_feed(person=person, url=url, kind="vacation", by=None)


def test_feed__reads_the_calendar_and_records_the_time(person, calendar_server):
    calendar_server.routes["/lomat.ics"] = Route(body=ics("outlook.ics"))
    feed = make_feed(person, calendar_server.url("/lomat.ics"))
    result = refresh_feed(feed=feed, now=NOW)
    assert result is not None and result.created == 3
    feed.refresh_from_db()
    assert feed.last_fetched_at == NOW and feed.last_error == ""
    assert Absence.objects.filter(feed=feed, source=Absence.Source.ICS_FEED).count() == 3


def test_feed__follows_a_redirect(person, calendar_server):
    calendar_server.routes["/old.ics"] = Route(status=302, location="/new.ics", body=b"")
    calendar_server.routes["/new.ics"] = Route(body=ics("google.ics"))
    feed = make_feed(person, calendar_server.url("/old.ics"))
    refresh_feed(feed=feed, now=NOW)
    assert feed.absences.count() == 4


def test_feed__endless_redirects_are_an_error(person, calendar_server):
    calendar_server.routes["/loop.ics"] = Route(status=302, location="/loop.ics")
    feed = make_feed(person, calendar_server.url("/loop.ics"))
    refresh_feed(feed=feed, now=NOW)
    feed.refresh_from_db()
    assert "redirects too many times" in feed.last_error


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(status=500, content_type="text/plain", body=b"oops"), "answered 500"),
        (Route(status=404, content_type="text/plain", body=b"gone"), "answered 404"),
        (Route(content_type="text/html; charset=utf-8", body=b"<!doctype html><title>Sign in</title>"), "web page, not a calendar"),
        (Route(content_type="text/plain", body=b"<!DOCTYPE html><html></html>"), "web page, not a calendar"),
        (Route(body=ics("broken.ics")), "line 15"),
    ],
)
def test_feed__failure_is_recorded_and_keeps_the_stored_absences(person, calendar_server, route, message):
    calendar_server.routes["/lomat.ics"] = Route(body=ics("outlook.ics"))
    feed = make_feed(person, calendar_server.url("/lomat.ics"))
    refresh_feed(feed=feed, now=NOW)
    calendar_server.routes["/lomat.ics"] = route
    assert refresh_feed(feed=feed, now=NOW) is None
    feed.refresh_from_db()
    assert message in feed.last_error
    assert feed.absences.count() == 3


@pytest.mark.parametrize("send_length", [True, False])
def test_feed__too_big_body_is_refused_while_reading(person, calendar_server, settings, send_length):
    settings.ICS_MAX_BYTES = 10_000
    calendar_server.routes["/huge.ics"] = Route(body=b"BEGIN:VCALENDAR\r\n" + b"X" * 200_000, send_length=send_length)
    feed = make_feed(person, calendar_server.url("/huge.ics"))
    refresh_feed(feed=feed, now=NOW)
    feed.refresh_from_db()
    assert "larger than" in feed.last_error
    assert not feed.absences.exists()


def test_feed__unreachable_address_is_recorded(person):
    feed = make_feed(person, "http://127.0.0.1:9/lomat.ics")  # the discard port: nothing listens
    refresh_feed(feed=feed, now=NOW)
    feed.refresh_from_db()
    assert "could not be reached" in feed.last_error


def test_feed__error_is_cleared_by_the_next_good_read(person, calendar_server):
    calendar_server.routes["/lomat.ics"] = Route(status=500)
    feed = make_feed(person, calendar_server.url("/lomat.ics"))
    refresh_feed(feed=feed, now=NOW)
    calendar_server.routes["/lomat.ics"] = Route(body=ics("outlook.ics"))
    refresh_feed(feed=feed, now=NOW)
    feed.refresh_from_db()
    assert feed.last_error == ""


@pytest.mark.parametrize("url", ["ftp://example.fi/lomat.ics", "file:///etc/passwd", "lomat.ics", "javascript:alert(1)"])
def test_add_feed__only_http_and_https_addresses(person, url):
    with pytest.raises(CalendarError, match="https://"):
        make_feed(person, url)
    assert not CalendarFeed.objects.exists()


def test_add_feed__webcal_address_is_read_over_https(person):
    feed = make_feed(person, "webcal://outlook.office365.com/owa/calendar/x/calendar.ics")
    assert feed.url == "https://outlook.office365.com/owa/calendar/x/calendar.ics"


def test_refresh_task__reads_every_feed(person, calendar_server):
    calendar_server.routes["/a.ics"] = Route(body=ics("outlook.ics"))
    calendar_server.routes["/b.ics"] = Route(body=ics("google.ics"))
    make_feed(person, calendar_server.url("/a.ics"))
    make_feed(person, calendar_server.url("/b.ics"))
    refresh_calendar_feeds_task.enqueue()  # the immediate backend runs it, and the per-feed tasks, now
    assert sorted(calendar_server.hits) == ["/a.ics", "/b.ics"]
    assert all(f.last_fetched_at is not None and f.last_error == "" for f in CalendarFeed.objects.all())


def test_feed__an_address_in_the_internal_network_is_refused(settings, calendar_server):
    from somevahti.people.ics import CalendarError
    from somevahti.people.services import fetch_calendar

    settings.ICS_FEED_ALLOW_PRIVATE = False
    with pytest.raises(CalendarError, match="internal network"):
        fetch_calendar(calendar_server.url("/cal.ics"))
