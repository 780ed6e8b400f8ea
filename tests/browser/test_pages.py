"""The main pages in a real browser (Debian's Chromium), checked with axe-core.

The demo organization is loaded, a person signs in with the keyboard, and every main page
must have no serious or critical accessibility violation.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def lead(demo):
    credentials, _year = demo
    return credentials["Viestintävastaava"]


def test_guideline_page__signed_in_with_the_keyboard_and_accessible(page, live_server, demo):
    email, password = lead(demo)
    sign_in(page, live_server.url, email, password)
    assert page.get_by_role("heading", level=1).inner_text() == "Ohjeen toteutuminen"
    assert page.get_by_text("Kunnan palvelussa on oltava useampi nimetty ylläpitäjä").first.is_visible()
    assert serious_violations(page) == []


def test_skip_link__is_the_first_stop_and_moves_focus_to_the_content(page, live_server, demo):
    email, password = lead(demo)
    sign_in(page, live_server.url, email, password)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_coverage_calendar__shows_the_july_gap_in_words_and_is_accessible(page, live_server, demo):
    email, password = lead(demo)
    _credentials, year = demo
    sign_in(page, live_server.url, email, password)
    page.goto(f"{live_server.url}/kanavat/kattavuus/?start={year}-06-01&months=3")
    gap_cells = page.locator("td.gap")
    assert gap_cells.count() > 0
    assert "1/2" in gap_cells.first.inner_text()
    assert page.get_by_text("Kunnan palvelussa on oltava useampi nimetty ylläpitäjä").first.is_visible()
    assert serious_violations(page) == []


@pytest.mark.parametrize("path", ["/kanavat/", "/palautteet/", "/palautteet/raportti/", "/tarkista/", "/ihmiset/", "/ihmiset/poissaolot/", "/tapahtumaloki/"])
def test_main_pages__have_no_serious_accessibility_violations(page, live_server, demo, path):
    email, password = lead(demo)
    sign_in(page, live_server.url, email, password)
    page.goto(f"{live_server.url}{path}")
    assert page.locator("h1").count() == 1
    assert serious_violations(page) == []


def test_check_page__finds_an_identity_code_as_one_types(page, live_server, demo):
    email, password = lead(demo)
    sign_in(page, live_server.url, email, password)
    page.goto(f"{live_server.url}/tarkista/")
    page.get_by_label("Tarkistettava teksti").fill("Naapurin henkilötunnus on 131052-308T.")
    page.locator("mark.finding-block").wait_for()
    assert "131052-308T" in page.locator("mark.finding-block").inner_text()
    assert serious_violations(page) == []


def test_language__switching_to_swedish_and_english_changes_the_page(page, live_server, demo):
    email, password = lead(demo)
    sign_in(page, live_server.url, email, password)
    page.get_by_label("Kieli").select_option("sv")
    page.get_by_role("button", name="Vaihda").click()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text() == "Anvisningen i praktiken"
    page.get_by_label("Språk").select_option("en")
    page.get_by_role("button", name="Byt").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Guideline in practice"
