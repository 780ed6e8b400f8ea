"""Django's own visible strings that its Finnish and Swedish catalogues do not translate yet.

Named here so that `scripts/messages` extracts them into Somevahti's catalogues, which Django
reads before its own (LOCALE_PATHS). Remove a line once Django ships the translation.
"""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = (
    gettext_noop("- Select an option -"),  # the empty choice of every select (Django 6)
)
