"""The page of platform deliveries that could not be processed, in a real browser with axe-core.

Read in English: the English texts are the source strings, so a new translation does not break
the test.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MALFORMED = b'{"object": "page", "entry": [{"id": '


def _deliveries():
    """One delivery whose body cannot be read and one that failed for a passing reason."""
    from somevahti.inbox.models import WebhookDelivery
    from somevahti.inbox.webhooks import process_delivery, store_delivery
    from tests.inbox.conftest import delivery_body

    store_delivery(platform="meta", body=MALFORMED)
    unreadable = WebhookDelivery.objects.order_by("-pk").first()
    process_delivery(delivery_id=unreadable.pk)
    store_delivery(platform="meta", body=delivery_body())
    passing = WebhookDelivery.objects.order_by("-pk").first()
    WebhookDelivery.objects.filter(pk=passing.pk).update(state="failed", attempts=3, error="OperationalError: database is locked")
    return unreadable, passing


def test_deliveries_page__from_the_notice_give_up_by_keyboard_then_try_the_other_again(page, live_server, demo):
    unreadable, passing = _deliveries()
    credentials, _year = demo
    email, password = credentials["Viestintävastaava"]
    sign_in(page, live_server.url, email, password)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    page.goto(f"{live_server.url}/palautteet/")
    page.get_by_role("link", name="2 platform deliveries could not be processed").click()
    page.wait_for_url("**/palautteet/toimitukset/")
    assert page.get_by_role("heading", level=1).inner_text() == "Platform deliveries"
    rows = page.locator("table.data-table tbody tr")
    assert rows.count() == 2
    unreadable_row = page.locator(f"#delivery-{unreadable.pk}")
    assert "Could not be read — the body is not valid JSON." in unreadable_row.inner_text()
    assert "Joroisten kunta" in page.locator(f"#delivery-{passing.pk}").inner_text()
    assert serious_violations(page) == []

    unreadable_row.get_by_text("Give up", exact=True).focus()
    page.keyboard.press("Enter")
    reason = unreadable_row.get_by_label("Why it is given up")
    assert reason.is_visible()
    reason.focus()
    page.keyboard.type("Testilähetys kehittäjätyökaluista.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Give up on this delivery"
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("status").first.inner_text().startswith("The delivery was given up.")
    assert page.locator("table.data-table tbody tr").count() == 1
    assert serious_violations(page) == []

    page.locator(f"#delivery-{passing.pk}").get_by_role("button", name="Try again now").click()
    page.wait_for_load_state()
    assert "The delivery was processed" in page.get_by_role("status").first.inner_text()
    assert "Every delivery has been processed." in page.locator("table.data-table").inner_text()

    page.get_by_role("link", name="Given up").click()
    assert "Testilähetys kehittäjätyökaluista." in page.locator("table.data-table").inner_text()
    assert serious_violations(page) == []
