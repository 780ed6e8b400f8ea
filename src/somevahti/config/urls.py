from django.urls import include, path
from django.views.i18n import set_language

from somevahti.config.api import api
from somevahti.inbox.webhook_views import meta_webhook
from somevahti.publishing.views import public_media

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/", api.urls),
    path("", include("somevahti.core.urls")),
    path("ohje/", include("somevahti.guideline.urls")),
    path("ihmiset/", include("somevahti.people.urls")),
    path("kanavat/", include("somevahti.channels.urls")),
    path("tarkista/", include("somevahti.checks.urls")),
    path("palautteet/", include("somevahti.inbox.urls")),
    path("julkaisut/", include("somevahti.publishing.urls")),
    path("media/p/<str:name>", public_media, name="public_media"),
    path("arkisto/", include("somevahti.archive.urls")),
    path("webhooks/meta/", meta_webhook, name="meta_webhook"),
]
