from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from somevahti.core.permissions import requires
from somevahti.core.roles import Perm

from .models import Person


@requires(Perm.VIEW_PEOPLE)
def person_list(request: HttpRequest) -> HttpResponse:
    people = Person.objects.filter(organization=request.organization).select_related("unit", "supervisor")  # type: ignore[attr-defined]
    return render(request, "people/person_list.html", {"people": people})


@requires(Perm.MANAGE_OWN_ABSENCES)
def my_absences(request: HttpRequest) -> HttpResponse:
    absences = request.person.absences.order_by("start")  # type: ignore[attr-defined]
    return render(request, "people/my_absences.html", {"absences": absences})
