from django.urls import path

from . import views

app_name = "publishing"
urlpatterns = [
    path("", views.post_list, name="list"),
    path("kalenteri/", views.calendar, name="calendar"),
    path("uusi/", views.compose, name="compose"),
    path("tarkista/", views.live_check, name="check"),
    path("asetukset/", views.settings_page, name="settings"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/muokkaa/", views.edit, name="edit"),
    path("<int:pk>/tarkastus/", views.review, name="review"),
    path("<int:pk>/laheta/", views.submit, name="submit"),
    path("<int:pk>/hyvaksy/", views.approve_view, name="approve"),
    path("<int:pk>/palauta/", views.reject_view, name="reject"),
    path("<int:pk>/ajasta/", views.schedule_view, name="schedule"),
    path("<int:pk>/peru-ajastus/", views.unschedule, name="unschedule"),
    path("<int:pk>/julkaise/", views.publish_now, name="publish"),
    path("<int:pk>/poista/", views.withdraw_view, name="withdraw"),
    path("<int:pk>/muokkaa-julkaistua/", views.edit_published, name="edit_published"),
    path("<int:pk>/muokkaus/<int:edit_pk>/hyvaksy/", views.approve_edit_view, name="approve_edit"),
    path("<int:pk>/muokkaus/<int:edit_pk>/palauta/", views.reject_edit_view, name="reject_edit"),
    path("<int:pk>/muokkaus/laheta-uudelleen/", views.retry_edit_view, name="retry_edit"),
    path("<int:pk>/kanava/<int:target_pk>/tarkistettu/", views.resolve, name="resolve"),
    path("<int:pk>/kuva/<int:media_pk>/", views.image_preview, name="image"),
    path("<int:pk>/kuva/<int:media_pk>/poista/", views.remove_image, name="remove_image"),
]
