"""The demo organization (esittelyorganisaatio): Joroisten kunta, loaded by `somevahti demo`
through `ensure_demo` in the channels app's demo module, which stands above channels as the
organization file's importer does.

The people, channels and summer holidays come from `data/demo-joroinen.json` through the same
importer as any organization file. The holidays are written there as ISO weeks with a
placeholder year ("YYYY-W28-1" is the Monday of week 28) and get the coming summer's year here,
so the demo looks the same whenever it runs: in weeks 28 and 29 only one Instagram
administrator is at work (a MAINT-ADMINS gap) while Facebook stays covered.

The demo organization is marked by its audit event "people.demo_loaded"; users and passwords
are only ever made for that organization, never for one imported from a real file.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

from somevahti.core.models import AuditEvent
from somevahti.core.roles import Role

from .models import Organization

DEMO_FILE = Path(__file__).parent / "data" / "demo-joroinen.json"
DEMO_EVENT = "people.demo_loaded"
# Who to sign in as for each role (the first holder of the role when missing).
DEMO_LOGINS: dict[str, str] = {
    Role.COMMS_LEAD: "kaisa.lehtonen@joroinen.fi",
    Role.CHANNEL_ADMIN: "mikko.makinen@joroinen.fi",
    Role.SUPERVISOR: "jukka.heikkinen@joroinen.fi",
    Role.EMPLOYEE: "anna-maija.korhonen@joroinen.fi",
    Role.ELECTED_OFFICIAL: "marjatta.laine@joroinen.fi",
    Role.RECORDS_OFFICER: "tuula.salonen@joroinen.fi",
}
# About half of the people have acknowledged the guideline; one elected official has not.
ACKNOWLEDGED = (
    "kaisa.lehtonen@joroinen.fi",
    "mikko.makinen@joroinen.fi",
    "johanna.nieminen@joroinen.fi",
    "jukka.heikkinen@joroinen.fi",
    "marjatta.laine@joroinen.fi",
    "pekka.koskinen@joroinen.fi",
)
_WEEK_DAY = re.compile(r"YYYY-W(\d{2})-(\d)")
# The Instagram gap ends on the Sunday of this ISO week.
LAST_GAP_WEEK = 29


def demo_year(today: dt.date) -> int:
    """This summer while its July gap is still ahead or under way, else next summer."""
    gap_end = dt.date.fromisocalendar(today.year, LAST_GAP_WEEK, 7)
    return today.year if today <= gap_end else today.year + 1


def demo_data(*, today: dt.date) -> dict[str, Any]:
    """The demo file with the holiday weeks turned into dates of the demo summer."""
    year = demo_year(today)
    text = DEMO_FILE.read_text(encoding="utf-8")
    text = _WEEK_DAY.sub(lambda m: dt.date.fromisocalendar(year, int(m.group(1)), int(m.group(2))).isoformat(), text)
    data: dict[str, Any] = json.loads(text)
    return data


def demo_organization() -> Organization | None:
    org_ids = AuditEvent.objects.filter(action=DEMO_EVENT).values_list("organization_id", flat=True)
    return Organization.objects.filter(pk__in=list(org_ids)).order_by("pk").first()
