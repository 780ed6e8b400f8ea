"""Rules that judge guideline data itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from .models import Acknowledgement, Rule
from .registry import Found, RuleCheck, gettext_noop, register


@register
class OfficialAcknowledgement(RuleCheck):
    """OFFICIAL-SECURITY: every active elected official has acknowledged the current guideline."""

    code = "OFFICIAL-SECURITY"

    def evaluate(self, *, organization: Any, rule: Rule, now: dt.datetime) -> Iterator[Found]:
        from django.apps import apps

        person_model = apps.get_model("people", "Person")
        today = now.date()
        acknowledged = set(
            Acknowledgement.objects.filter(guideline=rule.guideline).values_list("person_id", flat=True)
        )
        for person in person_model.objects.filter(organization=organization, elected_official=True).order_by("email"):
            if person.is_active_on(today) and person.pk not in acknowledged:
                yield Found(
                    key=f"person:{person.pk}:ack:{rule.guideline_id}",
                    message=gettext_noop(
                        "Elected official %(name)s has not acknowledged the guideline version %(version)s."
                    ),
                    params={"name": person.name, "version": rule.guideline.version},
                    subject=person.name,
                )
