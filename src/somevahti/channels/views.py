from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from somevahti.core.calendar import today
from somevahti.core.permissions import has_perm, requires
from somevahti.core.roles import Perm
from somevahti.people.http import MemberRequest

from .connections import (
    ConnectionSettingsError,
    HolderState,
    LinkError,
    check_connection,
    compare_platform_administrators,
    link_platform_user,
    set_channel_token,
)
from .forms import (
    AddAdministratorForm,
    ConnectionForm,
    CoverageFilterForm,
    EndAdministratorForm,
    PlatformUserLinkForm,
)
from .models import Channel, ChannelAdministrator, ChannelConnection
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
def channel_list(request: MemberRequest) -> HttpResponse:
    """Kanavat: every channel with its owner, two-factor login and named administrators."""
    channels = organization_channels(organization=request.organization)
    rows = [(c, administrator_periods(channel=c, include_ended=False)) for c in channels]
    return render(request, "channels/channel_list.html", {"rows": rows})


def _detail(
    request: MemberRequest,
    channel: Channel,
    *,
    add_form: AddAdministratorForm | None = None,
    end_forms: dict[int, EndAdministratorForm] | None = None,
    connection_form: ConnectionForm | None = None,
    link_forms: dict[str, PlatformUserLinkForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    can_manage = has_perm(request, Perm.MANAGE_CHANNELS)
    channel = organization_channels(organization=request.organization).get(pk=channel.pk)
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
        **_connection_context(channel, can_manage=can_manage, form=connection_form, link_forms=link_forms or {}),
    }
    return render(request, "channels/channel_detail.html", context, status=status)


def _link_auto_id(platform_user_id: str) -> str:
    """Field ids of one holder's row, apart from every other form on the page."""
    return f"id_link_{slugify(platform_user_id) or 'user'}_%s"


_HEALTH_CLASS: dict[str, str] = {
    ChannelConnection.Health.OK: "state-ok",
    ChannelConnection.Health.RATE_LIMITED: "state-warn",
    ChannelConnection.Health.UNAUTHORIZED: "state-block",
    ChannelConnection.Health.FAILED: "state-block",
}


def _connection_context(
    channel: Channel, *, can_manage: bool, form: ConnectionForm | None, link_forms: dict[str, PlatformUserLinkForm]
) -> dict[str, Any]:
    """The "Connection" section: health, token facts, and the platform's holders beside ours."""
    connection = ChannelConnection.objects.filter(channel=channel).first()
    holders = compare_platform_administrators(channel=channel)
    rows = []
    for holder in holders:
        link_form = None
        if can_manage and holder.state != HolderState.MATCHED and holder.platform_user_id:
            link_form = link_forms.get(holder.platform_user_id) or PlatformUserLinkForm(
                channel=channel,
                initial={"platform_user_id": holder.platform_user_id, "person": holder.person},
                auto_id=_link_auto_id(holder.platform_user_id),
            )
        rows.append((holder, link_form))
    usage = sorted((connection.rate_usage or {}).items()) if connection else []
    return {
        "connection": connection,
        "health_class": _HEALTH_CLASS.get(connection.health if connection else "", "state-info"),
        "token_set": bool(connection and connection.token_encrypted),
        # Percentages only: Meta's "regain_minutes" says how long until the limit lifts.
        "rate_usage": [
            (name, value) for name, value in usage if isinstance(value, (int, float)) and not name.endswith("regain_minutes")
        ],
        "holders": rows,
        "connection_form": form or (ConnectionForm(channel=channel) if can_manage else None),
    }


@requires(Perm.VIEW_CHANNELS)
def channel_detail(request: MemberRequest, channel_id: int) -> HttpResponse:
    channel = channel_for_user(channel_id=channel_id, organization=request.organization)
    return _detail(request, channel)


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def administrator_add(request: MemberRequest, channel_id: int) -> HttpResponse:
    channel = channel_for_user(channel_id=channel_id, organization=request.organization)
    form = AddAdministratorForm(request.POST, channel=channel)
    if not form.is_valid():
        return _detail(request, channel, add_form=form, status=400)
    admin = add_administrator(
        channel=channel,
        person=form.cleaned_data["person"],
        role=form.cleaned_data["role"],
        since=form.since_moment,
        until=form.until_moment,
        by=request.user,
    )
    messages.success(
        request,
        _("%(name)s is now an administrator of %(channel)s.") % {"name": admin.person.name, "channel": str(channel)},
    )
    return redirect("channels:detail", channel_id=channel.pk)


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def administrator_end(request: MemberRequest, channel_id: int, administrator_id: int) -> HttpResponse:
    channel = channel_for_user(channel_id=channel_id, organization=request.organization)
    administrator = get_object_or_404(ChannelAdministrator.objects.select_related("person"), pk=administrator_id, channel=channel)
    form = EndAdministratorForm(request.POST, administrator=administrator)
    if not form.is_valid():
        return _detail(request, channel, end_forms={administrator.pk: form}, status=400)
    end_administrator(administrator=administrator, until=form.until_moment, by=request.user)
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
def coverage(request: MemberRequest) -> HttpResponse:
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
        organization=request.organization, first_month=first_month, months=months
    )
    return render(request, "channels/coverage.html", {"form": form, "calendar": calendar}, status=status)


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def connection_token(request: MemberRequest, channel_id: int) -> HttpResponse:
    """Enter or rotate the token; the check runs straight after, in the background."""
    from .tasks import check_connection_task

    channel = channel_for_user(channel_id=channel_id, organization=request.organization)
    form = ConnectionForm(request.POST, channel=channel)  # its password input never renders the token back
    if not form.is_valid():
        return _detail(request, channel, connection_form=form, status=400)
    try:
        set_channel_token(
            channel=channel,
            token=form.cleaned_data["token"],
            base_url=form.base_url_value,
            expires_at=form.expires_at,
            by=request.user,
        )
    except ConnectionSettingsError as exc:  # changed between the form's check and the service's
        for name, message in exc.errors.items():
            form.add_error({"expires_at": "expires_on"}.get(name, name), message)
        return _detail(request, channel, connection_form=form, status=400)
    check_connection_task.enqueue(channel_id=channel.pk)
    messages.success(request, _("The access token of %(channel)s was saved.") % {"channel": str(channel)})
    return redirect(reverse("channels:detail", args=[channel.pk]) + "#connection")


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def connection_check(request: MemberRequest, channel_id: int) -> HttpResponse:
    channel = channel_for_user(channel_id=channel_id, organization=request.organization)
    check = check_connection(channel=channel, by=request.user)
    if check.connection.health == ChannelConnection.Health.OK:
        messages.success(request, _("The connection of %(channel)s works.") % {"channel": str(channel)})
    else:
        messages.error(
            request,
            _("The connection of %(channel)s does not work: %(health)s.")
            % {"channel": str(channel), "health": check.connection.get_health_display()},
        )
    return redirect(reverse("channels:detail", args=[channel.pk]) + "#connection")


@require_POST
@requires(Perm.MANAGE_CHANNELS)
def platform_user_link(request: MemberRequest, channel_id: int) -> HttpResponse:
    channel = channel_for_user(channel_id=channel_id, organization=request.organization)
    uid = request.POST.get("platform_user_id", "")
    form = PlatformUserLinkForm(request.POST, channel=channel, auto_id=_link_auto_id(uid))
    if form.is_valid():
        try:
            link_platform_user(
                channel=channel,
                person=form.cleaned_data["person"],
                platform_user_id=form.cleaned_data["platform_user_id"],
                by=request.user,
            )
        except LinkError as exc:
            form.add_error("person", str(exc))
        else:
            messages.success(
                request,
                _("%(name)s is now matched to their user on the platform.") % {"name": form.cleaned_data["person"].name},
            )
            return redirect(reverse("channels:detail", args=[channel.pk]) + "#connection")
    return _detail(request, channel, link_forms={uid: form}, status=400)
