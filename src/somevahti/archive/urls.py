from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("", views.archive_search, name="search"),
    path("vienti/", views.export, name="export"),
    path("eheys/", views.verify, name="verify"),
    path("sailytysajat/", views.retention, name="retention"),
    path("<int:sequence>/", views.record_detail, name="detail"),
]
