from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from somevahti.archive.models import ArchiveRecord, DisposalLog, RecordKind
from somevahti.archive.queries import search_archive
from somevahti.archive.services import BreakReason, apply_retention, set_retention_policy, verify_chain
from somevahti.core.models import AuditEvent
from tests.factories import OrganizationFactory

from .conftest import at

pytestmark = pytest.mark.django_db


def _texts(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.text for r in result.records]


def test_chain__appends_in_sequence_and_verifies(organization, add) -> None:
    first = add("Uimahalli on suljettu huoltotöiden vuoksi.")
    second = add("Tiesuolaa levitetään huomenna.")
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.previous_hash == first.record_hash
    result = verify_chain(organization=organization)
    assert result.ok and result.checked == 2 and result.first_broken_sequence is None


def test_chain__changed_text_is_named_by_its_sequence(organization, add) -> None:
    for n in range(5):
        add(f"Tiedote {n}")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_archiverecord SET text = %s WHERE organization_id = %s AND sequence = 3",
            ["Muutettu", organization.pk],
        )
    result = verify_chain(organization=organization, chunk=2)
    assert not result.ok
    assert (result.first_broken_sequence, result.reason, result.checked) == (
        3,
        BreakReason.CONTENT_CHANGED,
        2,
    )
    assert "3" in result.describe()


def test_chain__rewritten_hash_breaks_the_next_link(organization, add) -> None:
    for n in range(4):
        add(f"Tiedote {n}")
    record = ArchiveRecord.objects.get(organization=organization, sequence=2)
    record.text = "Muutettu"
    from somevahti.archive.services import record_hash

    new_hash = record_hash(record)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE archive_archiverecord SET text = %s, record_hash = %s WHERE id = %s",
            ["Muutettu", new_hash, record.pk],
        )
    result = verify_chain(organization=organization)
    assert (result.first_broken_sequence, result.reason) == (3, BreakReason.LINK_BROKEN)


def test_chain__deleted_record_is_named_missing(organization, add) -> None:
    for n in range(6):
        add(f"Tiedote {n}")
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM archive_archiverecord WHERE organization_id = %s AND sequence = 4", [organization.pk]
        )
    result = verify_chain(organization=organization, chunk=2)
    assert (result.ok, result.first_broken_sequence, result.reason) == (
        False,
        4,
        BreakReason.SEQUENCE_MISSING,
    )


def test_chain__each_organization_has_its_own(organization, add) -> None:
    other = OrganizationFactory(slug="varkaus")
    add("Joroinen 1")
    record = add("Varkaus 1", organization=other, channel=None)
    assert record.sequence == 1
    assert verify_chain(organization=other).checked == 1


def test_search__finds_inflected_forms(organization, add) -> None:
    add("Uimahallissa on uusi kuntosali.", at(2026, 1, 5))
    add("Uimahallin aukioloajat muuttuvat.", at(2026, 1, 6))
    add("Kirjasto on auki lauantaina.", at(2026, 1, 7))
    result = search_archive(organization=organization, query="uimahalli")
    assert result.total == 2
    assert _texts(result) == [
        "Uimahallin aukioloajat muuttuvat.",
        "Uimahallissa on uusi kuntosali.",
    ]  # newest first
    assert search_archive(organization=organization, query="Uimahallissa").total == 2
    assert search_archive(organization=organization, query="koulukuljetus").total == 0


def test_search__every_word_must_match(organization, add) -> None:
    add("Koulukuljetuksen aikataulu muuttuu.")
    add("Koulukuljetukset alkavat elokuussa.")
    add("Aikataulu julkaistaan verkossa.")
    assert search_archive(organization=organization, query="koulukuljetus").total == 2
    assert _texts(search_archive(organization=organization, query="koulukuljetus aikataulu")) == [
        "Koulukuljetuksen aikataulu muuttuu."
    ]


def test_search__filters_by_date_channel_kind_and_author(organization, add, other_channel) -> None:
    add("Tiesuolaa levitetään.", at(2026, 1, 1, 0), author="Aino Virtanen")
    add(
        "Tiesuola loppui.",
        at(2026, 1, 31, 23),
        channel=other_channel,
        kind=RecordKind.INTERACTION_RECEIVED,
        author="Pekka Laine",
    )
    add("Tiesuolan hinta nousi.", at(2026, 2, 1, 0))
    assert search_archive(organization=organization, query="tiesuola").total == 3
    january = search_archive(
        organization=organization,
        query="tiesuola",
        date_from=dt.date(2026, 1, 1),
        date_to=dt.date(2026, 1, 31),
    )
    assert _texts(january) == ["Tiesuola loppui.", "Tiesuolaa levitetään."]
    assert _texts(search_archive(organization=organization, channel="instagram")) == ["Tiesuola loppui."]
    assert _texts(search_archive(organization=organization, kind=RecordKind.INTERACTION_RECEIVED)) == [
        "Tiesuola loppui."
    ]
    assert _texts(search_archive(organization=organization, author="virtAS")) == []
    assert _texts(search_archive(organization=organization, author="virtan")) == ["Tiesuolaa levitetään."]


def test_search__pages_and_other_organizations(organization, add) -> None:
    for n in range(7):
        add(f"Uimahalli tiedote {n}", at(2026, 1, 1 + n))
    other = OrganizationFactory(slug="varkaus")
    add("Uimahalli Varkaus", organization=other, channel=None)
    page = search_archive(organization=organization, query="uimahalli", limit=3, offset=3)
    assert page.total == 7
    assert _texts(page) == ["Uimahalli tiedote 3", "Uimahalli tiedote 2", "Uimahalli tiedote 1"]
    assert search_archive(organization=organization, query="uimahalli", limit=3, offset=9).records == []


def test_search__punctuation_only_matches_nothing(organization, add) -> None:
    add("Uimahalli")
    assert search_archive(organization=organization, query="?!").total == 0
    assert search_archive(organization=organization, query="").total == 1


def test_retention__nothing_leaves_search_before_its_time(organization, add) -> None:
    record = add("Uimahallin remontti alkaa.", at(2020, 1, 1), kind=RecordKind.INTERACTION_RECEIVED)
    set_retention_policy(organization=organization, kind=RecordKind.INTERACTION_RECEIVED, days=100)
    deadline = record.occurred_at + dt.timedelta(days=100)
    assert (
        apply_retention(organization=organization, now=deadline - dt.timedelta(microseconds=1)).removed == 0
    )
    assert search_archive(organization=organization, query="uimahalli").total == 1
    result = apply_retention(organization=organization, now=deadline)
    assert result.removed == 1
    assert search_archive(organization=organization, query="uimahalli").total == 0
    assert search_archive(organization=organization).total == 0
    log = DisposalLog.objects.get()
    assert (log.kind, log.count, log.up_to, log.at) == (
        RecordKind.INTERACTION_RECEIVED,
        1,
        record.occurred_at,
        deadline,
    )
    assert AuditEvent.objects.filter(action="archive.records_disposed").count() == 1
    # The row stays, so the chain still verifies; a second run removes nothing more.
    assert verify_chain(organization=organization).ok
    assert apply_retention(organization=organization, now=deadline + dt.timedelta(days=1)).removed == 0


def test_retention__defaults_keep_posts_ten_years_and_none_keeps_for_good(organization, add) -> None:
    add("Uimahalli avattiin.", at(2016, 1, 1), kind=RecordKind.POST_PUBLISHED)
    add("Uimahalli kiitos!", at(2016, 1, 1), kind=RecordKind.INTERACTION_RECEIVED)
    assert (
        apply_retention(organization=organization, now=at(2023, 1, 1)).removed == 1
    )  # the comment, after 6 years
    assert _texts(search_archive(organization=organization, query="uimahalli")) == ["Uimahalli avattiin."]
    set_retention_policy(organization=organization, kind=RecordKind.POST_PUBLISHED, days=None)
    assert apply_retention(organization=organization, now=at(2040, 1, 1)).removed == 0


def test_retention__the_nightly_task_runs_for_every_organization(organization, add) -> None:
    from somevahti.archive.tasks import apply_retention_everywhere_task

    add("Vanha kommentti", at(2000, 1, 1), kind=RecordKind.INTERACTION_RECEIVED)
    apply_retention_everywhere_task.call()
    assert DisposalLog.objects.filter(organization=organization).count() == 1
