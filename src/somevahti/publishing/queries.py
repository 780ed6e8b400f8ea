"""Reads of publishing that are reused or permission-checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from somevahti.channels.models import Channel
from somevahti.core.calendar import HELSINKI
from somevahti.people.models import Organization

from .models import Media, Post, PostTarget

# Whose images are served publicly: posts that are, or are about to be, on a platform.
SERVED_STATES = (Post.State.APPROVED, Post.State.SCHEDULED, Post.State.PUBLISHING, Post.State.PUBLISHED, Post.State.FAILED)


def post_for_user(*, pk: int, organization: Organization | None) -> Post:
    """The organization's post, or 404 — also for another organization's post."""
    post = (
        Post.objects.filter(pk=pk, organization=organization).select_related("author", "reviewer").first()
        if organization is not None
        else None
    )
    if post is None:
        raise Http404(_("No such post."))
    return post


def posts(*, organization: Organization, state: str = "") -> QuerySet[Post]:
    found = Post.objects.filter(organization=organization).select_related("author").prefetch_related("targets__channel")
    if state:
        found = found.filter(state=state)
    return found.order_by("-updated_at", "-pk")


def public_media(*, name: str) -> Media | None:
    token, dot, extension = name.rpartition(".")
    if not dot or not token:
        return None
    return Media.objects.filter(token=token, extension=extension, post__state__in=SERVED_STATES).first()


@dataclass
class CalendarEntry:
    post: Post
    target: PostTarget
    at: dt.datetime
    published: bool


@dataclass
class CalendarRow:
    channel: Channel
    days: list[list[CalendarEntry]] = field(default_factory=list)


def week_calendar(*, organization: Organization, monday: dt.date) -> list[CalendarRow]:
    """Per channel and day of the ISO week: scheduled and published posts, in Helsinki time."""
    start = dt.datetime.combine(monday, dt.time(), tzinfo=HELSINKI)
    end = start + dt.timedelta(days=7)
    targets = (
        PostTarget.objects.filter(post__organization=organization)
        .filter(
            Q(published_at__gte=start, published_at__lt=end)
            | Q(published_at__isnull=True, post__scheduled_at__gte=start, post__scheduled_at__lt=end)
        )
        .exclude(post__state=Post.State.DRAFT)
        .select_related("post", "channel")
    )
    channels = {c.pk: c for c in Channel.objects.filter(organization=organization, status=Channel.Status.ACTIVE)}
    rows: dict[int, CalendarRow] = {}
    for target in targets:
        channels.setdefault(target.channel_id, target.channel)
    for pk, channel in sorted(channels.items(), key=lambda item: item[1].name):
        rows[pk] = CalendarRow(channel=channel, days=[[] for _ in range(7)])
    for target in targets:
        at: Any = target.published_at or target.post.scheduled_at
        local = at.astimezone(HELSINKI)
        index = (local.date() - monday).days
        if 0 <= index < 7:
            rows[target.channel_id].days[index].append(CalendarEntry(target.post, target, local, target.published_at is not None))
    for row in rows.values():
        for day in row.days:
            day.sort(key=lambda e: e.at)
    return list(rows.values())
