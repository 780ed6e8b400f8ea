from __future__ import annotations

from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .http import OrganizationRequest
from .models import AuditEvent
from .permissions import requires
from .roles import Perm


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("core:login")
    return redirect("guideline:status")


class SignInView(LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("core:login")


@requires(Perm.VIEW_AUDIT)
def audit_log(request: OrganizationRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(organization_id=request.organization.pk).select_related("actor")
    action = request.GET.get("action", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit.html", {"page": page, "action": action})


@require_POST
def switch_organization(request: HttpRequest) -> HttpResponse:
    from somevahti.core.audit import record

    if request.user.is_authenticated:
        try:
            wanted = int(request.POST.get("organization", ""))
        except ValueError:
            wanted = 0
        if request.user.people.filter(organization_id=wanted).exists():  # type: ignore[attr-defined]
            request.session["somevahti_organization"] = wanted
            record("core.organization_switched", actor=request.user, organization_id=wanted, request=request)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("core:home")
    return HttpResponseRedirect(target)
