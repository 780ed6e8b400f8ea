"""A channel's connection to its platform (yhteys): the token, its health, who holds the page.

Inbox and publishing reach a platform only through `connector_for_channel` and report every
outcome to `record_connection_outcome`, so the channel page always shows how the connection is.
The token is stored encrypted (core.crypto) and is never written to a log, an audit event, a
page or an error message; only whether one is set and when it expires are shown.

Who holds the page on the platform (MAINT-ADMINS)
-------------------------------------------------
The guideline wants several *named* administrators for each service. Somevahti compares the
people the platform lists as holding the page with the administrators registered for the
channel, so that an account nobody named (or somebody who has left) does not keep the page.

Roles that count: those that can publish as the page or change who holds it. On Meta these are
the page tasks MANAGE (the old "Admin") and CREATE_CONTENT (the old "Editor"), and the older
role words ADMIN/ADMINISTRATOR/EDITOR. Moderating and reading tasks (MODERATE, MESSAGING,
ADVERTISE, ANALYZE) are listed but not compared: they cannot change what the page says or who
keeps it, and Somevahti's own system user has exactly those. A platform that does not say the
role lists only people who hold the account, so an empty role counts.

How a platform user is matched to a person, in this order:

1. The platform user id recorded on one of the person's administrator periods of this channel
   (`ChannelAdministrator.platform_user_id`, set on the channel page). Ids are per channel
   because a person's Facebook, Instagram or Mastodon identities differ, and Meta's ids are
   scoped to the app that reads them.
2. The e-mail address, when the platform gives one, equal (case aside) to a person's work e-mail
   in the organization.

A matched person who has left the organization (`Person.active_until` before today) is "left";
one with a current administrator period of the channel is "matched"; everyone else, matched to
a person or not, is "not registered".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from somevahti.connectors.base import (
    Capability,
    Connector,
    Credentials,
    Outcome,
    PlatformAdministrator,
    Result,
)
from somevahti.connectors.registry import connector_for
from somevahti.core import audit
from somevahti.core.audit import Actor
from somevahti.core.calendar import HELSINKI
from somevahti.core.crypto import SecretUnreadable
from somevahti.guideline.queries import rule_parameters
from somevahti.people.models import Person

from .models import Channel, ChannelAdministrator, ChannelConnection, Platform

log = logging.getLogger(__name__)

RULE_CODE = "MAINT-ADMINS"
#: Page roles that hold the page (see the module docstring); compared in upper case.
HOLDING_ROLES = frozenset({"MANAGE", "CREATE_CONTENT", "ADMIN", "ADMINISTRATOR", "EDITOR"})
#: Days before a known token expiry that the administrators are warned, unless the rule says.
TOKEN_WARNING_DAYS = 14
#: Platforms whose server address is part of the connection (an instance, a PDS).
SERVER_PLATFORMS = frozenset({Platform.MASTODON, Platform.BLUESKY})
MAX_TOKEN_LENGTH = 8192


# --- reaching the platform --------------------------------------------------------------------


def connector_for_channel(channel: Channel) -> Connector:
    """The channel's adapter with its decrypted token (SecretUnreadable when the key changed)."""
    connection = ChannelConnection.objects.filter(channel=channel).first()
    credentials = Credentials(
        platform_id=channel.platform_id,
        token=connection.get_token() if connection else "",
        base_url=connection.base_url if connection else "",
        handle=channel.handle,
    )
    return connector_for(channel.platform, credentials)


_HEALTH = {
    Outcome.OK: ChannelConnection.Health.OK,
    Outcome.PENDING: ChannelConnection.Health.OK,
    Outcome.NOT_FOUND: ChannelConnection.Health.OK,
    Outcome.RATE_LIMITED: ChannelConnection.Health.RATE_LIMITED,
    Outcome.UNAUTHORIZED: ChannelConnection.Health.UNAUTHORIZED,
    Outcome.FAILED: ChannelConnection.Health.FAILED,
}


def record_connection_outcome(*, channel: Channel, result: Result, now: dt.datetime | None = None) -> ChannelConnection:
    """Keep the channel's connection health; a newly expired token e-mails its administrators."""
    now = now or timezone.now()
    connection, _created = ChannelConnection.objects.get_or_create(channel=channel)
    previous = connection.health
    health = _HEALTH[result.outcome]
    connection.health = health
    connection.health_message = result.message[:2000]
    connection.health_checked_at = now
    if result.usage:
        connection.rate_usage = dict(result.usage)
    connection.retry_after = (
        now + dt.timedelta(seconds=result.retry_after) if result.outcome == Outcome.RATE_LIMITED and result.retry_after else None
    )
    connection.save()
    if health != previous:
        audit.record(
            "channels.connection_health_changed",
            target=connection,
            organization_id=channel.organization_id,
            data={"from": previous, "to": health},
        )
        if health == ChannelConnection.Health.UNAUTHORIZED:
            from .notifications import notify_token_problem

            try:
                notify_token_problem(channel=channel, message=result.message, now=now)
            except Exception:  # mail down: the health change is recorded and shown on the channel page
                log.exception("could not e-mail the administrators of channel %s", channel.pk)
    return connection


# --- setting and rotating the token -----------------------------------------------------------


class ConnectionSettingsError(ValueError):
    """Bad connection settings; `errors` maps each field (token, base_url, expires_at) to a translated message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


def connection_settings_errors(
    *, channel: Channel, token: str, base_url: str | None, expires_at: dt.datetime | None, now: dt.datetime
) -> dict[str, str]:
    """What is wrong with new connection settings, by field; {} when they can be stored.

    The messages never repeat the token.
    """
    errors: dict[str, str] = {}
    token = token.strip()
    if not token:
        errors["token"] = _("Enter the access token.")
    elif any(ch.isspace() or not ch.isprintable() for ch in token):
        errors["token"] = _("The access token must not contain spaces or line breaks. Copy it again from the platform.")
    elif len(token) > MAX_TOKEN_LENGTH:
        errors["token"] = _("The access token is longer than %(max)s characters. Copy it again from the platform.") % {
            "max": MAX_TOKEN_LENGTH
        }
    if channel.platform in SERVER_PLATFORMS:
        address = (base_url or "").strip()
        if address:
            if not address.lower().startswith("https://"):
                errors["base_url"] = _("The server address must start with https://.")
            else:
                try:
                    URLValidator(schemes=["https"])(address)
                except ValidationError:
                    errors["base_url"] = _("Enter the server address as a web address, such as https://mastodon.example.")
        elif channel.platform == Platform.MASTODON:
            stored = base_url is None and ChannelConnection.objects.filter(channel=channel).exclude(base_url="").exists()
            if not stored:
                errors["base_url"] = _("Enter the address of the Mastodon server, such as https://mastodon.example.")
    elif base_url:
        errors["base_url"] = _("%(platform)s needs no server address.") % {"platform": channel.get_platform_display()}
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = _("The expiry must be later than today. Enter the day the new token expires, or leave it empty.")
    return errors


@transaction.atomic
def set_channel_token(
    *,
    channel: Channel,
    token: str,
    base_url: str | None = None,
    expires_at: dt.datetime | None = None,
    by: Actor,
    now: dt.datetime | None = None,
) -> ChannelConnection:
    """Store a new token for the channel (encrypted), replacing any earlier one.

    `base_url` is the server of a Mastodon or Bluesky account (None keeps the stored one);
    `expires_at` the token's expiry when the platform tells it (None: not known). The health
    of the old token no longer tells anything, so it goes back to "not checked yet".
    Nothing is stored when any value is wrong (ConnectionSettingsError).
    """
    now = now or timezone.now()
    errors = connection_settings_errors(channel=channel, token=token, base_url=base_url, expires_at=expires_at, now=now)
    if errors:
        raise ConnectionSettingsError(errors)
    connection, _created = ChannelConnection.objects.select_for_update().get_or_create(channel=channel)
    replaced = bool(connection.token_encrypted)
    connection.set_token(token.strip())
    if channel.platform in SERVER_PLATFORMS and base_url is not None:
        connection.base_url = base_url.strip().rstrip("/")
    connection.token_expires_at = expires_at
    connection.expiry_warning_sent_for = None
    connection.health = ChannelConnection.Health.UNKNOWN
    connection.health_message = ""
    connection.retry_after = None
    connection.save()
    audit.record(
        "channels.token_rotated",
        target=connection,
        actor=by,
        organization_id=channel.organization_id,
        data={
            "channel": channel.key,
            "replaced": replaced,
            "server": connection.base_url,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    return connection


# --- checking the connection ------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionCheck:
    connection: ChannelConnection
    result: Result
    administrators_read: bool


def _holders_json(holders: Iterable[PlatformAdministrator]) -> list[dict[str, str]]:
    return [
        {"platform_user_id": h.platform_user_id, "name": h.name, "email": h.email, "role": h.role}
        for h in sorted(holders, key=lambda h: (h.name.casefold(), h.platform_user_id))
    ]


def check_connection(*, channel: Channel, now: dt.datetime | None = None, by: Actor = None) -> ConnectionCheck:
    """Ask the platform whether the token works; where it can tell, also who holds the page.

    The outcome (health, message, rate usage, retry-after) is recorded as for any other call.
    The holders are stored only when the platform answered; on trouble the last good list stays.
    """
    now = now or timezone.now()
    try:
        connector = connector_for_channel(channel)
    except SecretUnreadable:
        result = Result(
            Outcome.UNAUTHORIZED,
            message="The stored token cannot be decrypted with the configured encryption key. Enter the token again.",
        )
        connection = record_connection_outcome(channel=channel, result=result, now=now)
        return ConnectionCheck(connection=connection, result=result, administrators_read=False)
    result = connector.health()
    connection = record_connection_outcome(channel=channel, result=result, now=now)
    read = False
    if result.ok and Capability.ROLES in connector.capabilities:
        holders = connector.administrators()
        outcome: Result | None = getattr(connector, "last_result", None)
        if outcome is None or outcome.ok:
            read = True
            stored = _holders_json(holders)
            changed = stored != connection.platform_administrators
            connection.platform_administrators = stored
            connection.platform_administrators_read_at = now
            connection.save(update_fields=["platform_administrators", "platform_administrators_read_at", "updated_at"])
            if changed:
                audit.record(
                    "channels.platform_administrators_changed",
                    target=connection,
                    organization_id=channel.organization_id,
                    data={"channel": channel.key, "count": len(stored)},
                )
        else:
            log.info("channel %s: the page's roles could not be read (%s)", channel.pk, outcome.outcome)
    if by is not None:
        audit.record(
            "channels.connection_checked",
            target=connection,
            actor=by,
            organization_id=channel.organization_id,
            data={"channel": channel.key, "health": connection.health, "holders_read": read},
        )
    return ConnectionCheck(connection=connection, result=result, administrators_read=read)


# --- token expiry -----------------------------------------------------------------------------


def token_warning_days(organization: Any) -> int:
    return int(rule_parameters(organization=organization, code=RULE_CODE).get("token_warning_days", TOKEN_WARNING_DAYS))


def warn_token_expiry(*, connection: ChannelConnection, now: dt.datetime | None = None) -> bool:
    """E-mail the channel's administrators about the token's expiry, once for each expiry."""
    now = now or timezone.now()
    expires = connection.token_expires_at
    if expires is None:
        return False
    previous = connection.expiry_warning_sent_for
    # Claim the warning first, so that two workers never both send it.
    claimed = (
        ChannelConnection.objects.filter(pk=connection.pk, token_expires_at=expires)
        .exclude(expiry_warning_sent_for=expires)
        .update(expiry_warning_sent_for=expires)
    )
    if not claimed:
        return False
    from .notifications import notify_token_expiring

    try:
        recipients = notify_token_expiring(channel=connection.channel, expires_at=expires, now=now)
    except Exception:  # mail down: give the claim back, tomorrow's run tries again
        ChannelConnection.objects.filter(pk=connection.pk, expiry_warning_sent_for=expires).update(
            expiry_warning_sent_for=previous
        )
        log.exception("could not warn the administrators of channel %s about the token's expiry", connection.channel_id)
        return False
    connection.expiry_warning_sent_for = expires
    audit.record(
        "channels.token_expiry_warned",
        target=connection,
        organization_id=connection.channel.organization_id,
        data={"expires_at": expires.isoformat(), "recipients": len(recipients)},
    )
    return True


def warn_expiring_tokens(*, now: dt.datetime | None = None) -> int:
    """Warn about every active channel's token that expires within the rule's warning days."""
    now = now or timezone.now()
    days: dict[int, int] = {}
    sent = 0
    connections = (
        ChannelConnection.objects.filter(channel__status=Channel.Status.ACTIVE, token_expires_at__isnull=False)
        .exclude(token_encrypted="")
        .select_related("channel", "channel__organization")
    )
    for connection in connections:
        if connection.expiry_warning_sent_for == connection.token_expires_at:
            continue
        organization = connection.channel.organization
        if organization.pk not in days:
            days[organization.pk] = token_warning_days(organization)
        assert connection.token_expires_at is not None
        if connection.token_expires_at - now > dt.timedelta(days=days[organization.pk]):
            continue
        if warn_token_expiry(connection=connection, now=now):
            sent += 1
    return sent


# --- who holds the page -----------------------------------------------------------------------


class HolderState(StrEnum):
    MATCHED = "matched"                 # a registered administrator of the channel
    NOT_REGISTERED = "not_registered"   # holds the page but is not registered for it
    LEFT = "left"                       # has left the organization but still holds the page
    NOT_COMPARED = "not_compared"       # a moderating or reading role: listed only


def holds_the_page(role: str) -> bool:
    return not role or role.upper() in HOLDING_ROLES


@dataclass(frozen=True)
class PlatformHolder:
    platform_user_id: str
    name: str                  # as the platform gives it
    email: str
    role: str
    person: Person | None
    state: HolderState

    @property
    def display_name(self) -> str:
        return self.person.name if self.person is not None else (self.name or self.platform_user_id)

    @property
    def left_on(self) -> str:
        if self.person is None or self.person.active_until is None:
            return ""
        return date_format(self.person.active_until, "j.n.Y")


def compare_for_channels(*, channels: list[Channel], now: dt.datetime | None = None) -> dict[int, list[PlatformHolder]]:
    """Each channel's platform holders (as last read) beside its registered administrators."""
    now = now or timezone.now()
    today = now.astimezone(HELSINKI).date()
    result: dict[int, list[PlatformHolder]] = {c.pk: [] for c in channels}
    connections = {
        c.channel_id: c
        for c in ChannelConnection.objects.filter(channel__in=channels, platform_administrators_read_at__isnull=False)
    }
    if not connections:
        return result
    by_id: dict[tuple[int, str], Person] = {}
    current: dict[int, set[int]] = defaultdict(set)
    for admin in ChannelAdministrator.objects.filter(channel_id__in=connections).select_related("person").order_by("since"):
        if admin.platform_user_id:
            by_id[(admin.channel_id, admin.platform_user_id)] = admin.person  # the latest period wins
        if admin.since <= now and (admin.until is None or admin.until > now):
            current[admin.channel_id].add(admin.person_id)
    emails = {
        str(h.get("email", "")).casefold()
        for c in connections.values()
        for h in c.platform_administrators
        if isinstance(h, dict) and h.get("email")
    }
    by_email: dict[str, Person] = {}
    if emails:
        organization_ids = {c.organization_id for c in channels}
        for candidate in Person.objects.filter(organization_id__in=organization_ids):
            if candidate.email.casefold() in emails:
                by_email[f"{candidate.organization_id}:{candidate.email.casefold()}"] = candidate
    for channel in channels:
        connection = connections.get(channel.pk)
        if connection is None:
            continue
        for item in connection.platform_administrators:
            if not isinstance(item, dict):
                continue
            uid = str(item.get("platform_user_id", ""))
            email = str(item.get("email", ""))
            role = str(item.get("role", ""))
            person = by_id.get((channel.pk, uid)) if uid else None
            if person is None and email:
                person = by_email.get(f"{channel.organization_id}:{email.casefold()}")
            if not holds_the_page(role):
                state = HolderState.NOT_COMPARED
            elif person is not None and person.active_until is not None and person.active_until < today:
                state = HolderState.LEFT
            elif person is not None and person.pk in current[channel.pk]:
                state = HolderState.MATCHED
            else:
                state = HolderState.NOT_REGISTERED
            result[channel.pk].append(
                PlatformHolder(
                    platform_user_id=uid, name=str(item.get("name", "")), email=email, role=role, person=person, state=state
                )
            )
    return result


def compare_platform_administrators(*, channel: Channel, now: dt.datetime | None = None) -> list[PlatformHolder]:
    return compare_for_channels(channels=[channel], now=now)[channel.pk]


class LinkError(ValueError):
    """A platform user cannot be linked to that person; the message is translated."""


@transaction.atomic
def link_platform_user(*, channel: Channel, person: Person, platform_user_id: str, by: Actor) -> int:
    """Record that `platform_user_id` on the channel's platform is `person`; returns the periods changed.

    The id goes on each of the person's administrator periods of the channel and off anyone
    else's there, so one platform user is one person.
    """
    uid = platform_user_id.strip()
    if not uid or len(uid) > 200:
        raise LinkError(_("The platform user id is missing or too long."))
    if person.organization_id != channel.organization_id:
        raise LinkError(_("Choose a person of this organization."))
    periods = ChannelAdministrator.objects.filter(channel=channel, person=person)
    if not periods.exists():
        raise LinkError(
            _("%(name)s has no administrator period on %(channel)s. Add one first.")
            % {"name": person.name, "channel": str(channel)}
        )
    ChannelAdministrator.objects.filter(channel=channel, platform_user_id=uid).exclude(person=person).update(platform_user_id="")
    changed = periods.update(platform_user_id=uid)
    audit.record(
        "channels.platform_user_linked",
        target=channel,
        actor=by,
        data={"channel": channel.key, "person": person.email, "platform_user_id": uid},
    )
    return changed
