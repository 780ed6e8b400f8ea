"""Reads of guideline data for pages, commands and other apps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from .catalogue import BY_CODE
from .models import Acknowledgement, Finding, Guideline, Rule
from .registry import check_for


@dataclass(frozen=True)
class RuleStatus:
    rule: Rule
    title: str
    enforcement: str
    automated: bool
    open_findings: int

    @property
    def state(self) -> str:
        """ok, findings, not_automated or disabled."""
        if not self.rule.enabled:
            return "disabled"
        if not self.automated:
            return "not_automated"
        return "findings" if self.open_findings else "ok"


def rule_statuses(*, guideline: Guideline) -> list[RuleStatus]:
    counts = dict(
        Finding.objects.filter(organization_id=guideline.organization_id, resolved_at__isnull=True)
        .values_list("rule_code")
        .annotate(n=Count("id"))
        .values_list("rule_code", "n")
    )
    statuses = []
    for rule in guideline.rules.select_related("clause").order_by("id"):
        spec = BY_CODE.get(rule.code)
        statuses.append(
            RuleStatus(
                rule=rule,
                title=str(spec.title) if spec else rule.code,
                enforcement=str(spec.enforcement) if spec else "",
                automated=check_for(rule.code) is not None,
                open_findings=counts.get(rule.code, 0),
            )
        )
    return statuses


def open_findings(*, organization: Any, rule_code: str | None = None) -> QuerySet[Finding]:
    qs = Finding.objects.filter(organization=organization, resolved_at__isnull=True)
    if rule_code:
        qs = qs.filter(rule_code=rule_code)
    return qs.order_by("rule_code", "key")


def rule_parameters(*, organization: Any, code: str) -> dict[str, Any]:
    """The rule's parameters in the organization's current guideline, else the catalogue's."""
    rule = (
        Rule.objects.filter(guideline__organization=organization, code=code)
        .order_by("-guideline__approved_on", "-guideline_id")
        .first()
    )
    spec = BY_CODE.get(code)
    params = dict(spec.parameters) if spec else {}
    if rule is not None:
        params.update(rule.parameters)
    return params


def acknowledgement_status(*, guideline: Guideline, people: QuerySet[Any]) -> list[tuple[Any, Acknowledgement | None]]:
    acks = {a.person_id: a for a in Acknowledgement.objects.filter(guideline=guideline)}
    return [(person, acks.get(person.pk)) for person in people]


def unacknowledged(*, guideline: Guideline, people: QuerySet[Any]) -> QuerySet[Any]:
    return people.filter(~Q(acknowledgements__guideline=guideline))
