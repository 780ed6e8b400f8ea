"""Graph API JSON → our dataclasses. Pure functions; anything unusable becomes None, never a crash.

Shapes follow the Graph API reference pages for Comment, Page Conversations/Message, IG Comment,
IG Media, Page Roles / Assigned Users and the Webhooks references (`page` feed, Messenger
`messaging`, `instagram` comments/mentions/messages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from ..base import Author, IncomingInteraction, InteractionKind, PlatformAdministrator, Verb

#: Page tasks that let a person keep the page (publish, answer, moderate). ANALYZE/ADVERTISE
#: alone do not make an administrator (ylläpitäjä) in the guideline's sense.
ADMIN_TASKS = ("MANAGE", "CREATE_CONTENT", "MODERATE", "MESSAGING")

FEED_VERBS = {
    "add": Verb.ADD,
    "edited": Verb.EDITED,
    "edit": Verb.EDITED,
    "remove": Verb.REMOVED,
    "delete": Verb.REMOVED,
    "hide": Verb.HIDDEN,
    "unhide": Verb.UNHIDDEN,
}


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def ident(value: Any) -> str:
    """Graph ids come as strings, but webhooks sometimes send numbers."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip()
    return ""


def obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def parse_time(value: Any) -> dt.datetime | None:
    """Graph's `2025-10-10T12:34:56+0000`, unix seconds, or Messenger's unix milliseconds."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        seconds = float(value)
        if seconds > 1e11:           # milliseconds
            seconds /= 1000
        try:
            return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(value, str) and value:
        if value.isdigit():
            return parse_time(int(value))
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def fb_comment(
    item: Mapping[str, Any], *, page_id: str, post_id: str, post_permalink: str = ""
) -> IncomingInteraction | None:
    """A Comment node from `GET /{post-id}/comments` (fields id,message,from,created_time,parent{id},…)."""
    comment_id = ident(item.get("id"))
    created = parse_time(item.get("created_time"))
    if not comment_id or created is None:
        return None
    author = obj(item.get("from"))
    parent = ident(obj(item.get("parent")).get("id"))
    attachment = obj(item.get("attachment"))
    media_url = text(obj(obj(attachment.get("media")).get("image")).get("src"))
    return IncomingInteraction(
        platform_id=comment_id,
        kind=InteractionKind.REPLY if parent else InteractionKind.COMMENT,
        verb=Verb.ADD,
        text=text(item.get("message")),
        author=Author(platform_id=ident(author.get("id")), name=text(author.get("name"))),
        created_at=created,
        channel_platform_id=page_id,
        post_id=post_id,
        parent_id=parent or post_id,
        thread_id=post_id,
        permalink=text(item.get("permalink_url")) or post_permalink,
        media_urls=(media_url,) if media_url else (),
        from_us=bool(page_id) and ident(author.get("id")) == page_id,
        extra={"is_hidden": "true"} if item.get("is_hidden") is True else {},
        raw=dict(item),
    )


def fb_message(
    item: Mapping[str, Any], *, page_id: str, conversation_id: str, channel_platform_id: str = ""
) -> IncomingInteraction | None:
    """A Message node from `GET /{page-id}/conversations?fields=messages{id,message,from,to,created_time}`."""
    message_id = ident(item.get("id"))
    created = parse_time(item.get("created_time"))
    if not message_id or created is None:
        return None
    sender = obj(item.get("from"))
    sender_id = ident(sender.get("id"))
    from_us = bool(page_id) and sender_id == page_id
    recipient_id = sender_id
    if from_us:
        recipients = obj(item.get("to")).get("data")
        if isinstance(recipients, list):
            others = [ident(obj(r).get("id")) for r in recipients if ident(obj(r).get("id")) != page_id]
            recipient_id = next((o for o in others if o), "")
    return IncomingInteraction(
        platform_id=message_id,
        kind=InteractionKind.MESSAGE,
        verb=Verb.ADD,
        text=text(item.get("message")),
        author=Author(
            platform_id=sender_id,
            name=text(sender.get("name")),
            handle=text(sender.get("username")),
        ),
        created_at=created,
        channel_platform_id=channel_platform_id or page_id,
        thread_id=recipient_id or conversation_id,   # the other party, as in webhooks
        from_us=from_us,
        extra={"recipient_id": recipient_id, "conversation_id": conversation_id} if recipient_id else {"conversation_id": conversation_id},
        raw=dict(item),
    )


def ig_comment(
    item: Mapping[str, Any], *, ig_user_id: str, username: str, media_id: str, media_permalink: str = "",
    parent_id: str = "",
) -> IncomingInteraction | None:
    """An IG Comment from `GET /{ig-media-id}/comments` (id,text,timestamp,username,from,hidden,parent_id)."""
    comment_id = ident(item.get("id"))
    created = parse_time(item.get("timestamp"))
    if not comment_id or created is None:
        return None
    sender = obj(item.get("from"))
    handle = text(item.get("username")) or text(sender.get("username"))
    sender_id = ident(sender.get("id"))
    parent = ident(item.get("parent_id")) or parent_id
    from_us = (bool(ig_user_id) and sender_id == ig_user_id) or (
        bool(username) and handle.lower() == username.lower().lstrip("@")
    )
    return IncomingInteraction(
        platform_id=comment_id,
        kind=InteractionKind.REPLY if parent else InteractionKind.COMMENT,
        verb=Verb.ADD,
        text=text(item.get("text")),
        author=Author(platform_id=sender_id, name=handle, handle=handle),
        created_at=created,
        channel_platform_id=ig_user_id,
        post_id=media_id,
        parent_id=parent or media_id,
        thread_id=media_id,
        permalink=media_permalink,
        from_us=from_us,
        extra={"is_hidden": "true"} if item.get("hidden") is True else {},
        raw={k: v for k, v in item.items() if k != "replies"},
    )


def ig_comments_with_replies(
    item: Mapping[str, Any], *, ig_user_id: str, username: str, media_id: str, media_permalink: str = ""
) -> list[IncomingInteraction]:
    found: list[IncomingInteraction] = []
    top = ig_comment(item, ig_user_id=ig_user_id, username=username, media_id=media_id, media_permalink=media_permalink)
    if top is None:
        return found
    found.append(top)
    replies = obj(item.get("replies")).get("data")
    if isinstance(replies, list):
        for reply in replies:
            if isinstance(reply, Mapping):
                parsed = ig_comment(
                    reply, ig_user_id=ig_user_id, username=username, media_id=media_id,
                    media_permalink=media_permalink, parent_id=top.platform_id,
                )
                if parsed is not None:
                    found.append(parsed)
    return found


def ig_tagged_media(item: Mapping[str, Any], *, ig_user_id: str) -> IncomingInteraction | None:
    """A media object from `GET /{ig-user-id}/tags`: someone tagged the account (a mention)."""
    media_id = ident(item.get("id"))
    created = parse_time(item.get("timestamp"))
    if not media_id or created is None:
        return None
    handle = text(item.get("username"))
    url = text(item.get("media_url"))
    return IncomingInteraction(
        platform_id=media_id,
        kind=InteractionKind.MENTION,
        verb=Verb.ADD,
        text=text(item.get("caption")),
        author=Author(platform_id="", name=handle, handle=handle),
        created_at=created,
        channel_platform_id=ig_user_id,
        post_id=media_id,
        thread_id=media_id,
        permalink=text(item.get("permalink")),
        media_urls=(url,) if url else (),
        extra={"media_id": media_id},
        raw=dict(item),
    )


def _strongest_task(tasks: Iterable[str]) -> str:
    present = set(tasks)
    for task in ("MANAGE", "CREATE_CONTENT", "MODERATE", "MESSAGING", "ADVERTISE", "ANALYZE"):
        if task in present:
            return task
    return ""


def page_administrators(*sources: Iterable[Mapping[str, Any]]) -> list[PlatformAdministrator]:
    """People from `/{page-id}/roles` and business users from `/{page-id}/assigned_users`.

    Each has `id`, `name` and `tasks` (e.g. ["ANALYZE","ADVERTISE","MODERATE","CREATE_CONTENT","MANAGE"]);
    older answers carry `role` ("Admin", "Editor") instead. The role we keep is the strongest task.
    Only people who can keep the page (ADMIN_TASKS) count; one person listed twice counts once.
    """
    found: dict[str, PlatformAdministrator] = {}
    for source in sources:
        for item in source:
            user_id = ident(item.get("id"))
            if not user_id or user_id in found:
                continue
            raw_tasks = item.get("tasks")
            tasks = [t.upper() for t in raw_tasks if isinstance(t, str)] if isinstance(raw_tasks, list) else []
            role = _strongest_task(tasks) or text(item.get("role")).upper()
            if tasks and not any(t in ADMIN_TASKS for t in tasks):
                continue
            if not role:
                continue
            found[user_id] = PlatformAdministrator(
                platform_user_id=user_id, name=text(item.get("name")), email=text(item.get("email")), role=role,
            )
    return list(found.values())
