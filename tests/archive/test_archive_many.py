"""Appending many records in one go: the same chain as one at a time, all of them or none."""

from __future__ import annotations

import pytest

from somevahti.archive import search
from somevahti.archive.models import ArchiveRecord, RecordKind
from somevahti.archive.queries import search_archive
from somevahti.archive.services import ArchiveEntry, archive, archive_many, record_hash, verify_chain

from .conftest import at

pytestmark = pytest.mark.django_db


def _entry(text: str, channel, **fields) -> ArchiveEntry:  # type: ignore[no-untyped-def]
    fields.setdefault("kind", RecordKind.INTERACTION_RECEIVED)
    fields.setdefault("occurred_at", at(2026, 3, 2))
    return ArchiveEntry(text=text, channel=channel, **fields)


def _chain(organization) -> list[tuple[int, str, str]]:  # type: ignore[no-untyped-def]
    return list(
        ArchiveRecord.objects.filter(organization=organization).order_by("sequence").values_list("sequence", "kind", "text")
    )


def test_archive_many__records_appended_in_bulk_verify_and_keep_their_order(organization, channel) -> None:
    entries = [
        _entry(f"Kommentti {n}", channel, source_id=f"c{n}", author="Matti", payload={"verb": "add", "n": n})
        for n in range(7)
    ]
    records = archive_many(organization=organization, entries=entries)
    assert [r.sequence for r in records] == list(range(1, 8))
    assert all(r.pk for r in records)
    assert [text for _seq, _kind, text in _chain(organization)] == [f"Kommentti {n}" for n in range(7)]
    for before, after in zip(records, records[1:], strict=False):
        assert after.previous_hash == before.record_hash
    stored = ArchiveRecord.objects.get(organization=organization, sequence=4)
    assert stored.record_hash == record_hash(stored) and stored.payload == {"verb": "add", "n": 3}
    assert stored.platform == "facebook" and stored.recorded_at is not None
    result = verify_chain(organization=organization, chunk=3)
    assert result.ok and result.checked == 7


def test_archive_many__interleaves_with_single_appends(organization, channel, add) -> None:
    add("Tiedote 1")
    archive_many(organization=organization, entries=[_entry("Kommentti 2", channel), _entry("Kommentti 3", channel)])
    add("Tiedote 4")
    archive_many(organization=organization, entries=[])
    archive_many(organization=organization, entries=[_entry("Kommentti 5", channel)])
    add("Tiedote 6")
    assert [(seq, text) for seq, _kind, text in _chain(organization)] == [
        (1, "Tiedote 1"),
        (2, "Kommentti 2"),
        (3, "Kommentti 3"),
        (4, "Tiedote 4"),
        (5, "Kommentti 5"),
        (6, "Tiedote 6"),
    ]
    result = verify_chain(organization=organization)
    assert result.ok and result.checked == 6


def test_archive_many__gives_the_same_records_as_appending_one_at_a_time(organization, channel) -> None:
    from tests.factories import OrganizationFactory

    other = OrganizationFactory(slug="varkaus")
    entries = [
        _entry("Uimahalli aukeaa?", channel, source_id="c1", author="Matti", payload={"platform": {"id": "c1"}}),
        _entry("Kiitos!", None, kind=RecordKind.REPLY_SENT, payload={"platform": "bluesky"}),
    ]
    one_by_one = [archive(organization=other, **vars(entry)) for entry in entries]
    in_bulk = archive_many(organization=organization, entries=entries)
    # Another organization's chain: the same fields, hashes of their own.
    fields = ("sequence", "kind", "channel_id", "platform", "source_id", "author", "text", "payload", "occurred_at")
    for single, bulk in zip(one_by_one, in_bulk, strict=True):
        assert [getattr(single, f) for f in fields] == [getattr(bulk, f) for f in fields]
        assert single.search_text == bulk.search_text != ""


def test_archive_many__records_are_found_by_search(organization, channel) -> None:
    archive_many(
        organization=organization,
        entries=[_entry("Uimahallissa on uusi kuntosali.", channel), _entry("Kirjasto on auki lauantaina.", channel)],
    )
    assert search_archive(organization=organization, query="uimahalli").total == 1
    assert search_archive(organization=organization, query="kirjasto").total == 1


def test_archive_many__a_bad_entry_in_the_middle_stores_none_of_them(organization, channel, add) -> None:
    add("Tiedote 1")
    entries = [_entry("Kommentti 2", channel), _entry("Kommentti 3", channel, payload={"bad": object()}), _entry("Kommentti 4", channel)]
    with pytest.raises(TypeError):
        archive_many(organization=organization, entries=entries)
    assert [text for _seq, _kind, text in _chain(organization)] == ["Tiedote 1"]
    assert verify_chain(organization=organization).checked == 1


def test_archive_many__a_failure_after_the_insert_stores_none_of_them(organization, channel, add, monkeypatch) -> None:
    add("Tiedote 1")

    def index_fails(rows):  # type: ignore[no-untyped-def]
        raise RuntimeError("the index is full")

    monkeypatch.setattr(search, "index_rows", index_fails)
    with pytest.raises(RuntimeError):
        archive_many(organization=organization, entries=[_entry("Kommentti 2", channel), _entry("Kommentti 3", channel)])
    monkeypatch.undo()
    assert [text for _seq, _kind, text in _chain(organization)] == ["Tiedote 1"]
    add("Tiedote 2")
    result = verify_chain(organization=organization)
    assert result.ok and result.checked == 2
