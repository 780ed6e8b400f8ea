from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboxConfig(AppConfig):
    name = "somevahti.inbox"
    label = "inbox"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (MAINT-SAME-DAY and MAINT-NEGLECT register themselves)
