"""Publishing a status, with images, against recorded instance answers over real HTTP."""

from __future__ import annotations

from pytest_httpserver import HTTPServer
from werkzeug import Response

from somevahti.connectors.base import MediaItem, Outcome, OutgoingPost

from .conftest import TOKEN, json_response, rate_headers, recorded, requests_to, serve_instance


def test_publish__posts_text_language_visibility_and_idempotency_key(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        json_response(recorded("status_created.json"), headers=rate_headers(limit=300, remaining=240))
    )

    result = connector.publish(OutgoingPost(
        text="Kirkkotien päällystystyöt alkavat maanantaina. Kiertotie on merkitty.",
        language="fi", idempotency_key="draft-42-v3",
    ))

    assert result.outcome == Outcome.OK, result.message
    assert result.platform_id == "109500000000000100"
    assert result.url == "https://some.example/@joroisten_kunta/109500000000000100"
    assert result.usage == {"rate_limit": 20.0}
    [request] = requests_to(mastodon, "/api/v1/statuses", "POST")
    assert request.form["status"] == "Kirkkotien päällystystyöt alkavat maanantaina. Kiertotie on merkitty."
    assert request.form["language"] == "fi"
    assert request.form["visibility"] == "public"
    assert "in_reply_to_id" not in request.form
    assert request.headers["Idempotency-Key"] == "draft-42-v3"
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"


def test_publish__without_idempotency_key_sends_no_such_header(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("status_created.json")))

    assert connector.publish(OutgoingPost(text="Hei")).ok

    [request] = requests_to(mastodon, "/api/v1/statuses", "POST")
    assert "Idempotency-Key" not in request.headers


def test_publish__appends_the_link_when_the_text_lacks_it(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("status_created.json")))

    connector.publish(OutgoingPost(text="Lue tiedote", link="https://www.joroinen.fi/tiedote"))

    [request] = requests_to(mastodon, "/api/v1/statuses", "POST")
    assert request.form["status"] == "Lue tiedote\n\nhttps://www.joroinen.fi/tiedote"


def test_publish__reads_the_instance_limit_once_and_caches_it(mastodon: HTTPServer, make_connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("status_created.json")))

    assert make_connector().publish(OutgoingPost(text="Ensimmäinen")).ok
    assert make_connector().publish(OutgoingPost(text="Toinen")).ok

    assert len(requests_to(mastodon, "/api/v2/instance")) == 1
    assert len(requests_to(mastodon, "/api/v1/statuses", "POST")) == 2


def test_publish__too_long_for_the_instance_fails_before_sending(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon, max_characters=100)

    result = connector.publish(OutgoingPost(text="ä" * 101))

    assert result.outcome == Outcome.FAILED
    assert "101 characters" in result.message and "at most 100" in result.message
    assert "Shorten it by 1 characters" in result.message
    assert requests_to(mastodon, "/api/v1/statuses") == []


def test_publish__counts_a_long_address_as_the_instance_does(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon, max_characters=60)
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("status_created.json")))
    url = "https://www.joroinen.fi/" + "hyvin-pitka-osoite/" * 10   # 214 characters, counts as 23

    result = connector.publish(OutgoingPost(text=f"Lue lisää: {url}"))

    assert result.ok, result.message


def test_publish__instance_that_does_not_tell_its_limits_lets_the_server_decide(mastodon: HTTPServer, connector) -> None:
    mastodon.expect_request("/api/v2/instance/").respond_with_response(json_response(recorded("error_404.json"), status=404))
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        json_response(recorded("error_422_too_long.json"), status=422)
    )

    result = connector.publish(OutgoingPost(text="x" * 600))

    assert result.outcome == Outcome.FAILED
    assert "Validation failed: Text character limit of 500 exceeded" in result.message


def test_publish__empty_post_is_refused_without_calling_the_instance(mastodon: HTTPServer, connector) -> None:
    result = connector.publish(OutgoingPost(text="  "))

    assert result.outcome == Outcome.FAILED
    assert "nothing to publish" in result.message
    assert mastodon.log == []


# --- images -----------------------------------------------------------------------------------

JPEG = b"\xff\xd8\xff\xe0" + b"kuva" * 100


def test_publish__image_processed_at_once_is_attached_with_its_alt_text(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v2/media", method="POST").respond_with_response(json_response(recorded("media_200_immediate.json")))
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("status_created.json")))

    result = connector.publish(OutgoingPost(
        text="Kuoppa on korjattu.",
        media=(MediaItem(url="kuoppa.jpg", alt_text="Korjattu kuoppa Kirkkotiellä", data=JPEG),),
    ))

    assert result.ok, result.message
    [upload] = requests_to(mastodon, "/api/v2/media", "POST")
    assert upload.form["description"] == "Korjattu kuoppa Kirkkotiellä"
    assert upload.files["file"].read() == JPEG
    assert upload.files["file"].mimetype == "image/jpeg"
    assert requests_to(mastodon, "/api/v1/media/22348641") == []
    [post] = requests_to(mastodon, "/api/v1/statuses", "POST")
    assert post.form.getlist("media_ids[]") == ["22348641"]


def test_publish__image_still_processing_is_polled_until_it_has_an_address(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v2/media", method="POST").respond_with_response(
        json_response(recorded("media_202_processing.json"), status=202)
    )
    answers = [
        json_response(recorded("media_202_processing.json"), status=206),   # still processing, the JSON again
        Response(b"", status=206),                                          # still processing, an empty body
        json_response(recorded("media_200_processed.json")),                # done: url is set
    ]
    mastodon.expect_request("/api/v1/media/22348700", method="GET").respond_with_handler(lambda request: answers.pop(0))
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("status_created.json")))
    naps: list[float] = []
    from somevahti.connectors.mastodon.connector import MastodonConnector
    connector = MastodonConnector(credentials=connector.credentials, media_poll_interval=0.25, sleep=naps.append)

    result = connector.publish(OutgoingPost(text="Video", media=(MediaItem(url="", alt_text="Kuvaus", data=JPEG),)))

    assert result.ok, result.message
    assert len(requests_to(mastodon, "/api/v1/media/22348700", "GET")) == 3
    assert naps == [0.25, 0.25, 0.25]
    [post] = requests_to(mastodon, "/api/v1/statuses", "POST")
    assert post.form.getlist("media_ids[]") == ["22348700"]


def test_publish__image_never_processed_gives_up_without_posting(mastodon: HTTPServer, make_connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v2/media", method="POST").respond_with_response(
        json_response(recorded("media_202_processing.json"), status=202)
    )
    mastodon.expect_request("/api/v1/media/22348700").respond_with_response(
        json_response(recorded("media_202_processing.json"), status=206)
    )

    result = make_connector(media_poll_attempts=3).publish(
        OutgoingPost(text="Video", media=(MediaItem(url="", alt_text="Kuvaus", data=JPEG),))
    )

    assert result.outcome == Outcome.FAILED
    assert "still processing image 1" in result.message
    assert len(requests_to(mastodon, "/api/v1/media/22348700")) == 3
    assert requests_to(mastodon, "/api/v1/statuses") == []


def test_publish__image_the_instance_cannot_process_fails_with_its_reason(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v2/media", method="POST").respond_with_response(
        json_response(recorded("error_500_media.json"), status=500)
    )

    result = connector.publish(OutgoingPost(text="Kuva", media=(MediaItem(url="", alt_text="x", data=JPEG),)))

    assert result.outcome == Outcome.FAILED
    assert "HTTP 500" in result.message
    assert "Error processing thumbnail for uploaded media" in result.message
    assert requests_to(mastodon, "/api/v1/statuses") == []


def test_publish__image_given_only_as_a_web_address_is_refused(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)

    result = connector.publish(OutgoingPost(text="Kuva", media=(MediaItem(url="https://cdn.example/kuva.jpg", alt_text="x"),)))

    assert result.outcome == Outcome.FAILED
    assert "image file itself" in result.message
    assert requests_to(mastodon, "/api/v2/media") == []


def test_publish__more_images_than_the_instance_allows_is_refused(mastodon: HTTPServer, connector) -> None:
    serve_instance(mastodon)
    images = tuple(MediaItem(url="", alt_text=f"Kuva {i}", data=JPEG) for i in range(5))

    result = connector.publish(OutgoingPost(text="Kuvia", media=images))

    assert result.outcome == Outcome.FAILED
    assert "5 images" in result.message and "at most 4" in result.message
    assert requests_to(mastodon, "/api/v2/media") == []


def test_publish__reads_an_image_from_a_local_path(mastodon: HTTPServer, connector, tmp_path) -> None:
    serve_instance(mastodon)
    mastodon.expect_request("/api/v2/media", method="POST").respond_with_response(json_response(recorded("media_200_immediate.json")))
    mastodon.expect_request("/api/v1/statuses", method="POST").respond_with_response(json_response(recorded("status_created.json")))
    path = tmp_path / "kuoppa.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 50)

    result = connector.publish(OutgoingPost(text="Kuva", media=(MediaItem(url=str(path), alt_text="Kuoppa", content_type="image/png"),)))

    assert result.ok, result.message
    [upload] = requests_to(mastodon, "/api/v2/media", "POST")
    assert upload.files["file"].read() == path.read_bytes()
    assert upload.files["file"].mimetype == "image/png"

