from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from somevahti.core.permissions import requires
from somevahti.core.roles import Perm

from .models import Interaction


@requires(Perm.VIEW_INBOX)
def interaction_list(request: HttpRequest) -> HttpResponse:
    items = Interaction.objects.filter(organization=request.organization).select_related("channel", "assignee")[:100]  # type: ignore[attr-defined]
    return render(request, "inbox/list.html", {"items": items})


@requires(Perm.VIEW_INBOX)
def interaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Interaction, pk=pk, organization=request.organization)  # type: ignore[attr-defined]
    return render(request, "inbox/detail.html", {"item": item})
