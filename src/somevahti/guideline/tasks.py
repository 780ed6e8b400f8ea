"""Rules are evaluated on a schedule, so findings open and resolve without anyone asking."""

from __future__ import annotations

from crontask import cron
from django.apps import apps
from django.tasks import task

from .services import evaluate_rules


@cron("*/15 * * * *")
@task()
def evaluate_rules_task() -> None:
    for organization in apps.get_model("people", "Organization").objects.all():
        evaluate_rules(organization=organization)
