from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MilestonesConfig(AppConfig):
    name = "milestones"
    verbose_name = _("Milestones")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from audit.history import bulk_written
        from milestones.cache import written

        # Every write the dashboard's cached figures may read moves their generation on (milestones/cache.py).
        for signal in (post_save, post_delete, m2m_changed, bulk_written):
            signal.connect(written, dispatch_uid=f"dashboard-cache-{id(signal)}")
