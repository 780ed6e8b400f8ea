from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somevahti.core.calendar import today
from somevahti.core.permissions import has_perm, requires
from somevahti.core.roles import Perm

from .forms import AddAdministratorForm, CoverageFilterForm, EndAdministratorForm
from .models import Channel, ChannelAdministrator
from .queries import (
    administrator_periods,
    channel_findings,
    channel_for_user,
    coverage_calendar,
    organization_channels,
)
from .services import add_administrator, end_administrator

DEFAULT_MONTHS = 6


@requires(Perm.VIEW_CHANNELS)
def channel_list(request: HttpRequest) -> HttpResponse:
    """Kanavat: every channel with its owner, two-factor login and named administrators."""
    channels = organization_channels(organization=request.organization)  # type: ignore[attr-defined]
    rows = [(c, administrator_periods(channel=c, include_ended=False)) for c in channels]
    return render(request, "channels/channel_list.html", {"rows": rows})


def _detail(
    request: HttpRequest,
    channel: Channel,
    *,
    add_form: AddAdministratorForm | None = None,
    end_forms: dict[int, EndAdministratorForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = has_perm(request, Perm.MANAGE_CHANNELS)
    channel = organization_channels(organization=request.organization).get(pk=channel.pk)  # type: ignore[attr-defined]
    periods = administrator_periods(channel=channel)
    end_forms = end_forms or {}
    context: dict[str, Any] = {
        "channel": channel,
        "periods": [
            (
                p,
                end_forms.get(p.administrator.pk)
                or (EndAdministratorForm(administrator=p.administrator) if can_manage and p.state != "ended" else None),
            )
            for p in periods
        ],
        "findings": channel_findings(channel=channel),
        "can_manage": can_manage,
        "add_form": add_form or (AddAdministratorForm(channel=channel) if can_manage else None),
    }
    return render(request, "channels/channel_detail.html", context, status=status)


@requires(Perm.VIEW_CHANNELS)
def channel_detail(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = channel_for_user(channel_id=channel_id, organization=request.organization)  # type: ignore[attr-defined]
    return _detail(request, channel)


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def administrator_add(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = channel_for_user(channel_id=channel_id, organization=request.organization)  # type: ignore[attr-defined]
    form = AddAdministratorForm(request.POST, channel=channel)
    if not form.is_valid():
        return _detail(request, channel, add_form=form, status=400)
    admin = add_administrator(
        channel=channel,
        person=form.cleaned_data["person"],
        role=form.cleaned_data["role"],
        since=form.since_moment,
        until=form.until_moment,
        by=request.user,  # type: ignore[arg-type]
    )
    messages.success(
        request,
        _("%(name)s is now an administrator of %(channel)s.") % {"name": admin.person.name, "channel": str(channel)},
    )
    return redirect("channels:detail", channel_id=channel.pk)


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def administrator_end(request: HttpRequest, channel_id: int, administrator_id: int) -> HttpResponse:
    channel = channel_for_user(channel_id=channel_id, organization=request.organization)  # type: ignore[attr-defined]
    administrator = get_object_or_404(ChannelAdministrator.objects.select_related("person"), pk=administrator_id, channel=channel)
    form = EndAdministratorForm(request.POST, administrator=administrator)
    if not form.is_valid():
        return _detail(request, channel, end_forms={administrator.pk: form}, status=400)
    end_administrator(administrator=administrator, until=form.until_moment, by=request.user)  # type: ignore[arg-type]
    messages.success(
        request,
        _("The administrator period of %(name)s on %(channel)s ends on %(date)s.")
        % {
            "name": administrator.person.name,
            "channel": str(channel),
            "date": date_format(form.cleaned_data["until"], "j.n.Y"),
        },
    )
    return redirect("channels:detail", channel_id=channel.pk)


@requires(Perm.VIEW_COVERAGE)
def coverage(request: HttpRequest) -> HttpResponse:
    """Kattavuuskalenteri: MAINT-ADMINS month by month and week by week."""
    form = CoverageFilterForm(request.GET or None)
    first_month: dt.date = today().replace(day=1)
    months = DEFAULT_MONTHS
    status = 200
    if form.is_bound:
        if form.is_valid():
            first_month = (form.cleaned_data.get("start") or first_month).replace(day=1)
            months = form.cleaned_data.get("months") or DEFAULT_MONTHS
        else:
            status = 400
    calendar = coverage_calendar(
        organization=request.organization, first_month=first_month, months=months  # type: ignore[attr-defined]
    )
    return render(request, "channels/coverage.html", {"form": form, "calendar": calendar}, status=status)
