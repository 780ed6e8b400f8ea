"""The rule catalogue of the Joroinen guideline (DESIGN.md). Codes are stable once released.

Each rule cites the clause it comes from by the clause's exact opening words, so a reader
always sees the guideline's own sentence beside a finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class RuleSpec:
    code: str
    clause_starts: str            # the clause's own opening words in the guideline
    title: Promise
    enforcement: Promise
    severity: str = "warn"
    parameters: dict[str, Any] = field(default_factory=dict)


CATALOGUE: tuple[RuleSpec, ...] = (
    RuleSpec(
        "MAINT-ADMINS",
        "Kunnan palvelussa on oltava useampi nimetty ylläpitäjä",
        _("Several named administrators per channel, also during holidays"),
        _("Coverage of every channel over the coming months from administrators and their absences."),
        "warn",
        {"min_admins": 2, "horizon_days": 180, "token_warning_days": 14},
    ),
    RuleSpec(
        "MAINT-SAME-DAY",
        "Palautteisiin pyritään vastaamaan saman päivän aikana",
        _("Feedback is answered the same day"),
        _("Inbox deadlines on the Finnish business calendar, escalation before they pass."),
        "warn",
        {"cutoff": "14:00", "due": "16:00"},
    ),
    RuleSpec(
        "MAINT-HOLIDAY-NOTE",
        "Lomien ajaksi henkilökohtaiseen työprofiiliin",
        _("Work profiles say \"on holiday\" during holidays"),
        _("Reminders by e-mail the business day before each absence and on the return."),
        "info",
    ),
    RuleSpec(
        "MAINT-NEGLECT",
        "Huonosti hoidettu profiili on negatiivista imagomarkkinointia",
        _("A poorly kept profile is negative marketing"),
        _("Channel activity and backlog."),
        "warn",
        {"max_days_without_post": 14},
    ),
    RuleSpec(
        "CONTENT-NOT-BULLETIN",
        "Sosiaalisen median viestinnän ei tule vain toistaa",
        _("Not only repeating official bulletins and web pages"),
        _("Similarity of a draft to the municipality's own bulletins."),
        "info",
    ),
    RuleSpec(
        "CONTENT-IMAGES",
        "Viestinnän tukena on helppo käyttää myös kuvia",
        _("Images support the message"),
        _("Advice when a post has no image; alternative text required when it has."),
        "info",
    ),
    RuleSpec(
        "EMP-CONFIDENTIAL",
        "Työhön liittyviä luottamuksellisia asioita ei saa julkaista",
        _("No confidential work matters, in any form"),
        _("Content checks: personal data, special categories, confidentiality markings."),
        "block",
    ),
    RuleSpec(
        "EMP-REPORT",
        "Jos työntekijä huomaa työnantajaa koskevaa kirjoittelua",
        _("Discussion about the municipality goes to the supervisor"),
        _("Mention reports and watches."),
        "info",
    ),
    RuleSpec(
        "EMP-CORRECTION",
        "Jos keskusteluissa esitettyjä tietoja halutaan oikaista",
        _("Corrections under one's own name after agreeing with the supervisor"),
        _("Correction and official-position workflow."),
        "warn",
    ),
    RuleSpec(
        "OFFICIAL-SECURITY",
        "Seuraavassa luvussa olevat tietoturvaohjeet koskevat myös luottamushenkilöitä",
        _("Elected officials follow the information-security rules"),
        _("Acknowledgement of the guideline and a security self-check for elected officials."),
        "warn",
    ),
    RuleSpec(
        "SEC-RISKS",
        "Sosiaalisen median riskit on otettava huomioon jo suunnitteluvaiheessa",
        _("Risks considered when planning, followed daily"),
        _("Risk register per channel, incident log, daily digest."),
        "warn",
    ),
    RuleSpec(
        "SEC-MAILBOX",
        "Kunnan sähköpostiosoitteita ei saa käyttää",
        _("No municipal e-mail for private accounts; official accounts use a shared mailbox"),
        _("Account inventory."),
        "warn",
    ),
    RuleSpec(
        "SEC-PASSWORDS",
        "Sosiaalisen median palveluissa ei saa käyttää samoja salasanoja",
        _("No password reuse; none saved in browsers"),
        _("A self-check that never stores a password; attestation."),
        "warn",
    ),
    RuleSpec(
        "TOS-READ",
        "Sosiaalisen median palveluja avattaessa tulee lukea huolellisesti",
        _("Read the terms before opening an account"),
        _("A terms review is required before a channel goes live."),
        "warn",
    ),
    RuleSpec(
        "TOS-FOLLOW",
        "Useat yleiset, kaupalliset sosiaalisen median palvelualustat",
        _("Follow the terms afterwards; foreign servers; rights the provider reserves"),
        _("Terms snapshots, change detection, re-review."),
        "info",
    ),
)

BY_CODE = {spec.code: spec for spec in CATALOGUE}

JOROINEN = {
    "file": "joroinen-sosiaalisen-median-ohje-2015.txt",
    "title": "Joroisten kunnan sosiaalisen median ohje",
    "version": "2015",
    "approved_by": "Kunnanhallitus",
    "approved_on": "2015-09-21",
}
