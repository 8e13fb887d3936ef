from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.choose_language, name="language"),
    path("preferences/", views.preferences, name="preferences"),
    path("calendar-token/", views.regenerate_calendar_token, name="regenerate_calendar_token"),
]
