from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("poissaolot/", views.my_absences, name="my_absences"),
]
