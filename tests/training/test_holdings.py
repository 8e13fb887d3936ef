"""What expires soon, counted from the summary of held qualifications, says what the training records say after
writes of every kind: records added, changed, moved and deleted, a QA approval, a requirement's validity or approval
rule changed, a version taking effect ahead or withdrawn, imports and corrections in bulk, and read on the days after
it was written, where qualifications expire, enter the warning window and versions take effect."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.versions import version_of
from partners.models import Person
from signatures import content
from signatures.models import Signature
from signatures.services import signature_create
from tests.factories import UserFactory
from tests.training.mixed import TODAY
from tests.training.test_status import trained, version
from training import holdings, readiness
from training.models import Curriculum, Holding, Requirement, RequirementVersion, TrainingRecord, add_months
from training.status import expiring_window, matrix

D = datetime.date
DAY = datetime.timedelta(days=1)


def turning_days() -> list[datetime.date]:
    """Today and, ahead of it, each qualification's expiry and the warning window's edges before it, and each
    version's first day, with the days before."""
    window = datetime.timedelta(days=expiring_window())
    days = {TODAY, TODAY + 4000 * DAY}
    for completed, months in TrainingRecord.objects.values_list("completed_on", "requirement__validity_months"):
        if months:
            expires = add_months(completed, months)
            days |= {expires, expires - DAY, expires - window, expires - window - DAY}
    for effective in RequirementVersion.objects.values_list("effective_from", flat=True):
        days |= {effective, effective - DAY}
    return sorted(day for day in days if day >= TODAY)


def straightforward(day: datetime.date) -> list[tuple]:
    """Every cell whose status is "expiring" on ``day``, person by person, in the list's order."""
    names = dict(Person.objects.values_list("pk", "name"))
    requirements = list(Requirement.objects.all())
    codes = {r.pk: r.code for r in requirements}
    grid = matrix(list(names), requirements, day)
    return sorted(
        (q.expires_on, q.completed_on, names[p], codes[r]) for (p, r), q in grid.items() if q.status == "expiring"
    )


def listed(found) -> tuple[list[tuple], int]:
    shown, total = found
    return [(e.expires_on, e.person.name, e.requirement.code) for e in shown], total


def every_cell(day: datetime.date) -> tuple[list[tuple], int]:
    """What expires soon on ``day`` by every cell's status: the first three (expiry, person, code) and how many."""
    cells = straightforward(day)
    return [(e, name, code) for e, _done, name, code in cells[:3]], len(cells)


def assert_summary_is_the_records(*, moving: bool = True) -> None:
    """On every turning day from today, the summary answers, and its count and list are every cell's status's.

    The reading from the records, where the summary does not answer, is held to the same cells by its own test
    below: it reads the records alone, so the writes these tests make change nothing in it but the records."""
    seen = set()
    for day in turning_days():
        summary = readiness.expiring_summarised(day, limit=3)
        assert summary is not None, day
        expected = every_cell(day)
        assert listed(summary) == expected, day
        seen.add(expected[1])
    if moving:
        assert len(seen) >= 2  # the days chosen move the figures
    assert holdings.disagreeing(TODAY) == []


def assert_records_reading_is_every_cell() -> None:
    seen = set()
    for day in turning_days():
        expected = every_cell(day)
        assert listed(readiness.expiring_from_records(day, limit=3)) == expected, day
        seen.add(expected[1])
    assert len(seen) >= 2


def expiring_on(day: datetime.date) -> int:
    return readiness.expiring_summarised(day)[1]


def person(name: str) -> Person:
    return Person.objects.get(name=name)


def test_the_summary_lists_what_expires_on_every_day_ahead_as_the_records_do(board):
    assert Holding.objects.count() == TrainingRecord.objects.values("person", "requirement").distinct().count()
    assert_summary_is_the_records()


def test_the_records_list_what_every_cell_says_on_every_day_ahead_whatever_the_validity_and_versions(board):
    """Where the summary does not answer, the list is read from the records: on every turning day, as built (months,
    years, no expiry, a failed retraining, QA approval given or not, a later record on an older version), with a
    requirement's validity shortened and with a version taking effect ahead."""
    assert_records_reading_is_every_cell()
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    yearly.validity_months = 7
    yearly._change_reason = "Shorter validity"
    yearly.save()
    assert_records_reading_is_every_cell()
    version(yearly, 2, D(2026, 12, 10))
    assert_records_reading_is_every_cell()


def test_the_summary_follows_records_added_changed_moved_and_deleted(board):
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    before = expiring_on(TODAY)
    added = trained(person("Nobody trained"), yearly, D(2025, 12, 20))  # expires 20 Dec: within the window
    assert expiring_on(TODAY) == before + 1
    assert_summary_is_the_records()

    added.completed_on = D(2025, 10, 1)  # already expired
    added._change_reason = "Date corrected"
    added.save()
    assert expiring_on(TODAY) == before
    assert_summary_is_the_records()

    added.completed_on = D(2025, 12, 20)
    added.person = person("No site")
    added._change_reason = "Entered against the wrong person"
    added.save()  # the person it left no longer holds it, the one it joined does
    assert not Holding.objects.filter(person=person("Nobody trained")).exists()
    assert expiring_on(TODAY) == before + 1
    assert_summary_is_the_records()

    added.requirement = Requirement.objects.get(code="SOP-FOREVER")
    added.version = added.requirement.versions.get(version=1)
    added._change_reason = "Entered against the wrong requirement"
    added.save()  # never expires
    assert expiring_on(TODAY) == before
    assert_summary_is_the_records()

    retraining = trained(person("Elsewhere"), yearly, D(2026, 11, 20))  # decides instead of 31 May: expires in 2027
    assert_summary_is_the_records()
    retraining._change_reason = "Entered in error"
    retraining.delete()
    added._change_reason = "Entered in error"
    added.delete()
    assert expiring_on(TODAY) == before
    assert_summary_is_the_records()


def test_the_summary_follows_a_failed_retraining_and_a_qa_approval(board):
    approved_only = Requirement.objects.get(code="SOP-QA")
    record = TrainingRecord.objects.get(person=person("QC 1"), requirement=approved_only)
    signature_create(
        record=record,
        signer=UserFactory(username="second-qa", role="QA approver"),
        meaning="approved",
        opened_version=version_of(TrainingRecord, record.pk),
    )
    assert Holding.objects.get(person=person("QC 1"), requirement=approved_only).completed_on == D(2026, 5, 31)
    assert_summary_is_the_records()

    record.evidence = "TF-2026-0412"
    record._change_reason = "Evidence reference added"
    record.save()  # changed after the approval: it waits for a new one
    assert Holding.objects.get(person=person("QC 1"), requirement=approved_only).completed_on is None
    assert_summary_is_the_records()

    failed = trained(person("Elsewhere"), Requirement.objects.get(code="SOP-YEARLY"), TODAY)
    failed.result = TrainingRecord.Result.FAILED
    failed._change_reason = "Failed"
    failed.save()  # the passed record of 31 May still decides
    assert_summary_is_the_records()


def test_the_summary_follows_a_requirements_validity_and_approval_rule(board):
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    yearly.validity_months = 7  # 30 April and 31 May now expire in the window, 31 Jan and 28 Feb have expired
    yearly._change_reason = "Shorter validity"
    yearly.save()
    assert_summary_is_the_records()

    yearly.validity_months = None
    yearly.save()
    assert_summary_is_the_records(moving=False)

    yearly.validity_months, yearly.requires_qa_approval = 12, True  # nobody's record is approved
    yearly.save()
    assert not Holding.objects.filter(requirement=yearly, completed_on__isnull=False).exists()
    assert_summary_is_the_records(moving=False)


def test_the_summary_follows_a_version_taking_effect_ahead_and_withdrawn(board):
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    ahead = version(yearly, 2, D(2026, 12, 10))  # superseded from then on: no longer in the window after
    assert expiring_on(D(2026, 12, 9)) > expiring_on(D(2026, 12, 10))
    assert_summary_is_the_records()

    ahead._change_reason = "Withdrawn before it took effect"
    ahead.delete()
    assert Holding.objects.filter(requirement=yearly, valid_until=D(2026, 12, 10)).count() == 0
    assert_summary_is_the_records()


def test_a_version_out_of_order_stops_the_summary_answering_where_it_would_turn_again(board):
    """Versions written in bulk skip the order check: a later day bringing back an older version makes the
    record valid again, which a single "valid until" cannot say; the rows stop answering from that day."""
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    RequirementVersion.objects.bulk_create(
        [
            RequirementVersion(requirement=yearly, version=3, effective_from=D(2026, 12, 1)),
            RequirementVersion(requirement=yearly, version=2, effective_from=D(2027, 1, 1)),
        ]
    )
    # Version 2 (newer than 1) is still in effect from 1 January: superseded throughout.
    assert readiness.expiring_summarised(D(2026, 12, 31)) is not None
    assert_summary_is_the_records(moving=False)

    version_one = RequirementVersion.objects.get(requirement=yearly, version=1)
    RequirementVersion.objects.bulk_create(
        [RequirementVersion(requirement=yearly, version=0, effective_from=D(2027, 2, 1))]
    )  # on 1 February version 0 takes effect: version 1's training is valid again
    assert readiness.expiring_summarised(D(2027, 1, 31)) is not None
    assert readiness.expiring_summarised(D(2027, 2, 1)) is None
    assert version_one.requirement_id == yearly.pk
    for day in (D(2026, 11, 30), D(2026, 12, 1), D(2027, 2, 1), D(2027, 3, 1)):
        assert listed(readiness.expiring(day, limit=3)) == listed(readiness.expiring_from_records(day, limit=3))


def test_the_summary_follows_imports_and_corrections_in_bulk(board):
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    nobody = person("Nobody trained")
    TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(person=nobody, requirement=req, version=req.versions.get(version=1), completed_on=day)
            for req, day in ((yearly, D(2025, 12, 24)), (Requirement.objects.get(code="SOP-MONTHLY"), TODAY))
        ]
    )
    assert Holding.objects.filter(person=nobody).count() == 2
    assert_summary_is_the_records()

    records = list(TrainingRecord.objects.filter(person=nobody))
    for record in records:
        record.completed_on = D(2024, 1, 10)
        record._change_reason = "Dates corrected from the paper forms"
    TrainingRecord.objects.bulk_update_with_history(records, ["completed_on"])
    assert_summary_is_the_records()

    moved = list(TrainingRecord.objects.filter(person=person("Elsewhere")))
    for record in moved:
        record.person = nobody
        record._change_reason = "Entered against the wrong person"
    TrainingRecord.objects.bulk_update_with_history(moved, ["person_id"])  # where they came from is not in the write
    assert not Holding.objects.filter(person=person("Elsewhere")).exists()
    assert_summary_is_the_records()


def test_the_summary_follows_signatures_and_rules_written_in_bulk(board):
    approved_only = Requirement.objects.get(code="SOP-QA")
    record = TrainingRecord.objects.get(person=person("QC 1"), requirement=approved_only)
    signer = UserFactory(username="bulk-qa", role="QA approver")
    Signature.objects.bulk_create(
        [
            Signature(
                content_type=ContentType.objects.get_for_model(TrainingRecord),
                object_id=record.pk,
                signer=signer,
                printed_name="Bulk QA",
                meaning="approved",
                signed_at=datetime.datetime(2026, 11, 25, tzinfo=datetime.UTC),
                content_sha256=content.current(TrainingRecord, [record.pk])[record.pk].sha256,
                record_version=content.current(TrainingRecord, [record.pk])[record.pk].version,
            )
        ]
    )
    assert Holding.objects.get(person=person("QC 1"), requirement=approved_only).completed_on == D(2026, 5, 31)
    assert_summary_is_the_records()

    yearly = Requirement.objects.get(code="SOP-YEARLY")
    yearly.validity_months = 7
    yearly._change_reason = "Shorter validity"
    Requirement.objects.bulk_update_with_history([yearly], ["validity_months"])
    assert_summary_is_the_records()
    RequirementVersion.objects.bulk_create(
        [RequirementVersion(requirement=yearly, version=2, effective_from=D(2026, 12, 15))]
    )
    assert_summary_is_the_records()


def test_curricula_do_not_change_what_expires(board, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        Curriculum.objects.get(name="QC").requirements.add(Requirement.objects.get(code="SOP-MONTHLY"))
    assert_summary_is_the_records()


def test_days_the_summary_cannot_answer_are_read_from_the_records(board):
    """A reader whose today is still yesterday (a time zone behind), and a record dated after the summary was
    written (bulk-loaded ahead of its day): the list reads the records there, and still agrees with them."""
    yesterday = TODAY - DAY
    assert readiness.expiring_summarised(yesterday) is None
    assert listed(readiness.expiring(yesterday)) == listed(readiness.expiring_from_records(yesterday))

    ahead = TODAY + 3 * DAY
    yearly = Requirement.objects.get(code="SOP-YEARLY")
    TrainingRecord.objects.bulk_create(
        [TrainingRecord(person=person("Yokohama 2"), requirement=yearly, version=yearly.versions.get(version=1),
                        completed_on=ahead)]
    )  # fmt: skip
    assert readiness.expiring_summarised(ahead - DAY) is not None
    assert readiness.expiring_summarised(ahead) is None
    for day in (ahead - DAY, ahead):
        assert listed(readiness.expiring(day)) == listed(readiness.expiring_from_records(day))
    assert readiness.expiring(ahead)[1] != readiness.expiring(ahead - DAY)[1]


def test_an_empty_summary_is_not_read_and_is_filled_after_migrate(board):
    Holding.objects.all().delete()
    assert readiness.expiring_summarised(TODAY) is None
    assert listed(readiness.expiring(TODAY)) == listed(readiness.expiring_from_records(TODAY))
    holdings.fill_if_empty()
    assert_summary_is_the_records()


def test_rebuild_holdings_checks_the_summary_and_rewrites_it(board, capsys):
    row = Holding.objects.get(person=person("Yokohama 0"), requirement__code="SOP-YEARLY")
    row.valid_until = None
    row.save()
    Holding.objects.filter(person=person("Yokohama 1"), requirement__code="SOP-FOREVER").delete()
    with pytest.raises(CommandError, match="2 held qualifications"):
        call_command("rebuild_holdings", "--check")
    call_command("rebuild_holdings")
    call_command("rebuild_holdings", "--check")
    assert "agrees with its records" in capsys.readouterr().out
    assert_summary_is_the_records()
