from django.urls import path

from signatures import views

app_name = "signatures"

urlpatterns = [
    path("sign/<slug:app_label>/<slug:model_name>/<int:pk>/", views.sign, name="sign"),
]
