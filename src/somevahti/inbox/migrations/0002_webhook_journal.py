"""Deliveries stored in the main SQLite file before the journal existed move into the journal."""

from django.db import connections, migrations

COLUMNS = "id, platform, received_at, body, body_sha256, state, attempts, error, processed_at, interactions"


def move_into_journal(apps, schema_editor):  # type: ignore[no-untyped-def]
    from somevahti.inbox.routers import JOURNAL, journal_is_separate

    if not journal_is_separate() or schema_editor.connection.alias != JOURNAL:
        return
    main = connections["default"]
    if "inbox_webhookdelivery" not in main.introspection.table_names():
        return
    with main.cursor() as source:
        source.execute(f"SELECT {COLUMNS} FROM inbox_webhookdelivery ORDER BY id")
        rows = source.fetchall()
    if rows:
        marks = ", ".join(["%s"] * len(COLUMNS.split(",")))
        with schema_editor.connection.cursor() as target:
            # The journal exists only with SQLite; a repeated run after a stop copies nothing twice.
            target.executemany(f"INSERT OR IGNORE INTO inbox_webhookdelivery ({COLUMNS}) VALUES ({marks})", rows)
    # The migration is not atomic: the copy is committed before the old table is given up.
    with main.cursor() as source:
        source.execute("DROP TABLE inbox_webhookdelivery")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("inbox", "0001_initial")]

    operations = [
        migrations.RunPython(move_into_journal, migrations.RunPython.noop, hints={"journal": True}),
    ]
