"""Every change of state in guideline: installing a guideline, evaluating rules, acknowledging."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from somevahti.core import audit
from somevahti.core.audit import Actor

from .catalogue import CATALOGUE, JOROINEN
from .models import Acknowledgement, Clause, Finding, Guideline, Rule
from .registry import check_for
from .source import split_guideline

DATA_DIR = Path(__file__).parent / "data"


class GuidelineError(ValueError):
    pass


@transaction.atomic
def install_default_guideline(*, organization: Any, by: Actor = None) -> Guideline:
    """Joroinen's guideline, split into clauses, with the rule catalogue. Idempotent."""
    existing = Guideline.objects.filter(organization=organization, version=JOROINEN["version"]).first()
    if existing is not None:
        return existing
    text = (DATA_DIR / JOROINEN["file"]).read_text(encoding="utf-8")
    guideline = Guideline.objects.create(
        organization=organization,
        title=JOROINEN["title"],
        version=JOROINEN["version"],
        approved_by=JOROINEN["approved_by"],
        approved_on=dt.date.fromisoformat(JOROINEN["approved_on"]),
        source_text=text,
    )
    clauses = [
        Clause(guideline=guideline, ref=c.ref, section=c.section, text=c.text, order=i)
        for i, c in enumerate(split_guideline(text, title=JOROINEN["title"]))
    ]
    Clause.objects.bulk_create(clauses)
    for spec in CATALOGUE:
        clause = next((c for c in clauses if c.text.startswith(spec.clause_starts)), None)
        if clause is None:
            raise GuidelineError(f"rule {spec.code}: no clause starts with {spec.clause_starts!r}")
        Rule.objects.create(
            guideline=guideline, clause=clause, code=spec.code, parameters=dict(spec.parameters), severity=spec.severity
        )
    audit.record("guideline.guideline_installed", target=guideline, actor=by, data={"version": guideline.version})
    return guideline


def current_guideline(*, organization: Any) -> Guideline | None:
    return Guideline.objects.filter(organization=organization).order_by("-approved_on", "-id").first()


@dataclass(frozen=True)
class EvaluationResult:
    opened: int
    still_open: int
    resolved: int


@transaction.atomic
def evaluate_rules(*, organization: Any, now: dt.datetime | None = None, codes: set[str] | None = None) -> EvaluationResult:
    """Run every enabled, automated rule; open new findings, keep seen ones, resolve the rest."""
    now = now or timezone.now()
    guideline = current_guideline(organization=organization)
    if guideline is None:
        return EvaluationResult(0, 0, 0)
    opened = still_open = resolved = 0
    for rule in guideline.rules.select_related("clause").all():
        check = check_for(rule.code)
        if check is None or (codes is not None and rule.code not in codes):
            continue
        existing = {f.key: f for f in Finding.objects.filter(organization=organization, rule_code=rule.code)}
        seen: set[str] = set()
        if rule.enabled:
            for found in check.evaluate(organization=organization, rule=rule, now=now):
                if found.key in seen:
                    continue
                seen.add(found.key)
                finding = existing.get(found.key)
                fields = {
                    "severity": found.severity or rule.severity,
                    "message": found.message,
                    "params": found.params,
                    "subject": found.subject[:300],
                    "url": found.url[:500],
                    "last_seen": now,
                    "resolved_at": None,
                }
                if finding is None:
                    Finding.objects.create(
                        organization=organization, rule_code=rule.code, key=found.key, first_seen=now, **fields
                    )
                    opened += 1
                else:
                    if finding.resolved_at is not None:
                        opened += 1
                        finding.first_seen = now
                    else:
                        still_open += 1
                    for name, value in fields.items():
                        setattr(finding, name, value)
                    finding.save()
        gone = [f.pk for key, f in existing.items() if key not in seen and f.resolved_at is None]
        if gone:
            resolved += Finding.objects.filter(pk__in=gone).update(resolved_at=now)
    if opened or resolved:
        audit.record(
            "guideline.findings_evaluated",
            organization_id=organization.pk,
            data={"opened": opened, "resolved": resolved, "open": opened + still_open},
        )
    return EvaluationResult(opened, still_open, resolved)


@transaction.atomic
def set_rule_enabled(*, rule: Rule, enabled: bool, by: AbstractBaseUser) -> Rule:
    rule.enabled = enabled
    rule.save(update_fields=["enabled"])
    audit.record("guideline.rule_enabled" if enabled else "guideline.rule_disabled", target=rule, actor=by)
    return rule


@transaction.atomic
def acknowledge_guideline(*, person: Any, guideline: Guideline, by: Actor = None) -> Acknowledgement:
    if person.organization_id != guideline.organization_id:
        raise GuidelineError("person and guideline belong to different organizations")
    ack, created = Acknowledgement.objects.get_or_create(
        person=person, guideline=guideline, defaults={"at": timezone.now()}
    )
    if created:
        audit.record(
            "guideline.guideline_acknowledged", target=ack, actor=by, data={"person": person.email, "version": guideline.version}
        )
    return ack
