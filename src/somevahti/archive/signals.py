"""Keep the search index in step with the archive, whoever writes the record.

`archive()` and `archive_many()` (services.py) append with `bulk_create`, which skips signals:
they stem with `search.stem_text` before the INSERT and index with `search.index_rows` after it,
in the same transaction. These receivers cover a record saved any other way, so none is left
out of search. `pre_save` stores the stems in the same INSERT (a record row is never updated
afterwards); `post_save` adds the row to SQLite's FTS5 table inside the same transaction, so a
record and its index entry are committed together. Other bulk loads call `search.stem_text` and
`search.rebuild_index`.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from .models import ArchiveRecord
from .services import index_record


@receiver(pre_save, sender=ArchiveRecord)
def stem_before_insert(sender: type[ArchiveRecord], instance: ArchiveRecord, **kwargs: Any) -> None:
    if instance.pk is None and not instance.search_text:
        from .search import stem_text

        instance.search_text = stem_text(instance.text)


@receiver(post_save, sender=ArchiveRecord)
def index_after_insert(
    sender: type[ArchiveRecord], instance: ArchiveRecord, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        index_record(instance)
