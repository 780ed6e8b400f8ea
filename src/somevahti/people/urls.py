from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("poissaolot/", views.my_absences, name="my_absences"),
    path("<int:person_id>/poissaolot/", views.person_absences, name="person_absences"),
    path("poissaolot/<int:absence_id>/muokkaa/", views.absence_edit, name="absence_edit"),
    path("poissaolot/<int:absence_id>/poista/", views.absence_delete, name="absence_delete"),
    path("kalenterit/<int:feed_id>/poista/", views.feed_delete, name="feed_delete"),
    path("tyoprofiilit/<int:profile_id>/poista/", views.work_profile_delete, name="work_profile_delete"),
]
