"""The retention page: periods per record kind, validation, audit, what a change makes due, the disposal log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from somevahti.archive.models import (
    DEFAULT_RETENTION_DAYS,
    ArchiveRecord,
    DisposalLog,
    RecordKind,
    RetentionPolicy,
)
from somevahti.archive.queries import search_archive
from somevahti.archive.services import RetentionError, set_retention_policies
from somevahti.core.models import AuditEvent

pytestmark = pytest.mark.django_db

URL = "/arkisto/sailytysajat/"


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies["django_language"] = "en"


def form_data(**changes: tuple[int | None, str]) -> dict[str, str]:
    """The form as the page fills it (the defaults), with some kinds changed: kind=(amount, unit)."""
    data: dict[str, str] = {}
    for kind in RecordKind:
        days = DEFAULT_RETENTION_DAYS[kind]
        amount, unit = (days // 365, "years") if days and days % 365 == 0 else (days, "days")
        amount, unit = changes.get(kind.value, (amount, unit))
        data[f"{kind.value}_amount"] = "" if amount is None else str(amount)
        data[f"{kind.value}_unit"] = unit
    return data


@pytest.fixture
def old_comments(add):  # type: ignore[no-untyped-def]
    now = timezone.now()
    return [
        add("Uimahalli kiitos!", now - dt.timedelta(days=800), kind=RecordKind.INTERACTION_RECEIVED),
        add("Milloin kirjasto aukeaa?", now - dt.timedelta(days=500), kind=RecordKind.INTERACTION_RECEIVED),
        add("Hyvää joulua!", now - dt.timedelta(days=10), kind=RecordKind.INTERACTION_RECEIVED),
    ]


def test_url_is_under_the_archive() -> None:
    assert reverse("archive:retention") == URL


@pytest.mark.parametrize("role", ["employee", "channel_admin", "supervisor", "elected_official"])
def test_retention_page__refused_to_roles_that_do_not_keep_the_records(client_as, old_comments, role) -> None:
    client = client_as(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL, form_data(interaction_received=(1, "years"))).status_code == 403
    assert not RetentionPolicy.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="archive.retention").exists()


@pytest.mark.parametrize("role", ["records_officer", "comms_lead"])
def test_retention_page__shows_each_kinds_period_and_default(client_as, old_comments, role) -> None:
    response = client_as(role).get(URL)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Comment or message received" in body and "Default: 6 years" in body and "Default: 10 years" in body
    assert "No records have been taken out of search yet." in body
    assert 'href="/arkisto/sailytysajat/"' in body    # in the navigation


def test_shortening_a_period__is_saved_and_audited_but_removes_nothing_until_the_scheduled_run(client_as, old_comments) -> None:
    client = client_as("records_officer")

    response = client.post(URL, form_data(interaction_received=(1, "years")), follow=True)

    body = response.content.decode()
    assert "1 retention period was saved. Nothing was removed now; at the next scheduled run 2 records" in body
    assert RetentionPolicy.objects.get().days == 365
    event = AuditEvent.objects.get(action="archive.retention_policy_set")
    assert event.data == {"kind": "interaction_received", "days": 365, "previous_days": 2190}
    assert event.actor is not None
    # Nothing has left search yet.
    assert ArchiveRecord.objects.filter(removed_from_search_at__isnull=False).count() == 0
    assert search_archive(organization=old_comments[0].organization, kind=RecordKind.INTERACTION_RECEIVED).total == 3
    assert not DisposalLog.objects.exists()

    from somevahti.archive.tasks import apply_retention_everywhere_task

    apply_retention_everywhere_task.call()

    log = DisposalLog.objects.get()
    assert (log.kind, log.count) == (RecordKind.INTERACTION_RECEIVED, 2) and log.run
    assert search_archive(organization=old_comments[0].organization, kind=RecordKind.INTERACTION_RECEIVED).total == 1
    page = client.get(URL).content.decode()
    assert "Disposal log" in page and f"<code>{log.run}</code>" in page


def test_preview__shows_what_a_period_would_make_due_and_saves_nothing(client_as, old_comments) -> None:
    client = client_as("comms_lead")

    response = client.post(URL, {**form_data(interaction_received=(400, "days")), "action": "preview"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "With these periods, 2 records would leave search at the next scheduled run. Nothing has been saved yet." in body
    assert not RetentionPolicy.objects.exists() and not AuditEvent.objects.filter(action="archive.retention_policy_set").exists()


@pytest.mark.parametrize(
    ("amount", "unit", "message"),
    [
        ("kuusi", "years", "Give a whole number, for example 6."),
        ("2.5", "years", "Give a whole number, for example 6."),
        ("0", "years", "Give a whole number of years from 1 to 100."),
        ("101", "years", "Give a whole number of years from 1 to 100."),
        ("-3", "days", "Give a whole number of days from 30 to 36500."),
        ("29", "days", "Give a whole number of days from 30 to 36500."),
        ("", "days", "Give the number of years or days, or choose “kept for good”."),
    ],
)
def test_bad_period__is_named_at_its_field_and_nothing_changes(client_as, old_comments, amount, unit, message) -> None:
    client = client_as("records_officer")
    # Another kind is changed validly in the same form: it must not be saved either.
    data = form_data(post_published=(12, "years"))
    data["interaction_received_amount"], data["interaction_received_unit"] = amount, unit

    response = client.post(URL, data)

    assert response.status_code == 400
    assert response.context["form"].errors == {"interaction_received_amount": [message]}
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert not RetentionPolicy.objects.exists() and not AuditEvent.objects.filter(action="archive.retention_policy_set").exists()


def test_kept_for_good_and_unchanged_periods(client_as, old_comments) -> None:
    client = client_as("records_officer")
    client.post(URL, form_data())                     # the page as it is: nothing changes
    assert not RetentionPolicy.objects.exists()

    client.post(URL, form_data(post_published=(None, "forever")))

    assert RetentionPolicy.objects.get(kind=RecordKind.POST_PUBLISHED).days is None
    assert "kept for good" in client.get(URL).content.decode()


def test_set_retention_policies__a_bad_value_anywhere_writes_nothing(organization) -> None:
    with pytest.raises(RetentionError, match="from 30 to 36500"):
        set_retention_policies(organization=organization, days_by_kind={"post_published": 400, "reply_sent": 5})
    with pytest.raises(RetentionError, match="not a kind"):
        set_retention_policies(organization=organization, days_by_kind={"post_published": 400, "nonsense": 400})
    assert not RetentionPolicy.objects.exists()
