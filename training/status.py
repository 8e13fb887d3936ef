"""Qualification status as of any date, computed from records and versions — never stored.

A person's status for a requirement on a day: the latest passed record completed on or before that day decides.
- not trained: no such record;
- superseded: trained on a version older than the one in effect that day (from the new version's effective date);
- expired: the day is on or after the record's expiry (the expiry day itself is no longer valid);
- expiring: valid, but expires within the warning window;
- current: otherwise.
A record counts only once approved where its requirement asks for QA approval (``counts_towards_qualification``).
Cleared for a curriculum: every requirement current or expiring (expiring is still valid, only flagged).

The rule is written for two kinds of reader: in Python per cell (``matrix``: the training pages and the
qualification-status export, which show each status and its dates; a batch of people's records read in order, the
latest winning) and in SQL (``deciding_records`` and ``valid_records``: counts such as the dashboard's, which never
load a cell). Both read expiry through ``add_months``: SQL compares the completion date with
``earliest_valid_completion``, the first completion date still valid on the day, computed in Python.
``tests/training/test_qualified_counts.py`` holds the two to each other on both databases, on the days where a
status turns.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from signatures.meanings import Meaning
from signatures.models import signed_at_current_version
from training.models import Requirement, RequirementVersion, TrainingRecord, add_months


class Status(models.TextChoices):
    CURRENT = "current", _("Current")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    NOT_TRAINED = "not_trained", _("Not trained")
    SUPERSEDED = "superseded", _("Superseded")

    @property
    def valid(self) -> bool:
        return self in {Status.CURRENT, Status.EXPIRING}


def expiring_window() -> int:
    return getattr(settings, "TRAINING_EXPIRING_DAYS", 60)


@dataclass(frozen=True)
class Qualification:
    status: Status
    record_id: int | None = None
    completed_on: datetime.date | None = None
    trained_version: int | None = None
    current_version: int | None = None
    expires_on: datetime.date | None = None


def counts_towards_qualification() -> Q:
    """A record whose requirement asks for QA approval counts once QA has signed it "approved", at the version
    it is at now: a record changed after the approval waits for a new one."""
    return Q(requirement__requires_qa_approval=False) | Q(signed_at_current_version(TrainingRecord, Meaning.APPROVED))


def deciding_records(day: datetime.date) -> QuerySet[TrainingRecord]:
    """The record that decides each (person, requirement) pair's status on ``day``: the latest passed record
    completed on or before it that counts, latest by completion date, then version trained on, then id."""
    counting = TrainingRecord.objects.filter(completed_on__lte=day, result=TrainingRecord.Result.PASSED).filter(
        counts_towards_qualification()
    )
    same_day = Q(completed_on=OuterRef("completed_on"))
    later = counting.filter(person=OuterRef("person"), requirement=OuterRef("requirement")).filter(
        Q(completed_on__gt=OuterRef("completed_on"))
        | same_day & Q(version__version__gt=OuterRef("version__version"))
        | same_day & Q(version__version=OuterRef("version__version"), pk__gt=OuterRef("pk"))
    )
    return counting.filter(~Exists(later))


def earliest_valid_completion(day: datetime.date, months: int) -> datetime.date:
    """The first completion date whose training, valid for ``months``, is still valid on ``day``
    (``add_months(completed_on, months) > day``, the expiry day itself no longer valid)."""
    month_index = day.month - 1 - months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    candidate = datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
    one_day = datetime.timedelta(days=1)
    # add_months only ever moves forward with the completion date, so step to the boundary.
    while add_months(candidate, months) > day:
        candidate -= one_day
    while add_months(candidate, months) <= day:
        candidate += one_day
    return candidate


def valid_on(day: datetime.date, prefix: str = "") -> Q:
    """SQL: the deciding record (at ``prefix``) is valid on ``day``: not superseded by a version in effect and not
    expired. One ``When`` per distinct validity in months, however many records there are."""
    months = Requirement.objects.filter(validity_months__isnull=False).values_list("validity_months", flat=True)
    cutoffs = [
        When(**{f"{prefix}requirement__validity_months": m, "then": Value(earliest_valid_completion(day, m))})
        for m in sorted(set(months))
    ]
    not_expired = Q(**{f"{prefix}requirement__validity_months__isnull": True})
    if cutoffs:
        not_expired |= Q(**{f"{prefix}completed_on__gte": Case(*cutoffs, output_field=models.DateField())})
    # Superseded: the version in effect (the latest to take effect by the day) is newer than the one trained on.
    # Written as a join against the versions in effect, computed once, rather than a lookup per record.
    in_effect = RequirementVersion.objects.filter(effective_from__lte=day).exclude(
        Exists(
            RequirementVersion.objects.filter(
                requirement=OuterRef("requirement"),
                effective_from__lte=day,
                effective_from__gt=OuterRef("effective_from"),
            )
        )
    )
    newer = in_effect.filter(
        requirement=OuterRef(f"{prefix}requirement"), version__gt=OuterRef(f"{prefix}version__version")
    )
    not_superseded = ~Exists(newer)
    return not_expired & not_superseded


def valid_records(day: datetime.date) -> QuerySet[TrainingRecord]:
    """Records that make their person qualified for their requirement on ``day`` (status current or expiring)."""
    return deciding_records(day).filter(valid_on(day))


def versions_in_effect(requirement_ids: Iterable[int], day: datetime.date) -> dict[int, int]:
    """Requirement id → the version number in effect on ``day`` (one query)."""
    result: dict[int, int] = {}
    rows = (
        RequirementVersion.objects.filter(requirement_id__in=list(requirement_ids), effective_from__lte=day)
        .order_by("requirement_id", "effective_from")
        .values_list("requirement_id", "version")
    )
    for requirement_id, version in rows:
        result[requirement_id] = version
    return result


def matrix(
    person_ids: Iterable[int], requirements: Iterable[Requirement], day: datetime.date
) -> dict[tuple[int, int], Qualification]:
    """(person id, requirement id) → Qualification for every pair, in two queries whatever the size."""
    person_ids, requirements = list(person_ids), list(requirements)
    by_id = {requirement.pk: requirement for requirement in requirements}
    in_effect = versions_in_effect(by_id, day)
    latest: dict[tuple[int, int], tuple] = {}
    rows = (
        TrainingRecord.objects.filter(
            person_id__in=person_ids,
            requirement_id__in=list(by_id),
            completed_on__lte=day,
            result=TrainingRecord.Result.PASSED,
        )
        .filter(counts_towards_qualification())
        .order_by("completed_on", "version__version", "pk")
        .values_list("person_id", "requirement_id", "pk", "completed_on", "version__version")
    )
    for person_id, requirement_id, pk, completed_on, version in rows:
        latest[(person_id, requirement_id)] = (pk, completed_on, version)  # later rows win, as deciding_records
    result = {}
    window = datetime.timedelta(days=expiring_window())
    for person_id in person_ids:
        for requirement_id, requirement in by_id.items():
            found = latest.get((person_id, requirement_id))
            current_version = in_effect.get(requirement_id)
            if found is None:
                result[(person_id, requirement_id)] = Qualification(Status.NOT_TRAINED, current_version=current_version)
                continue
            pk, completed_on, version = found
            months = requirement.validity_months
            expires_on = add_months(completed_on, months) if months else None
            if current_version is not None and version < current_version:
                status = Status.SUPERSEDED
            elif expires_on is not None and day >= expires_on:
                status = Status.EXPIRED
            elif expires_on is not None and expires_on - day <= window:
                status = Status.EXPIRING
            else:
                status = Status.CURRENT
            result[(person_id, requirement_id)] = Qualification(
                status, pk, completed_on, version, current_version, expires_on
            )
    return result


def qualification(person_id: int, requirement: Requirement, day: datetime.date) -> Qualification:
    return matrix([person_id], [requirement], day)[(person_id, requirement.pk)]


@dataclass(frozen=True)
class Clearance:
    cleared: bool
    missing: list[tuple[Requirement, Qualification]]


def clearances(person_ids: Iterable[int], curriculum, day: datetime.date) -> dict[int, Clearance]:
    """Person id → cleared for the curriculum on ``day``, and which requirements stand in the way."""
    person_ids = list(person_ids)
    requirements = list(curriculum.requirements.all())
    grid = matrix(person_ids, requirements, day)
    result = {}
    for person_id in person_ids:
        missing = [(r, grid[(person_id, r.pk)]) for r in requirements if not grid[(person_id, r.pk)].status.valid]
        result[person_id] = Clearance(cleared=bool(requirements) and not missing, missing=missing)
    return result
