import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")


class LoginThrottlingConfig(axes.apps.AppConfig):
    """django-axes under a name the admin can show in every language."""

    verbose_name = _("Login throttling")
