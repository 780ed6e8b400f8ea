"""Identifiers with check characters or fixed shapes: identity codes, bank accounts, vehicles.

Every pattern here is linear: it can only start where the previous character is of another
class (a look-behind), and its repetitions are bounded, so a megabyte of digits costs one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import iban as stdnum_iban
from stdnum.fi import hetu as stdnum_hetu
from stdnum.fi import ytunnus as stdnum_ytunnus

from .engine import Document, Hit, Severity, TextCheck, register
from .i18n import gettext_noop

# ddmmyy, the century sign (1800s "+", 1900s "-" and since 2023 "U"-"Y", 2000s "A"-"F"), the
# individual number and the check character; any case, at most two spaces around the sign.
IDENTITY_CODE = re.compile(
    r"(?<!\d)([0-3]\d[01]\d\d\d) {0,2}([-+A-Fa-fU-Yu-y]) {0,2}(\d\d\d[0-9A-Ya-y])(?![0-9])"
)


@register
class IdentityCodeCheck(TextCheck):
    """Finnish personal identity codes (henkilötunnus).

    Data Protection Act 1050/2018, section 29: an identity code may be processed only when
    necessary and must never be published. Temporary codes (individual number 900-999) count
    too: they identify a person just the same.
    """

    kind = "FI_HETU"
    severity = Severity.BLOCK
    message = gettext_noop("The text contains a personal identity code.")
    suggestion = gettext_noop(
        "Remove the personal identity code. It must never be published, not even in part."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        for match in IDENTITY_CODE.finditer(doc.text):
            code = "".join(match.groups())
            if stdnum_hetu.is_valid(code, allow_temporary=True):
                yield self.finding(match.span())


# Two letters, two check digits, then up to 30 letters or digits, optionally in groups.
IBAN_CANDIDATE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}")


@register
class BankAccountCheck(TextCheck):
    """Bank account numbers (IBAN) of private persons.

    Data Protection Act 1050/2018 and GDPR art. 5(1)(c), data minimisation. A warning, not a
    block: the organization itself legitimately publishes its own account for fund-raising and
    invoices, and the publisher can state that reason when overriding.
    """

    kind = "IBAN"
    severity = Severity.WARN
    message = gettext_noop("The text contains a bank account number (IBAN).")
    suggestion = gettext_noop(
        "Remove the account number unless it is the organization's own account meant for the public."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        text = doc.text
        position = 0
        while (match := IBAN_CANDIDATE.search(text, position)) is not None:
            # The candidate may run on into the next words; cut it where a valid IBAN ends.
            position = match.start() + 1
            positions = [i for i in range(match.start(), match.end()) if text[i] != " "]
            compact = "".join(text[i] for i in positions).upper()
            for length in range(len(compact), 14, -1):
                end = positions[length - 1] + 1
                if end < len(text) and text[end].isalnum():
                    continue  # only cut where a group ends
                if stdnum_iban.is_valid(compact[:length]):
                    yield self.finding((match.start(), end))
                    position = end
                    break


BUSINESS_ID = re.compile(r"(?<![\d-])(\d{7})-(\d)(?![\d-]|\.\d)")
BUSINESS_ID_LABEL = re.compile(r"(?i)(?:y-?tunnu\w*|fo-?nummer|business id)\W{0,3}$")


def business_id_spans(doc: Document) -> list[tuple[int, int]]:
    """Business IDs (Y-tunnus, FO-nummer) are public facts about organizations, never findings.

    Shared with the other checks, which must not take one for a phone number or anything else.
    """

    def compute(doc: Document) -> list[tuple[int, int]]:
        spans = []
        text = doc.text
        for match in BUSINESS_ID.finditer(text):
            labelled = BUSINESS_ID_LABEL.search(text, max(0, match.start() - 20), match.start())
            if labelled or stdnum_ytunnus.is_valid(match.group()):
                spans.append(match.span())
        return spans

    return doc.shared("business_ids", compute)


PLATE_HYPHEN = re.compile(r"(?<![\w-])([A-ZÅÄÖ]{2,3})-(\d{1,3})(?![\w-]|[.,]\d)")
PLATE_PLAIN = re.compile(r"(?<![\w-])([A-ZÅÄÖ]{3})(\d{3})(?![\w-]|[.,]\d)")
# Abbreviations that look like plates next to a number: vaccines, standards, authorities.
NOT_PLATES = frozenset(
    [
        "ALV",
        "AVI",
        "CD",
        "COVID",
        "EHL",
        "EKP",
        "ELY",
        "EN",
        "EU",
        "EY",
        "HIV",
        "HPV",
        "HUS",
        "ICT",
        "ID",
        "IT",
        "ISO",
        "IP",
        "JHS",
        "KH",
        "KHS",
        "KV",
        "KVR",
        "KVTES",
        "LVI",
        "MS",
        "NATO",
        "OKM",
        "OVTES",
        "PDF",
        "PS",
        "RSV",
        "SARS",
        "SFS",
        "SOTE",
        "STM",
        "TES",
        "THL",
        "TV",
        "TVA",
        "UM",
        "USB",
        "VM",
        "VN",
        "VTES",
        "WHO",
        "YLE",
        "YK",
        "MMR",
        "DTP",
        "PCV",
        "DNA",
        "RNA",
        "KYS",
        "OYS",
        "TAYS",
        "TYKS",
        "SKS",
        "PKS",
        "KSSHP",
        "PSHP",
        "WC",
        "LED",
        "GPS",
        "SMS",
        "KM",
    ]
)
PLATE_CONTEXT = re.compile(r"(?i)(?:dnro|diaari\w*|§|nro|pykälä\w*|kohta|liite|bilaga)\W{0,3}$")


@register
class LicensePlateCheck(TextCheck):
    """Vehicle registration numbers, which lead to the keeper through the vehicle register.

    Data Protection Act 1050/2018; GDPR art. 4(1), indirectly identifiable data.
    """

    kind = "LICENSE_PLATE"
    severity = Severity.WARN
    message = gettext_noop("The text contains a vehicle registration number.")
    suggestion = gettext_noop(
        "Remove the registration number or blur it in images: it identifies the vehicle's keeper."
    )

    def findings(self, doc: Document) -> Iterator[Hit]:
        text = doc.text
        for pattern in (PLATE_HYPHEN, PLATE_PLAIN):
            for match in pattern.finditer(text):
                if match.group(1) in NOT_PLATES or match.group(2).startswith("0"):
                    continue
                if PLATE_CONTEXT.search(text, max(0, match.start() - 12), match.start()):
                    continue
                yield self.finding(match.span())
