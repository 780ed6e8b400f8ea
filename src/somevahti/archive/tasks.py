"""Background work of the archive. Tasks take ids, call services, hold no logic."""

from __future__ import annotations

from crontask import cron
from django.tasks import task
from django.utils import timezone

from somevahti.people.models import Organization

from . import services


@task()
def apply_retention_task(organization_id: int) -> None:
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is not None:
        services.apply_retention(organization=organization, now=timezone.now())


@cron("0 3 * * *")
@task()
def apply_retention_everywhere_task() -> None:
    """Every night: records past their retention leave search, and the disposal is logged."""
    for organization_id in Organization.objects.values_list("pk", flat=True):
        apply_retention_task.enqueue(organization_id=organization_id)
