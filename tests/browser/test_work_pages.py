"""Publishing, the archive, one feedback item and one channel in a real browser, with axe-core.

Each test signs in as the role that does the work, makes what the demo lacks through the
services (a draft, a post in review, a scheduled post, an archive record, a discussion), does
the work with the keyboard where it matters and checks what the person sees. The pages are read
in English: the English texts are the source strings, so a new Finnish translation does not
break the tests.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import serious_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEAD = "Viestintävastaava"
CHANNEL_ADMIN = "Kanavan ylläpitäjä"
RECORDS_OFFICER = "Arkistovastaava"
HETU_TEXT = "Naapurin henkilötunnus on 131052-308T."
CLEAN_TEXT = "Uimahallin peruskorjaus valmistuu helmikuussa. Tervetuloa uimaan!"


def sign_in_as(page, live_server, demo, role: str) -> None:
    credentials, _year = demo
    email, password = credentials[role]
    sign_in(page, live_server.url, email, password)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def organization():
    from somevahti.people.demo import demo_organization

    return demo_organization()


def person(demo, role: str):
    from somevahti.people.models import Person

    credentials, _year = demo
    return Person.objects.get(organization=organization(), email=credentials[role][0])


def facebook():
    from somevahti.channels.models import Channel

    return Channel.objects.get(organization=organization(), key="facebook-joroinen")


def draft(demo, text: str, *, role: str = CHANNEL_ADMIN):
    from somevahti.publishing.services import create_draft

    return create_draft(organization=organization(), by=person(demo, role), text=text, channels=[facebook()])


# --- publishing ---------------------------------------------------------------------------------


def test_post_list__filters_by_state_with_the_keyboard_and_clears_the_filter(page, live_server, demo):
    from somevahti.publishing.services import submit_for_review

    draft(demo, "Kirjaston aukioloajat muuttuvat joulun aikaan.")
    submit_for_review(post=draft(demo, CLEAN_TEXT), by=person(demo, CHANNEL_ADMIN), override_reason="Tarkistettu.")
    sign_in_as(page, live_server, demo, LEAD)
    page.goto(f"{live_server.url}/julkaisut/")
    assert page.get_by_role("heading", level=1).inner_text() == "Publishing"
    assert page.get_by_role("group", name="Filter").is_visible()
    assert page.get_by_role("link", name="Clear filters").count() == 0
    state = page.get_by_label("State")
    state.focus()
    state.select_option("draft")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Show"
    page.keyboard.press("Enter")
    page.wait_for_url("**/julkaisut/?state=draft")
    rows = page.locator("table.data-table tbody tr")
    assert rows.count() == 1 and "Kirjaston aukioloajat" in rows.first.inner_text()
    assert serious_violations(page) == []
    page.get_by_role("link", name="Clear filters").click()
    page.wait_for_url(f"{live_server.url}/julkaisut/")
    assert page.locator("table.data-table tbody tr").count() == 2


def test_compose__typing_an_identity_code_shows_a_blocking_finding(page, live_server, demo):
    sign_in_as(page, live_server, demo, CHANNEL_ADMIN)
    page.goto(f"{live_server.url}/julkaisut/uusi/")
    assert page.get_by_role("heading", level=1).inner_text() == "Write a new post"
    page.get_by_label("Text in Finnish").focus()
    page.keyboard.type(HETU_TEXT)
    results = page.locator("#check-results")
    results.get_by_text("Blocks publishing").wait_for()
    assert "131052-308T" in results.locator("q").first.inner_text()
    assert serious_violations(page) == []


def test_post_detail__shows_the_text_the_channel_and_why_it_cannot_be_sent(page, live_server, demo):
    post = draft(demo, HETU_TEXT)
    sign_in_as(page, live_server, demo, CHANNEL_ADMIN)
    page.goto(f"{live_server.url}/julkaisut/{post.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Post:")
    assert page.get_by_role("rowheader", name="Joroisten kunta").is_visible()
    assert page.get_by_text("This post must not be published as it is.").is_visible()
    assert page.get_by_role("button", name="Approve for publishing").is_disabled()
    assert serious_violations(page) == []


def test_calendar__next_week_by_keyboard_shows_the_scheduled_post_on_its_channel(page, live_server, demo):
    from django.utils import timezone

    from somevahti.publishing.services import schedule, submit_for_review

    by = person(demo, CHANNEL_ADMIN)
    post = submit_for_review(post=draft(demo, CLEAN_TEXT), by=by, override_reason="Tarkistettu.")
    schedule(post=post, by=by, at=timezone.now() + dt.timedelta(days=7))
    sign_in_as(page, live_server, demo, CHANNEL_ADMIN)
    page.goto(f"{live_server.url}/julkaisut/kalenteri/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Publishing calendar, week")
    page.get_by_role("link", name="Next week").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/kalenteri/?week=*")
    row = page.locator("tr", has=page.get_by_role("rowheader", name="Joroisten kunta"))
    assert row.get_by_role("link", name="Uimahallin peruskorjaus").count() == 1
    assert serious_violations(page) == []


def test_review__an_approver_sees_the_post_its_checks_and_can_approve(page, live_server, demo):
    from somevahti.publishing.services import set_review_required, submit_for_review

    set_review_required(channel=facebook(), required=True, by=person(demo, LEAD))
    post = submit_for_review(post=draft(demo, CLEAN_TEXT), by=person(demo, CHANNEL_ADMIN), override_reason="Tarkistettu.")
    assert post.state == "in_review"
    sign_in_as(page, live_server, demo, LEAD)
    page.goto(f"{live_server.url}/julkaisut/{post.pk}/tarkastus/")
    assert page.get_by_role("heading", level=1).inner_text() == "Review a post"
    assert page.get_by_text("Uimahallin peruskorjaus valmistuu").is_visible()
    assert page.get_by_role("heading", name="Checks").is_visible()
    assert page.get_by_role("button", name="Approve").is_enabled()
    assert serious_violations(page) == []


# --- archive ------------------------------------------------------------------------------------


def test_archive__search_uimahalli_by_keyboard_then_open_the_record_and_export(page, live_server, demo):
    from django.utils import timezone

    from somevahti.archive.models import RecordKind
    from somevahti.archive.services import archive

    archive(
        organization=organization(), kind=RecordKind.POST_PUBLISHED, channel=facebook(), text=CLEAN_TEXT,
        occurred_at=timezone.now() - dt.timedelta(days=2), author="Joroisten kunta",
    )
    sign_in_as(page, live_server, demo, RECORDS_OFFICER)
    page.goto(f"{live_server.url}/arkisto/")
    assert page.get_by_role("heading", level=1).inner_text() == "Archive"
    assert serious_violations(page) == []

    page.get_by_label("Words").focus()
    page.keyboard.type("uimahalli")
    page.keyboard.press("Enter")
    page.wait_for_url("**/arkisto/?q=uimahalli*")
    assert "matched" in page.locator("table.archive-table caption").inner_text()
    row = page.locator("table.archive-table tbody tr", has_text="peruskorjaus valmistuu")
    assert row.locator("mark").first.inner_text() == "Uimahallin"
    assert page.get_by_role("heading", name="Export for an information request").is_visible()
    assert serious_violations(page) == []

    page.get_by_label("Format").select_option(index=0)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the export").click()
    assert download.value.suggested_filename.endswith(".zip")

    row.get_by_role("link").click()
    page.wait_for_url("**/arkisto/*/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Archive record")
    assert page.get_by_text("Tervetuloa uimaan!").is_visible()
    assert serious_violations(page) == []


# --- one feedback item, one channel ---------------------------------------------------------------


def test_feedback_detail__shows_the_discussion_and_the_reply_is_checked_and_sent_by_keyboard(page, live_server, demo):
    from django.utils import timezone

    from somevahti.connectors.base import Author, IncomingInteraction, InteractionKind, Verb
    from somevahti.inbox.models import Interaction
    from somevahti.inbox.services import ingest_interactions

    channel = facebook()
    now = timezone.now()

    def comment(platform_id: str, text: str, name: str, minutes: int) -> IncomingInteraction:
        return IncomingInteraction(
            platform_id=platform_id, kind=InteractionKind.COMMENT, verb=Verb.ADD, text=text,
            author=Author(f"u-{platform_id}", name), created_at=now - dt.timedelta(minutes=minutes),
            channel_platform_id=channel.platform_id, post_id="browser-post", thread_id="browser-post",
        )

    ingest_interactions(channel=channel, now=now, items=[
        comment("browser-c1", "Milloin uimahalli aukeaa remontin jälkeen?", "Sari Testinen", 30),
        comment("browser-c2", "Sama kysymys, lapset odottavat jo!", "Pekka Testinen", 10),
    ])
    item = Interaction.objects.get(platform_id="browser-c1")
    sign_in_as(page, live_server, demo, LEAD)
    page.goto(f"{live_server.url}/palautteet/{item.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Feedback from Sari Testinen"
    thread = page.locator("ol.thread > li")
    assert thread.count() == 2 and "Pekka Testinen" in thread.nth(1).inner_text()

    page.get_by_role("textbox", name="Reply", exact=True).focus()
    page.keyboard.type("Soita meille numeroon 040 765 4321, niin kerromme lisää.")
    page.locator("#reply-check .findings-list li").first.wait_for()
    assert serious_violations(page) == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Send the reply"


def test_channel_detail__shows_the_administrators_and_the_add_form(page, live_server, demo):
    channel = facebook()
    sign_in_as(page, live_server, demo, LEAD)
    page.goto(f"{live_server.url}/kanavat/{channel.pk}/")
    assert page.get_by_role("heading", level=1).inner_text() == str(channel)
    administrators = page.get_by_role("table", name=f"Administrator periods of {channel}")
    assert administrators.get_by_role("rowheader").count() >= 2
    assert page.get_by_role("heading", name="Add an administrator").is_visible()
    assert serious_violations(page) == []
