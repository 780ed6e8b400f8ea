from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("kirjaudu/", views.SignInView.as_view(), name="login"),
    path("kirjaudu-ulos/", views.sign_out, name="logout"),
    path("tapahtumaloki/", views.audit_log, name="audit"),
    path("organisaatio/", views.switch_organization, name="switch_organization"),
]
