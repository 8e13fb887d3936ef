"""Red / amber / green for milestones: the thresholds live here and nowhere else."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Case, Expression, Q, Value, When
from django.db.models.lookups import GreaterThanOrEqual, LessThan, LessThanOrEqual
from django.utils.translation import gettext_lazy as _

# A forecast this many days or more behind baseline turns amber, and red at the second figure.
AMBER_SLIP_DAYS = 7
RED_SLIP_DAYS = 30
# A milestone not yet started this close to its due date is at risk.
DUE_SOON_DAYS = 14


class Rag(models.TextChoices):
    GREEN = "green", _("On track")
    AMBER = "amber", _("At risk")
    RED = "red", _("Late")


def rag_for(
    *, cancelled: bool, slip_days: int, due: datetime.date, done: bool, started: bool, today: datetime.date
) -> Rag | None:
    """Rate one milestone. Cancelled milestones are not rated (None)."""
    if cancelled:
        return None
    if done:
        return Rag.GREEN
    if due < today or slip_days >= RED_SLIP_DAYS:
        return Rag.RED
    if slip_days >= AMBER_SLIP_DAYS:
        return Rag.AMBER
    if not started and (due - today).days <= DUE_SOON_DAYS:
        return Rag.AMBER
    return Rag.GREEN


def rag_case(
    *, cancelled: Q, done: Q, started: Q, slip_days: Expression, due: Expression, today: datetime.date
) -> Case:
    """``rag_for`` in SQL, for counting many milestones in the database: the same order of tests over the same
    thresholds, the rating's value (NULL where not rated). ``tests/milestones/test_figures_in_sql.py`` holds the two
    to the same answer on every boundary."""
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    return Case(
        When(cancelled, then=Value(None)),
        When(done, then=Value(Rag.GREEN.value)),
        When(LessThan(due, Value(today)), then=Value(Rag.RED.value)),
        When(GreaterThanOrEqual(slip_days, Value(RED_SLIP_DAYS)), then=Value(Rag.RED.value)),
        When(GreaterThanOrEqual(slip_days, Value(AMBER_SLIP_DAYS)), then=Value(Rag.AMBER.value)),
        When(~started & Q(LessThanOrEqual(due, Value(soon))), then=Value(Rag.AMBER.value)),
        default=Value(Rag.GREEN.value),
        output_field=models.CharField(),
    )
