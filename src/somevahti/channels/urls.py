from django.urls import path

from . import views

app_name = "channels"
urlpatterns = [
    path("", views.channel_list, name="list"),
    path("kattavuus/", views.coverage, name="coverage"),
    path("<int:channel_id>/", views.channel_detail, name="detail"),
    path("<int:channel_id>/yllapitajat/", views.administrator_add, name="administrator_add"),
    path("<int:channel_id>/yhteys/", views.connection_token, name="connection_token"),
    path("<int:channel_id>/yhteys/tarkista/", views.connection_check, name="connection_check"),
    path("<int:channel_id>/yhteys/kayttajat/", views.platform_user_link, name="platform_user_link"),
    path(
        "<int:channel_id>/yllapitajat/<int:administrator_id>/paata/",
        views.administrator_end,
        name="administrator_end",
    ),
]
