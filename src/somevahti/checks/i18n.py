"""Translations for the checks core without Django.

Django's ``makemessages`` finds strings marked with a function named ``gettext_noop``; the core
marks its English msgids that way and translates them at the edge with the standard library,
reading the same ``django.mo`` catalogues that Django itself would load for this app.
"""

from __future__ import annotations

import gettext as _gettext
from functools import lru_cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("fi", "sv", "en")
DEFAULT_LANGUAGE = "fi"


def gettext_noop(message: str) -> str:
    """Mark a msgid for extraction; translation happens later, in the requested language."""
    return message


def normalise_language(lang: str | None) -> str:
    """Map "sv-FI", "fi_FI", "EN" and the like onto one of our three languages."""
    if not lang:
        return DEFAULT_LANGUAGE
    base = lang.replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE


@lru_cache(maxsize=8)
def translation(lang: str) -> _gettext.NullTranslations:
    return _gettext.translation(
        "django", localedir=str(LOCALE_DIR), languages=[normalise_language(lang)], fallback=True
    )


def translate(message: str, lang: str, params: dict[str, object] | None = None) -> str:
    """Translate a marked msgid and fill its named placeholders."""
    text = translation(lang).gettext(message)
    return text % params if params else text
