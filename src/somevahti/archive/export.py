"""Exports for information requests (tietopyyntö, Act 621/1999): JSON Lines, CSV and PDF.

An export is a .zip holding the data file (`records.jsonl`, `records.csv` or `records.pdf`) and
`manifest.json`: what was searched with which filters, by whom, when, how many records, whether
personal data was redacted, and the SHA-256 of the data file. A search that matched nothing
still gives a valid file and a manifest that says 0 records.

CSV is UTF-8 with a byte-order mark and `;` between fields: Excel in Finnish (and Swedish)
settings opens it as columns with ä and ö intact, since the comma is the decimal separator there.

Redaction replaces each span the content checks find with a marker naming its kind
("[FI_HETU]", "[PERSON]", …), the author with "[PERSON]", and leaves the platform payload out
(it holds the same data in forms the checks do not read).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from somevahti.core import audit
from somevahti.core.calendar import HELSINKI
from somevahti.people.models import Organization

from .models import ArchiveRecord
from .queries import ArchiveQuery, archive_queryset

FORMATS = ("jsonl", "csv", "pdf")
NOT_PERSONAL = frozenset({"CONFIDENTIAL"})  # a confidentiality marking is not personal data
CSV_COLUMNS = (
    "sequence", "kind", "occurred_at", "channel", "platform", "author", "text",
    "source_id", "recorded_at", "record_hash", "previous_hash", "payload",
)  # fmt: skip
EXPORT_CHUNK = 2000


class ExportError(ValueError):
    pass


@dataclass
class ExportFile:
    filename: str
    content: bytes
    manifest: dict[str, Any]


def redact(text: str) -> str:
    """The text with every personal-data finding replaced by a marker naming its kind."""
    from somevahti.checks import check_text

    if not text:
        return text
    out = text
    for finding in sorted(check_text(text), key=lambda f: f.start, reverse=True):
        if finding.type in NOT_PERSONAL:
            continue
        out = out[: finding.start] + f"[{finding.type}]" + out[finding.end :]
    return out


def _moment(value: dt.datetime | None) -> str:
    return value.astimezone(HELSINKI).isoformat() if value else ""


def _row(record: ArchiveRecord, *, redacted: bool) -> dict[str, Any]:
    return {
        "sequence": record.sequence,
        "kind": record.kind,
        "occurred_at": _moment(record.occurred_at),
        "channel": record.channel.key if record.channel else "",
        "platform": record.platform,
        "author": ("[PERSON]" if record.author else "") if redacted else record.author,
        "text": redact(record.text) if redacted else record.text,
        "source_id": record.source_id,
        "recorded_at": _moment(record.recorded_at),
        "record_hash": record.record_hash,
        "previous_hash": record.previous_hash,
        "payload": None if redacted else record.payload,
    }


def write_jsonl(rows: Iterable[dict[str, Any]], out: Any) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, cls=DjangoJSONEncoder).encode() + b"\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out: Any) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.DictWriter(text, fieldnames=CSV_COLUMNS, delimiter=";", quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    count = 0
    for row in rows:
        row = dict(row)
        row["payload"] = (
            ""
            if row["payload"] is None
            else json.dumps(row["payload"], ensure_ascii=False, cls=DjangoJSONEncoder)
        )
        writer.writerow(row)
        count += 1
    text.flush()
    text.detach()
    return count


_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


def write_pdf(
    rows: Iterable[dict[str, Any]], out: io.BufferedIOBase | Any, *, heading: str, summary: list[str]
) -> int:
    """A readable document: a heading, what was asked, then each record with its facts and text."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(auto=True, margin=18)
    font = next((d for d in _FONT_DIRS if (d / "DejaVuSans.ttf").exists()), None)
    if font is not None:
        pdf.add_font("DejaVu", "", str(font / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(font / "DejaVuSans-Bold.ttf"))
        family = "DejaVu"

        def clean(value: str) -> str:
            return value
    else:  # no Unicode font on this machine: the core font covers Latin-1 (ä, ö, å)
        family = "Helvetica"

        def clean(value: str) -> str:
            return value.encode("latin-1", "replace").decode("latin-1")

    pdf.set_title(heading)
    pdf.add_page()
    pdf.set_font(family, "B", 15)
    pdf.multi_cell(0, 8, clean(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    for line in summary:
        pdf.multi_cell(0, 5, clean(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    count = 0
    for row in rows:
        count += 1
        pdf.set_font(family, "B", 10)
        title = _("Record %(sequence)s · %(kind)s · %(time)s") % {
            "sequence": row["sequence"], "kind": row["kind"], "time": row["occurred_at"][:16].replace("T", " "),
        }  # fmt: skip
        pdf.multi_cell(0, 6, clean(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 9)
        facts = _("Channel: %(channel)s. Author: %(author)s.") % {
            "channel": row["channel"] or "–",
            "author": row["author"] or "–",
        }
        pdf.multi_cell(0, 5, clean(facts), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(family, "", 10)
        pdf.multi_cell(0, 5, clean(row["text"] or _("(no text)")), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    if count == 0:
        pdf.set_font(family, "", 10)
        pdf.multi_cell(0, 6, clean(_("Nothing matched this search.")), new_x="LMARGIN", new_y="NEXT")
    out.write(bytes(pdf.output()))
    return count


def _rows(records: Iterable[ArchiveRecord], *, redacted: bool) -> Iterator[dict[str, Any]]:
    for record in records:
        yield _row(record, redacted=redacted)


def export_archive(
    *,
    organization: Organization,
    criteria: ArchiveQuery,
    fmt: str,
    redacted: bool = False,
    by: Any = None,
    now: dt.datetime,
    request: Any = None,
) -> ExportFile:
    """Every record the search matches (not only one page), as a .zip with its manifest. Audited."""
    if fmt not in FORMATS:
        raise ExportError(
            _("%(format)s is not an export format; choose jsonl, csv or pdf.") % {"format": fmt}
        )
    records = (
        archive_queryset(organization=organization, criteria=criteria)
        .select_related("channel")
        .defer("search_text")
        .iterator(chunk_size=EXPORT_CHUNK)
    )
    rows = _rows(records, redacted=redacted)
    data = io.BytesIO()
    who = by.get_username() if by is not None and getattr(by, "is_authenticated", False) else "system"
    stamp = now.astimezone(HELSINKI)
    if fmt == "jsonl":
        count = write_jsonl(rows, data)
    elif fmt == "csv":
        count = write_csv(rows, data)
    else:
        summary = [
            _("Organization: %(name)s") % {"name": organization.name},
            _("Search: %(query)s") % {"query": json.dumps(criteria.as_dict(), ensure_ascii=False)},
            _("Exported by %(who)s at %(time)s.") % {"who": who, "time": stamp.isoformat(timespec="seconds")},
            _("Personal data redacted.") if redacted else _("Not redacted: contains personal data."),
        ]
        count = write_pdf(rows, data, heading=_("Archive export"), summary=summary)
    content = data.getvalue()
    data_name = f"records.{fmt}"
    manifest = {
        "what": "somevahti archive export",
        "organization": organization.slug,
        "search": criteria.as_dict(),
        "format": fmt,
        "exported_by": who,
        "exported_at": stamp.isoformat(),
        "records": count,
        "redacted": redacted,
        "data_file": data_name,
        "sha256": hashlib.sha256(content).hexdigest(),
    }
    archive_bytes = io.BytesIO()
    with zipfile.ZipFile(archive_bytes, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        bundle.writestr(data_name, content)
    audit.record(
        "archive.exported",
        organization_id=organization.pk,
        actor=by,
        request=request,
        data={k: manifest[k] for k in ("search", "format", "records", "redacted", "sha256")},
    )
    filename = f"arkisto-{organization.slug}-{stamp:%Y%m%d-%H%M%S}-{fmt}.zip"
    return ExportFile(filename=filename, content=archive_bytes.getvalue(), manifest=manifest)
