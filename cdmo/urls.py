from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from accounts.views import LoginView, PasswordChangeView, no_such_provider

admin.site.login_form = AdminLoginForm
admin.site.site_header = _("Alliance Tracker")
admin.site.site_title = _("Alliance Tracker")
admin.site.index_title = _("Partnership records")
# The list of every model down the left took a fifth of a 1366 px screen from each list's columns; the admin's
# home page and breadcrumbs lead to the same places.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    # Sign-in through an identity provider: /accounts/oidc/<provider id>/login/ and its callback (docs/sign-in.md).
    re_path(r"^accounts/oidc/openid_connect/", no_such_provider),
    path("accounts/", include("allauth.socialaccount.providers.openid_connect.urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Before the admin's own, which it replaces with a throttled one at the same address.
    path("admin/password_change/", admin.site.admin_view(PasswordChangeView.as_view())),
    path("admin/", admin.site.urls),
    path("audit/", include("audit.urls")),
    path("exports/", include("exports.urls")),
    path("training/", include("training.urls")),
    path("governance/", include("governance.urls")),
    path("account/", include("accounts.urls")),
    path("", include("signatures.urls")),
    path("api/", include("api.urls")),
    path("", include("partners.urls")),
    path("", include("milestones.urls")),
    path("", include("core.urls")),
]
