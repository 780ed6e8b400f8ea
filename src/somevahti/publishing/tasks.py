"""Background work of publishing. Tasks take ids, call services, hold no logic."""

from __future__ import annotations

from crontask import cron
from django.tasks import task

from somevahti.people.models import Organization

from . import services
from .models import Post, PublishingSettings


@task()
def publish_post_task(post_id: int) -> None:
    post = Post.objects.filter(pk=post_id).first()
    if post is not None and post.state in (Post.State.SCHEDULED, Post.State.PUBLISHING):
        services.publish_post(post=post)


@cron("* * * * *")
@task()
def publish_due_posts_task() -> None:
    """Scheduled posts whose time has come, retries after rate limits, attempts left by a crash."""
    services.publish_due_posts()


@cron("* * * * *")
@task()
def finish_pending_publishes_task() -> None:
    """Instagram's second step for every stored container; safe after a restart."""
    services.finish_pending_publishes()


@cron("17 * * * *")
@task()
def refresh_bulletins_task() -> None:
    for organization_id in PublishingSettings.objects.exclude(bulletin_feed_url="").values_list("organization_id", flat=True):
        organization = Organization.objects.get(pk=organization_id)
        services.refresh_bulletins(organization=organization)
