"""A channel's connection: the token, its checks, its expiry, and who holds the page (MAINT-ADMINS)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from somevahti.channels.connections import (
    ConnectionSettingsError,
    HolderState,
    check_connection,
    compare_platform_administrators,
    link_platform_user,
    set_channel_token,
    warn_expiring_tokens,
)
from somevahti.channels.models import Channel, ChannelAdministrator, ChannelConnection
from somevahti.channels.tasks import check_connections_task, warn_expiring_tokens_task
from somevahti.connectors import fake
from somevahti.connectors.base import Outcome, PlatformAdministrator
from somevahti.core.models import AuditEvent
from somevahti.guideline.models import Finding, Rule
from somevahti.guideline.services import evaluate_rules
from tests.factories import PersonFactory, make_user_person

T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)  # a Wednesday, noon in Helsinki
TOKEN = "EAAG-very-secret-page-token-0001"
NEW_TOKEN = "EAAG-very-secret-page-token-0002"


@pytest.fixture
def aino(channel):  # type: ignore[no-untyped-def]
    _user, person = make_user_person(channel.organization, roles=["channel_admin"], name="Aino Ylläpitäjä", email="aino@joroinen.fi")
    ChannelAdministrator.objects.create(
        channel=channel, person=person, role="admin", since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), platform_user_id="8001"
    )
    return person


@pytest.fixture
def platform(channel):  # type: ignore[no-untyped-def]
    return fake.account("facebook", channel.platform_id)


def all_audit_data() -> str:
    return json.dumps(list(AuditEvent.objects.values("action", "data", "target_label")), default=str)


def open_findings(organization) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(f.text for f in Finding.objects.filter(organization=organization, resolved_at__isnull=True, rule_code="MAINT-ADMINS"))


# --- setting and rotating the token ----------------------------------------------------------


def test_set_channel_token__stores_it_encrypted_and_audits_without_it(channel, aino):
    expires = T0 + dt.timedelta(days=60)
    connection = set_channel_token(channel=channel, token=f"  {TOKEN}\n", expires_at=expires, by=aino.user, now=T0)

    connection.refresh_from_db()
    assert connection.get_token() == TOKEN
    assert TOKEN not in connection.token_encrypted
    assert connection.token_expires_at == expires
    event = AuditEvent.objects.get(action="channels.token_rotated")
    assert event.data["replaced"] is False and event.actor == aino.user
    assert TOKEN not in all_audit_data()


def test_set_channel_token__a_rotation_replaces_the_token_and_forgets_the_old_health(channel, aino):
    set_channel_token(channel=channel, token=TOKEN, expires_at=T0 + dt.timedelta(days=5), by=aino.user, now=T0)
    ChannelConnection.objects.filter(channel=channel).update(health="unauthorized", expiry_warning_sent_for=T0 + dt.timedelta(days=5))

    connection = set_channel_token(channel=channel, token=NEW_TOKEN, by=aino.user, now=T0)

    connection.refresh_from_db()
    assert connection.get_token() == NEW_TOKEN
    assert connection.health == "unknown" and connection.token_expires_at is None and connection.expiry_warning_sent_for is None
    assert AuditEvent.objects.filter(action="channels.token_rotated").order_by("pk").last().data["replaced"] is True
    assert TOKEN not in all_audit_data() and NEW_TOKEN not in all_audit_data()


@pytest.mark.parametrize(
    ("platform_name", "token", "base_url", "expires_at", "field", "words"),
    [
        ("facebook", "   ", None, None, "token", "Enter the access token"),
        ("facebook", "EAAG secret", None, None, "token", "must not contain spaces"),
        ("facebook", TOKEN, "https://graph.example", None, "base_url", "Facebook needs no server address"),
        ("facebook", TOKEN, None, T0 - dt.timedelta(days=1), "expires_at", "later than today"),
        ("mastodon", TOKEN, "http://mastodon.example", None, "base_url", "must start with https://"),
        ("mastodon", TOKEN, "https://not a server", None, "base_url", "as a web address"),
        ("mastodon", TOKEN, "", None, "base_url", "address of the Mastodon server"),
    ],
)
def test_set_channel_token__bad_input_says_what_and_changes_nothing(
    organization, aino, platform_name, token, base_url, expires_at, field, words
):
    channel = Channel.objects.create(
        organization=organization, key=f"{platform_name}-x", platform=platform_name, name="Kunta", status="active"
    )
    first_url = "https://some.joroinen.fi" if platform_name == "mastodon" else None
    set_channel_token(channel=channel, token="first-token", base_url=first_url, by=aino.user, now=T0)
    audits = AuditEvent.objects.count()

    with pytest.raises(ConnectionSettingsError) as raised:
        set_channel_token(channel=channel, token=token, base_url=base_url, expires_at=expires_at, by=aino.user, now=T0)

    assert words in raised.value.errors[field]
    assert TOKEN not in str(raised.value)
    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.get_token() == "first-token" and connection.base_url == (first_url or "")
    assert AuditEvent.objects.count() == audits


def test_set_channel_token__keeps_a_mastodon_server_and_trims_its_slash(organization, aino):
    channel = Channel.objects.create(organization=organization, key="m", platform="mastodon", name="Kunta", status="active")
    set_channel_token(channel=channel, token=TOKEN, base_url="https://some.joroinen.fi/", by=aino.user, now=T0)
    connection = set_channel_token(channel=channel, token=NEW_TOKEN, base_url=None, by=aino.user, now=T0)
    assert connection.base_url == "https://some.joroinen.fi"


# --- checking the connection -----------------------------------------------------------------


def test_check_connection__records_health_and_who_holds_the_page(channel, aino, platform):
    platform.administrators = [
        PlatformAdministrator("8001", "Aino Ylläpitäjä", role="MANAGE"),
        PlatformAdministrator("8002", "Ville Vieras", role="CREATE_CONTENT"),
    ]

    check = check_connection(channel=channel, now=T0)

    connection = ChannelConnection.objects.get(channel=channel)
    assert check.administrators_read and connection.health == "ok" and connection.health_checked_at == T0
    assert [h["name"] for h in connection.platform_administrators] == ["Aino Ylläpitäjä", "Ville Vieras"]
    assert connection.platform_administrators_read_at == T0
    assert AuditEvent.objects.filter(action="channels.platform_administrators_changed").count() == 1


def test_check_connection__a_refused_token_is_recorded_and_emailed_once(channel, aino, platform, mailoutbox):
    set_channel_token(channel=channel, token=TOKEN, by=aino.user, now=T0)
    platform.administrators = [PlatformAdministrator("8001", "Aino Ylläpitäjä", role="MANAGE")]
    check_connection(channel=channel, now=T0)
    platform.valid_token = "another-token"  # the page's token was revoked on the platform
    platform.administrators = []

    check_connection(channel=channel, now=T0 + dt.timedelta(days=1))
    check_connection(channel=channel, now=T0 + dt.timedelta(days=2))

    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.health == "unauthorized" and "expired or was revoked" in connection.health_message
    assert [m.to for m in mailoutbox] == [["aino@joroinen.fi"]]
    assert TOKEN not in mailoutbox[0].body
    assert [h["name"] for h in connection.platform_administrators] == ["Aino Ylläpitäjä"]  # the last good read stays
    assert connection.platform_administrators_read_at == T0


def test_check_connection__a_rate_limit_keeps_when_to_try_again(channel, platform):
    platform.fail_next.append(Outcome.RATE_LIMITED)

    check_connection(channel=channel, now=T0)

    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.health == "rate_limited" and connection.retry_after == T0 + dt.timedelta(seconds=60)
    assert connection.platform_administrators_read_at is None


def test_check_connection__a_token_that_cannot_be_decrypted_asks_for_it_again(channel):
    ChannelConnection.objects.create(channel=channel, token_encrypted="not-a-fernet-token")

    check_connection(channel=channel, now=T0)

    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.health == "unauthorized" and "Enter the token again" in connection.health_message


def test_check_connections_task__checks_every_active_channel(channel, organization):
    archived = Channel.objects.create(organization=organization, key="old", platform="facebook", name="Vanha", status="archived")

    assert check_connections_task.call() == 1

    assert ChannelConnection.objects.get(channel=channel).health == "ok"
    assert not ChannelConnection.objects.filter(channel=archived).exists()


# --- token expiry --------------------------------------------------------------------------


def test_warn_expiring_tokens__warns_once_per_expiry_within_the_rules_days(channel, aino, mailoutbox):
    set_channel_token(channel=channel, token=TOKEN, expires_at=T0 + dt.timedelta(days=20), by=aino.user, now=T0)

    assert warn_expiring_tokens(now=T0) == 0  # 20 days left, the rule says 14
    assert warn_expiring_tokens(now=T0 + dt.timedelta(days=7)) == 1
    assert warn_expiring_tokens(now=T0 + dt.timedelta(days=8)) == 0
    assert warn_expiring_tokens(now=T0 + dt.timedelta(days=19)) == 0

    assert [m.to for m in mailoutbox] == [["aino@joroinen.fi"]]
    assert "15.12.2026" in mailoutbox[0].subject and "13 days" in mailoutbox[0].body
    assert TOKEN not in mailoutbox[0].body

    set_channel_token(channel=channel, token=NEW_TOKEN, expires_at=T0 + dt.timedelta(days=30), by=aino.user, now=T0 + dt.timedelta(days=19))
    assert warn_expiring_tokens(now=T0 + dt.timedelta(days=19)) == 1  # a new token, a new expiry
    assert len(mailoutbox) == 2


def test_warn_expiring_tokens__the_number_of_days_is_the_rules(channel, aino, mailoutbox):
    Rule.objects.filter(guideline__organization=channel.organization, code="MAINT-ADMINS").update(
        parameters={"min_admins": 2, "horizon_days": 180, "token_warning_days": 30}
    )
    set_channel_token(channel=channel, token=TOKEN, expires_at=T0 + dt.timedelta(days=20), by=aino.user, now=T0)
    assert warn_expiring_tokens(now=T0) == 1


def test_warn_expiring_tokens_task__sends_over_smtp_once(channel, aino, smtp_server):
    set_channel_token(channel=channel, token=TOKEN, expires_at=timezone.now() + dt.timedelta(days=10), by=aino.user)

    assert warn_expiring_tokens_task.call() == 1
    assert warn_expiring_tokens_task.call() == 0

    [message] = smtp_server.to("aino@joroinen.fi")
    assert "Joroisten kunta" in str(message["Subject"])
    assert TOKEN not in message.as_string()
    assert AuditEvent.objects.filter(action="channels.token_expiry_warned").count() == 1


def test_warn_expiring_tokens__a_failed_send_is_tried_again_the_next_day(channel, aino, settings, mailoutbox):
    set_channel_token(channel=channel, token=TOKEN, expires_at=T0 + dt.timedelta(days=10), by=aino.user, now=T0)
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1}}}

    assert warn_expiring_tokens(now=T0) == 0

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    assert warn_expiring_tokens(now=T0 + dt.timedelta(days=1)) == 1


# --- who holds the page (MAINT-ADMINS) --------------------------------------------------------


def test_maint_admins__a_page_holder_not_registered_here_is_a_finding(channel, aino, platform):
    platform.administrators = [
        PlatformAdministrator("8001", "Aino Ylläpitäjä", role="MANAGE"),
        PlatformAdministrator("8002", "Ville Vieras", role="CREATE_CONTENT"),
        PlatformAdministrator("9001", "Somevahti-järjestelmäkäyttäjä", role="MODERATE"),
    ]
    check_connection(channel=channel, now=T0)

    evaluate_rules(organization=channel.organization, now=T0, codes={"MAINT-ADMINS"})

    holders = {h.name: h.state for h in compare_platform_administrators(channel=channel, now=T0)}
    assert holders == {
        "Aino Ylläpitäjä": HolderState.MATCHED,
        "Ville Vieras": HolderState.NOT_REGISTERED,
        "Somevahti-järjestelmäkäyttäjä": HolderState.NOT_COMPARED,
    }
    assert [f for f in open_findings(channel.organization) if "platform" in f] == [
        "Ville Vieras holds Facebook: Joroisten kunta on the platform (CREATE_CONTENT) "
        "but is not a registered administrator of it in Somevahti."
    ]


def test_maint_admins__someone_who_left_but_still_holds_the_page_is_named(channel, aino, platform):
    pekka = PersonFactory(organization=channel.organization, name="Pekka Poistunut", active_until=dt.date(2026, 10, 31))
    ChannelAdministrator.objects.create(
        channel=channel, person=pekka, since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
        until=dt.datetime(2026, 11, 1, tzinfo=dt.UTC), platform_user_id="8003",
    )
    platform.administrators = [PlatformAdministrator("8003", "P. Poistunut", role="MANAGE")]
    check_connection(channel=channel, now=T0)

    evaluate_rules(organization=channel.organization, now=T0, codes={"MAINT-ADMINS"})

    assert (
        "Pekka Poistunut left the organization on 31.10.2026 but still holds Facebook: Joroisten kunta "
        "on the platform (MANAGE)." in open_findings(channel.organization)
    )


def test_maint_admins__the_platforms_email_matches_a_person(channel, aino, platform):
    _user, maija = make_user_person(channel.organization, roles=["channel_admin"], name="Maija Meikäläinen", email="maija@joroinen.fi")
    ChannelAdministrator.objects.create(channel=channel, person=maija, since=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    platform.administrators = [PlatformAdministrator("8004", "maija.m", email="Maija@Joroinen.fi", role="ADMIN")]
    check_connection(channel=channel, now=T0)

    [holder] = compare_platform_administrators(channel=channel, now=T0)

    assert holder.person == maija and holder.state == HolderState.MATCHED


def test_maint_admins__linking_the_platform_user_resolves_the_finding(channel, aino, platform):
    _user, ville = make_user_person(channel.organization, roles=["channel_admin"], name="Ville Virtanen")
    ChannelAdministrator.objects.create(channel=channel, person=ville, since=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    platform.administrators = [PlatformAdministrator("8002", "Ville V", role="EDITOR")]
    check_connection(channel=channel, now=T0)
    evaluate_rules(organization=channel.organization, now=T0, codes={"MAINT-ADMINS"})
    assert any("Ville V holds" in f for f in open_findings(channel.organization))

    link_platform_user(channel=channel, person=ville, platform_user_id="8002", by=aino.user)
    evaluate_rules(organization=channel.organization, now=T0, codes={"MAINT-ADMINS"})

    assert not any("holds" in f for f in open_findings(channel.organization))
    assert AuditEvent.objects.get(action="channels.platform_user_linked").data["platform_user_id"] == "8002"


# --- the token's findings (MAINT-ADMINS) ------------------------------------------------------


def test_maint_admins__a_token_expiring_soon_is_a_finding_on_the_channel(channel, aino):
    set_channel_token(channel=channel, token=TOKEN, expires_at=T0 + dt.timedelta(days=20), by=aino.user, now=T0)
    evaluate_rules(organization=channel.organization, now=T0, codes={"MAINT-ADMINS"})
    assert not any("access token" in f for f in open_findings(channel.organization))

    evaluate_rules(organization=channel.organization, now=T0 + dt.timedelta(days=10), codes={"MAINT-ADMINS"})

    assert (
        "The access token of Facebook: Joroisten kunta expires on 15.12.2026 12:00. "
        "An administrator must renew it before then." in open_findings(channel.organization)
    )


def test_maint_admins__a_refused_token_is_a_finding_until_a_working_one_is_entered(channel, aino, platform):
    set_channel_token(channel=channel, token=TOKEN, by=aino.user, now=T0)
    platform.valid_token = NEW_TOKEN
    check_connection(channel=channel, now=T0)
    evaluate_rules(organization=channel.organization, now=T0, codes={"MAINT-ADMINS"})
    assert any("refuses the access token of Facebook: Joroisten kunta" in f for f in open_findings(channel.organization))

    set_channel_token(channel=channel, token=NEW_TOKEN, by=aino.user, now=T0)
    check_connection(channel=channel, now=T0)
    evaluate_rules(organization=channel.organization, now=T0, codes={"MAINT-ADMINS"})

    assert not any("access token" in f for f in open_findings(channel.organization))
