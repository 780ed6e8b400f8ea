"""Content checks on text (guideline rule EMP-CONFIDENTIAL). The core imports nothing from Django.

>>> from somevahti.checks import check_text
>>> [f.type for f in check_text("Hetu 131052-308T")]
['FI_HETU']
"""

from . import contact, identifiers, names, sensitive  # noqa: F401 - importing registers the checks
from .engine import (
    REGISTRY,
    ContactsError,
    Finding,
    PublicContacts,
    Severity,
    TextCheck,
    check_text,
    register,
)
from .i18n import LANGUAGES, gettext_noop

__all__ = [
    "LANGUAGES",
    "REGISTRY",
    "ContactsError",
    "Finding",
    "PublicContacts",
    "Severity",
    "TextCheck",
    "check_text",
    "gettext_noop",
    "register",
]
