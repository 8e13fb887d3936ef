from __future__ import annotations

from django.db import transaction

from training.models import TrainingRecord


@transaction.atomic
def training_record_save(*, record: TrainingRecord) -> TrainingRecord:
    """Check and save a training record: the rules the admin's form runs (``full_clean()``), then the save."""
    record.full_clean()
    record.save()
    return record
