from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("", views.interaction_list, name="list"),
    path("<int:pk>/", views.interaction_detail, name="detail"),
]
