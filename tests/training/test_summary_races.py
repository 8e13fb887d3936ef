"""Two writers at once on the training summaries, each committing: the later waits for the earlier's rows and the
summaries still say what the records say. The clearance summary first, then what expires soon (held qualifications).

These commit, so they build their data for each test: tests/training/mixed.py's data built once for a module is held
in a transaction that never commits."""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from functools import partial

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from partners.models import Function
from tests.concurrency import at_once, failures_of, postgresql_only, side_by_side
from tests.factories import PersonFactory, RequirementFactory, RequirementVersionFactory, SiteFactory
from tests.training import test_clearance as clearance_tests
from tests.training import test_holdings as holdings_tests
from tests.training.test_status import trained
from training import clearance, holdings
from training.models import ClearanceCount, Curriculum, Holding, Requirement, RequirementVersion, TrainingRecord

D = datetime.date


@pytest.fixture
def board(committed_db, today, mixed):
    return mixed


@postgresql_only
def test_a_record_corrected_and_its_person_edited_at_once_leave_the_row_the_records_give(board):
    record = TrainingRecord.objects.get(person=clearance_tests.yokohama("Elsewhere"), requirement__code="SOP-YEARLY")
    assert clearance_tests.cleared_today() == 2

    def correct() -> None:
        record.completed_on = D(2025, 10, 1)  # already expired: no longer cleared
        record._change_reason = "Date corrected"
        record.save()

    def edit() -> None:
        person = clearance_tests.yokohama("Elsewhere")
        person.job_title = "Senior QC analyst"
        person._change_reason = "Promoted"
        person.save()  # waits for the correction to commit, then reads it

    failures = at_once(correct, edit)

    assert failures == []
    assert clearance_tests.cleared_today() == 1
    clearance_tests.assert_summary_is_the_records()


@postgresql_only
def test_two_writers_adding_to_a_count_not_yet_there_at_once_both_add_their_own(board):
    """Two writes that each add a person to a count no row holds yet (a record saved and a person saved write
    histories under different locks, so nothing else orders them): the later waits for the earlier's row, then adds
    to it, instead of inserting a second one or failing."""
    new_site = SiteFactory(company=board.agc_bio, name="New plant")
    key = (new_site.pk, "manufacturing", ClearanceCount.NOT_CLEARED)

    def add() -> None:
        clearance.add_to_counts(Counter({key: 1}))  # the second waits for the first to commit, then adds to its row

    failures = at_once(add, add)

    assert failures == []
    assert ClearanceCount.objects.get(site=new_site).people == 2


@postgresql_only
def test_a_record_corrected_while_its_requirement_changes_leaves_the_rows_the_records_give(board):
    """The requirement's rewrite of everyone holding it waits for the correction to commit, then reads it (someone
    no curriculum asks it of, so only this summary's rewrite locks them)."""
    monthly = Requirement.objects.get(code="SOP-MONTHLY")
    record = trained(holdings_tests.person("Elsewhere"), monthly, D(2026, 11, 1))

    def correct() -> None:
        record.completed_on = D(2026, 11, 20)
        record._change_reason = "Date corrected"
        record.save()

    def change() -> None:
        monthly.validity_months = 2  # 20 November + 2 months: expires on 20 January, within the window
        monthly._change_reason = "Longer validity"
        monthly.save()  # waits for the correction to commit, then reads it

    failures = at_once(correct, change)

    assert failures == []
    assert Holding.objects.get(person=holdings_tests.person("Elsewhere"), requirement=monthly).expires_on == D(
        2027, 1, 20
    )
    holdings_tests.assert_summary_is_the_records()


@postgresql_only
def test_a_requirement_and_another_ones_version_saved_at_once_with_crossing_people_both_save(committed_db, monkeypatch):
    """Each requirement is asked of one person and held by the other. A change to one and a new version of the other,
    saved at once (their history goes to two chains, so neither waits for the other's chain head): each save's rewrite
    of the two summaries must not hold one person while waiting for the other, or the database ends one save."""
    first, second = RequirementFactory(code="SOP-CROSS-1"), RequirementFactory(code="SOP-CROSS-2")
    for requirement in (first, second):
        RequirementVersionFactory(requirement=requirement)
    asked_first = PersonFactory(function=Function.MANUFACTURING)
    asked_second = PersonFactory(function=Function.QUALITY_CONTROL)
    for function, requirement in ((Function.MANUFACTURING, first), (Function.QUALITY_CONTROL, second)):
        curriculum = Curriculum.objects.create(name=f"Cross {function}", function=function)
        curriculum.requirements.add(requirement)
    trained(asked_first, second, D(2026, 6, 1))
    trained(asked_second, first, D(2026, 6, 1))

    # Between the clearance summary's rewrite and the holdings', each save waits (a while) for the other to get there.
    arrived = {first.pk: threading.Event(), second.pk: threading.Event()}
    rewrite = holdings.refresh

    def meet_then_rewrite(*, people=(), requirements=()):
        for pk in requirements:
            if pk in arrived:
                arrived[pk].set()
                arrived[second.pk if pk == first.pk else first.pk].wait(timeout=3)
        rewrite(people=people, requirements=requirements)

    monkeypatch.setattr(holdings, "refresh", meet_then_rewrite)

    def save(record) -> None:
        with transaction.atomic():
            record._change_reason = "Revised procedure"
            record.save()

    first.validity_months = 6
    revised = RequirementVersion(requirement=second, version=2, effective_from=D(2026, 12, 1))
    failures = failures_of(side_by_side(partial(save, first), partial(save, revised)))

    assert failures == []
    assert Requirement.objects.get(pk=first.pk).validity_months == 6
    assert second.versions.filter(version=2).exists()
    call_command("rebuild_holdings", "--check")
    call_command("rebuild_clearances", "--check")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes no row locks: nothing to refuse")
def test_a_requirement_changed_in_autocommit_is_saved(committed_db):
    """A command or a shell saves outside any transaction: no lock is taken there, as none could be held."""
    requirement = RequirementFactory(code="SOP-AUTOCOMMIT")
    RequirementVersionFactory(requirement=requirement)
    trained(PersonFactory(), requirement, D(2026, 6, 1))
    requirement.validity_months = 6
    requirement._change_reason = "Shorter validity"
    requirement.save()
    assert Requirement.objects.get(pk=requirement.pk).validity_months == 6
    call_command("rebuild_holdings", "--check")
