from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from somevahti.core.permissions import requires
from somevahti.core.roles import Perm

from .models import Channel


@requires(Perm.VIEW_CHANNELS)
def channel_list(request: HttpRequest) -> HttpResponse:
    channels = Channel.objects.filter(organization=request.organization).prefetch_related("administrators__person")  # type: ignore[attr-defined]
    return render(request, "channels/channel_list.html", {"channels": channels})


@requires(Perm.VIEW_COVERAGE)
def coverage(request: HttpRequest) -> HttpResponse:
    return render(request, "channels/coverage.html", {})
