from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest
from django.utils import translation

from somevahti.archive.export import export_archive
from somevahti.archive.imports import ImportFileError, fix_mojibake
from somevahti.archive.models import ArchiveRecord, RecordKind
from somevahti.archive.queries import ArchiveQuery, search_archive
from somevahti.archive.services import import_platform_export, verify_chain
from somevahti.core.models import AuditEvent

from .conftest import at

pytestmark = pytest.mark.django_db
HETU = "131052-308T"


def _open(content: bytes) -> tuple[dict, bytes]:  # type: ignore[type-arg]
    with zipfile.ZipFile(io.BytesIO(content)) as bundle:
        manifest = json.loads(bundle.read("manifest.json"))
        return manifest, bundle.read(manifest["data_file"])


@pytest.fixture
def records(add):  # type: ignore[no-untyped-def]
    add("Uimahallin aukioloajat muuttuvat.", at(2026, 1, 5), payload={"id": "1"})
    add(
        f"Asiakkaan hetu on {HETU}, soita Aino Virtaselle.",
        at(2026, 1, 6),
        kind=RecordKind.INTERACTION_RECEIVED,
        author="Pekka Laine",
    )
    add("Kirjasto on auki.", at(2026, 1, 7))


def test_export__jsonl_parses_back_with_its_manifest(organization, records, user_with_role) -> None:
    user, _person = user_with_role("records_officer")
    exported = export_archive(
        organization=organization,
        criteria=ArchiveQuery(query="uimahalli"),
        fmt="jsonl",
        by=user,
        now=at(2026, 2, 1),
    )
    manifest, data = _open(exported.content)
    rows = [json.loads(line) for line in data.decode().splitlines()]
    assert [r["text"] for r in rows] == ["Uimahallin aukioloajat muuttuvat."]
    assert rows[0]["payload"] == {"id": "1"} and rows[0]["sequence"] == 1
    assert manifest["records"] == 1 and manifest["redacted"] is False
    assert manifest["search"]["query"] == "uimahalli" and manifest["exported_by"] == user.get_username()
    assert manifest["sha256"] == hashlib.sha256(data).hexdigest()
    event = AuditEvent.objects.get(action="archive.exported")
    assert event.actor == user and event.data["records"] == 1 and event.data["format"] == "jsonl"


def test_export__csv_is_excel_friendly_and_redaction_removes_the_identity_code(organization, records) -> None:
    exported = export_archive(
        organization=organization, criteria=ArchiveQuery(), fmt="csv", redacted=True, now=at(2026, 2, 1)
    )
    manifest, data = _open(exported.content)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 3 == manifest["records"] and manifest["redacted"] is True
    comment = next(r for r in rows if r["kind"] == RecordKind.INTERACTION_RECEIVED)
    assert HETU not in data.decode("utf-8-sig")
    assert "[FI_HETU]" in comment["text"] and comment["author"] == "[PERSON]" and comment["payload"] == ""
    assert "Virtaselle" not in comment["text"]


def test_export__a_search_that_matches_nothing_is_still_a_valid_file(organization, records) -> None:
    for fmt in ("jsonl", "csv", "pdf"):
        exported = export_archive(
            organization=organization,
            criteria=ArchiveQuery(query="koulukuljetus"),
            fmt=fmt,
            now=at(2026, 2, 1),
        )
        manifest, data = _open(exported.content)
        assert manifest["records"] == 0 and manifest["sha256"] == hashlib.sha256(data).hexdigest()
        if fmt == "pdf":
            assert data.startswith(b"%PDF-")


def test_export__pdf_holds_every_record(organization, records) -> None:
    exported = export_archive(
        organization=organization, criteria=ArchiveQuery(), fmt="pdf", redacted=True, now=at(2026, 2, 1)
    )
    manifest, data = _open(exported.content)
    assert data.startswith(b"%PDF-") and b"/Type /Page" in data and manifest["records"] == 3


def test_export__unknown_format_is_refused(organization) -> None:
    with pytest.raises(ValueError, match="xml"):
        export_archive(organization=organization, criteria=ArchiveQuery(), fmt="xml", now=at(2026, 2, 1))


def _mis_encode(text: str) -> str:
    """What Meta's exports do: each UTF-8 byte written as its own character."""
    return text.encode("utf-8").decode("latin-1")


FB_POSTS = [
    {
        "timestamp": 1767261600,
        "data": [{"post": _mis_encode("Uimahallin kävijämäärä kasvoi, kiitos kuntalaiset!")}],
        "title": _mis_encode("Joroisten kunta päivitti tilaansa."),
        "attachments": [],
    },
    {"timestamp": 1767348000, "data": [{"post": "Tiesuolaa levitetään tänään."}], "title": "Joroisten kunta"},
]
FB_COMMENTS = {
    "comments_v2": [
        {
            "timestamp": 1767265200,
            "data": [
                {
                    "comment": {
                        "timestamp": 1767265200,
                        "comment": _mis_encode("Hyvä että hallissa käydään!"),
                        "author": _mis_encode("Äijälä Matti"),
                    }
                }
            ],
            "title": "Matti commented",
        }
    ]
}
IG_POSTS = [
    {
        "media": [
            {
                "uri": "media/posts/1.jpg",
                "creation_timestamp": 1767261600,
                "title": _mis_encode("Syksyn värit Joroisissa 🍁"),
            }
        ]
    }
]
IG_COMMENTS = [
    {
        "string_map_data": {
            "Comment": {"value": _mis_encode("Upeaa!")},
            "Media Owner": {"value": "joroisten_kunta"},
            "Time": {"timestamp": 1767265200},
        }
    }
]


def _raw(data: object) -> bytes:
    return json.dumps(data).encode()  # json.dumps writes \u00c3\u00a4, as Meta does


def test_fix_mojibake__restores_finnish_letters_and_leaves_proper_text_alone() -> None:
    assert fix_mojibake(_mis_encode("Äänekoski ja Pöljä")) == "Äänekoski ja Pöljä"
    assert fix_mojibake("Äänekoski") == "Äänekoski"


def test_import__facebook_posts_with_mis_encoded_letters_then_again_changes_nothing(
    organization, channel
) -> None:
    result = import_platform_export(
        organization=organization, channel=channel, raw=_raw(FB_POSTS), name="your_posts_1.json"
    )
    assert (result.format, result.added, result.already_there) == ("facebook_posts", 2, 0)
    texts = list(ArchiveRecord.objects.order_by("sequence").values_list("text", flat=True))
    assert texts == ["Uimahallin kävijämäärä kasvoi, kiitos kuntalaiset!", "Tiesuolaa levitetään tänään."]
    record = ArchiveRecord.objects.get(sequence=1)
    assert record.kind == RecordKind.IMPORTED and record.occurred_at.timestamp() == 1767261600
    assert record.payload["item"]["title"] == "Joroisten kunta päivitti tilaansa."
    again = import_platform_export(
        organization=organization, channel=channel, raw=_raw(FB_POSTS), name="your_posts_1.json"
    )
    assert (again.added, again.already_there) == (0, 2)
    assert ArchiveRecord.objects.count() == 2
    assert search_archive(organization=organization, query="uimahalli").total == 1
    assert verify_chain(organization=organization).ok
    assert AuditEvent.objects.filter(action="archive.imported").count() == 2


def test_import__facebook_comments_keep_their_author(organization, channel) -> None:
    import_platform_export(
        organization=organization, channel=channel, raw=_raw(FB_COMMENTS), name="comments.json"
    )
    record = ArchiveRecord.objects.get()
    assert (record.author, record.text) == ("Äijälä Matti", "Hyvä että hallissa käydään!")


def test_import__instagram_posts_and_comments(organization, other_channel) -> None:
    posts = import_platform_export(
        organization=organization, channel=other_channel, raw=_raw(IG_POSTS), name="posts_1.json"
    )
    comments = import_platform_export(
        organization=organization,
        channel=other_channel,
        raw=_raw({"comments_media_comments": IG_COMMENTS}),
        name="post_comments_1.json",
    )
    assert (posts.format, posts.added, comments.format, comments.added) == (
        "instagram_posts",
        1,
        "instagram_comments",
        1,
    )
    assert sorted(ArchiveRecord.objects.values_list("text", flat=True)) == [
        "Syksyn värit Joroisissa 🍁",
        "Upeaa!",
    ]
    assert (
        import_platform_export(organization=organization, channel=other_channel, raw=_raw(IG_COMMENTS)).added
        == 0
    )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'[{"timestamp": 1,', "line 1"),
        (b"\xff\xfe", "UTF-8"),
        (_raw({"profile": {}}), "Facebook or Instagram"),
        (_raw([{"title": "x"}]), "neither"),
        (_raw([FB_POSTS[0], {"timestamp": "eilen", "data": []}]), "Item 2"),
        (_raw([FB_POSTS[0], "text"]), "Item 2"),
    ],
)
def test_import__a_bad_file_names_the_problem_and_stores_nothing(
    organization, channel, raw, expected
) -> None:
    with translation.override("en"), pytest.raises(ImportFileError, match=expected):
        import_platform_export(organization=organization, channel=channel, raw=raw, name="export.json")
    assert ArchiveRecord.objects.count() == 0
