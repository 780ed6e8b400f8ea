from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuidelineConfig(AppConfig):
    name = "somevahti.guideline"
    label = "guideline"
    verbose_name = _("Guideline")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (the guideline's own rules register themselves)
