import datetime as dt

import pytest
from django.utils import timezone

from somevahti.channels.models import Channel, ChannelAdministrator
from somevahti.connectors.base import Author, IncomingInteraction, InteractionKind, Outcome, Verb
from somevahti.core.models import AuditEvent
from somevahti.inbox.models import CannedReply, Interaction
from somevahti.inbox.services import ingest_interactions
from tests.factories import OrganizationFactory, make_user_person

HETU_TEXT = "Naapurin hetu on 131052-308T!"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


def comment(pid="c1", text="Milloin uimahalli aukeaa?", *, created_at=None, post="1234567890_1", **kw):
    return IncomingInteraction(
        platform_id=pid, kind=kw.pop("kind", InteractionKind.COMMENT), verb=Verb.ADD, text=text,
        author=Author("u1", kw.pop("author", "Matti Meikäläinen")), created_at=created_at or timezone.now(),
        channel_platform_id="1234567890", post_id=post, thread_id=post, **kw,
    )


def ingest(channel, *items):
    ingest_interactions(channel=channel, items=list(items), now=timezone.now())
    return Interaction.objects.get(platform_id=items[0].platform_id)


@pytest.fixture
def admin_client(client, admin_person):
    client.force_login(admin_person.user)
    return client


def url(name, item):
    return f"/palautteet/{item.pk}/{name}/" if name else f"/palautteet/{item.pk}/"


# --- who may see what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["channel_admin", "supervisor", "comms_lead"])
def test_list_and_detail__open_to_admins_supervisors_and_the_comms_lead(client_as, channel, role):
    item = ingest(channel, comment())
    client = client_as(role)
    assert client.get("/palautteet/").status_code == 200
    assert client.get(url("", item)).status_code == 200
    assert client.get("/palautteet/raportti/").status_code == 200


@pytest.mark.parametrize("role", ["employee", "elected_official", "records_officer"])
def test_inbox_pages__refused_to_employees_officials_and_records_officers(client_as, channel, role):
    item = ingest(channel, comment())
    client = client_as(role)
    for path in ("/palautteet/", url("", item), "/palautteet/raportti/", "/palautteet/valmiit-vastaukset/"):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize("role", ["supervisor", "employee"])
def test_actions__refused_to_those_who_may_not_answer(client_as, channel, platform, role):
    item = ingest(channel, comment())
    client = client_as(role)
    posts = {
        "vastaa": {"text": "Kiitos."},
        "anna": {"assignee": "auto"},
        "piilota": {"hidden": "1"},
        "ei-vastausta": {"reason": "Kiitos vain"},
        "sulje": {},
    }
    for action, data in posts.items():
        assert client.post(url(action, item), data).status_code == 403, action
    assert client.get(url("vastausteksti", item)).status_code == 403
    item.refresh_from_db()
    assert item.state == "new" and platform.replies == [] and platform.hidden == {}


def test_detail__another_organizations_item_is_not_found(client_as, channel):
    item = ingest(channel, comment())
    other = OrganizationFactory(slug="varkaus")
    user, _person = make_user_person(other, roles=["comms_lead"])
    client = client_as("comms_lead")
    client.force_login(user)
    assert client.get(url("", item)).status_code == 404
    assert client.post(url("sulje", item)).status_code == 404
    item.refresh_from_db()
    assert item.state == "new"


def test_list__anonymous_is_sent_to_sign_in(client, db):
    assert client.get("/palautteet/").status_code == 302


# --- the list ---------------------------------------------------------------------------------


def test_list__shows_time_left_and_overdue_in_words_and_the_personal_data_marker(admin_client, channel):
    now = timezone.now()
    soon = ingest(channel, comment("c1", "Milloin uimahalli aukeaa?"))
    late = ingest(channel, comment("c2", HETU_TEXT, author="Liisa Laine"))
    Interaction.objects.filter(pk=soon.pk).update(deadline=now + dt.timedelta(hours=2, minutes=15, seconds=30))
    Interaction.objects.filter(pk=late.pk).update(deadline=now - dt.timedelta(minutes=40, seconds=30))
    content = admin_client.get("/palautteet/").content.decode()
    assert "2 h 15 min left" in content
    assert "Overdue by 40 min" in content
    assert "Contains personal data or confidential matters" in content
    assert "<caption>" in content and 'scope="col"' in content
    # Sorted by deadline: the overdue one first.
    assert content.index("Liisa Laine") < content.index("Matti Meikäläinen")


def test_list__filters_by_state_channel_kind_and_mine(client, channel, admin_person, organization):
    other_channel = Channel.objects.create(organization=organization, key="ig", platform="instagram", name="Joroinen IG", platform_id="999")
    a = ingest(channel, comment("c1", "Ensimmäinen kysymys"))
    ingest(channel, comment("c2", "Toinen viesti", kind=InteractionKind.MESSAGE))
    ingest_interactions(
        channel=other_channel,
        items=[IncomingInteraction(platform_id="i1", kind=InteractionKind.COMMENT, verb=Verb.ADD, text="Kolmas instagramissa",
                                   author=Author("u2", "Elsa"), created_at=timezone.now(), channel_platform_id="999")],
        now=timezone.now(),
    )
    closed = ingest(channel, comment("c4", "Suljettu jo"))
    Interaction.objects.filter(pk=closed.pk).update(state="closed")
    Interaction.objects.filter(pk=a.pk).update(assignee=admin_person, state="assigned")
    client.force_login(admin_person.user)

    def texts(query):
        content = client.get("/palautteet/" + query).content.decode()
        return {t for t in ("Ensimmäinen", "Toinen", "Kolmas", "Suljettu") if t in content}

    assert texts("") == {"Ensimmäinen", "Toinen", "Kolmas"}
    assert texts("?state=closed") == {"Suljettu"}
    assert texts("?state=all") == {"Ensimmäinen", "Toinen", "Kolmas", "Suljettu"}
    assert texts(f"?channel={other_channel.pk}") == {"Kolmas"}
    assert texts("?kind=message") == {"Toinen"}
    assert texts("?assignee=mine") == {"Ensimmäinen"}
    newest = client.get("/palautteet/?sort=newest&state=all").content.decode()
    assert newest.index("Suljettu") < newest.index("Ensimmäinen")


def test_list__a_bad_filter_value_is_named_and_the_default_used(admin_client, channel):
    ingest(channel, comment("c1", "Ensimmäinen kysymys"))
    response = admin_client.get("/palautteet/?state=bogus")
    content = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in content and "bogus" in content
    assert "Ensimmäinen" in content


def test_list__paginates_and_keeps_the_filters(admin_client, channel):
    ingest_interactions(channel=channel, items=[comment(f"c{n}", f"Kysymys {n}") for n in range(30)], now=timezone.now())
    content = admin_client.get("/palautteet/?kind=comment").content.decode()
    assert "Page 1 of 2" in content and "kind=comment&amp;page=2" in content


def test_list__number_of_queries_does_not_grow_with_items(admin_client, channel, admin_person, django_assert_max_num_queries):
    items = [comment(f"c{n}", f"Kysymys {n}") for n in range(25)]
    ingest_interactions(channel=channel, items=items, now=timezone.now())
    Interaction.objects.update(assignee=admin_person, state="assigned")
    with django_assert_max_num_queries(12):
        response = admin_client.get("/palautteet/?assignee=mine")
    assert response.content.decode().count("Kysymys") == 25


# --- one item ---------------------------------------------------------------------------------


def test_detail__shows_the_thread_the_post_the_history_and_the_highlighted_finding(admin_client, channel):
    now = timezone.now()
    post = IncomingInteraction(
        platform_id="1234567890_1", kind=InteractionKind.COMMENT, verb=Verb.ADD, text="Uimahallin aukioloajat muuttuvat.",
        author=Author("page", "Joroisten kunta"), created_at=now - dt.timedelta(hours=3), channel_platform_id="1234567890",
        from_us=True, permalink="https://facebook.example/1234567890_1",
    )
    first = comment("c1", "Milloin aukeaa?", created_at=now - dt.timedelta(hours=2), author="Eero Korhonen")
    item = ingest(channel, comment("c2", HETU_TEXT, created_at=now - dt.timedelta(hours=1)), first, post)
    content = admin_client.get(url("", item)).content.decode()
    assert "https://facebook.example/1234567890_1" in content  # the post's permalink
    assert content.index("Eero Korhonen") < content.index("this item")  # oldest first
    assert '<mark class="finding finding-block" id="comment-piece-1">131052-308T<sup>[1]</sup></mark>' in content
    assert "Blocks publishing" in content
    assert "Received" in content  # the history, translated


def test_reply__goes_out_through_the_platform_and_says_so(admin_client, channel, platform):
    item = ingest(channel, comment())
    response = admin_client.post(url("vastaa", item), {"text": "Uimahalli aukeaa maanantaina klo 6."}, follow=True)
    assert platform.replies == [("c1", "Uimahalli aukeaa maanantaina klo 6.")]
    content = response.content.decode()
    assert "The reply was sent to the platform." in content
    assert "Answered" in content and "https://facebook.example/c1_r" in content
    item.refresh_from_db()
    assert item.state == "answered"


def test_reply__with_an_identity_code_is_blocked_keeps_the_text_and_shows_the_finding(admin_client, channel, platform):
    item = ingest(channel, comment())
    text = "Hetusi 131052-308T on väärin."
    response = admin_client.post(url("vastaa", item), {"text": text})
    content = response.content.decode()
    assert response.status_code == 400
    assert f">{text}</textarea>" in content.replace("\n", "")
    assert '<mark class="finding finding-block"' in content and "131052-308T<sup>[1]</sup>" in content
    assert "The reply was not sent" in content
    assert platform.replies == [] and not item.replies.exists()


def test_reply__with_a_warning_asks_for_a_reason_and_sends_with_one(admin_client, channel, platform):
    item = ingest(channel, comment())
    text = "Soita minulle numeroon 040 123 4567."
    first = admin_client.post(url("vastaa", item), {"text": text})
    content = first.content.decode()
    assert first.status_code == 400 and 'name="override_reason"' in content and "Send anyway" in content
    assert platform.replies == []
    admin_client.post(url("vastaa", item), {"text": text, "override_reason": "Työpuhelin, julkinen"})
    assert platform.replies == [("c1", text)]
    assert AuditEvent.objects.get(action="inbox.reply_warning_overridden").data["reason"] == "Työpuhelin, julkinen"


def test_reply__an_expired_connection_is_explained(admin_client, channel, platform):
    item = ingest(channel, comment())
    platform.fail_next.append(Outcome.UNAUTHORIZED)
    response = admin_client.post(url("vastaa", item), {"text": "Kiitos kysymyksestä."}, follow=True)
    assert "The channel&#x27;s connection has expired; an administrator must reconnect it." in response.content.decode()
    item.refresh_from_db()
    assert item.state == "new"


def test_reply__live_check_answers_the_reply_forms_fields(admin_client, channel):
    response = admin_client.post(
        "/tarkista/", {"text": "Hetusi 131052-308T on väärin.", "override_reason": ""}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in response.content.decode() and "finding-block" in response.content.decode()


def test_reply__empty_text_is_named(admin_client, channel, platform):
    item = ingest(channel, comment())
    response = admin_client.post(url("vastaa", item), {"text": "   "})
    assert response.status_code == 400 and "The reply is empty." in response.content.decode()


def test_hide__hides_on_the_platform_keeps_the_copy_and_can_show_again(admin_client, channel, platform):
    item = ingest(channel, comment(text=HETU_TEXT))
    response = admin_client.post(url("piilota", item), {"hidden": "1"}, follow=True)
    assert platform.hidden == {"c1": True}
    assert "Somevahti keeps its copy" in response.content.decode()
    item.refresh_from_db()
    assert item.state == "hidden" and item.text == HETU_TEXT
    assert "Show again on the platform" in response.content.decode()
    admin_client.post(url("piilota", item), {"hidden": "0"})
    item.refresh_from_db()
    assert platform.hidden == {"c1": False} and item.state == "new"


def test_hide__a_comment_removed_meanwhile_is_explained(admin_client, channel, platform):
    item = ingest(channel, comment())
    platform.removed.add("c1")
    response = admin_client.post(url("piilota", item), {"hidden": "1"}, follow=True)
    assert "The comment has been removed from the platform." in response.content.decode()


def test_assign__to_a_channel_administrator_and_automatically(client, channel, admin_person, organization):
    _user, moderator = make_user_person(organization, roles=["channel_admin"], name="Kaisa Moderaattori")
    ChannelAdministrator.objects.create(channel=channel, person=moderator, role="moderator", since=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    _user, outsider = make_user_person(organization, roles=["channel_admin"], name="Ulla Ulkopuolinen")
    item = ingest(channel, comment())
    client.force_login(admin_person.user)
    page = client.get(url("", item)).content.decode()
    assert "Kaisa Moderaattori" in page and "Ulla Ulkopuolinen" not in page
    response = client.post(url("anna", item), {"assignee": str(moderator.pk)}, follow=True)
    assert "Assigned to Kaisa Moderaattori." in response.content.decode()
    item.refresh_from_db()
    assert item.assignee == moderator and item.state == "assigned"
    refused = client.post(url("anna", item), {"assignee": str(outsider.pk)})
    assert refused.status_code == 400
    item.refresh_from_db()
    assert item.assignee == moderator
    second = ingest(channel, comment("c2"))
    client.post(url("anna", second), {"assignee": "auto"})
    second.refresh_from_db()
    assert second.assignee == admin_person  # the one with fewer open items


def test_no_answer__needs_a_reason_and_closes(admin_client, channel):
    item = ingest(channel, comment())
    response = admin_client.post(url("ei-vastausta", item), {"reason": ""})
    assert response.status_code == 400 and "error-summary" in response.content.decode()
    item.refresh_from_db()
    assert item.state == "new"
    admin_client.post(url("ei-vastausta", item), {"reason": "Pelkkä kiitos"})
    item.refresh_from_db()
    assert item.state == "closed" and item.no_answer_reason == "Pelkkä kiitos"


def test_close__closes_and_the_history_says_so(admin_client, channel):
    item = ingest(channel, comment())
    response = admin_client.post(url("sulje", item), follow=True)
    item.refresh_from_db()
    assert item.state == "closed"
    assert "The feedback item was closed." in response.content.decode()


def test_actions__need_post(admin_client, channel):
    item = ingest(channel, comment())
    assert admin_client.get(url("sulje", item)).status_code == 405


# --- canned replies ---------------------------------------------------------------------------


@pytest.fixture
def canned(organization):
    return CannedReply.objects.create(
        organization=organization, kind="official", language="fi", title="Uimahallin remontti",
        text="Uimahalli on suljettu remontin vuoksi 1.12. asti.",
    )


def test_canned__chosen_one_fills_the_reply_form(admin_client, channel, canned):
    item = ingest(channel, comment())
    page = admin_client.get(url("", item) + f"?canned={canned.pk}").content.decode()
    assert f">{canned.text}</textarea>" in page.replace("\n", "")
    assert 'hx-post="/tarkista/"' in page and 'hx-target="#reply-check"' in page  # the live check of the reply
    partial = admin_client.get(url("vastausteksti", item), {"canned": canned.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and f">{canned.text}</textarea>" in partial.replace("\n", "")
    fallback = admin_client.get(url("vastausteksti", item), {"canned": canned.pk})
    assert fallback.status_code == 302 and f"canned={canned.pk}" in fallback["Location"]


def test_canned__another_organizations_text_is_not_offered(admin_client, channel):
    other = CannedReply.objects.create(organization=OrganizationFactory(slug="varkaus"), title="Vieras", text="Ei meidän.")
    item = ingest(channel, comment())
    response = admin_client.get(url("vastausteksti", item), {"canned": other.pk}, HTTP_HX_REQUEST="true")
    assert "Ei meidän." not in response.content.decode()


def test_canned__comms_lead_creates_edits_and_deletes_with_audit(client_as, organization):
    client = client_as("comms_lead")
    response = client.post(
        "/palautteet/valmiit-vastaukset/uusi/", {"kind": "canned", "language": "sv", "title": "Tack", "text": "Tack för din respons!"}
    )
    assert response.status_code == 302
    row = CannedReply.objects.get()
    assert row.language == "sv"
    client.post(f"/palautteet/valmiit-vastaukset/{row.pk}/", {"kind": "canned", "language": "sv", "title": "Tack", "text": "Tack!"})
    row.refresh_from_db()
    assert row.text == "Tack!"
    listing = client.get("/palautteet/valmiit-vastaukset/").content.decode()
    assert "Tack!" in listing and "Canned reply in Svenska" in listing
    client.post(f"/palautteet/valmiit-vastaukset/{row.pk}/poista/")
    assert not CannedReply.objects.exists()
    actions = list(AuditEvent.objects.filter(action__startswith="inbox.canned").values_list("action", flat=True).order_by("id"))
    assert actions == ["inbox.canned_reply_created", "inbox.canned_reply_updated", "inbox.canned_reply_deleted"]


def test_canned__bad_input_is_named_and_nothing_changes(client_as, canned):
    client = client_as("comms_lead")
    response = client.post(f"/palautteet/valmiit-vastaukset/{canned.pk}/", {"kind": "canned", "language": "xx", "title": "", "text": "x"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "error-summary" in content and "Title" in content and "Language" in content
    canned.refresh_from_db()
    assert canned.title == "Uimahallin remontti" and canned.language == "fi"


def test_canned__administrators_use_but_may_not_edit(admin_client, canned):
    assert admin_client.get("/palautteet/valmiit-vastaukset/").status_code == 200
    assert admin_client.get("/palautteet/valmiit-vastaukset/uusi/").status_code == 403
    assert admin_client.post(f"/palautteet/valmiit-vastaukset/{canned.pk}/", {"title": "x"}).status_code == 403
    assert admin_client.post(f"/palautteet/valmiit-vastaukset/{canned.pk}/poista/").status_code == 403
    assert CannedReply.objects.filter(pk=canned.pk, title="Uimahallin remontti").exists()


def test_canned__another_organizations_row_is_not_found(client_as):
    other = CannedReply.objects.create(organization=OrganizationFactory(slug="varkaus"), title="Vieras", text="Ei meidän.")
    client = client_as("comms_lead")
    assert client.get(f"/palautteet/valmiit-vastaukset/{other.pk}/").status_code == 404
    assert client.post(f"/palautteet/valmiit-vastaukset/{other.pk}/poista/").status_code == 404
    assert CannedReply.objects.filter(pk=other.pk).exists()


# --- the report page ------------------------------------------------------------------------------


def test_report_page__bad_dates_are_named(client_as, channel):
    client = client_as("supervisor")
    response = client.get("/palautteet/raportti/", {"start": "2026-13-01", "end": "2026-03-01"})
    assert response.status_code == 400
    assert "Give the start date as YYYY-MM-DD" in response.content.decode()
    backwards = client.get("/palautteet/raportti/", {"start": "2026-03-10", "end": "2026-03-01"})
    assert backwards.status_code == 400 and "The end date is before the start date." in backwards.content.decode()


def test_report_page__has_a_chart_with_a_title_and_the_same_numbers_in_a_table(client_as, channel):
    now = timezone.now()
    item = ingest(channel, comment(created_at=now - dt.timedelta(minutes=30)))
    Interaction.objects.filter(pk=item.pk).update(first_response_at=now, deadline=now + dt.timedelta(hours=1), state="answered")
    content = client_as("comms_lead").get("/palautteet/raportti/").content.decode()
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in content and "<title id=" in content and "<desc id=" in content
    assert "style=" not in content.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "100 %" in content and "30 min" in content
    assert "<caption>Feedback per week, Facebook: Joroisten kunta</caption>" in content


@pytest.mark.parametrize(
    ("outcome", "says"),
    [
        (Outcome.RATE_LIMITED, "The platform asks us to wait; try again in a few minutes."),
        (Outcome.FAILED, "The platform did not accept it: fake failed"),
    ],
)
def test_hide__a_platform_refusal_is_explained_and_nothing_changes(admin_client, channel, platform, outcome, says):
    item = ingest(channel, comment())
    platform.fail_next.append(outcome)
    response = admin_client.post(url("piilota", item), {"hidden": "1"}, follow=True)
    assert says in response.content.decode()
    item.refresh_from_db()
    assert item.state == "new" and platform.hidden == {}


def test_detail__a_supervisor_reads_but_gets_no_action_forms(client_as, channel):
    item = ingest(channel, comment())
    content = client_as("supervisor").get(url("", item)).content.decode()
    assert "Milloin uimahalli aukeaa?" in content
    assert "Send the reply" not in content and "Hide on the platform" not in content and "csrfmiddlewaretoken" not in content.split("<main", 1)[1]


def test_detail__shows_the_post_published_through_somevahti_in_its_newest_version(admin_client, channel):
    """A comment on one of our posts shows the post it belongs to, read from the archive."""
    from somevahti.archive.models import RecordKind
    from somevahti.archive.services import archive

    for kind, text in ((RecordKind.POST_PUBLISHED, "Uimahalli aukeaa maanantaina."), (RecordKind.POST_EDITED, "Uimahalli aukeaa tiistaina.")):
        archive(
            organization=channel.organization, kind=kind, channel=channel, text=text, occurred_at=timezone.now(),
            source_id="1234567890_77", payload={"url": "https://www.facebook.com/1234567890_77"},
        )
    item = ingest(channel, comment(post="1234567890_77"))
    page = admin_client.get(url("", item)).content.decode()
    assert "Uimahalli aukeaa tiistaina." in page and "maanantaina" not in page
    assert 'href="https://www.facebook.com/1234567890_77"' in page
    assert "Somevahti does not have the post itself" not in page


def test_detail__says_so_when_the_post_is_not_known(admin_client, channel):
    item = ingest(channel, comment(post="1234567890_78"))
    assert "Somevahti does not have the post itself" in admin_client.get(url("", item)).content.decode()
