"""Browser tests: Debian's Chromium driven by Playwright against the live test server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("SOMEVAHTI_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is needed for the browser tests: install Debian's package 'chromium' ({CHROMIUM}).")
    # Playwright's sync API runs an event loop in this thread; the test's own database work
    # around it is synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="fi-FI")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def demo(settings: Any) -> tuple[dict[str, tuple[str, str]], int]:
    """The demo organization with its inbox: (credentials per Finnish role label, demo year)."""
    from django.utils import timezone, translation

    from somevahti.channels.demo import ensure_demo
    from somevahti.inbox.demo import seed_demo_inbox
    from somevahti.people.demo import demo_organization, demo_year

    settings.SOMEVAHTI_DEMO_FEED = True
    with translation.override("fi"):
        credentials = {role: (email, password) for role, email, password in ensure_demo()}
    seed_demo_inbox(organization=demo_organization())
    return credentials, demo_year(timezone.localdate())


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, readable."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/kirjaudu/")
    page.get_by_label("Käyttäjätunnus (työsähköposti)").fill(username)
    page.get_by_label("Salasana").fill(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/ohje/")
