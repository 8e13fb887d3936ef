from django.urls import path

from training import views

app_name = "training"

urlpatterns = [
    path("matrix/", views.training_matrix, name="matrix"),
    path("people/<int:pk>/", views.person_training, name="person"),
]
