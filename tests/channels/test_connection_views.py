"""The "Connection" section of the channel page: status for everyone, the token form for those who manage channels."""

from __future__ import annotations

import datetime as dt
import html
import json

import pytest
from django.urls import reverse

from somevahti.channels.connections import check_connection, set_channel_token
from somevahti.channels.models import Channel, ChannelAdministrator, ChannelConnection
from somevahti.connectors import fake
from somevahti.connectors.base import PlatformAdministrator
from somevahti.core.calendar import today
from somevahti.core.models import AuditEvent
from tests.factories import PersonFactory

TOKEN = "EAAG-very-secret-page-token-0001"
NEW_TOKEN = "EAAG-very-secret-page-token-0002"


@pytest.fixture
def channel(channel):  # type: ignore[no-untyped-def]
    """The Facebook page of tests/channels/conftest.py, connected with TOKEN."""
    set_channel_token(channel=channel, token=TOKEN, by=None)
    return channel


@pytest.fixture
def mastodon(organization):  # type: ignore[no-untyped-def]
    channel = Channel.objects.create(
        organization=organization, key="mastodon-joroinen", platform="mastodon", name="Joroinen", status="active",
    )
    set_channel_token(channel=channel, token=TOKEN, base_url="https://some.joroinen.fi", by=None)
    return channel


def page(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def detail(channel: Channel) -> str:
    return reverse("channels:detail", args=[channel.pk])


# --- what everyone with the channel pages sees -------------------------------------------------


def test_channel_page__shows_the_connection_to_those_who_only_view_it(client_as, channel):
    fake.account("facebook", channel.platform_id).administrators = [PlatformAdministrator("8002", "Ville Vieras", role="MANAGE")]
    check_connection(channel=channel)
    ChannelConnection.objects.filter(channel=channel).update(rate_usage={"app_call_count": 28.0, "max": 28.0, "app_regain_minutes": 3})

    response = client_as("channel_admin").get(detail(channel))

    text = page(response)
    assert response.status_code == 200
    for expected in ("Connection", "Working", "Last checked", "app_call_count: 28 %", "Access token", "Set", "Not known"):
        assert expected in text
    assert "regain" not in text
    assert "Ville Vieras" in text and "Not a registered administrator" in text
    assert 'name="token"' not in text and "Check now" not in text
    assert TOKEN not in text


def test_channel_page__offers_the_token_form_as_a_password_field_to_the_comms_lead(client_as, channel):
    text = page(client_as("comms_lead").get(detail(channel)))

    assert 'type="password" name="token"' in text
    assert "Check now" in text
    assert TOKEN not in text


# --- entering and rotating the token -----------------------------------------------------------


def test_connection_token__rotates_checks_and_never_shows_the_token(client_as, channel):
    client = client_as("comms_lead")
    expires = today() + dt.timedelta(days=60)

    response = client.post(
        reverse("channels:connection_token", args=[channel.pk]),
        {"token": NEW_TOKEN, "expires_on": expires.isoformat()},
        follow=True,
    )

    text = page(response)
    assert response.status_code == 200
    assert "The access token of Facebook: Joroisten kunta was saved." in text
    assert expires.strftime("%-d.%-m.%Y") in text and "Working" in text  # checked straight after
    assert NEW_TOKEN not in text and TOKEN not in text
    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.get_token() == NEW_TOKEN
    audit = json.dumps(list(AuditEvent.objects.values("data", "target_label")), default=str)
    assert NEW_TOKEN not in audit and TOKEN not in audit
    assert AuditEvent.objects.filter(action="channels.token_rotated").count() == 2


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"token": "", "base_url": "https://some.joroinen.fi"}, "token", "Enter the access token."),
        ({"token": NEW_TOKEN, "base_url": "http://some.joroinen.fi"}, "base_url", "The server address must start with https://."),
        ({"token": NEW_TOKEN, "base_url": "https://"}, "base_url", "Enter the server address as a web address"),
        ({"token": NEW_TOKEN, "base_url": ""}, "base_url", "Enter the address of the Mastodon server"),
        ({"token": NEW_TOKEN, "base_url": "https://some.joroinen.fi", "expires_on": "2020-01-01"}, "expires_on", "The expiry must be later than today."),
        ({"token": NEW_TOKEN, "base_url": "https://some.joroinen.fi", "expires_on": "1.1.x"}, "expires_on", "Enter a valid date."),
    ],
)
def test_connection_token__bad_input_is_explained_on_its_field_and_nothing_changes(client_as, mastodon, form, field, message):
    response = client_as("comms_lead").post(reverse("channels:connection_token", args=[mastodon.pk]), form)

    text = page(response)
    assert response.status_code == 400
    [own] = [part for part in text.split('<div class="field') if f'name="{field}"' in part]
    assert own.startswith(" field-error") and message in own  # said at the field itself
    assert NEW_TOKEN not in text and TOKEN not in text  # not even echoed back into the form
    connection = ChannelConnection.objects.get(channel=mastodon)
    assert connection.get_token() == TOKEN and connection.base_url == "https://some.joroinen.fi"
    assert AuditEvent.objects.filter(action="channels.token_rotated").count() == 1


def test_connection_token__a_facebook_page_has_no_server_address_field(client_as, channel):
    text = page(client_as("comms_lead").get(detail(channel)))
    assert 'name="base_url"' not in text


# --- checking now -----------------------------------------------------------------------------


def test_check_now__records_the_outcome_and_says_it(client_as, channel):
    fake.account("facebook", channel.platform_id).valid_token = "some-other-token"

    response = client_as("comms_lead").post(reverse("channels:connection_check", args=[channel.pk]), follow=True)

    text = page(response)
    assert "The connection of Facebook: Joroisten kunta does not work: Token expired or revoked." in text
    assert "The access token has expired or was revoked." in text
    assert ChannelConnection.objects.get(channel=channel).health == "unauthorized"
    assert AuditEvent.objects.filter(action="channels.connection_checked").count() == 1


# --- matching a platform user to a person -----------------------------------------------------


def test_platform_user_link__matches_the_holder_to_the_person(client_as, channel, organization):
    ville = PersonFactory(organization=organization, name="Ville Virtanen")
    ChannelAdministrator.objects.create(channel=channel, person=ville, since=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    fake.account("facebook", channel.platform_id).administrators = [PlatformAdministrator("8002", "Ville V", role="MANAGE")]
    check_connection(channel=channel)
    client = client_as("comms_lead")

    response = client.post(
        reverse("channels:platform_user_link", args=[channel.pk]), {"platform_user_id": "8002", "person": ville.pk}, follow=True
    )

    text = page(response)
    assert "Ville Virtanen is now matched to their user on the platform." in text
    assert "Registered administrator" in text and "Not a registered administrator" not in text
    assert ChannelAdministrator.objects.get(person=ville).platform_user_id == "8002"


def test_platform_user_link__a_person_without_a_period_is_refused_with_a_message(client_as, channel, organization):
    stranger = PersonFactory(organization=organization, name="Outi Ulkopuolinen")
    fake.account("facebook", channel.platform_id).administrators = [PlatformAdministrator("8002", "Ville V", role="MANAGE")]
    check_connection(channel=channel)

    response = client_as("comms_lead").post(
        reverse("channels:platform_user_link", args=[channel.pk]), {"platform_user_id": "8002", "person": stranger.pk}
    )

    assert response.status_code == 400
    assert "Choose a person who has an administrator period on this channel." in page(response)
    assert not ChannelAdministrator.objects.filter(platform_user_id="8002").exists()


# --- who may --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["channel_admin", "supervisor", "employee", "records_officer"])
def test_connection_actions__are_refused_without_the_channel_management_permission(client_as, channel, role):
    client = client_as(role)

    token = client.post(reverse("channels:connection_token", args=[channel.pk]), {"token": NEW_TOKEN})
    check = client.post(reverse("channels:connection_check", args=[channel.pk]))
    link = client.post(reverse("channels:platform_user_link", args=[channel.pk]), {"platform_user_id": "1", "person": "1"})

    assert (token.status_code, check.status_code, link.status_code) == (403, 403, 403)
    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.get_token() == TOKEN and connection.health_checked_at is None
    assert NEW_TOKEN not in token.content.decode()


def test_connection_actions__another_organizations_channel_is_not_found(client_as, channel):
    from tests.factories import OrganizationFactory

    other = Channel.objects.create(organization=OrganizationFactory(slug="varkaus"), key="fb", platform="facebook", name="Varkaus")
    response = client_as("comms_lead").post(reverse("channels:connection_token", args=[other.pk]), {"token": NEW_TOKEN})
    assert response.status_code == 404
    assert not ChannelConnection.objects.filter(channel=other).exists()
