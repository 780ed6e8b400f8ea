from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "somevahti.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (sign-in events go to the audit log)
