from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from somevahti.core.permissions import requires
from somevahti.core.roles import Perm


@requires(Perm.CHECK_TEXT)
def check_page(request: HttpRequest) -> HttpResponse:
    return render(request, "checks/check.html", {})
