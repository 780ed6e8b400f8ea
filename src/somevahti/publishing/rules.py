"""CONTENT-NOT-BULLETIN and CONTENT-IMAGES as organization-level findings.

Each draft is advised while it is written (services.check_content); these rules keep the
longer view: an unreadable bulletin feed, and a month of posts that mostly repeated bulletins
or had no images.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import Count
from django.urls import reverse

from somevahti.guideline.models import Rule
from somevahti.guideline.registry import Found, RuleCheck, gettext_noop, register

from .models import Post, PublishingSettings

WINDOW_DAYS = 30


def _published_since(organization: Any, now: dt.datetime, days: int) -> Any:
    return Post.objects.filter(
        organization=organization, state=Post.State.PUBLISHED, targets__published_at__gte=now - dt.timedelta(days=days)
    ).distinct()


@register
class NotOnlyBulletins(RuleCheck):
    code = "CONTENT-NOT-BULLETIN"

    def evaluate(self, *, organization: Any, rule: Rule, now: dt.datetime) -> Iterator[Found]:
        row = PublishingSettings.objects.filter(organization=organization).first()
        if row is not None and row.bulletin_feed_url and row.feed_error:
            yield Found(
                key="feed",
                message=gettext_noop("The bulletin feed cannot be read, so drafts are not compared with bulletins: %(problem)s"),
                params={"problem": row.feed_error},
                url=reverse("publishing:settings"),
                severity="warn",
            )
        days = int(rule.parameters.get("window_days", WINDOW_DAYS))
        max_share = float(rule.parameters.get("max_repeat_share", 0.5))
        posts = list(_published_since(organization, now, days).only("approved_findings"))
        repeats = sum(1 for p in posts if any(f.get("type") == "BULLETIN_REPEAT" for f in p.approved_findings or []))
        if len(posts) >= 4 and repeats / len(posts) > max_share:
            yield Found(
                key="repeats",
                message=gettext_noop("%(repeats)s of the %(count)s posts of the last %(days)s days repeated a bulletin almost word for word."),
                params={"repeats": repeats, "count": len(posts), "days": days},
                url=reverse("publishing:list") + "?state=published",
            )


@register
class ImagesSupportTheMessage(RuleCheck):
    code = "CONTENT-IMAGES"

    def evaluate(self, *, organization: Any, rule: Rule, now: dt.datetime) -> Iterator[Found]:
        days = int(rule.parameters.get("window_days", WINDOW_DAYS))
        max_share = float(rule.parameters.get("max_without_image_share", 0.5))
        posts = _published_since(organization, now, days).annotate(images=Count("media", distinct=True))
        total = posts.count()
        without = sum(1 for p in posts if p.images == 0)
        if total >= 4 and without / total > max_share:
            yield Found(
                key="without-images",
                message=gettext_noop("%(without)s of the %(count)s posts of the last %(days)s days had no image."),
                params={"without": without, "count": total, "days": days},
                url=reverse("publishing:list") + "?state=published",
            )
