"""Canned replies and official positions (valmiit vastaukset ja viralliset kannat).

The guideline's EMP-CORRECTION clause lets the employer state the official position; the
communications lead keeps these texts, the administrators use them when they answer.
Every change is audited.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from somevahti.core import audit
from somevahti.people.models import Organization

from .models import CannedReply
from .services import InboxError

MAX_TITLE = 200
MAX_TEXT = 8000


def _validated(*, kind: str, language: str, title: str, text: str) -> tuple[str, str, str, str]:
    title, text = title.strip(), text.strip()
    if kind not in CannedReply.Kind.values:
        raise InboxError(_("Unknown kind of canned reply: %(kind)s.") % {"kind": kind})
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise InboxError(_("Unknown language: %(language)s.") % {"language": language})
    if not title:
        raise InboxError(_("Give the canned reply a title."))
    if len(title) > MAX_TITLE:
        raise InboxError(_("The title is too long (at most %(max)s characters).") % {"max": MAX_TITLE})
    if not text:
        raise InboxError(_("The text of the canned reply is empty."))
    if len(text) > MAX_TEXT:
        raise InboxError(_("The text is too long (at most %(max)s characters).") % {"max": MAX_TEXT})
    return kind, language, title, text


@transaction.atomic
def create_canned_reply(
    *, organization: Organization, kind: str, language: str, title: str, text: str, by: AbstractBaseUser | None
) -> CannedReply:
    kind, language, title, text = _validated(kind=kind, language=language, title=title, text=text)
    row = CannedReply.objects.create(organization=organization, kind=kind, language=language, title=title, text=text)
    audit.record("inbox.canned_reply_created", target=row, actor=by, data={"kind": kind, "language": language, "title": title})
    return row


@transaction.atomic
def update_canned_reply(
    *, canned: CannedReply, kind: str, language: str, title: str, text: str, by: AbstractBaseUser | None
) -> CannedReply:
    kind, language, title, text = _validated(kind=kind, language=language, title=title, text=text)
    before = {"kind": canned.kind, "language": canned.language, "title": canned.title, "text": canned.text}
    canned.kind, canned.language, canned.title, canned.text = kind, language, title, text
    canned.save()
    changed = sorted(key for key, value in before.items() if getattr(canned, key) != value)
    audit.record("inbox.canned_reply_updated", target=canned, actor=by, data={"title": title, "changed": changed})
    return canned


@transaction.atomic
def delete_canned_reply(*, canned: CannedReply, by: AbstractBaseUser | None) -> None:
    audit.record(
        "inbox.canned_reply_deleted",
        target=canned,
        actor=by,
        data={"kind": canned.kind, "language": canned.language, "title": canned.title, "text": canned.text},
    )
    canned.delete()
