"""Full-text search with Finnish stemming, the same on SQLite and PostgreSQL.

Every word of a record is reduced to a stem once, when the record is saved, and the stems are
kept in `ArchiveRecord.search_text`; a query is reduced the same way. A word Voikko knows is
reduced to its base form first (uimahallissa → uimahalli, koulukuljetuksen → koulukuljetus) and
then stemmed with Snowball's Finnish stemmer; a word it does not know (names, new words) is
stemmed as it is. The record's stems also hold the Snowball stem of the word as written, so a
query word that Voikko does not know still meets it.

SQLite: an FTS5 table `archive_fts` with external content (the stems stay in one place, the
record row); `index_record` adds a record, `unindex_record` takes it out (retention).
PostgreSQL: a GIN index on `to_tsvector('finnish', search_text)`; nothing to keep in sync.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorExact, SearchVectorField
from django.db import connection
from django.db.models import Func

WORD = re.compile(r"[^\W_]+")
FTS_TABLE = "archive_fts"
RECORD_TABLE = "archive_archiverecord"

_lock = threading.Lock()
_voikko: Any = None
_voikko_failed = False
_stemmer: Any = None


def _analyzer() -> Any:
    global _voikko, _voikko_failed
    if _voikko is None and not _voikko_failed:
        try:
            from libvoikko import Voikko

            _voikko = Voikko("fi")
        except Exception:  # the library or its Finnish dictionary is missing: stem only
            _voikko_failed = True
    return _voikko


def _snowball(word: str) -> str:
    global _stemmer
    if _stemmer is None:
        try:
            import snowballstemmer

            _stemmer = snowballstemmer.stemmer("finnish")
        except ImportError:  # pragma: no cover - a declared dependency
            _stemmer = False
    return _stemmer.stemWord(word) if _stemmer else word


@lru_cache(maxsize=200_000)
def _stems(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(stems of the word's base forms, stems of the word as written)."""
    with _lock:
        voikko = _analyzer()
        baseforms: list[str] = []
        if voikko is not None and len(word) < 80:
            analyses = voikko.analyze(word)
            if not analyses and word.islower():
                analyses = voikko.analyze(word.capitalize())  # place names typed in lower case
            for analysis in analyses:
                base = str(analysis.get("BASEFORM", "")).lower()
                if base and base not in baseforms:
                    baseforms.append(base)
        from_base = _unique(token for form in baseforms for token in WORD.findall(_snowball(form)))
        as_written = _unique(WORD.findall(_snowball(word.lower())))
    return from_base, as_written


def _unique(tokens: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(tokens))


def word_stems(word: str) -> tuple[str, ...]:
    """Every stem a record keeps for one written word."""
    from_base, as_written = _stems(word)
    return _unique([*from_base, *as_written])


def query_alternatives(word: str) -> tuple[str, ...]:
    """A query word matches a record holding a stem of one of its base forms (or, for a word
    Voikko does not know, the stem of the word as written)."""
    from_base, as_written = _stems(word)
    return from_base or as_written


def stem_text(text: str) -> str:
    """The stems of a text, space-separated, as kept in `search_text`."""
    out: list[str] = []
    for word in WORD.findall(text):
        out.extend(word_stems(word))
    return " ".join(out)


def query_groups(query: str) -> list[tuple[str, ...]]:
    """One group of alternative stems per query word; a record must match every group."""
    groups: list[tuple[str, ...]] = []
    for word in WORD.findall(query):
        alternatives = query_alternatives(word)
        if alternatives and alternatives not in groups:
            groups.append(alternatives)
    return groups


def fts5_expression(groups: Sequence[tuple[str, ...]]) -> str:
    """`("a" OR "b") AND "c"`; stems hold only letters and digits, so quoting is enough."""
    parts = []
    for group in groups:
        quoted = [f'"{stem}"' for stem in group]
        parts.append(quoted[0] if len(quoted) == 1 else "(" + " OR ".join(quoted) + ")")
    return " AND ".join(parts)


def tsquery_expression(groups: Sequence[tuple[str, ...]]) -> str:
    """`(a | b) & c` for `to_tsquery('finnish', …)`."""
    parts = []
    for group in groups:
        parts.append(group[0] if len(group) == 1 else "(" + " | ".join(group) + ")")
    return " & ".join(parts)


def matching_words(text: str, query: str) -> list[tuple[int, int]]:
    """Spans of the words in `text` that a query matches, for highlighting."""
    wanted = {stem for group in query_groups(query) for stem in group}
    if not wanted:
        return []
    return [m.span() for m in WORD.finditer(text) if wanted.intersection(word_stems(m.group()))]


# --- the index ------------------------------------------------------------------------------


def uses_fts5() -> bool:
    return connection.vendor == "sqlite"


def index_rows(rows: Iterable[tuple[int, str]]) -> None:
    """Add (record id, search_text) pairs to the SQLite index; PostgreSQL needs nothing."""
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {FTS_TABLE}(rowid, search_text) VALUES (%s, %s)", list(rows))


def unindex_rows(rows: Iterable[tuple[int, str]]) -> None:
    """Take (record id, search_text) pairs out of the SQLite index (external content needs both)."""
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_text) VALUES ('delete', %s, %s)", list(rows)
        )


def rebuild_index() -> None:
    """Build the SQLite index anew from the records still in search (after a bulk load)."""
    if not uses_fts5():
        return
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
        cursor.execute(
            f"INSERT INTO {FTS_TABLE}(rowid, search_text) SELECT id, search_text FROM {RECORD_TABLE} "
            "WHERE removed_from_search_at IS NULL"
        )


CREATE_SQLITE = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(search_text, content='{RECORD_TABLE}', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
]
DROP_SQLITE = [f"DROP TABLE IF EXISTS {FTS_TABLE}"]
CREATE_POSTGRES = [
    f"CREATE INDEX IF NOT EXISTS archive_record_fts ON {RECORD_TABLE} USING gin (to_tsvector('finnish', search_text))",
]
DROP_POSTGRES = ["DROP INDEX IF EXISTS archive_record_fts"]


class _IndexedStems(Func):
    """`to_tsvector('finnish', search_text)`, written as the index above is, so PostgreSQL uses
    it: Django's SearchVector would wrap the column in COALESCE and miss the index."""

    function = "to_tsvector"
    template = "%(function)s('finnish', %(expressions)s)"
    output_field = SearchVectorField()


def tsquery_match(groups: Sequence[tuple[str, ...]]) -> SearchVectorExact:
    """The PostgreSQL condition for `filter()`: the record's stems match every group."""
    query = SearchQuery(tsquery_expression(groups), config="finnish", search_type="raw")
    return SearchVectorExact(_IndexedStems("search_text"), query)
