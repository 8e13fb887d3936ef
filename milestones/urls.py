from django.urls import path

from milestones import views

app_name = "milestones"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("milestones/<int:pk>/", views.milestone_detail, name="detail"),
    path("milestones/calendar.ics", views.calendar_feed, name="calendar"),
]
