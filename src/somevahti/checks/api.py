"""POST /api/checks: check a text with the organization's public contact data."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import get_language
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from somevahti.core.http import OrganizationRequest
from somevahti.core.permissions import has_perm
from somevahti.core.roles import Perm

from .services import check_for_organization

router = Router(tags=["checks"])

MAX_TEXT = 1_000_000


class CheckIn(Schema):
    text: str = Field(max_length=MAX_TEXT, description="The text to check.")
    lang: Literal["fi", "sv", "en"] | None = Field(None, description="Language of the messages; default: the request's.")


class FindingOut(Schema):
    start: int = Field(description="Offset of the first character (Python string index).")
    end: int = Field(description="Offset after the last character.")
    type: str = Field(description="FI_HETU, PHONE, EMAIL, IBAN, ADDRESS, PERSON, LICENSE_PLATE, HEALTH, SOCIAL_WELFARE or CONFIDENTIAL.")
    severity: Literal["block", "warn", "info"]
    rule: str = Field(description="The guideline rule the finding serves.")
    message: str
    suggestion: str


class CheckOut(Schema):
    blocking: bool = Field(description="True when a finding blocks publishing.")
    findings: list[FindingOut]


@router.post("", response=CheckOut, summary="Check a text for personal data and confidential matters")
def check(request: OrganizationRequest, payload: CheckIn) -> CheckOut:
    if getattr(request, "organization", None) is None or not has_perm(request, Perm.CHECK_TEXT):
        raise HttpError(403, "not allowed")
    findings = check_for_organization(
        organization=request.organization,
        text=payload.text,
        lang=payload.lang or get_language() or "fi",
    )
    return CheckOut(
        blocking=any(f.severity == "block" for f in findings),
        findings=[FindingOut(**f.as_dict()) for f in findings],
    )
