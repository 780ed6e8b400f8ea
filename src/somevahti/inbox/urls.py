from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.interaction_list, name="list"),
    path("raportti/", views.report, name="reports"),
    path("valmiit-vastaukset/", views.canned_list, name="canned_list"),
    path("valmiit-vastaukset/uusi/", views.canned_create, name="canned_create"),
    path("valmiit-vastaukset/<int:pk>/", views.canned_edit, name="canned_edit"),
    path("valmiit-vastaukset/<int:pk>/poista/", views.canned_delete, name="canned_delete"),
    path("toimitukset/", views.delivery_list, name="deliveries"),
    path("toimitukset/yrita-kaikkia/", views.delivery_retry_all, name="delivery_retry_all"),
    path("toimitukset/<int:pk>/yrita/", views.delivery_retry, name="delivery_retry"),
    path("toimitukset/<int:pk>/luovu/", views.delivery_give_up, name="delivery_give_up"),
    path("<int:pk>/", views.interaction_detail, name="detail"),
    path("<int:pk>/vastausteksti/", views.reply_text, name="reply_text"),
    path("<int:pk>/vastaa/", views.reply, name="reply"),
    path("<int:pk>/anna/", views.assign, name="assign"),
    path("<int:pk>/piilota/", views.hide, name="hide"),
    path("<int:pk>/ei-vastausta/", views.no_answer, name="no_answer"),
    path("<int:pk>/sulje/", views.close, name="close"),
]
