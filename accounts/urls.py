from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("language/", views.choose_language, name="language"),
    path("preferences/", views.preferences, name="preferences"),
    path("calendar-token/", views.regenerate_calendar_token, name="regenerate_calendar_token"),
    path("api-tokens/", views.api_token_create, name="api_token_create"),
    path("api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
]
