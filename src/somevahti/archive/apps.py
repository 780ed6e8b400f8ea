from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchiveConfig(AppConfig):
    name = "somevahti.archive"
    label = "archive"
    verbose_name = _("Archive")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the search-index receivers
