from django.urls import path

from exports import job_views, views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/", job_views.job_list, name="jobs"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job"),
    path("jobs/<int:pk>.json", job_views.job_status, name="job_status"),
    path("jobs/<int:pk>/download", job_views.job_download, name="job_download"),
    path("evidence.zip", views.evidence, name="evidence"),
    path("<slug:dataset>.<slug:fmt>", views.download, name="download"),
]
