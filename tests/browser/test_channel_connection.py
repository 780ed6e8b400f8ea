"""The channel page's "Connection" section in a real browser: rotating the token by keyboard, with axe-core."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serious_violations
from tests.browser.test_work_pages import LEAD, facebook, sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TOKEN = "EAAG-browser-secret-token-0003"


@pytest.fixture(autouse=True)
def _platform_holders_forgotten_after():  # type: ignore[no-untyped-def]
    yield
    from somevahti.connectors import fake

    fake.reset()


def test_connection__the_comms_lead_rotates_the_token_and_it_is_never_shown(page, live_server, demo):
    from somevahti.connectors import fake
    from somevahti.connectors.base import PlatformAdministrator

    channel = facebook()
    fake.account(channel.platform, channel.platform_id).administrators = [
        PlatformAdministrator("8002", "Ville Vieras", role="MANAGE"),
    ]
    sign_in_as(page, live_server, demo, LEAD)
    page.goto(f"{live_server.url}/kanavat/{channel.pk}/#connection")
    assert page.get_by_role("heading", name="Connection", exact=True).is_visible()

    field = page.get_by_label("Access token")
    assert field.get_attribute("type") == "password"
    field.focus()
    page.keyboard.type(TOKEN)
    page.keyboard.press("Enter")

    page.get_by_text(f"The access token of {channel} was saved.").wait_for()
    assert page.get_by_role("heading", name="Connection", exact=True).is_visible()
    assert TOKEN not in page.content()
    assert page.get_by_label("Access token").input_value() == ""
    holders = page.get_by_role("table", name=f"Who holds {channel} on the platform")
    assert "Not a registered administrator" in holders.inner_text()
    assert page.get_by_label("Who is Ville Vieras?").is_visible()
    assert serious_violations(page) == []


def test_connection__an_empty_token_is_explained_at_the_field(page, live_server, demo):
    channel = facebook()
    sign_in_as(page, live_server, demo, LEAD)
    page.goto(f"{live_server.url}/kanavat/{channel.pk}/")

    page.get_by_role("button", name="Save the token").click()

    page.get_by_role("alert").filter(has_text="Enter the access token.").wait_for()
    assert serious_violations(page) == []
