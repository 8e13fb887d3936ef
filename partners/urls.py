from django.urls import path

from partners import views

app_name = "partners"

urlpatterns = [
    path("exchanges/<int:pk>/", views.exchange_detail, name="exchange_detail"),
]
