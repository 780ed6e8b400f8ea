"""The worker's batch of deliveries stores exactly what processing them one by one stores."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import router, transaction

from somevahti.archive.models import ArchiveRecord
from somevahti.archive.services import verify_chain
from somevahti.inbox import services
from somevahti.inbox.models import Interaction, InteractionEvent, WebhookDelivery
from somevahti.inbox.webhooks import process_delivery, process_pending_deliveries, store_delivery
from tests.factories import ChannelFactory, OrganizationFactory

PAGE = "104000000000001"  # the `page` fixture
OTHER_PAGE = "205000000000009"
NOW = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)
CREATED = 1764064000


def change(page: str, comment: str, verb: str = "add", text: str = "", *, sender: str = "7000000000000001", parent: str = "") -> dict[str, Any]:
    return {
        "field": "feed",
        "value": {
            "from": {"id": sender, "name": "Joroisten kunta" if sender == page else "Maija Virtanen"},
            "post_id": f"{page}_2000",
            "comment_id": comment,
            "parent_id": parent or f"{page}_2000",
            "created_time": CREATED + int(comment.rsplit("_", 1)[-1]),
            "item": "comment",
            "verb": verb,
            "message": text,
        },
    }


def body(page: str, *changes: dict[str, Any]) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": page, "time": CREATED, "changes": list(changes)}]}).encode()


def scenario() -> list[bytes]:
    """Repeats, edits, removals, hiding, our own replies and a second organization's page."""
    return [
        body(PAGE, change(PAGE, "2000_1", text="Onko kirjasto auki jouluna?")),
        body(PAGE, change(PAGE, "2000_2", text="Milloin uimahalli aukeaa?")),
        body(PAGE, change(PAGE, "2000_1", text="Onko kirjasto auki jouluna?")),  # a repeat
        body(PAGE, change(PAGE, "2000_1", "edited", "Onko kirjasto auki jouluaattona?")),
        body(PAGE, change(PAGE, "2000_3", text="Kirjasto on auki 27.12. alkaen.", sender=PAGE, parent="2000_1")),
        body(PAGE, change(PAGE, "2000_2", "remove")),
        body(OTHER_PAGE, change(OTHER_PAGE, "2000_4", text="Varkauden tori on siisti.")),
        body(PAGE, change(PAGE, "2000_5", "hide", "Piilotettava kommentti")),  # first seen hidden
        body(PAGE, change(PAGE, "2000_5", "unhide", "Piilotettava kommentti")),
        body(PAGE, change(PAGE, "2000_6", text="Vastaus ennen kysymystä.", sender=PAGE, parent="2000_7")),
        body(PAGE, change(PAGE, "2000_7", text="Kysymys vastauksen jälkeen?")),
        body(PAGE, change(PAGE, "2000_2", "remove")),  # removed again: nothing new
        body(PAGE, change(PAGE, "2000_8", text="Naapurin hetu on 131052-308T!"), change(PAGE, "2000_8", "edited", "Poistin hetun.")),
        body(PAGE, change(PAGE, "2000_0", "edited", "Aiempi kommentti muokattuna.")),  # stored before the batch
        body(PAGE, change(PAGE, "2000_9", text="Vastaus aiempaan.", sender=PAGE, parent="2000_0")),
        body(OTHER_PAGE, change(OTHER_PAGE, "2000_4", "edited", "Varkauden tori on tosi siisti.")),
        body(PAGE, change(PAGE, "2000_1", text="Onko kirjasto auki jouluaattona?")),  # a late repeat of the edit
    ]


def snapshot() -> dict[str, Any]:
    """What was stored, in the order it was stored. The batch takes a channel's items together
    (each channel has its own rows; each organization its own chain), so rows are compared a
    channel at a time."""
    interactions = list(
        Interaction.objects.order_by("channel_id", "pk").values(
            "channel_id", "platform_id", "kind", "text", "state", "from_us", "expects_answer", "deadline",
            "first_response_at", "findings", "has_blocking_finding", "parent_platform_id", "author_name",
            "created_at", "received_at",
        )
    )
    events = list(
        InteractionEvent.objects.order_by("interaction__channel_id", "pk").values_list(
            "interaction__platform_id", "verb", "at", "text_before", "text_after", "data"
        )
    )
    records = list(
        ArchiveRecord.objects.order_by("organization_id", "sequence").values_list(
            "organization_id", "sequence", "kind", "text", "payload", "occurred_at", "source_id", "author",
            "channel_id", "platform", "previous_hash", "record_hash", "search_text",
        )
    )
    return {"interactions": interactions, "events": events, "records": records}


def outcome(process: Callable[[list[int]], None]) -> dict[str, Any]:
    """Store the scenario's deliveries, process them, take what was stored, and undo it all."""
    journal = router.db_for_write(WebhookDelivery)
    with contextlib.ExitStack() as undo:
        undo.enter_context(transaction.atomic())
        if journal != "default":
            undo.enter_context(transaction.atomic(using=journal))
        for delivery in scenario():
            store_delivery(platform="meta", body=delivery)
        ids = list(WebhookDelivery.objects.order_by("pk").values_list("pk", flat=True))
        process(ids)
        assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"processed"}
        stored = snapshot()
        for organization_id in {record[0] for record in stored["records"]}:
            assert verify_chain(organization=OrganizationFactory._meta.model.objects.get(pk=organization_id)).ok
        transaction.set_rollback(True, using=journal)
        transaction.set_rollback(True)
    return stored


@pytest.fixture
def other_page():
    other = OrganizationFactory(slug="varkaus", name="Varkauden kaupunki")
    return ChannelFactory(organization=other, key="facebook", name="Varkauden kaupunki", platform_id=OTHER_PAGE)


@pytest.fixture
def earlier_comment(page):
    """A comment stored before the batch, which the batch edits and answers."""
    store_delivery(platform="meta", body=body(PAGE, change(PAGE, "2000_0", text="Aiempi kommentti.")))
    process_pending_deliveries(now=NOW - dt.timedelta(hours=1))


def test_batch__stores_exactly_what_processing_one_by_one_stores(page, other_page, earlier_comment, caplog):
    one_by_one = outcome(lambda ids: [process_delivery(delivery_id=pk, now=NOW) for pk in ids])
    in_one_batch = outcome(lambda ids: process_pending_deliveries(now=NOW, limit=len(ids)))
    assert "batch failed" not in caplog.text  # the batch was stored as a batch, not item by item
    assert in_one_batch == one_by_one
    # And what that is: one interaction per comment, its history, every record in order.
    interactions = {i["platform_id"]: i for i in in_one_batch["interactions"]}
    assert len(interactions) == len(in_one_batch["interactions"]) == 10
    assert interactions["2000_1"]["text"] == "Onko kirjasto auki jouluaattona?"
    assert interactions["2000_1"]["state"] == "answered" and interactions["2000_0"]["state"] == "answered"
    assert interactions["2000_2"]["state"] == "removed" and interactions["2000_5"]["state"] == "new"
    assert interactions["2000_7"]["state"] == "new"  # its answer came before it: nothing to mark
    assert interactions["2000_8"]["text"] == "Poistin hetun." and not interactions["2000_8"]["has_blocking_finding"]
    assert [(pid, verb) for pid, verb, *_rest in in_one_batch["events"] if pid == "2000_1"] == [
        ("2000_1", "received"), ("2000_1", "edited"), ("2000_1", "answered_on_platform"),
    ]
    own = [(kind, text) for org, _seq, kind, text, *_rest in in_one_batch["records"] if org == page.organization_id]
    assert own[1:5] == [
        ("interaction_received", "Onko kirjasto auki jouluna?"),
        ("interaction_received", "Milloin uimahalli aukeaa?"),
        ("interaction_edited", "Onko kirjasto auki jouluaattona?"),
        ("interaction_received", "Kirjasto on auki 27.12. alkaen."),
    ]
    assert [kind for _org, _seq, kind, *_rest in in_one_batch["records"] if _org == other_page.organization_id] == [
        "interaction_received", "interaction_edited",
    ]


def test_batch__a_comment_stored_meanwhile_by_another_process_falls_back_to_one_by_one(page, monkeypatch, caplog):
    from somevahti.connectors.meta.webhooks import parse_delivery

    first = body(PAGE, change(PAGE, "2000_1", text="Onko kirjasto auki jouluna?"))
    # Another process stores the comment after the batch has looked for it.
    services.ingest_interactions(channel=page, items=parse_delivery(first), now=NOW)
    monkeypatch.setattr(services._BatchWrites, "read", lambda self, channel, items: None)
    store_delivery(platform="meta", body=first)
    store_delivery(platform="meta", body=body(PAGE, change(PAGE, "2000_2", text="Milloin uimahalli aukeaa?")))
    assert process_pending_deliveries(now=NOW) == 2
    assert "batch failed" in caplog.text
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {"processed"}
    assert sorted(Interaction.objects.values_list("platform_id", flat=True)) == ["2000_1", "2000_2"]
    assert list(ArchiveRecord.objects.order_by("sequence").values_list("source_id", flat=True)) == ["2000_1", "2000_2"]
    assert verify_chain(organization=page.organization).ok


def test_batch__the_number_of_queries_does_not_grow_with_the_number_of_comments(page):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(first: int, count: int) -> int:
        for n in range(first, first + count):
            store_delivery(platform="meta", body=body(PAGE, change(PAGE, f"2000_{n}", text=f"Kommentti numero {n}.")))
        with CaptureQueriesContext(connection) as queries:
            process_pending_deliveries(now=NOW, limit=count)
        return len(queries)

    assert queries_for(100, 40) == queries_for(1, 4)
    assert Interaction.objects.count() == 44 and ArchiveRecord.objects.count() == 44
