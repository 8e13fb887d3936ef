from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

        from audit.history import bulk_written
        from partners import summary
        from partners.models import Exchange

        # The exchange summary follows every write of an exchange (partners/summary.py).
        pre_save.connect(summary.remember, sender=Exchange, dispatch_uid="exchange-summary-remember")
        pre_delete.connect(summary.remember, sender=Exchange, dispatch_uid="exchange-summary-remember-delete")
        post_save.connect(summary.saved, sender=Exchange, dispatch_uid="exchange-summary-saved")
        post_delete.connect(summary.deleted, sender=Exchange, dispatch_uid="exchange-summary-deleted")
        bulk_written.connect(summary.bulk_written, sender=Exchange, dispatch_uid="exchange-summary-bulk")
