"""Checking a Facebook page's connection with the real Meta adapter against recorded Graph answers over HTTP."""

from __future__ import annotations

import datetime as dt
import html
import logging

import pytest
from django.urls import reverse

from somevahti.channels.connections import HolderState, check_connection, compare_platform_administrators
from somevahti.channels.models import Channel, ChannelAdministrator, ChannelConnection
from somevahti.channels.tasks import check_connections_task
from somevahti.guideline.models import Finding
from somevahti.guideline.services import evaluate_rules, install_default_guideline
from tests.connectors.meta.conftest import PAGE, TOKEN, Graph
from tests.factories import make_user_person

T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
USAGE = {"X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}'}


@pytest.fixture
def graph(httpserver, settings) -> Graph:  # type: ignore[no-untyped-def]
    settings.SOMEVAHTI_CONNECTORS = {"facebook": "somevahti.connectors.meta.connector.FacebookConnector"}
    return Graph(httpserver)


@pytest.fixture
def channel(organization, graph):  # type: ignore[no-untyped-def]
    install_default_guideline(organization=organization)
    channel = Channel.objects.create(
        organization=organization, key="facebook-joroinen", platform="facebook", name="Joroisten kunta",
        platform_id=PAGE, status=Channel.Status.ACTIVE,
    )
    # The recorded Graph host is plain HTTP on loopback, which the token form would refuse.
    connection = ChannelConnection(channel=channel, base_url=graph.base_url)
    connection.set_token(TOKEN)
    connection.save()
    return channel


@pytest.fixture
def anna(channel):  # type: ignore[no-untyped-def]
    _user, person = make_user_person(channel.organization, roles=["channel_admin"], name="Anna Ylläpitäjä", email="anna@joroinen.fi")
    ChannelAdministrator.objects.create(
        channel=channel, person=person, since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC), platform_user_id="8000000000000001"
    )
    return person


def test_check__reads_health_usage_and_the_pages_roles(channel, anna, graph):
    graph.on("GET", "me", "fb_me.json", headers=USAGE)
    graph.on("GET", f"{PAGE}/roles", "fb_roles.json")
    graph.on("GET", f"{PAGE}/assigned_users", "fb_assigned_users.json")

    check = check_connection(channel=channel, now=T0)

    connection = ChannelConnection.objects.get(channel=channel)
    assert check.administrators_read
    assert connection.health == "ok" and "Joroisten kunta" in connection.health_message
    assert connection.rate_usage["app_call_count"] == 28
    states = {h.name: h.state for h in compare_platform_administrators(channel=channel, now=T0)}
    assert states == {
        "Anna Ylläpitäjä": HolderState.MATCHED,
        "Eero Editori": HolderState.NOT_REGISTERED,                    # CREATE_CONTENT holds the page
        "Somevahti-järjestelmäkäyttäjä": HolderState.NOT_COMPARED,     # MODERATE and MESSAGING only
    }
    evaluate_rules(organization=channel.organization, now=T0, codes={"MAINT-ADMINS"})
    assert [f.params["name"] for f in Finding.objects.filter(key__contains=":holder:", resolved_at__isnull=True)] == ["Eero Editori"]


def test_check__an_expired_token_is_recorded_and_the_administrators_emailed(channel, anna, graph, mailoutbox, caplog):
    graph.on("GET", "me", "error_token_expired.json", status=400)

    with caplog.at_level(logging.DEBUG):
        check_connection(channel=channel, now=T0)

    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.health == "unauthorized"
    assert connection.platform_administrators_read_at is None
    assert [m.to for m in mailoutbox] == [["anna@joroinen.fi"]]
    assert TOKEN not in mailoutbox[0].body and TOKEN not in connection.health_message
    assert not any(r.path.endswith("/roles") for r in graph.requests())  # no roles asked with a dead token
    assert TOKEN not in caplog.text


def test_check__keeps_the_last_holders_when_the_roles_cannot_be_read(channel, anna, graph):
    ChannelConnection.objects.filter(channel=channel).update(
        platform_administrators=[{"platform_user_id": "8000000000000001", "name": "Anna Ylläpitäjä", "email": "", "role": "MANAGE"}],
        platform_administrators_read_at=T0 - dt.timedelta(days=1),
    )
    graph.on("GET", "me", "fb_me.json")
    graph.on("GET", f"{PAGE}/roles", "error_permission.json", status=403)

    check = check_connection(channel=channel, now=T0)

    connection = ChannelConnection.objects.get(channel=channel)
    assert connection.health == "ok" and not check.administrators_read
    assert connection.platform_administrators_read_at == T0 - dt.timedelta(days=1)
    assert [h["name"] for h in connection.platform_administrators] == ["Anna Ylläpitäjä"]


def test_daily_task__checks_the_page_over_http_and_the_page_shows_it(channel, anna, graph, client_as):
    graph.on("GET", "me", "fb_me.json", headers=USAGE)
    graph.on("GET", f"{PAGE}/roles", "fb_roles.json")
    graph.on("GET", f"{PAGE}/assigned_users", "fb_assigned_users.json")

    assert check_connections_task.call() == 1

    text = html.unescape(client_as("supervisor").get(reverse("channels:detail", args=[channel.pk])).content.decode())
    assert "Connected to the Facebook page Joroisten kunta." in text
    assert "app_call_count: 28 %" in text
    assert "Eero Editori" in text and "Not a registered administrator" in text
    assert TOKEN not in text
