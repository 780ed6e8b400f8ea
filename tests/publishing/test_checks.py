import datetime as dt

import pytest

from somevahti.core.models import AuditEvent
from somevahti.publishing import services
from somevahti.publishing.bulletins import FeedError, parse_feed
from somevahti.publishing.models import Bulletin, Post, PublishingSettings

from .conftest import NOW

BULLETIN_TEXT = (
    "Joroisten uimahalli on suljettuna huoltotöiden vuoksi 1.–14. joulukuuta. "
    "Huollon aikana uusitaan altaan laatoitus ja ilmanvaihtokone. Kuntosali on avoinna normaalisti "
    "ja sinne kuljetaan pääovesta. Lisätietoja antaa liikuntatoimisto."
)

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Joroisten kunta: tiedotteet</title>
<item><title>Uimahalli suljettuna huollon ajan</title><link>https://www.joroinen.fi/tiedotteet/uimahalli-huolto</link>
<description>&lt;p&gt;{BULLETIN_TEXT}&lt;/p&gt;</description><pubDate>Thu, 12 Mar 2026 10:00:00 +0200</pubDate></item>
<item><title>Kunnanhallituksen kokous</title><link>https://www.joroinen.fi/tiedotteet/khall</link>
<description>Kunnanhallitus kokoontuu maanantaina.</description><pubDate>Wed, 11 Mar 2026 09:00:00 +0200</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Tiedotteet</title>
<entry><title>Kirjasto avoinna</title><link rel="alternate" href="https://www.joroinen.fi/kirjasto"/>
<updated>2026-03-10T08:00:00Z</updated><summary>Kirjasto on avoinna arkisin kello 10-18.</summary></entry>
</feed>"""


@pytest.fixture
def feed(httpserver, organization, approver):
    httpserver.expect_request("/rss").respond_with_data(RSS, content_type="application/rss+xml")
    services.set_bulletin_feed(organization=organization, url=httpserver.url_for("/rss"), by=approver)
    return httpserver


def draft(channel, author, text):
    return services.create_draft(organization=channel.organization, by=author, text=text, channels=[channel])


# --- content checks ---------------------------------------------------------------------------


def test_identity_code__blocks_submission_and_nothing_changes(channel, author):
    post = draft(channel, author, "Asiakkaan henkilötunnus on 131052-308T, hoitakaa asia.")
    with pytest.raises(services.PostBlocked) as caught:
        services.submit_for_review(post=post, by=author, override_reason="Kiire")
    assert [f.type for f in caught.value.findings] == ["FI_HETU"]
    assert caught.value.findings[0].excerpt == "131052-308T"
    post.refresh_from_db()
    assert post.state == Post.State.DRAFT and post.override_reason == ""


def test_phone__warns_and_needs_a_reason_which_is_stored_and_audited(channel, author):
    post = draft(channel, author, "Kysy lisää numerosta 040 123 4567 arkisin.")
    with pytest.raises(services.PostNeedsReason) as caught:
        services.submit_for_review(post=post, by=author)
    assert [f.type for f in caught.value.findings] == ["PHONE"]
    assert Post.objects.get(pk=post.pk).state == Post.State.DRAFT
    post = services.submit_for_review(post=post, by=author, override_reason="Liikuntatoimiston julkinen numero")
    assert post.state == Post.State.APPROVED
    assert post.override_reason == "Liikuntatoimiston julkinen numero"
    assert any(f["type"] == "PHONE" for f in post.approved_findings)
    event = AuditEvent.objects.get(action="publishing.warning_overridden")
    assert event.data == {"reason": "Liikuntatoimiston julkinen numero", "types": ["PHONE"]}


def test_swedish_text__is_checked_too(channel, author):
    post = services.create_draft(
        organization=channel.organization, by=author, text="Uimahalli on auki.", channels=[channel],
        texts={"sv": "Personbeteckning 131052-308T"},
    )
    findings = services.check_post(post=post)
    assert [(f.type, f.lang) for f in findings if f.severity == "block"] == [("FI_HETU", "sv")]


def test_no_image__is_advice_and_an_image_without_alt_text_blocks(organization):
    advice = services.check_content(organization=organization, texts={"fi": "Hyvää joulua!"}, image_facts=[])
    assert [(f.type, f.severity, f.rule) for f in advice] == [("NO_IMAGE", "info", "CONTENT-IMAGES")]
    blocked = services.check_content(organization=organization, texts={"fi": "Hyvää joulua!"}, image_facts=[services.ImageFacts("  ")])
    assert [(f.type, f.severity) for f in blocked] == [("IMAGE_NO_ALT", "block")]


# --- bulletins (CONTENT-NOT-BULLETIN) ---------------------------------------------------------


def test_bulletin_feed__is_read_and_a_copied_draft_gets_advice_with_the_link(channel, feed):
    result = services.refresh_bulletins(organization=channel.organization, now=NOW)
    assert (result.created, result.error) == (2, "")
    first = Bulletin.objects.get(url="https://www.joroinen.fi/tiedotteet/uimahalli-huolto")
    assert first.text == BULLETIN_TEXT and first.published_at == dt.datetime(2026, 3, 12, 8, 0, tzinfo=dt.UTC)
    copied = "Tiedoksi: " + BULLETIN_TEXT.replace("Lisätietoja antaa liikuntatoimisto.", "")
    advice = [f for f in services.check_content(organization=channel.organization, texts={"fi": copied}) if f.rule == "CONTENT-NOT-BULLETIN"]
    assert len(advice) == 1
    assert advice[0].severity == "info"
    assert advice[0].message == "This repeats the bulletin of 12.3. almost word for word: “Uimahalli suljettuna huollon ajan”."
    assert advice[0].url == "https://www.joroinen.fi/tiedotteet/uimahalli-huolto"


def test_bulletin_advice__not_given_for_a_post_in_its_own_words(channel, feed):
    services.refresh_bulletins(organization=channel.organization, now=NOW)
    own = "Uimahalli lepää joulukuun alussa kaksi viikkoa: laatat ja ilmanvaihto saavat remontin. Kuntosalille pääset silti!"
    findings = services.check_content(organization=channel.organization, texts={"fi": own})
    assert not [f for f in findings if f.rule == "CONTENT-NOT-BULLETIN"]


def test_bulletin_feed__read_twice_keeps_one_row_per_bulletin(channel, feed):
    services.refresh_bulletins(organization=channel.organization, now=NOW)
    again = services.refresh_bulletins(organization=channel.organization, now=NOW)
    assert (again.created, again.updated) == (0, 2) and Bulletin.objects.count() == 2


def test_atom_feed__is_read():
    items = parse_feed(ATOM.encode())
    assert [(i.title, i.url, i.text) for i in items] == [("Kirjasto avoinna", "https://www.joroinen.fi/kirjasto", "Kirjasto on avoinna arkisin kello 10-18.")]


def test_feed_that_is_a_web_page__is_refused_the_error_is_stored_and_nothing_is_lost(channel, feed, httpserver):
    services.refresh_bulletins(organization=channel.organization, now=NOW)
    httpserver.expect_request("/sivu").respond_with_data("<!doctype html><html><body>Etusivu</body></html>", content_type="text/html")
    services.set_bulletin_feed(organization=channel.organization, url=httpserver.url_for("/sivu"), by=None)
    result = services.refresh_bulletins(organization=channel.organization, now=NOW)
    assert "web page, not a feed" in result.error
    settings_row = PublishingSettings.objects.get(organization=channel.organization)
    assert "web page, not a feed" in settings_row.feed_error
    assert Bulletin.objects.count() == 2


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]><rss><channel/></rss>', "DOCTYPE or entities"),
        (b"<rss><channel><item>", "not valid XML"),
        (b"<?xml version='1.0'?><urlset><url/></urlset>", "not an RSS or Atom feed"),
    ],
)
def test_feed_parsing__refuses_entities_broken_xml_and_other_xml(body, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(body)


def test_feed_on_an_internal_address__is_refused_when_private_addresses_are_not_allowed(settings, organization, httpserver):
    settings.ICS_FEED_ALLOW_PRIVATE = False
    services.set_bulletin_feed(organization=organization, url=httpserver.url_for("/rss"), by=None)
    result = services.refresh_bulletins(organization=organization, now=NOW)
    assert "internal network" in result.error


def test_guideline_rule__an_unreadable_feed_is_a_finding_of_content_not_bulletin(channel, httpserver):
    from somevahti.guideline.models import Finding
    from somevahti.guideline.services import evaluate_rules

    httpserver.expect_request("/sivu").respond_with_data("<html><body>Etusivu</body></html>", content_type="text/html")
    services.set_bulletin_feed(organization=channel.organization, url=httpserver.url_for("/sivu"), by=None)
    services.refresh_bulletins(organization=channel.organization, now=NOW)
    evaluate_rules(organization=channel.organization, now=NOW, codes={"CONTENT-NOT-BULLETIN", "CONTENT-IMAGES"})
    finding = Finding.objects.get(rule_code="CONTENT-NOT-BULLETIN", resolved_at__isnull=True)
    assert finding.key == "feed" and "web page" in finding.params["problem"]
    assert not Finding.objects.filter(rule_code="CONTENT-IMAGES").exists()
