from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("evidence.zip", views.evidence, name="evidence"),
    path("<slug:dataset>.<slug:fmt>", views.download, name="download"),
]
