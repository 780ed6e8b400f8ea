"""Background work of the archive. Tasks take ids, call services, hold no logic."""

from __future__ import annotations

from crontask import cron
from django.tasks import TaskContext, task
from django.utils import timezone

from somevahti.people.models import Organization

from . import services


@task(takes_context=True)
def apply_retention_task(context: TaskContext, organization_id: int) -> None:
    """The only way records leave search; the disposal log names this run by its task result id."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is not None:
        services.apply_retention(organization=organization, now=timezone.now(), run=str(context.task_result.id))


@cron("0 3 * * *")
@task()
def apply_retention_everywhere_task() -> None:
    """Every night: records past their retention leave search, and the disposal is logged."""
    for organization_id in Organization.objects.values_list("pk", flat=True):
        apply_retention_task.enqueue(organization_id=organization_id)
