from django.contrib.auth import views as auth_views
from django.urls import include, path

from tests.idp import control

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("login/", auth_views.LoginView.as_view(template_name="idp/login.html"), name="login"),
    path("control/user/", control.user),
    path("control/client/", control.client),
]
