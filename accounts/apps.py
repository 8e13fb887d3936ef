from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.preferences import on_login

        user_logged_in.connect(on_login, dispatch_uid="accounts.preferences.on_login")
