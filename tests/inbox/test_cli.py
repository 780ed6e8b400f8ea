import datetime as dt
import io
import json

import pytest

from somevahti.config.cli import main
from somevahti.connectors.base import Author, IncomingInteraction, InteractionKind, Verb
from somevahti.inbox.models import Interaction
from somevahti.inbox.services import assign_interaction, ingest_interactions

T0 = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # 11:00 in Helsinki, a Wednesday


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    code = main(["inbox", *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def items(channel, admin_person):
    comments = [
        IncomingInteraction(
            platform_id=pid, kind=InteractionKind.COMMENT, verb=Verb.ADD, text=text, author=Author("u1", "Matti Meikäläinen"),
            created_at=T0, channel_platform_id="1234567890", post_id="p1",
        )
        for pid, text in (("c1", "Milloin uimahalli aukeaa?"), ("c2", "Naapurin hetu on 131052-308T!"))
    ]
    ingest_interactions(channel=channel, items=comments, now=T0 + dt.timedelta(minutes=1))
    assign_interaction(interaction=Interaction.objects.get(platform_id="c1"), assignee=admin_person, by=None)
    return Interaction.objects.order_by("platform_id")


def test_inbox_json__lists_each_item_with_times_in_helsinki(items, admin_person):
    code, out, err = run("--org", "joroinen", "--format", "json")
    assert code == 0 and err == ""
    rows = json.loads(out)
    assert {tuple(sorted(r)) for r in rows} == {
        ("assignee", "author", "channel", "created_at", "deadline", "findings", "id", "kind", "received_at", "state", "text")
    }
    by_text = {r["text"]: r for r in rows}
    first = by_text["Milloin uimahalli aukeaa?"]
    assert first == {
        "id": items[0].pk,
        "channel": "facebook-joroinen",
        "kind": "comment",
        "author": "Matti Meikäläinen",
        "text": "Milloin uimahalli aukeaa?",
        "created_at": "2026-11-25T11:00:00+02:00",
        "received_at": "2026-11-25T11:01:00+02:00",
        "deadline": "2026-11-25T16:00:00+02:00",
        "state": "assigned",
        "assignee": admin_person.email,
        "findings": [],
    }
    second = by_text["Naapurin hetu on 131052-308T!"]
    assert second["assignee"] is None and "FI_HETU" in second["findings"]


def test_inbox__state_filter_and_readable_text_table(items):
    code, out, _err = run("--org", "joroinen", "--state", "assigned")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:4] == ["id", "channel", "kind", "state"]
    assert len(lines) == 2 and "Milloin uimahalli aukeaa?" in lines[1]
    code, out, _err = run("--org", "joroinen", "--state", "closed", "--format", "json")
    assert code == 0 and json.loads(out) == []


def test_inbox__unknown_organization_or_state_exits_2_with_a_message(items):
    code, out, err = run("--org", "nowhere")
    assert code == 2 and out == "" and "--org" in err and "nowhere" in err
    code, out, err = run("--org", "joroinen", "--state", "bogus")
    assert code == 2 and out == "" and "--state" in err and "bogus" in err and "assigned" in err
