"""Where webhook deliveries are kept: their own journal database when one is configured.

With SQLite (the embedded set-up) every write takes the one lock of its file. The worker
ingesting a batch of deliveries holds the main file's lock for a while; if deliveries were
stored in the same file, a platform's next delivery would wait for it. Settings therefore
configure a second SQLite file, the alias `webhooks`, that holds only `WebhookDelivery`.
Without that alias (PostgreSQL) everything stays in the default database.

The worker commits the ingested interactions in the main database first and marks the
deliveries processed in the journal after; if it stops in between, the deliveries are
processed again, which ingest does idempotently (the same comment twice is one interaction).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

JOURNAL = "webhooks"
_MODEL = ("inbox", "webhookdelivery")


def journal_is_separate() -> bool:
    return JOURNAL in settings.DATABASES


def journal_alias() -> str:
    return JOURNAL if journal_is_separate() else "default"


def _is_journal(model: Any) -> bool:
    return (model._meta.app_label, model._meta.model_name) == _MODEL


class WebhookJournalRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return JOURNAL if journal_is_separate() and _is_journal(model) else None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return self.db_for_read(model, **hints)

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        if not journal_is_separate():
            return None
        journal = (app_label, model_name) == _MODEL or bool(hints.get("journal"))
        if db == JOURNAL:
            return journal
        return False if journal else None
