"""The archive's retention page and the page for editing a published post, in a real browser with axe-core."""

from __future__ import annotations

import pytest

from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_retention_page__says_what_a_shorter_period_would_make_due_and_is_accessible(page, live_server, demo):
    credentials, _year = demo
    email, password = credentials["Viestintävastaava"]
    sign_in(page, live_server.url, email, password)
    page.goto(f"{live_server.url}/arkisto/sailytysajat/")
    assert page.locator("h1").count() == 1
    assert serious_violations(page) == []
    # Strings are translated by the catalogue's keeper later; the form is found by its fields.
    page.locator('input[name="interaction_received_amount"]').fill("40")
    page.locator('select[name="interaction_received_unit"]').select_option("days")
    page.locator('button[value="preview"]').click()
    assert page.get_by_role("status").first.is_visible()
    assert serious_violations(page) == []


def test_edit_published_page__is_accessible(page, live_server, demo):
    from somevahti.channels.models import Channel
    from somevahti.people.demo import demo_organization
    from somevahti.people.models import Person
    from somevahti.publishing import services

    credentials, _year = demo
    email, password = credentials["Viestintävastaava"]
    organization = demo_organization()
    channel = Channel.objects.filter(organization=organization, status=Channel.Status.ACTIVE).order_by("name").first()
    author = Person.objects.filter(organization=organization, user__email=email).first()
    post = services.create_draft(organization=organization, by=author, text="Uimahalli on auki joulun aikaan normaalisti.", channels=[channel])
    post = services.submit_for_review(post=post, by=author)
    if post.state != post.State.APPROVED:
        pytest.skip("the demo channel asks for four eyes")
    services.publish_post(post=post, by=author)
    sign_in(page, live_server.url, email, password)
    page.goto(f"{live_server.url}/julkaisut/{post.pk}/muokkaa-julkaistua/")
    assert page.locator("h1").count() == 1
    assert serious_violations(page) == []
