from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("calendar-token/", views.regenerate_calendar_token, name="regenerate_calendar_token"),
]
