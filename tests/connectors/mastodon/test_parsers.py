"""A status's HTML as plain text, Mastodon's way of counting characters, and malformed payloads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from somevahti.connectors.base import InteractionKind
from somevahti.connectors.mastodon.parsers import (
    MalformedPayload,
    count_characters,
    html_to_text,
    instance_limits,
    interaction_from_notification,
    newest_id,
)

from .conftest import ACCOUNT_ID, recorded


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Hyvää päivää, Jäämeren Öljy &amp; Åkerö!</p>", "Hyvää päivää, Jäämeren Öljy & Åkerö!"),
        ("<p>&quot;lainaus&quot; &lt;tagi&gt; &#39;heittomerkki&#39; &#x1F44D; &nbsp;x</p>", "\"lainaus\" <tagi> 'heittomerkki' 👍 x"),
        ("<p>rivi 1<br>rivi 2<br />rivi 3</p>", "rivi 1\nrivi 2\nrivi 3"),
        ("<p>kappale 1</p><p>kappale 2</p>", "kappale 1\n\nkappale 2"),
        ("<p>Kiitos 🙏🏽 👨‍👩‍👧 :blobcat:</p>", "Kiitos 🙏🏽 👨‍👩‍👧 :blobcat:"),
        (
            (
                '<p><a href="https://www.joroinen.fi/a/b/c" rel="nofollow noopener" target="_blank">'
                '<span class="invisible">https://www.</span><span class="ellipsis">joroinen.fi/a</span>'
                '<span class="invisible">/b/c</span></a></p>'
            ),
            "https://www.joroinen.fi/a/b/c",
        ),
        (
            (
                '<p><span class="h-card" translate="no"><a href="https://some.example/@kunta" class="u-url mention">'
                "@<span>kunta</span></a></span> moi</p>"
            ),
            "@kunta moi",
        ),
        (
            '<p>#<a href="https://some.example/tags/joroinen" class="mention hashtag"><span>Joroinen</span></a> on kaunis</p>',
            "#Joroinen on kaunis",
        ),
        ("<p>väli\n   ja\tvälilyönnit</p>", "väli ja välilyönnit"),
        ("<pre>koodi\n  sisennetty</pre>", "koodi\n  sisennetty"),
        ("<ul><li>yksi</li><li>kaksi</li></ul>", "- yksi\n- kaksi"),
        ("<p>kuva <img src=x alt=\":kuntalogo:\"/></p>", "kuva :kuntalogo:"),
        ("<p>ei suljettu <b>lihavoitu", "ei suljettu lihavoitu"),
        ("<script>alert(1)</script><p>turvallinen</p>", "turvallinen"),
        ("", ""),
    ],
    ids=[
        "finnish-and-amp", "entities", "br", "paragraphs", "emoji", "link-with-invisible-parts", "mention-kept",
        "hashtag", "whitespace", "pre", "list", "custom-emoji-image", "broken-html", "script", "empty",
    ],
)
def test_html_to_text__reads_as_a_person_sees_it(html: str, text: str) -> None:
    assert html_to_text(html) == text


@given(st.text())
def test_html_to_text__never_raises_on_any_input(value: str) -> None:
    assert isinstance(html_to_text(value), str)


def test_count_characters__counts_like_the_instance() -> None:
    assert count_characters("äöå") == 3
    assert count_characters("https://www.joroinen.fi/" + "x" * 200) == 23
    assert count_characters("Katso https://a.example/b", characters_per_url=10) == 6 + 10
    assert count_characters("@maija@toinen.example moi") == len("@maija moi")
    assert count_characters("👨‍👩‍👧") == 1
    assert count_characters("🇫🇮🇸🇪") == 2
    assert count_characters("👍🏽") == 1
    assert count_characters("e\u0301") == 1


def test_instance_limits__reads_configuration_and_ignores_nonsense() -> None:
    assert instance_limits(recorded("instance_v2.json")) == {
        "max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23, "description_limit": 1500,
    }
    assert instance_limits({"configuration": {"statuses": {"max_characters": "lots"}}}) == {}
    assert instance_limits({}) == {}


def test_newest_id__compares_ids_as_growing_numbers() -> None:
    assert newest_id(["9", "10", "8"]) == "10"
    assert newest_id([], "34975900") == "34975900"
    assert newest_id(["34975899"], "34975900") == "34975900"


def test_interaction__missing_status_or_author_or_time_is_malformed() -> None:
    good = recorded("notifications_page1.json")[0]
    for broken in (
        {**good, "status": None},
        {**good, "id": ""},
        {**good, "status": {**good["status"], "account": None}, "account": None},
        {**good, "created_at": "ei aika", "status": {**good["status"], "created_at": None}},
    ):
        with pytest.raises(MalformedPayload):
            interaction_from_notification(broken, account_id=ACCOUNT_ID)


def test_interaction__a_reply_to_us_that_is_direct_is_a_message() -> None:
    comment = recorded("notifications_page1.json")[3]
    comment["status"]["visibility"] = "direct"

    assert interaction_from_notification(comment, account_id=ACCOUNT_ID).kind == InteractionKind.MESSAGE


def test_interaction__our_own_status_mentioning_us_is_marked_from_us() -> None:
    mention = recorded("notifications_page1.json")[1]
    mention["status"]["account"] = recorded("verify_credentials.json")

    assert interaction_from_notification(mention, account_id=ACCOUNT_ID).from_us
