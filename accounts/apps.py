from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.core import checks
        from django.db.models.signals import post_migrate

        from accounts.history import record_access_state
        from accounts.identity.roles import check_role_names
        from accounts.preferences import on_login

        checks.register(check_role_names)
        user_logged_in.connect(on_login, dispatch_uid="accounts.preferences.on_login")
        # Roles change in migrations, which write no history: catch the trail up afterwards.
        post_migrate.connect(record_access_state, sender=self, dispatch_uid="accounts.history.record_access_state")
