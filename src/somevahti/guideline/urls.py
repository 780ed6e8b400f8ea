from django.urls import path

from . import views

app_name = "guideline"
urlpatterns = [
    path("", views.status, name="status"),
    path("kuittaukset/", views.acknowledgements, name="acknowledgements"),
    path("kuittaa/", views.acknowledge, name="acknowledge"),
    path("arvioi/", views.evaluate, name="evaluate"),
    path("teksti/", views.full_text, name="text"),
]
