from django.urls import path

from governance import views

app_name = "governance"

urlpatterns = [
    path("decisions/", views.decision_log, name="decision_log"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("actions/mine/", views.my_actions, name="my_actions"),
    path("risks/", views.risk_register, name="risks"),
]
