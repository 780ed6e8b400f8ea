from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somevahti.core.http import OrganizationRequest
from somevahti.core.permissions import has_perm, requires
from somevahti.core.roles import Perm

from .models import Acknowledgement, Guideline
from .queries import acknowledgement_status, open_findings, rule_statuses
from .services import acknowledge_guideline, current_guideline, evaluate_rules


def _guideline_or_404(request: OrganizationRequest) -> Guideline:
    guideline = current_guideline(organization=request.organization)
    if guideline is None:
        raise Http404(_("The organization has no guideline yet."))
    return guideline


@requires(Perm.VIEW_GUIDELINE)
def status(request: OrganizationRequest) -> HttpResponse:
    """Ohjeen toteutuminen: every rule, its state, its clause and its open findings."""
    guideline = _guideline_or_404(request)
    statuses = rule_statuses(guideline=guideline)
    can_see_findings = has_perm(request, Perm.VIEW_FINDINGS)
    findings_by_rule: dict[str, list] = {}
    if can_see_findings:
        for finding in open_findings(organization=request.organization):
            findings_by_rule.setdefault(finding.rule_code, []).append(finding)
    rows = [(s, findings_by_rule.get(s.rule.code, [])) for s in statuses]
    acknowledged = request.person is not None and Acknowledgement.objects.filter(
        person=request.person, guideline=guideline
    ).exists()
    summary = {
        "ok": sum(1 for s in statuses if s.state == "ok"),
        "findings": sum(1 for s in statuses if s.state == "findings"),
        "not_automated": sum(1 for s in statuses if s.state == "not_automated"),
    }
    return render(
        request,
        "guideline/status.html",
        {
            "guideline": guideline,
            "rows": rows,
            "summary": summary,
            "can_see_findings": can_see_findings,
            "can_evaluate": has_perm(request, Perm.MANAGE_GUIDELINE),
            "acknowledged": acknowledged,
        },
    )


@requires(Perm.VIEW_GUIDELINE)
def full_text(request: OrganizationRequest) -> HttpResponse:
    guideline = _guideline_or_404(request)
    return render(request, "guideline/text.html", {"guideline": guideline, "clauses": guideline.clauses.all()})


@require_POST
@requires(Perm.ACKNOWLEDGE)
def acknowledge(request: OrganizationRequest) -> HttpResponse:
    guideline = _guideline_or_404(request)
    if request.person is not None:
        acknowledge_guideline(person=request.person, guideline=guideline, by=request.user)
        messages.success(request, _("Thank you. You have acknowledged the guideline."))
    return redirect("guideline:status")


@require_POST
@requires(Perm.MANAGE_GUIDELINE)
def evaluate(request: OrganizationRequest) -> HttpResponse:
    result = evaluate_rules(organization=request.organization)
    messages.success(
        request,
        _("Rules evaluated: %(opened)s new findings, %(resolved)s resolved.")
        % {"opened": result.opened, "resolved": result.resolved},
    )
    return redirect("guideline:status")


@requires(Perm.VIEW_ACKNOWLEDGEMENTS)
def acknowledgements(request: OrganizationRequest) -> HttpResponse:
    guideline = _guideline_or_404(request)
    person_model = apps.get_model("people", "Person")
    people = person_model.objects.filter(organization=request.organization).order_by("name")
    rows = acknowledgement_status(guideline=guideline, people=people)
    missing = [p for p, ack in rows if ack is None]
    show = request.GET.get("show", "all")
    if show == "missing":
        rows = [(p, a) for p, a in rows if a is None]
    return render(
        request,
        "guideline/acknowledgements.html",
        {"guideline": guideline, "rows": rows, "missing_count": len(missing), "show": show},
    )
