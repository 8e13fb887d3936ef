"""Qualification status and clearance on the edge cases that decide an audit finding."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from partners.models import Person
from tests.factories import PersonFactory
from training.models import Curriculum, Requirement, RequirementVersion, TrainingRecord, add_months
from training.status import Status, clearances, matrix, qualification

D = datetime.date


def requirement(code="SOP-MFG-001", validity=12, **fields) -> Requirement:
    req = Requirement(code=code, title=f"Training {code}", validity_months=validity, **fields)
    req.full_clean()
    req.save()
    version(req, 1, D(2024, 1, 1))
    return req


def version(req: Requirement, number: int, effective: datetime.date) -> RequirementVersion:
    v = RequirementVersion(requirement=req, version=number, effective_from=effective)
    v.full_clean()
    v.save()
    return v


def trained(person: Person, req: Requirement, day: datetime.date, number: int = 1, **fields) -> TrainingRecord:
    record = TrainingRecord(
        person=person, requirement=req, version=req.versions.get(version=number), completed_on=day, **fields
    )
    record.full_clean()
    record.save()
    return record


@pytest.fixture
def person(alliance):
    return alliance.medinet_person


def test_a_person_with_no_records_is_not_trained(person):
    assert qualification(person.pk, requirement(), D(2026, 1, 1)).status == Status.NOT_TRAINED


def test_current_until_the_warning_window_then_expiring(person, settings):
    settings.TRAINING_EXPIRING_DAYS = 60
    req = requirement(validity=12)
    trained(person, req, D(2025, 6, 1))
    assert qualification(person.pk, req, D(2026, 4, 1)).status == Status.CURRENT
    assert qualification(person.pk, req, D(2026, 4, 2)).status == Status.EXPIRING  # 60 days before 2026-06-01


def test_expiry_day_itself_is_expired(person):
    req = requirement(validity=12)
    trained(person, req, D(2025, 6, 1))
    q = qualification(person.pk, req, D(2026, 5, 31))
    assert (q.status, q.expires_on) == (Status.EXPIRING, D(2026, 6, 1))
    assert qualification(person.pk, req, D(2026, 6, 1)).status == Status.EXPIRED


def test_a_requirement_without_validity_never_expires(person):
    req = requirement(validity=None)
    trained(person, req, D(2024, 2, 1))
    q = qualification(person.pk, req, D(2040, 1, 1))
    assert (q.status, q.expires_on) == (Status.CURRENT, None)


@pytest.mark.django_db
def test_a_validity_of_zero_months_is_refused_by_the_form_rule_and_by_the_database():
    # Zero would read as "never expires" to the status of each cell and "expired on the day" to the dashboard's SQL.
    with pytest.raises(ValidationError) as refused:
        requirement("SOP-ZERO", validity=0)
    assert refused.value.message_dict["validity_months"] == [
        "At least one month; leave it empty when training never expires."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        Requirement.objects.create(code="SOP-ZERO", title="Zero", validity_months=0)
    assert not Requirement.objects.filter(code="SOP-ZERO").exists()


def test_a_new_version_supersedes_older_training_from_its_effective_date(person):
    req = requirement(validity=None)
    trained(person, req, D(2025, 3, 1))
    version(req, 2, D(2026, 1, 15))
    assert qualification(person.pk, req, D(2026, 1, 14)).status == Status.CURRENT
    q = qualification(person.pk, req, D(2026, 1, 15))
    assert (q.status, q.trained_version, q.current_version) == (Status.SUPERSEDED, 1, 2)


def test_a_version_change_on_the_day_of_training(person):
    req = requirement(validity=None)
    version(req, 2, D(2026, 1, 15))
    trained(person, req, D(2026, 1, 15), number=1)  # trained on the old version the day the new one took effect
    assert qualification(person.pk, req, D(2026, 1, 15)).status == Status.SUPERSEDED
    trained(person, req, D(2026, 1, 15), number=2)
    assert qualification(person.pk, req, D(2026, 1, 15)).status == Status.CURRENT


def test_status_as_of_a_past_date_ignores_later_training(person):
    req = requirement(validity=None)
    trained(person, req, D(2026, 3, 1))
    assert qualification(person.pk, req, D(2026, 2, 28)).status == Status.NOT_TRAINED


def test_a_failed_attempt_does_not_qualify(person):
    req = requirement()
    trained(person, req, D(2026, 3, 1), result="failed")
    assert qualification(person.pk, req, D(2026, 3, 2)).status == Status.NOT_TRAINED


def test_cleared_only_when_every_requirement_of_the_curriculum_is_valid(person, alliance):
    gowning, aseptic = requirement("SOP-GOWN-B"), requirement("SOP-ASEPTIC", validity=None)
    curriculum = Curriculum.objects.create(
        name="Aseptic processing, Yokohama", function="manufacturing", site=alliance.yokohama
    )
    curriculum.requirements.set([gowning, aseptic])
    trained(person, gowning, D(2026, 1, 10))
    blocked = clearances([person.pk], curriculum, D(2026, 2, 1))[person.pk]
    assert not blocked.cleared
    assert [(r.code, q.status) for r, q in blocked.missing] == [("SOP-ASEPTIC", Status.NOT_TRAINED)]
    trained(person, aseptic, D(2026, 1, 20))
    assert clearances([person.pk], curriculum, D(2026, 2, 1))[person.pk].cleared


def test_a_version_cannot_predate_the_training_or_belong_elsewhere(person):
    req, other = requirement("A"), requirement("B")
    version(req, 2, D(2026, 6, 1))
    with pytest.raises(ValidationError) as caught:
        trained(person, req, D(2026, 5, 1), number=2)
    assert caught.value.message_dict["version"] == ["Version 2 only took effect on 1 Jun 2026."]
    record = TrainingRecord(person=person, requirement=req, version=other.versions.get(), completed_on=D(2026, 5, 1))
    with pytest.raises(ValidationError, match="belongs to another requirement"):
        record.full_clean()


def test_an_evaluation_requirement_needs_its_evaluator(person, alliance):
    req = requirement(needs_evaluation=True)
    with pytest.raises(ValidationError, match="name the evaluator"):
        trained(person, req, D(2026, 3, 1))
    trained(person, req, D(2026, 3, 1), evaluator=alliance.medinet_supervisor)


def test_clean_reports_every_broken_rule_of_a_training_record_at_once_with_its_code(person):
    req = requirement(needs_evaluation=True)
    record = TrainingRecord(person=person, requirement=req, version=req.versions.get(), completed_on=D(2099, 1, 1))
    with pytest.raises(ValidationError) as caught:
        record.clean()
    codes = {field: [error.code for error in errors] for field, errors in caught.value.error_dict.items()}
    assert codes == {"completed_on": ["completed_in_future"], "evaluator": ["evaluator_missing"]}
    assert (record.completed_on, record.evaluator_id) == (D(2099, 1, 1), None)


def test_versions_must_take_effect_in_order(person):
    req = requirement()
    version(req, 2, D(2025, 1, 1))
    with pytest.raises(ValidationError, match="must take effect after the earlier ones"):
        version(req, 3, D(2024, 6, 1))


def test_the_month_arithmetic_keeps_month_ends():
    assert add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)


def test_the_matrix_runs_a_fixed_number_of_queries(alliance):
    requirements = [requirement(f"SOP-{n:03d}") for n in range(5)]
    people = [PersonFactory(employer=alliance.medinet) for _n in range(3)]
    with CaptureQueriesContext(connection) as few:
        matrix([p.pk for p in people], requirements, D(2026, 1, 1))
    people += [PersonFactory(employer=alliance.medinet) for _n in range(30)]
    for p in people:
        trained(p, requirements[0], D(2025, 5, 1))
    with CaptureQueriesContext(connection) as many:
        grid = matrix([p.pk for p in people], requirements, D(2026, 1, 1))
    assert len(grid) == 33 * 5
    assert len(many) == len(few) == 2
