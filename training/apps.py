from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training and qualification")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save

        from audit.history import bulk_written
        from training import clearance, holdings
        from training.models import Requirement, RequirementVersion

        # Each person's clearance summary follows every write it depends on (training/clearance.py).
        for model in clearance.PREVIOUS:
            pre_save.connect(clearance.remember, sender=model, dispatch_uid=f"clearance-remember-{model.__name__}")
        for model in (Requirement, RequirementVersion):
            pre_save.connect(clearance.lock_people_of, sender=model, dispatch_uid=f"people-lock-{model.__name__}")
        post_save.connect(clearance.saved, dispatch_uid="clearance-saved")
        post_delete.connect(clearance.deleted, dispatch_uid="clearance-deleted")
        m2m_changed.connect(clearance.requirements_changed, dispatch_uid="clearance-m2m")
        bulk_written.connect(clearance.bulk_written, dispatch_uid="clearance-bulk")
        # So is each person's summary of held qualifications (training/holdings.py), which reads what
        # clearance.remember notes before a save.
        post_save.connect(holdings.saved, dispatch_uid="holdings-saved")
        post_delete.connect(holdings.deleted, dispatch_uid="holdings-deleted")
        bulk_written.connect(holdings.bulk_written, dispatch_uid="holdings-bulk")
        post_migrate.connect(holdings.fill_if_empty, sender=self, dispatch_uid="holdings-fill")
