"""FacebookConnector against a local Graph stand-in serving recorded answers."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

import pytest

from somevahti.connectors.base import (
    Connector,
    Cursor,
    InteractionKind,
    InteractionRef,
    MediaItem,
    Outcome,
    OutgoingPost,
    PendingPublish,
)
from somevahti.connectors.registry import connector_for

from .conftest import APP_SECRET, NOW, PAGE, TOKEN, Graph, recorded

POST_ID = f"{PAGE}_200000000000001"
POST2 = f"{PAGE}_200000000000002"


def test_facebook_connector__satisfies_the_protocol_and_the_registry_builds_it(graph: Graph, settings) -> None:
    from somevahti.connectors.base import Credentials

    settings.SOMEVAHTI_CONNECTORS = {}   # the test settings name the fake for every platform

    connector = connector_for("facebook", Credentials(platform_id=PAGE, token=TOKEN), base_url=graph.base_url)
    assert isinstance(connector, Connector)
    assert connector.platform == "facebook"


def test_publish__text_and_link_post_goes_to_the_feed_and_returns_its_permalink(facebook, graph: Graph) -> None:
    graph.on("POST", f"{PAGE}/feed", "fb_post_created.json")
    graph.on("GET", POST_ID, "fb_post_permalink.json")

    result = facebook.publish(OutgoingPost(text="Kirjasto on suljettu jouluna.", link="https://joroinen.fi/kirjasto"))

    assert result.outcome == Outcome.OK
    assert result.platform_id == POST_ID
    assert result.url == f"https://www.facebook.com/{PAGE}/posts/200000000000001"
    sent = graph.sent("POST", f"{PAGE}/feed")[0]
    assert sent["message"] == "Kirjasto on suljettu jouluna."
    assert sent["link"] == "https://joroinen.fi/kirjasto"
    assert graph.sent("GET", POST_ID)[0]["fields"] == "permalink_url"


def test_publish__sends_the_token_only_in_the_authorization_header_with_an_appsecret_proof(facebook, graph: Graph) -> None:
    graph.on("POST", f"{PAGE}/feed", "fb_post_created.json")
    graph.on("GET", POST_ID, "fb_post_permalink.json")

    facebook.publish(OutgoingPost(text="Hei"))

    for request in graph.requests():
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert TOKEN not in request.url
        assert TOKEN not in request.get_data(as_text=True)
        proof = hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
        assert request.args["appsecret_proof"] == proof


def test_publish__one_photo_posts_to_photos_with_caption(facebook, graph: Graph) -> None:
    graph.on("POST", f"{PAGE}/photos", "fb_photo_created.json")
    graph.on("GET", f"{PAGE}_300000000000001", {"permalink_url": "https://www.facebook.com/photo/1"})

    result = facebook.publish(OutgoingPost(
        text="Torin joulukuusi", media=(MediaItem(url="https://media.joroinen.fi/kuusi.jpg", alt_text="Kuusi torilla"),),
    ))

    assert result.outcome == Outcome.OK
    assert result.platform_id == f"{PAGE}_300000000000001"
    assert result.url == "https://www.facebook.com/photo/1"
    sent = graph.sent("POST", f"{PAGE}/photos")[0]
    assert sent == {"url": "https://media.joroinen.fi/kuusi.jpg", "caption": "Torin joulukuusi", "appsecret_proof": sent["appsecret_proof"]}


def test_publish__several_photos_are_uploaded_unpublished_then_attached_to_one_post(facebook, graph: Graph) -> None:
    first = json.dumps(recorded("fb_unpublished_photo_1.json")).encode()
    second = json.dumps(recorded("fb_unpublished_photo_2.json")).encode()
    graph.server.expect_ordered_request(f"/v26.0/{PAGE}/photos", method="POST").respond_with_data(first, content_type="application/json")
    graph.server.expect_ordered_request(f"/v26.0/{PAGE}/photos", method="POST").respond_with_data(second, content_type="application/json")
    graph.on("POST", f"{PAGE}/feed", "fb_post_created.json")
    graph.on("GET", POST_ID, "fb_post_permalink.json")

    result = facebook.publish(OutgoingPost(text="Kaksi kuvaa", media=(
        MediaItem(url="https://media.joroinen.fi/1.jpg", alt_text="Yksi"),
        MediaItem(url="https://media.joroinen.fi/2.jpg", alt_text="Kaksi"),
    )))

    assert result.outcome == Outcome.OK and result.platform_id == POST_ID
    uploads = graph.sent("POST", f"{PAGE}/photos")
    assert [u["url"] for u in uploads] == ["https://media.joroinen.fi/1.jpg", "https://media.joroinen.fi/2.jpg"]
    assert all(u["published"] == "false" for u in uploads)
    feed = graph.sent("POST", f"{PAGE}/feed")[0]
    assert json.loads(feed["attached_media"]) == [{"media_fbid": "300000000000011"}, {"media_fbid": "300000000000012"}]
    assert feed["message"] == "Kaksi kuvaa"


def test_publish__a_failing_permalink_lookup_does_not_fail_the_published_post(facebook, graph: Graph) -> None:
    graph.on("POST", f"{PAGE}/feed", "fb_post_created.json")
    graph.on("GET", POST_ID, b"<html>oops</html>", status=500)

    result = facebook.publish(OutgoingPost(text="Hei"))

    assert result.outcome == Outcome.OK and result.platform_id == POST_ID and result.url == ""


def test_publish__an_empty_post_or_a_local_image_is_refused_without_calling(facebook, graph: Graph) -> None:
    assert facebook.publish(OutgoingPost(text="  ")).outcome == Outcome.FAILED
    local = facebook.publish(OutgoingPost(text="x", media=(MediaItem(url="/srv/media/a.jpg", alt_text="a"),)))
    assert local.outcome == Outcome.FAILED and "public" in local.message
    assert graph.requests() == []


def test_finish_publish__is_a_no_op_on_facebook(facebook) -> None:
    assert facebook.finish_publish(PendingPublish(container_id=POST_ID)).outcome == Outcome.OK


def _serve_fetch(graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/published_posts", "fb_published_posts.json")
    graph.server.expect_request(
        f"/v26.0/{POST2}/comments", method="GET", query_string={"fields": "id,message,from,created_time,parent{id},is_hidden,permalink_url,attachment", "filter": "stream", "order": "reverse_chronological", "limit": "100", "after": "WTI5dGJXVnVkRjlqZAFhKemIzSTZANVEk1", "appsecret_proof": hmac.new(APP_SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()},
    ).respond_with_data(json.dumps(recorded("fb_comments_page2.json")), content_type="application/json")
    graph.on("GET", f"{POST2}/comments", "fb_comments_page1.json")
    graph.on("GET", f"{POST_ID}/comments", "fb_comments_empty.json")
    graph.on("GET", f"{PAGE}/conversations", "fb_conversations.json")


def test_fetch_interactions__reads_comments_with_paging_and_messages(facebook, graph: Graph) -> None:
    _serve_fetch(graph)

    batch = facebook.fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK, batch.message
    ids = [i.platform_id for i in batch.items]
    assert ids == [
        "200000000000002_500000000000000",
        "200000000000002_500000000000001",
        "m_AAAAbbbbCCCC1",
        "m_AAAAbbbbCCCC2",
        "200000000000002_500000000000002",
        "200000000000002_500000000000003",
    ]
    by_id = {i.platform_id: i for i in batch.items}
    reply = by_id["200000000000002_500000000000003"]
    assert reply.kind == InteractionKind.REPLY and reply.from_us
    assert reply.parent_id == "200000000000002_500000000000001" and reply.post_id == POST2
    hidden = by_id["200000000000002_500000000000002"]
    assert hidden.kind == InteractionKind.COMMENT and not hidden.from_us
    assert hidden.author.name == "Matti Meikäläinen" and hidden.extra == {"is_hidden": "true"}
    assert hidden.media_urls == ("https://scontent.example/photo.jpg",)
    asked = by_id["m_AAAAbbbbCCCC1"]
    assert asked.kind == InteractionKind.MESSAGE and not asked.from_us
    assert asked.extra["recipient_id"] == "7100000000000001" and asked.thread_id == "7100000000000001"
    answered = by_id["m_AAAAbbbbCCCC2"]
    assert answered.from_us and answered.extra["recipient_id"] == "7100000000000001"
    assert all(i.channel_platform_id == PAGE for i in batch.items)
    assert "m_old" not in ids   # older than the 14-day look-back

    posts = graph.sent("GET", f"{PAGE}/published_posts")[0]
    assert posts["since"] == str(int((NOW.timestamp()) - 14 * 86400))
    comments = graph.sent("GET", f"{POST2}/comments")
    assert len(comments) == 2 and comments[0]["filter"] == "stream" and "after" not in comments[0]
    assert comments[1]["after"] == "WTI5dGJXVnVkRjlqZAFhKemIzSTZANVEk1"
    assert graph.sent("GET", f"{PAGE}/conversations")[0]["platform"] == "messenger"


def test_fetch_interactions__the_returned_cursor_gives_nothing_twice(facebook, graph: Graph) -> None:
    _serve_fetch(graph)
    first = facebook.fetch_interactions(Cursor())

    again = facebook.fetch_interactions(first.cursor)

    assert again.outcome == Outcome.OK
    assert again.items == []
    assert json.loads(again.cursor.value)["comments"]["at"].startswith("2026-11-25T10:15:00")


def test_fetch_interactions__an_unreadable_cursor_falls_back_to_the_look_back(facebook, graph: Graph) -> None:
    _serve_fetch(graph)

    batch = facebook.fetch_interactions(Cursor("{not json"))

    assert batch.outcome == Outcome.OK and len(batch.items) == 6


def test_fetch_interactions__missing_message_permission_still_returns_comments_with_a_note(facebook, graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/published_posts", "fb_published_posts.json")
    graph.on("GET", f"{POST2}/comments", "fb_comments_page2.json")
    graph.on("GET", f"{POST_ID}/comments", "fb_comments_empty.json")
    graph.on("GET", f"{PAGE}/conversations", "error_permission_10.json", status=403)

    batch = facebook.fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK
    assert [i.platform_id for i in batch.items] == ["200000000000002_500000000000000"]
    assert "Messenger messages could not be read" in batch.message


def test_fetch_interactions__an_expired_token_keeps_the_old_cursor(facebook, graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/published_posts", "error_token_expired.json", status=400)

    batch = facebook.fetch_interactions(Cursor("abc"))

    assert batch.outcome == Outcome.UNAUTHORIZED
    assert batch.cursor == Cursor("abc") and batch.items == []
    assert "expired" in batch.message and "reconnect" in batch.message


def test_fetch_interactions__empty_pages_give_an_empty_batch(facebook, graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/published_posts", "fb_comments_empty.json")
    graph.on("GET", f"{PAGE}/conversations", "fb_comments_empty.json")

    batch = facebook.fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK and batch.items == []


def test_fetch_interactions__a_list_without_data_is_a_clear_failure(facebook, graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/published_posts", {"paging": {}})

    batch = facebook.fetch_interactions(Cursor())

    assert batch.outcome == Outcome.FAILED and "could not read" in batch.message


def test_reply__to_a_comment_posts_a_comment_on_it(facebook, graph: Graph) -> None:
    graph.on("POST", "200000000000002_500000000000001/comments", "fb_comment_created.json")

    result = facebook.reply(InteractionRef("200000000000002_500000000000001"), "Kirjasto on auki 27.12.")

    assert result.outcome == Outcome.OK and result.platform_id == "200000000000002_500000000000009"
    assert graph.sent("POST", "200000000000002_500000000000001/comments")[0]["message"] == "Kirjasto on auki 27.12."


def test_reply__to_a_message_uses_the_send_api_with_messaging_type_response(facebook, graph: Graph) -> None:
    graph.on("POST", f"{PAGE}/messages", "fb_message_sent.json")

    result = facebook.reply(
        InteractionRef("m_AAAAbbbbCCCC1", kind=InteractionKind.MESSAGE, extra={"recipient_id": "7100000000000001"}),
        "Hakemus tehdään Lupapisteessä.",
    )

    assert result.outcome == Outcome.OK and result.platform_id.startswith("m_AG5Hz2U")
    sent = graph.sent("POST", f"{PAGE}/messages")[0]
    assert json.loads(sent["recipient"]) == {"id": "7100000000000001"}
    assert sent["messaging_type"] == "RESPONSE"
    assert json.loads(sent["message"]) == {"text": "Hakemus tehdään Lupapisteessä."}


def test_reply__to_a_message_without_a_known_sender_fails_clearly(facebook, graph: Graph) -> None:
    result = facebook.reply(InteractionRef("m_x", kind=InteractionKind.MESSAGE), "Hei")
    assert result.outcome == Outcome.FAILED and "sender" in result.message
    assert graph.requests() == []


def test_reply__to_a_removed_comment_is_not_found(facebook, graph: Graph) -> None:
    graph.on("POST", "200000000000002_500000000000001/comments", "error_not_found.json", status=400)

    result = facebook.reply(InteractionRef("200000000000002_500000000000001"), "Hei")

    assert result.outcome == Outcome.NOT_FOUND and "removed" in result.message


@pytest.mark.parametrize("hidden", [True, False])
def test_hide__sets_is_hidden_on_the_comment(facebook, graph: Graph, hidden: bool) -> None:
    graph.on("POST", "200000000000002_500000000000002", "success.json")

    result = facebook.hide(InteractionRef("200000000000002_500000000000002"), hidden)

    assert result.outcome == Outcome.OK
    assert graph.sent("POST", "200000000000002_500000000000002")[0]["is_hidden"] == str(hidden).lower()


def test_hide__a_message_cannot_be_hidden(facebook) -> None:
    assert facebook.hide(InteractionRef("m_1", kind=InteractionKind.MESSAGE), True).outcome == Outcome.FAILED


def test_delete__sends_delete_to_the_comment(facebook, graph: Graph) -> None:
    graph.on("DELETE", "200000000000002_500000000000002", "success.json")

    result = facebook.delete(InteractionRef("200000000000002_500000000000002"))

    assert result.outcome == Outcome.OK
    assert [r.method for r in graph.requests()] == ["DELETE"]


def test_delete__success_false_is_a_failure(facebook, graph: Graph) -> None:
    graph.on("DELETE", "1_2", {"success": False})
    assert facebook.delete(InteractionRef("1_2")).outcome == Outcome.FAILED


def test_administrators__merges_roles_and_business_users_and_skips_analysts(facebook, graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/roles", "fb_roles.json")
    graph.on("GET", f"{PAGE}/assigned_users", "fb_assigned_users.json")

    admins = facebook.administrators()

    assert [(a.platform_user_id, a.name, a.role) for a in admins] == [
        ("8000000000000001", "Anna Ylläpitäjä", "MANAGE"),
        ("8000000000000002", "Eero Editori", "CREATE_CONTENT"),
        ("9000000000000001", "Somevahti-järjestelmäkäyttäjä", "MODERATE"),
    ]
    assert facebook.last_result.outcome == Outcome.OK
    assert graph.sent("GET", f"{PAGE}/roles")[0]["fields"] == "id,name,tasks"


def test_administrators__without_business_users_permission_still_lists_roles(facebook, graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/roles", "fb_roles.json")
    graph.on("GET", f"{PAGE}/assigned_users", "error_permission.json", status=403)

    assert len(facebook.administrators()) == 2


def test_administrators__on_an_expired_token_returns_nothing_and_says_why(facebook, graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/roles", "error_token_expired.json", status=400)

    assert facebook.administrators() == []
    assert facebook.last_result.outcome == Outcome.UNAUTHORIZED


def test_health__a_working_page_token_is_ok(facebook, graph: Graph) -> None:
    graph.on("GET", "me", "fb_me.json", headers={"X-App-Usage": '{"call_count":28,"total_time":25,"total_cputime":25}'})

    result = facebook.health()

    assert result.outcome == Outcome.OK and "Joroisten kunta" in result.message
    assert result.usage["app_call_count"] == 28 and result.usage["max"] == 28
    assert graph.sent("GET", "me")[0]["fields"] == "id,name"


def test_health__a_token_of_another_page_is_a_failure(facebook, graph: Graph) -> None:
    graph.on("GET", "me", {"id": "999", "name": "Toinen sivu"})
    result = facebook.health()
    assert result.outcome == Outcome.FAILED and "another" in result.message


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("error_token_expired.json", "expired"),
        ("error_password_changed.json", "password"),
        ("error_app_removed.json", "app was removed"),
    ],
)
def test_health__token_errors_are_unauthorized_with_the_reason(facebook, graph: Graph, answer: str, reason: str) -> None:
    graph.on("GET", "me", answer, status=400)

    result = facebook.health()

    assert result.outcome == Outcome.UNAUTHORIZED
    assert reason in result.message and "reconnect" in result.message


def test_secrets__never_in_logs_reprs_or_messages(facebook, graph: Graph, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    graph.on("GET", "me", {"error": {"message": f"Bad token {TOKEN}", "type": "OAuthException", "code": 190}}, status=400)
    graph.on("GET", f"{PAGE}/published_posts", "fb_published_posts.json")
    graph.on("GET", f"{POST2}/comments", "fb_comments_page1.json")   # its paging.next carries a token
    graph.on("GET", f"{POST_ID}/comments", "fb_comments_empty.json")
    graph.on("GET", f"{PAGE}/conversations", "fb_conversations.json")

    health = facebook.health()
    batch = facebook.fetch_interactions(Cursor())

    everything = caplog.text + repr(facebook) + repr(facebook.credentials) + repr(facebook.client) + health.message + repr(health) + repr(batch)
    assert TOKEN not in everything and APP_SECRET not in everything
    for request in graph.requests():
        assert TOKEN not in request.url


# --- editing a published post ----------------------------------------------------------------


def test_edit__replaces_the_page_posts_message_in_place(facebook, graph: Graph) -> None:
    from somevahti.connectors.base import Capability

    graph.on("POST", POST_ID, "fb_post_updated.json")

    result = facebook.edit(InteractionRef(POST_ID), OutgoingPost(text="Kirjasto on suljettu 24.–26.12.", link="https://joroinen.fi/kirjasto"))

    assert Capability.EDIT in facebook.capabilities
    assert result.outcome == Outcome.OK and result.platform_id == POST_ID
    [sent] = graph.sent("POST", POST_ID)
    # A text post keeps its link preview: only the message changes.
    assert sent["message"] == "Kirjasto on suljettu 24.–26.12."
    assert "link" not in sent
    assert [r.method for r in graph.requests()] == ["POST"]


def test_edit__a_photo_posts_caption_keeps_the_link_it_was_published_with(facebook, graph: Graph) -> None:
    graph.on("POST", POST_ID, "fb_post_updated.json")

    facebook.edit(InteractionRef(POST_ID), OutgoingPost(
        text="Torin joulukuusi sytytetään lauantaina.", link="https://joroinen.fi/joulu",
        media=(MediaItem(url="https://media.joroinen.fi/kuusi.jpg", alt_text="Kuusi torilla"),),
    ))

    assert graph.sent("POST", POST_ID)[0]["message"] == "Torin joulukuusi sytytetään lauantaina.\n\nhttps://joroinen.fi/joulu"


def test_edit__a_deleted_post_is_not_found(facebook, graph: Graph) -> None:
    graph.on("POST", POST_ID, "error_not_found.json", status=400)

    result = facebook.edit(InteractionRef(POST_ID), OutgoingPost(text="Korjattu teksti"))

    assert result.outcome == Outcome.NOT_FOUND and "no longer exists on Facebook" in result.message


def test_edit__an_expired_token_asks_for_reconnection_and_success_false_fails(facebook, graph: Graph) -> None:
    graph.on("POST", POST_ID, "error_token_expired.json", status=400)
    graph.on("POST", POST2, {"success": False})

    expired = facebook.edit(InteractionRef(POST_ID), OutgoingPost(text="Korjattu"))
    refused = facebook.edit(InteractionRef(POST2), OutgoingPost(text="Korjattu"))

    assert expired.outcome == Outcome.UNAUTHORIZED and "reconnect" in expired.message
    assert refused.outcome == Outcome.FAILED


def test_edit__an_empty_text_is_refused_before_sending(facebook, graph: Graph) -> None:
    assert facebook.edit(InteractionRef(POST_ID), OutgoingPost(text="  ")).outcome == Outcome.FAILED
    assert graph.requests() == []
