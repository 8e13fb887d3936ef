"""The clearance summary the dashboard counts from says what the training records say, after writes of every kind:
records added, changed, moved to another person and deleted, a QA approval, a person moving or leaving, a
curriculum and a requirement changed, a new version taking effect, a bulk import, and read on the days after it was
written, where qualifications expire and versions take effect."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from audit.versions import version_of
from partners.models import Person
from signatures.services import signature_create
from tests.factories import PersonFactory, UserFactory
from tests.training.mixed import TODAY
from tests.training.test_status import trained, version
from training import clearance, readiness
from training.clearance import disagreeing
from training.models import (
    Clearance,
    Curriculum,
    Requirement,
    RequirementVersion,
    TrainingRecord,
    add_months,
)

D = datetime.date


def turning_days() -> list[datetime.date]:
    """Today and, ahead of it, each qualification's expiry and each version's first day, with the days before."""
    days = {TODAY, TODAY + datetime.timedelta(days=4000)}
    for completed, months in TrainingRecord.objects.values_list("completed_on", "requirement__validity_months"):
        if months:
            days |= {add_months(completed, months), add_months(completed, months) - datetime.timedelta(1)}
    for effective in RequirementVersion.objects.values_list("effective_from", flat=True):
        days |= {effective, effective - datetime.timedelta(1)}
    return sorted(day for day in days if day >= TODAY)


def assert_summary_is_the_records(*, moving: bool = True) -> None:
    """On every turning day from today, the summary answers, and its counts are the records' counts."""
    seen = set()
    for day in turning_days():
        summary = readiness.summarised(day)
        assert summary is not None, day
        records = readiness.from_records(day)
        assert (+summary[0], summary[1]) == (+records[0], records[1]), day
        seen.add(sum(records[0].values()))
    if moving:
        assert len(seen) >= 2  # the days chosen move the figures
    assert disagreeing(TODAY) == []


def yokohama(name: str) -> Person:
    return Person.objects.get(name=name)


def test_the_summary_counts_what_the_records_count_on_every_day_ahead(board):
    assert Clearance.objects.count() == Person.objects.count()
    assert_summary_is_the_records()


def cleared_today() -> int:
    return sum(readiness.summarised(TODAY)[0].values())


def test_the_summary_follows_records_added_changed_moved_and_deleted(board):
    yearly, monthly = Requirement.objects.get(code="SOP-YEARLY"), Requirement.objects.get(code="SOP-MONTHLY")
    assert cleared_today() == 2  # "Elsewhere" and "QC 0"
    trained(yokohama("Late old version"), monthly, D(2026, 11, 20))
    assert_summary_is_the_records()

    record = TrainingRecord.objects.get(person=yokohama("Elsewhere"), requirement=yearly)
    record.completed_on = D(2025, 10, 1)  # already expired
    record._change_reason = "Date corrected"
    record.save()
    assert cleared_today() == 1
    assert_summary_is_the_records()

    record.completed_on = D(2026, 5, 31)
    record._change_reason = "Date corrected back"
    record.save()
    assert cleared_today() == 2
    record.person = yokohama("Nobody trained")
    record._change_reason = "Entered against the wrong person"
    record.save()  # the person it left is no longer cleared
    assert cleared_today() == 1
    assert_summary_is_the_records()

    record.person = yokohama("Elsewhere")
    record._change_reason = "Moved back"
    record.save()
    assert cleared_today() == 2
    record._change_reason = "Entered in error"
    record.delete()
    assert cleared_today() == 1
    assert_summary_is_the_records()


def test_the_summary_follows_a_qa_approval(board):
    approved_only = Requirement.objects.get(code="SOP-QA")
    record = TrainingRecord.objects.get(person=yokohama("QC 1"), requirement=approved_only)
    before = readiness.summarised(TODAY)[0]
    signature_create(
        record=record,
        signer=UserFactory(username="second-qa", role="QA approver"),
        meaning="approved",
        opened_version=version_of(TrainingRecord, record.pk),
    )
    assert sum(readiness.summarised(TODAY)[0].values()) == sum(before.values()) + 1
    assert_summary_is_the_records()

    record.evidence = "TF-2026-0412"
    record._change_reason = "Evidence reference added"
    record.save()  # changed after the approval: it waits for a new one
    assert sum(readiness.summarised(TODAY)[0].values()) == sum(before.values())
    assert_summary_is_the_records()


def test_the_summary_follows_people_moving_leaving_and_changing_function(board):
    mover = yokohama("Yokohama 1")
    mover.home_site = Person.objects.get(name="Elsewhere").home_site
    mover.save()
    leaver = yokohama("Yokohama 2")
    leaver.active = False
    leaver.save()
    switcher = yokohama("Yokohama 3")
    switcher.function = "quality_control"
    switcher.save()
    PersonFactory(name="Newcomer", employer=board.agc_bio, home_site=board.yokohama, function="manufacturing")
    assert_summary_is_the_records()


def test_the_summary_follows_a_version_taking_effect_ahead(board):
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    version(yearly, 2, D(2027, 2, 1))  # everyone trained on version 1 stops being cleared that day
    assert sum(readiness.summarised(D(2027, 1, 31))[0].values()) == 2
    assert sum(readiness.summarised(D(2027, 2, 1))[0].values()) == 0
    assert_summary_is_the_records()


def test_the_summary_follows_curricula_and_requirements(board, django_capture_on_commit_callbacks):
    quality = Curriculum.objects.get(name="QC")
    with django_capture_on_commit_callbacks(execute=True):
        quality.requirements.add(Requirement.objects.get(code="SOP-MONTHLY"))  # "QC 0" holds none
        # Until the write commits, every row is gone and the count reads the records.
        assert readiness.summarised(TODAY) is None
        assert sum(readiness.qualified(TODAY).cleared.values()) == 1
    assert cleared_today() == 1
    assert_summary_is_the_records()

    with django_capture_on_commit_callbacks(execute=True):
        quality.requirements.remove(Requirement.objects.get(code="SOP-MONTHLY"))
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    yearly.validity_months = 5  # "Elsewhere" (31 May) and "QC 0" (30 April) expired by then
    yearly.save()
    assert cleared_today() == 0
    assert_summary_is_the_records(moving=False)


def test_a_curriculum_saved_with_its_requirements_rebuilds_the_summary_once(board, django_capture_on_commit_callbacks):
    quality = Curriculum.objects.get(name="QC")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        quality.name = "QC analysts"
        quality._change_reason = "Renamed"
        quality.save()
        quality.requirements.set([Requirement.objects.get(code="SOP-MONTHLY")])  # removed, then added
    assert [callback for callback in callbacks if callback is clearance._rebuild_after_commit] == [
        clearance._rebuild_after_commit
    ]
    assert_summary_is_the_records(moving=False)


def test_the_summary_follows_a_bulk_import(board, django_capture_on_commit_callbacks):
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    nobody = yokohama("Nobody trained")
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(person=nobody, requirement=req, version=req.versions.get(version=1), completed_on=TODAY)
            for req in (yearly, Requirement.objects.get(code="SOP-FOREVER"))
        ]
    )
    assert Clearance.objects.get(person=nobody).cleared
    assert_summary_is_the_records()

    # Corrected in bulk: a date, then the person the records were entered against.
    records = list(TrainingRecord.objects.filter(person=nobody))
    for record in records:
        record.completed_on = D(2024, 1, 10)
        record._change_reason = "Dates corrected from the paper forms"
    TrainingRecord.objects.bulk_update_with_history(records, ["completed_on"])
    assert not Clearance.objects.get(person=nobody).cleared
    assert_summary_is_the_records()
    elsewhere = yokohama("Elsewhere")
    moved = list(TrainingRecord.objects.filter(person=elsewhere))
    for record in moved:
        record.person = nobody
        record._change_reason = "Entered against the wrong person"
    with django_capture_on_commit_callbacks(execute=True):
        TrainingRecord.objects.bulk_update_with_history(moved, ["person"])  # everyone's rows, once it commits
    assert Clearance.objects.get(person=nobody).cleared
    assert not Clearance.objects.get(person=elsewhere).cleared
    assert_summary_is_the_records()


def test_days_the_summary_cannot_answer_are_counted_from_the_records(board):
    """A reader whose today is still yesterday (a time zone behind), and a record dated after the summary was
    written (bulk-loaded ahead of its day): the count reads the records there, and still agrees with them."""
    yesterday = TODAY - datetime.timedelta(days=1)
    assert readiness.summarised(yesterday) is None
    counted = readiness.qualified(yesterday)
    assert (counted.cleared, counted.totals) == readiness.from_records(yesterday)

    nobody = yokohama("Nobody trained")
    ahead = TODAY + datetime.timedelta(days=3)
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(person=nobody, requirement=req, version=req.versions.get(version=1), completed_on=ahead)
            for req in Requirement.objects.filter(code__in=["SOP-YEARLY", "SOP-FOREVER"])
        ]
    )
    assert readiness.summarised(ahead - datetime.timedelta(days=1)) is not None
    assert readiness.summarised(ahead) is None
    for day in (ahead - datetime.timedelta(days=1), ahead):
        counted = readiness.qualified(day)
        assert (+counted.cleared, counted.totals) == (+readiness.from_records(day)[0], readiness.from_records(day)[1])
    assert readiness.qualified(ahead).cleared != readiness.qualified(ahead - datetime.timedelta(days=1)).cleared


def test_a_person_deleted_leaves_the_count(board):
    gone = PersonFactory(name="Entered twice", employer=board.agc_bio, home_site=board.yokohama)
    assert_summary_is_the_records()
    gone._change_reason = "Entered twice"
    gone.delete()  # their row goes with them, and from the count
    assert_summary_is_the_records()


def test_a_row_missing_is_found_by_the_check_and_a_summary_without_rows_is_not_read(board):
    """The count adds up the rows: a row deleted outside the summary's upkeep leaves its person uncounted, which the
    check reports; with no rows at all, the count reads the records."""
    missing = yokohama("Yokohama 0")
    Clearance.objects.filter(person=missing).delete()
    assert disagreeing(TODAY) == [missing.pk]
    Clearance.objects.all().delete()
    assert readiness.summarised(TODAY) is None
    counted = readiness.qualified(TODAY)
    assert (counted.cleared, counted.totals) == readiness.from_records(TODAY)
    clearance.rebuild()
    assert_summary_is_the_records()


def test_rebuild_clearances_checks_the_summary_and_rewrites_it(board, capsys):
    row = Clearance.objects.get(person=yokohama("Yokohama 0"))
    row.cleared = not row.cleared
    row.save()
    # The row, and the counts it was and would be in, which a save of the row alone left as they were.
    with pytest.raises(CommandError, match="3 rows of the clearance summary disagree with the records: person "):
        call_command("rebuild_clearances", "--check")
    call_command("rebuild_clearances")
    call_command("rebuild_clearances", "--check")
    assert "agrees with their records" in capsys.readouterr().out
    assert_summary_is_the_records()
