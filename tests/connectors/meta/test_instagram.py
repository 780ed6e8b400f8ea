"""InstagramConnector (Instagram API with Facebook Login) against recorded Graph answers."""

from __future__ import annotations

import json

from werkzeug import Response

from somevahti.connectors.base import (
    Credentials,
    Cursor,
    InteractionKind,
    InteractionRef,
    MediaItem,
    Outcome,
    OutgoingPost,
    PendingPublish,
)
from somevahti.connectors.meta import InstagramConnector

from .conftest import IG, NOW, PAGE, TOKEN, Graph, recorded_bytes

CONTAINER = "17889455560051444"
MEDIA = "17920238422030506"
IMAGE = MediaItem(url="https://media.joroinen.fi/kuusi.jpg", alt_text="Joulukuusi torilla lumisateessa")


def _serve_publish(graph: Graph, status: str = "ig_status_finished.json") -> None:
    graph.on("GET", f"{IG}/content_publishing_limit", "ig_publishing_limit.json")
    graph.on("POST", f"{IG}/media", "ig_container_created.json")
    graph.on("GET", CONTAINER, status)
    graph.on("POST", f"{IG}/media_publish", "ig_media_published.json")
    graph.on("GET", MEDIA, "ig_media_permalink.json")


def test_publish__creates_a_container_with_alt_text_then_publishes_it(instagram, graph: Graph) -> None:
    _serve_publish(graph)

    result = instagram.publish(OutgoingPost(text="Joulukuusi on pystytetty!", media=(IMAGE,)))

    assert result.outcome == Outcome.OK
    assert result.platform_id == MEDIA and result.url == "https://www.instagram.com/p/DAbCdEfGhIj/"
    container = graph.sent("POST", f"{IG}/media")[0]
    assert container["image_url"] == IMAGE.url
    assert container["caption"] == "Joulukuusi on pystytetty!"
    assert container["alt_text"] == IMAGE.alt_text
    assert graph.sent("GET", CONTAINER)[0]["fields"] == "status_code,status"
    assert graph.sent("POST", f"{IG}/media_publish")[0]["creation_id"] == CONTAINER
    assert graph.sent("GET", f"{IG}/content_publishing_limit")[0]["fields"] == "quota_usage,config"


def test_publish__several_images_make_a_carousel(instagram, graph: Graph) -> None:
    graph.on("GET", f"{IG}/content_publishing_limit", "ig_publishing_limit.json")
    answers = iter(["ig_child_1.json", "ig_child_2.json", "ig_carousel_created.json"])
    graph.server.expect_request(f"/v26.0/{IG}/media", method="POST").respond_with_handler(
        lambda request: Response(recorded_bytes(next(answers)), content_type="application/json")
    )
    graph.on("GET", "18000748627392977", "ig_status_finished.json")
    graph.on("POST", f"{IG}/media_publish", "ig_media_published.json")
    graph.on("GET", MEDIA, "ig_media_permalink.json")

    result = instagram.publish(OutgoingPost(text="Kuvia", media=(IMAGE, MediaItem(url="https://media.joroinen.fi/2.jpg", alt_text="Tori"))))

    assert result.outcome == Outcome.OK and result.platform_id == MEDIA
    calls = graph.sent("POST", f"{IG}/media")
    assert [c.get("is_carousel_item") for c in calls] == ["true", "true", None]
    assert calls[1]["alt_text"] == "Tori"
    assert calls[2]["media_type"] == "CAROUSEL"
    assert calls[2]["children"] == "17899506308402767,18193870522147812"
    assert calls[2]["caption"] == "Kuvia"
    assert graph.sent("POST", f"{IG}/media_publish")[0]["creation_id"] == "18000748627392977"


def test_publish__a_container_still_processing_is_pending(instagram, graph: Graph) -> None:
    _serve_publish(graph, "ig_status_in_progress.json")

    result = instagram.publish(OutgoingPost(text="x", media=(IMAGE,)))

    assert result.outcome == Outcome.PENDING
    assert result.pending == PendingPublish(container_id=CONTAINER)
    assert graph.sent("POST", f"{IG}/media_publish") == []


def test_publish__media_not_ready_when_publishing_is_pending(instagram, graph: Graph) -> None:
    graph.on("GET", f"{IG}/content_publishing_limit", "ig_publishing_limit.json")
    graph.on("POST", f"{IG}/media", "ig_container_created.json")
    graph.on("GET", CONTAINER, "ig_status_finished.json")
    graph.on("POST", f"{IG}/media_publish", "ig_error_not_ready.json", status=400)

    result = instagram.publish(OutgoingPost(text="x", media=(IMAGE,)))

    assert result.outcome == Outcome.PENDING and result.pending is not None


def test_publish__a_full_daily_quota_is_rate_limited_before_anything_is_created(instagram, graph: Graph) -> None:
    graph.on("GET", f"{IG}/content_publishing_limit", "ig_publishing_limit_full.json")

    result = instagram.publish(OutgoingPost(text="x", media=(IMAGE,)))

    assert result.outcome == Outcome.RATE_LIMITED and result.retry_after == 3600
    assert graph.sent("POST", f"{IG}/media") == []


def test_publish__needs_an_image_and_at_most_ten(instagram, graph: Graph) -> None:
    assert instagram.publish(OutgoingPost(text="Pelkkä teksti")).outcome == Outcome.FAILED
    assert instagram.publish(OutgoingPost(text="x", media=(IMAGE,) * 11)).outcome == Outcome.FAILED
    assert graph.requests() == []


def test_finish_publish__publishes_a_finished_container(instagram, graph: Graph) -> None:
    graph.on("GET", CONTAINER, "ig_status_finished.json")
    graph.on("POST", f"{IG}/media_publish", "ig_media_published.json")
    graph.on("GET", MEDIA, "ig_media_permalink.json")

    result = instagram.finish_publish(PendingPublish(container_id=CONTAINER))

    assert result.outcome == Outcome.OK and result.platform_id == MEDIA


def test_finish_publish__repeated_after_publishing_does_not_publish_twice(instagram, graph: Graph) -> None:
    graph.on("GET", CONTAINER, "ig_status_published.json")

    result = instagram.finish_publish(PendingPublish(container_id=CONTAINER))

    assert result.outcome == Outcome.OK and "already" in result.message
    assert graph.sent("POST", f"{IG}/media_publish") == []


def test_finish_publish__expired_and_error_containers_fail_with_a_message(instagram, graph: Graph) -> None:
    graph.on("GET", CONTAINER, "ig_status_expired.json")
    expired = instagram.finish_publish(PendingPublish(container_id=CONTAINER))
    graph.server.clear()
    graph.on("GET", CONTAINER, "ig_status_error.json")
    errored = instagram.finish_publish(PendingPublish(container_id=CONTAINER))

    assert expired.outcome == Outcome.FAILED and "24 hours" in expired.message
    assert errored.outcome == Outcome.FAILED and "2207026" in errored.message


def test_fetch_interactions__reads_comments_replies_mentions_and_messages(instagram, graph: Graph) -> None:
    graph.on("GET", f"{IG}/media", "ig_media_list.json")
    graph.on("GET", f"{MEDIA}/comments", "ig_comments.json")
    graph.on("GET", f"{IG}/tags", "ig_tags.json")
    graph.on("GET", f"{PAGE}/conversations", "fb_comments_empty.json")

    batch = instagram.fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK, batch.message
    by_id = {i.platform_id: i for i in batch.items}
    assert list(by_id) == ["17870913679156914", "17873440459141021", "18038000000000001", "17870913679156915"]
    comment = by_id["17870913679156914"]
    assert comment.kind == InteractionKind.COMMENT and comment.author.handle == "kuntalainen_1"
    assert comment.post_id == MEDIA and comment.permalink == "https://www.instagram.com/p/DAbCdEfGhIj/"
    reply = by_id["17873440459141021"]
    assert reply.kind == InteractionKind.REPLY and reply.from_us and reply.parent_id == "17870913679156914"
    assert by_id["17870913679156915"].extra == {"is_hidden": "true"}
    mention = by_id["18038000000000001"]
    assert mention.kind == InteractionKind.MENTION and mention.extra["media_id"] == "18038000000000001"
    media_calls = [r.path for r in graph.requests() if r.path.endswith("/comments")]
    assert media_calls == [f"/v26.0/{MEDIA}/comments"]   # no call for media without comments or too old
    assert graph.sent("GET", f"{PAGE}/conversations")[0]["platform"] == "instagram"

    again = instagram.fetch_interactions(batch.cursor)
    assert again.items == []


def test_fetch_interactions__finds_the_page_through_me_when_not_configured(graph: Graph) -> None:
    connector = InstagramConnector(
        credentials=Credentials(platform_id=IG, token=TOKEN), base_url=graph.base_url, now=lambda: NOW,
    )
    graph.on("GET", f"{IG}/media", "fb_comments_empty.json")
    graph.on("GET", f"{IG}/tags", "error_permission_10.json", status=403)
    graph.on("GET", "me", "fb_me.json")
    graph.on("GET", f"{PAGE}/conversations", "fb_comments_empty.json")

    batch = connector.fetch_interactions(Cursor())

    assert batch.outcome == Outcome.OK and "mentions could not be read" in batch.message
    assert graph.sent("GET", "me")[0]["fields"] == "id"


def test_reply__to_a_comment_uses_replies(instagram, graph: Graph) -> None:
    graph.on("POST", "17870913679156915/replies", "ig_comment_reply_created.json")

    result = instagram.reply(InteractionRef("17870913679156915"), "Valot sytytetään 1.12.")

    assert result.outcome == Outcome.OK and result.platform_id == "17873440459141029"
    assert graph.sent("POST", "17870913679156915/replies")[0]["message"] == "Valot sytytetään 1.12."


def test_reply__to_a_mention_uses_the_mentions_edge(instagram, graph: Graph) -> None:
    graph.on("POST", f"{IG}/mentions", "ig_comment_reply_created.json")

    result = instagram.reply(
        InteractionRef("17870000000000099", kind=InteractionKind.MENTION,
                       extra={"media_id": "18038000000000002", "comment_id": "17870000000000099"}),
        "Kiitos!",
    )

    assert result.outcome == Outcome.OK
    assert graph.sent("POST", f"{IG}/mentions")[0] == {
        "media_id": "18038000000000002", "comment_id": "17870000000000099", "message": "Kiitos!",
    }


def test_reply__to_a_direct_message_goes_through_the_page(instagram, graph: Graph) -> None:
    graph.on("POST", f"{PAGE}/messages", "fb_message_sent.json")

    result = instagram.reply(InteractionRef("aWdf", kind=InteractionKind.MESSAGE, extra={"recipient_id": "5500000000000001"}), "Hei!")

    assert result.outcome == Outcome.OK
    assert json.loads(graph.sent("POST", f"{PAGE}/messages")[0]["recipient"]) == {"id": "5500000000000001"}


def test_hide_and_delete__use_hide_and_delete_on_the_comment(instagram, graph: Graph) -> None:
    graph.on("POST", "17870913679156915", "success.json")
    graph.on("DELETE", "17870913679156915", "success.json")

    assert instagram.hide(InteractionRef("17870913679156915"), True).outcome == Outcome.OK
    assert instagram.hide(InteractionRef("17870913679156915"), False).outcome == Outcome.OK
    assert instagram.delete(InteractionRef("17870913679156915")).outcome == Outcome.OK
    assert [p["hide"] for p in graph.sent("POST", "17870913679156915")] == ["true", "false"]
    assert len(graph.sent("DELETE", "17870913679156915")) == 1


def test_hide__a_removed_comment_is_not_found(instagram, graph: Graph) -> None:
    graph.on("POST", "1", "error_not_found.json", status=400)
    assert instagram.hide(InteractionRef("1"), True).outcome == Outcome.NOT_FOUND


def test_administrators__come_from_the_linked_page(instagram, graph: Graph) -> None:
    graph.on("GET", f"{PAGE}/roles", "fb_roles.json")
    graph.on("GET", f"{PAGE}/assigned_users", "fb_comments_empty.json")

    assert [a.platform_user_id for a in instagram.administrators()] == ["8000000000000001", "8000000000000002"]


def test_health__reads_the_account(instagram, graph: Graph) -> None:
    graph.on("GET", IG, "ig_user.json")

    result = instagram.health()

    assert result.outcome == Outcome.OK and "@joroistenkunta" in result.message
    assert graph.sent("GET", IG)[0]["fields"] == "id,username"


def test_edit__instagram_cannot_change_a_published_caption_and_sends_nothing(instagram, graph: Graph) -> None:
    from somevahti.connectors.base import Capability
    from somevahti.connectors.registry import capabilities_for

    result = instagram.edit(InteractionRef(MEDIA), OutgoingPost(text="Korjattu kuvateksti", media=(IMAGE,)))

    assert Capability.EDIT not in InstagramConnector.capabilities
    assert result.outcome == Outcome.FAILED and "Withdraw the post" in result.message
    assert graph.requests() == []
    assert Capability.EDIT not in capabilities_for("instagram")   # the test settings' fake keeps the same limit
