from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublishingConfig(AppConfig):
    name = "somevahti.publishing"
    label = "publishing"
    verbose_name = _("Publishing")

    def ready(self) -> None:
        from . import rules  # noqa: F401  (CONTENT-NOT-BULLETIN and CONTENT-IMAGES register themselves)
