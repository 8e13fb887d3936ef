from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from audit.history import record_missing_creations
        from audit.protection import protect_all_history

        # Once per migrate run, after the last app: every history table exists by then.
        post_migrate.connect(protect_all_history, sender=self, dispatch_uid="audit.protect_all_history")
        post_migrate.connect(record_missing_creations, sender=self, dispatch_uid="audit.record_missing_creations")
