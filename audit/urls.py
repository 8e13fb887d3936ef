from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("<slug:app_label>/<slug:model_name>/<int:pk>/", views.trail, name="trail"),
]
