"""Meta webhooks: handshake, X-Hub-Signature-256, and deliveries parsed into interactions."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from somevahti.connectors.base import Credentials, InteractionKind, Verb, WebhookError
from somevahti.connectors.meta import FacebookConnector, handshake, parse_delivery, verify_signature

from .conftest import APP_SECRET, IG, PAGE, TOKEN, recorded_bytes

PAGE2 = "104000000000002"


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_verify_signature__accepts_the_hmac_of_the_exact_bytes() -> None:
    body = recorded_bytes("webhook_page_mixed.json")
    verify_signature(body, sign(body), APP_SECRET)
    verify_signature(body, sign(body).upper().replace("SHA256=", "sha256="), APP_SECRET)


def test_verify_signature__escaped_unicode_differs_from_reserialised_json() -> None:
    body = b'{"object":"page","entry":[],"x":"\\u00e4"}'     # Meta signs the escaped form
    reserialised = json.dumps(json.loads(body), ensure_ascii=False).encode()
    with pytest.raises(WebhookError):
        verify_signature(reserialised, sign(body), APP_SECRET)
    verify_signature(body, sign(body), APP_SECRET)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=" + "0" * 64,                             # wrong
        "sha1=0123456789abcdef0123456789abcdef01234567",  # legacy header only
        "sha256=zz",                                      # malformed
        "0" * 64,                                         # no prefix
    ],
)
def test_verify_signature__refuses_missing_wrong_and_malformed_headers(header: str | None) -> None:
    with pytest.raises(WebhookError):
        verify_signature(b'{"object":"page","entry":[]}', header, APP_SECRET)


def test_verify_signature__refuses_another_secret_and_a_truncated_body() -> None:
    body = recorded_bytes("webhook_page_mixed.json")
    with pytest.raises(WebhookError):
        verify_signature(body, sign(body, "another-secret"), APP_SECRET)
    with pytest.raises(WebhookError):
        verify_signature(body[:-10], sign(body), APP_SECRET)
    with pytest.raises(WebhookError):
        verify_signature(body, sign(body), "")


def test_handshake__answers_the_challenge_only_for_the_right_token() -> None:
    good = {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "joroinen-verify"}
    assert handshake(good, "joroinen-verify") == "1158201444"
    assert handshake({**good, "hub.verify_token": "wrong"}, "joroinen-verify") is None
    assert handshake({**good, "hub.mode": "unsubscribe"}, "joroinen-verify") is None
    assert handshake({"hub.mode": "subscribe", "hub.verify_token": "joroinen-verify"}, "joroinen-verify") is None
    assert handshake(good, "") is None


def test_parse_delivery__three_entries_with_mixed_fields() -> None:
    items = parse_delivery(recorded_bytes("webhook_page_mixed.json"))

    assert [(i.platform_id, i.kind, i.verb, i.channel_platform_id, i.from_us) for i in items] == [
        ("200000000000002_500000000000001", InteractionKind.COMMENT, Verb.ADD, PAGE, False),
        ("200000000000002_500000000000004", InteractionKind.REPLY, Verb.ADD, PAGE, True),
        ("1_2", InteractionKind.COMMENT, Verb.ADD, PAGE2, False),
        ("m_AAAAbbbbCCCC3", InteractionKind.MESSAGE, Verb.ADD, PAGE, False),
        ("m_AAAAbbbbCCCC4", InteractionKind.MESSAGE, Verb.ADD, PAGE, True),
    ]
    comment = items[0]
    assert comment.text == "Onko kirjasto auki jouluna?"
    assert comment.author.name == "Maija Virtanen" and comment.author.platform_id == "7000000000000001"
    assert comment.post_id == f"{PAGE}_200000000000002"
    assert comment.permalink == f"https://www.facebook.com/{PAGE}/posts/200000000000002"
    assert comment.created_at.isoformat() == "2025-11-25T09:59:50+00:00"
    assert comment.raw["field"] == "feed" and comment.raw["value"]["comment_id"] == comment.platform_id
    assert items[1].parent_id == "200000000000002_500000000000001"
    message = items[3]
    assert message.text == "Hei, milloin jätehuolto tulee?" and message.extra == {"recipient_id": "7100000000000001"}
    assert message.thread_id == "7100000000000001"
    assert message.raw["message"]["mid"] == "m_AAAAbbbbCCCC3"
    assert items[4].thread_id == "7100000000000001"   # the echo belongs to the same conversation


def test_parse_delivery__edits_removals_and_hides_keep_the_comment_id() -> None:
    items = parse_delivery(recorded_bytes("webhook_page_edit_remove.json"))

    assert [(i.platform_id, i.verb) for i in items] == [
        ("200000000000002_500000000000001", Verb.EDITED),
        ("200000000000002_500000000000002", Verb.REMOVED),
        ("200000000000002_500000000000000", Verb.HIDDEN),
    ]
    assert items[0].text == "Onko kirjasto auki tapaninpäivänä?"
    assert items[1].text == ""


def test_parse_delivery__the_same_delivery_twice_gives_the_same_ids() -> None:
    body = recorded_bytes("webhook_page_mixed.json")
    assert [(i.platform_id, i.verb) for i in parse_delivery(body)] == [(i.platform_id, i.verb) for i in parse_delivery(body)]


def test_parse_delivery__instagram_comments_replies_mentions_and_messages() -> None:
    items = parse_delivery(recorded_bytes("webhook_instagram.json"))

    assert [(i.platform_id, i.kind) for i in items] == [
        ("17870913679156916", InteractionKind.COMMENT),
        ("17870913679156917", InteractionKind.REPLY),
        ("17870000000000099", InteractionKind.MENTION),
        ("aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQx", InteractionKind.MESSAGE),
    ]
    assert all(i.channel_platform_id == IG for i in items)
    assert items[0].author.handle == "kuntalainen_1" and items[0].post_id == "17920238422030506"
    assert items[1].parent_id == "17870913679156916"
    assert items[2].extra == {"media_id": "18038000000000002", "comment_id": "17870000000000099"}
    assert items[3].text == "Hei! Onko uimahalli auki?"


def test_parse_delivery__unknown_objects_and_fields_are_skipped() -> None:
    assert parse_delivery(b'{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[]}]}') == []
    assert parse_delivery(b'{"object":"page","entry":[{"id":"1","changes":[{"field":"ratings","value":{}}, "x", {"field":"feed","value":"y"}]}]}') == []
    assert parse_delivery(b'{"object":"page","entry":[]}') == []


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b'{"object":"page","entry":[{"id":"1"',   # truncated
        b"[1, 2, 3]",
        b'{"entry": []}',
        b'{"object": "page", "entry": {}}',
        b'{"object": "page", "entry": ["x"]}',
        b"\xff\xfe\x00",
        b"<html>hello</html>",
    ],
)
def test_parse_delivery__malformed_bodies_are_webhook_errors(body: bytes) -> None:
    with pytest.raises(WebhookError):
        parse_delivery(body)


def test_parse_delivery__too_large_bodies_are_refused() -> None:
    with pytest.raises(WebhookError):
        parse_delivery(b'{"object":"page","entry":[]}' + b" " * 100, max_bytes=50)


@given(st.binary(max_size=400))
@settings(max_examples=300, deadline=None)
def test_parse_delivery__random_bytes_never_crash(body: bytes) -> None:
    try:
        result = parse_delivery(body)
    except WebhookError:
        return
    assert isinstance(result, list)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["id", "time", "changes", "messaging", "field", "value", "item", "verb", "comment_id",
                         "post_id", "from", "message", "mid", "text", "sender", "recipient", "timestamp",
                         "created_time", "media", "media_id", "parent_id", "is_echo"]),
        children, max_size=6,
    ),
    max_leaves=30,
)


@given(st.sampled_from(["page", "instagram"]), st.lists(json_values, max_size=3))
@settings(max_examples=300, deadline=None)
def test_parse_delivery__random_json_shapes_never_crash(object_type: str, entries: list) -> None:
    body = json.dumps({"object": object_type, "entry": entries}).encode()
    try:
        result = parse_delivery(body)
    except WebhookError:
        return
    assert isinstance(result, list)


def test_connector_parse_webhook__checks_the_signature_with_the_app_secret() -> None:
    connector = FacebookConnector(credentials=Credentials(platform_id=PAGE, token=TOKEN, extra={"app_secret": APP_SECRET}))
    body = recorded_bytes("webhook_page_edit_remove.json")

    assert len(connector.parse_webhook(body, {"x-hub-signature-256": sign(body)})) == 3
    with pytest.raises(WebhookError):
        connector.parse_webhook(body, {"X-Hub-Signature": "sha1=abc"})
    unconfigured = FacebookConnector(credentials=Credentials(platform_id=PAGE, token=TOKEN))
    with pytest.raises(WebhookError):
        unconfigured.parse_webhook(body, {"X-Hub-Signature-256": sign(body)})
