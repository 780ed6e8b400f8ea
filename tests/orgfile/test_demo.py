from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate

from somevahti.channels.demo import ensure_demo
from somevahti.channels.importer import import_organization
from somevahti.channels.models import Channel
from somevahti.channels.queries import coverage_report
from somevahti.core.calendar import HELSINKI
from somevahti.core.roles import Role
from somevahti.guideline.models import Acknowledgement, Finding
from somevahti.people.demo import demo_data, demo_year
from somevahti.people.models import Organization, Person

SPRING = dt.datetime(2026, 4, 15, 10, 0, tzinfo=HELSINKI)
WINTER = dt.datetime(2026, 11, 25, 10, 0, tzinfo=HELSINKI)


def test_demo_year__is_this_summer_until_the_july_gap_is_over_then_next():
    assert demo_year(dt.date(2026, 4, 15)) == 2026
    assert demo_year(dt.date(2026, 7, 19)) == 2026
    assert demo_year(dt.date(2026, 11, 25)) == 2027


def test_demo__loads_joroinen_with_people_of_every_role_and_three_channels(db):
    credentials = ensure_demo(now=SPRING)

    org = Organization.objects.get(slug="joroinen")
    assert org.name == "Joroisten kunta"
    assert 10 <= Person.objects.filter(organization=org).count() <= 15
    assert Person.objects.filter(organization=org, elected_official=True).count() == 3
    channels = {c.key: c.status for c in Channel.objects.filter(organization=org)}
    assert channels == {"facebook-joroinen": "active", "instagram-joroinen": "active", "bluesky-joroinen": "planned"}
    assert [label for label, _email, _password in credentials] == [str(r.label) for r in Role]


def test_demo__credentials_sign_in_and_change_at_every_call(db):
    first = ensure_demo(now=SPRING)
    second = ensure_demo(now=SPRING)

    assert Organization.objects.count() == 1
    for (_label, email, old), (_label2, email2, new) in zip(first, second, strict=True):
        assert email == email2 and old != new
        assert authenticate(username=email, password=new) is not None
        assert authenticate(username=email, password=old) is None
    person = Person.objects.get(email=second[0][1])
    assert person.user.password != second[0][2]  # only the hash is stored


def test_demo__shows_the_july_instagram_gap_and_facebook_stays_covered(db):
    ensure_demo(now=SPRING)

    org = Organization.objects.get(slug="joroinen")
    instagram = Channel.objects.get(organization=org, key="instagram-joroinen")
    facebook = Channel.objects.get(organization=org, key="facebook-joroinen")
    findings = Finding.objects.filter(organization=org, rule_code="MAINT-ADMINS", resolved_at__isnull=True)
    assert findings.filter(key__startswith=f"channel:{instagram.pk}:gap:").exists()
    assert not findings.filter(key__startswith=f"channel:{facebook.pk}:").exists()

    report = coverage_report(organization_slug="joroinen", start=dt.date(2026, 6, 1), days=92)
    gaps = {item.channel.key: item.gaps for item in report.channels}
    assert gaps["facebook-joroinen"] == []
    (gap,) = gaps["instagram-joroinen"]
    assert gap.start.astimezone(HELSINKI).date().isocalendar().week == 28
    assert gap.start.month == 7 and gap.end.astimezone(HELSINKI).month == 7
    assert gap.available == ("mikko.makinen@joroinen.fi",)


def test_demo__in_winter_the_gap_is_next_july_and_still_a_finding(db):
    ensure_demo(now=WINTER)

    org = Organization.objects.get(slug="joroinen")
    instagram = Channel.objects.get(organization=org, key="instagram-joroinen")
    (finding,) = Finding.objects.filter(
        organization=org, rule_code="MAINT-ADMINS", key__startswith=f"channel:{instagram.pk}:gap:"
    )
    assert "2027" in finding.params["start"]
    assert finding.url.endswith("?start=2027-07-12")


def test_demo__about_half_have_acknowledged_the_guideline(db):
    ensure_demo(now=SPRING)

    people = Person.objects.filter(organization__slug="joroinen").count()
    acknowledged = Acknowledgement.objects.filter(person__organization__slug="joroinen").count()
    assert people // 3 <= acknowledged <= people * 2 // 3


def test_demo__leaves_an_organization_from_a_real_file_alone(db):
    import_organization(
        data={"organization": {"slug": "pieksamaki", "name": "Pieksämäen kaupunki"}, "people": []}, now=SPRING
    )

    assert ensure_demo(now=SPRING) == []
    assert not Organization.objects.filter(slug="joroinen").exists()


def test_demo_file__is_a_valid_organization_file_for_any_year(db):
    for today in (dt.date(2026, 1, 2), dt.date(2026, 12, 31), dt.date(2031, 8, 1)):
        summary = import_organization(data=demo_data(today=today), dry_run=True)
        assert summary.created["absences"] == 6


def test_demo_start__fills_the_inbox_and_the_publishing_history_once(db, monkeypatch, settings, tmp_path):
    import io
    import signal

    from django.utils import translation

    from somevahti.config.server import run_server
    from somevahti.connectors import fake
    from somevahti.inbox.models import Interaction
    from somevahti.publishing.models import Post

    settings.DATA_DIR = tmp_path
    settings.SOMEVAHTI_DEMO_FEED = True
    monkeypatch.setattr("waitress.serve", lambda *args, **kwargs: None)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    fake.reset()
    try:
        out = io.StringIO()
        run_server(host="127.0.0.1", port=8000, demo=True, background=False, out=out)
        org = Organization.objects.get(slug="joroinen")
        counts = (Interaction.objects.filter(organization=org).count(), Post.objects.filter(organization=org).count())
        run_server(host="127.0.0.1", port=8000, demo=True, background=False, out=io.StringIO())
    finally:
        translation.deactivate()
        fake.reset()

    assert "Somevahti demo: Joroisten kunta" in out.getvalue()
    assert counts[0] > 0
    assert Post.objects.filter(organization=org, state=Post.State.PUBLISHED).count() >= 4
    assert (Interaction.objects.filter(organization=org).count(), Post.objects.filter(organization=org).count()) == counts
