from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from somevahti.archive.models import ArchiveRecord, RecordKind
from somevahti.archive.services import archive
from somevahti.channels.models import Channel
from somevahti.core.calendar import HELSINKI


def at(year: int, month: int, day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=HELSINKI)


@pytest.fixture
def channel(organization):  # type: ignore[no-untyped-def]
    return Channel.objects.create(
        organization=organization, key="facebook", platform="facebook", name="Joroisten kunta Facebook"
    )


@pytest.fixture
def other_channel(organization):  # type: ignore[no-untyped-def]
    return Channel.objects.create(
        organization=organization, key="instagram", platform="instagram", name="Joroinen Instagram"
    )


@pytest.fixture
def add(organization, channel) -> Callable[..., ArchiveRecord]:  # type: ignore[no-untyped-def]
    def make(text: str, when: dt.datetime | None = None, **fields: Any) -> ArchiveRecord:
        fields.setdefault("kind", RecordKind.POST_PUBLISHED)
        fields.setdefault("channel", channel)
        return archive(
            organization=fields.pop("organization", organization),
            text=text,
            occurred_at=when or at(2026, 3, 1),
            **fields,
        )

    return make
