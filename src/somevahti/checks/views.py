from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from somevahti.core.http import OrganizationRequest
from somevahti.core.permissions import has_perm, requires
from somevahti.core.roles import Perm

from .forms import CheckForm, ContactsForm, ContactsUploadForm
from .models import OrganizationContacts
from .presentation import segments
from .services import check_for_organization, set_public_contacts


@requires(Perm.CHECK_TEXT)
def check_page(request: OrganizationRequest) -> HttpResponse:
    """Tarkista teksti: findings highlighted and explained, updated as one types (htmx)."""
    form = CheckForm(request.POST or None)
    context: dict[str, object] = {"form": form, "checked": False}
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        findings = check_for_organization(organization=request.organization, text=text, lang=get_language() or "fi")
        context.update(
            checked=bool(text.strip()),
            findings=[(f, text[f.start : f.end]) for f in findings],
            segments=segments(text, findings),
            blocking=any(f.severity == "block" for f in findings),
        )
    if request.htmx:
        return render(request, "checks/_results.html", context)
    return render(request, "checks/check.html", context)


@requires(Perm.MANAGE_CONTACTS)
def contacts_page(request: OrganizationRequest) -> HttpResponse:
    stored = OrganizationContacts.objects.filter(organization=request.organization).first()
    initial = {key: "\n".join(values) for key, values in (stored.as_json() if stored else {}).items()}
    form = ContactsForm(initial=initial)
    upload = ContactsUploadForm()
    if request.method == "POST":
        if "file" in request.FILES:
            upload = ContactsUploadForm(request.POST, request.FILES)
            if upload.is_valid():
                set_public_contacts(organization=request.organization, data=upload.cleaned_data["file"], by=request.user)
                messages.success(request, _("The public contact data was replaced from the file."))
                return redirect("checks:contacts")
        else:
            form = ContactsForm(request.POST)
            if form.is_valid():
                set_public_contacts(organization=request.organization, data=form.as_data(), by=request.user)
                messages.success(request, _("The public contact data was saved."))
                return redirect("checks:contacts")
    return render(
        request,
        "checks/contacts.html",
        {"form": form, "upload": upload, "can_manage": has_perm(request, Perm.MANAGE_CONTACTS)},
    )
