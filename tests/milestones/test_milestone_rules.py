from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from milestones.models import Dependency, Milestone
from milestones.rag import AMBER_SLIP_DAYS, DUE_SOON_DAYS, RED_SLIP_DAYS, Rag
from milestones.services import milestone_set_dependencies
from tests.factories import MilestoneFactory, SiteFactory

D = datetime.date
TODAY = D(2026, 11, 25)


def milestone(alliance, **fields) -> Milestone:
    return MilestoneFactory.build(partnership=alliance.partnership, **fields)


def test_slip_is_forecast_against_baseline(alliance):
    assert milestone(alliance, baseline_date=D(2026, 10, 1), forecast_date=D(2026, 12, 21)).slip_days == 81


def test_slip_uses_the_actual_date_once_done(alliance):
    done = milestone(
        alliance, baseline_date=D(2025, 4, 1), forecast_date=D(2025, 6, 1), actual_date=D(2025, 7, 1), status="done"
    )
    assert done.slip_days == 91


def test_milestone_without_a_forecast_has_not_slipped(alliance):
    assert milestone(alliance, baseline_date=D(2027, 3, 31)).slip_days == 0


def test_milestone_ahead_of_baseline_has_negative_slip(alliance):
    assert milestone(alliance, baseline_date=D(2027, 3, 31), forecast_date=D(2027, 3, 1)).slip_days == -30


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"baseline_date": D(2027, 6, 1)}, Rag.GREEN),
        (
            {"baseline_date": D(2027, 6, 1), "forecast_date": D(2027, 6, 1) + datetime.timedelta(AMBER_SLIP_DAYS - 1)},
            Rag.GREEN,
        ),
        (
            {"baseline_date": D(2027, 6, 1), "forecast_date": D(2027, 6, 1) + datetime.timedelta(AMBER_SLIP_DAYS)},
            Rag.AMBER,
        ),
        ({"baseline_date": D(2027, 6, 1), "forecast_date": D(2027, 6, 1) + datetime.timedelta(RED_SLIP_DAYS)}, Rag.RED),
        ({"baseline_date": TODAY + datetime.timedelta(DUE_SOON_DAYS)}, Rag.AMBER),
        ({"baseline_date": TODAY + datetime.timedelta(DUE_SOON_DAYS), "status": "in_progress"}, Rag.GREEN),
        ({"baseline_date": TODAY - datetime.timedelta(1), "status": "in_progress"}, Rag.RED),
        ({"baseline_date": D(2025, 1, 1), "actual_date": D(2025, 3, 1), "status": "done"}, Rag.GREEN),
        ({"baseline_date": D(2025, 1, 1), "status": "cancelled"}, None),
    ],
    ids=[
        "on-plan",
        "small-slip",
        "amber-slip",
        "red-slip",
        "due-soon-not-started",
        "due-soon-started",
        "overdue",
        "done",
        "cancelled",
    ],
)
def test_rag_status_from_slip_and_due_date(alliance, fields, expected):
    assert milestone(alliance, **fields).rag(today=TODAY) == expected


def test_done_milestone_needs_an_actual_date(alliance):
    with pytest.raises(ValidationError) as caught:
        milestone(alliance, status="done").full_clean()
    assert caught.value.message_dict["actual_date"] == ["A milestone marked done needs its actual date."]


def test_actual_date_only_on_a_done_milestone(alliance):
    with pytest.raises(ValidationError) as caught:
        milestone(alliance, status="in_progress", actual_date=D(2026, 1, 1)).full_clean()
    assert caught.value.message_dict["status"] == ["Only a milestone marked done has an actual date."]


def test_database_refuses_a_done_milestone_without_a_date(alliance):
    record = MilestoneFactory(partnership=alliance.partnership)
    record.status = Milestone.Status.DONE
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


def test_milestone_site_must_belong_to_a_party(alliance):
    with pytest.raises(ValidationError) as caught:
        milestone(alliance, site=SiteFactory(name="Elsewhere")).full_clean()
    assert "does not belong to a party of" in caught.value.message_dict["site"][0]


def test_dependencies_cannot_form_a_cycle(alliance):
    suite = MilestoneFactory(partnership=alliance.partnership, title="Suite qualified")
    partial = MilestoneFactory(partnership=alliance.partnership, title="Partial start")
    launch = MilestoneFactory(partnership=alliance.partnership, title="Launch")
    milestone_set_dependencies(milestone=partial, depends_on=[suite])
    milestone_set_dependencies(milestone=launch, depends_on=[partial])
    with pytest.raises(ValidationError) as caught:
        milestone_set_dependencies(milestone=suite, depends_on=[launch])
    assert caught.value.messages == [
        "These dependencies would form a loop: Suite qualified → Launch → Partial start → Suite qualified."
    ]
    assert list(suite.dependencies.all()) == []


def test_milestone_cannot_depend_on_itself(alliance):
    launch = MilestoneFactory(partnership=alliance.partnership)
    with pytest.raises(ValidationError, match="cannot depend on itself"):
        milestone_set_dependencies(milestone=launch, depends_on=[launch])


def test_database_refuses_a_self_dependency(alliance):
    launch = MilestoneFactory(partnership=alliance.partnership)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dependency.objects.create(milestone=launch, depends_on=launch)


def test_replacing_dependencies_may_reverse_an_edge(alliance):
    first = MilestoneFactory(partnership=alliance.partnership)
    second = MilestoneFactory(partnership=alliance.partnership)
    milestone_set_dependencies(milestone=second, depends_on=[first])
    milestone_set_dependencies(milestone=second, depends_on=[])
    milestone_set_dependencies(milestone=first, depends_on=[second])
    assert list(first.dependencies.all()) == [second]


def test_manager_sees_a_dependency_loop_as_a_form_error(manager_client, alliance):
    first = MilestoneFactory(partnership=alliance.partnership, title="QC method transfer")
    second = MilestoneFactory(partnership=alliance.partnership, title="Inspection readiness")
    milestone_set_dependencies(milestone=second, depends_on=[first])
    response = manager_client.post(
        reverse("admin:milestones_milestone_change", args=[first.pk]),
        {
            "partnership": alliance.partnership.pk,
            "title": first.title,
            "baseline_date": "2026-06-30",
            "status": "not_started",
            "depends_on": [second.pk],
        },
    )
    assert response.status_code == 200
    assert "These dependencies would form a loop: QC method transfer → Inspection readiness" in response.text
    assert list(first.dependencies.all()) == []


def test_manager_records_dependencies_in_the_admin(manager_client, alliance):
    first = MilestoneFactory(partnership=alliance.partnership, title="QC method transfer")
    response = manager_client.post(
        reverse("admin:milestones_milestone_add"),
        {
            "partnership": alliance.partnership.pk,
            "title": "Inspection readiness",
            "baseline_date": "2026-09-30",
            "forecast_date": "2026-12-11",
            "status": "in_progress",
            "depends_on": [first.pk],
        },
    )
    assert response.status_code == 302
    saved = Milestone.objects.get(title="Inspection readiness")
    assert list(saved.dependencies.all()) == [first]
    assert saved.slip_days == 72


def test_open_milestones_are_those_neither_done_nor_cancelled_in_the_query_and_on_the_row(alliance):
    for status in Milestone.Status:
        MilestoneFactory(
            partnership=alliance.partnership,
            title=status.label,
            status=status,
            actual_date=D(2026, 1, 5) if status == Milestone.Status.DONE else None,
        )
    open_titles = {"Not started", "In progress"}
    assert {m.title for m in Milestone.objects.open()} == open_titles
    assert {m.title for m in Milestone.objects.all() if m.is_open} == open_titles


def test_clean_reports_every_broken_rule_at_once_with_its_code_and_leaves_the_milestone_as_it_was(alliance):
    broken = milestone(
        alliance,
        site=SiteFactory(name="Outside the partnership"),
        status=Milestone.Status.IN_PROGRESS,
        actual_date=D(2026, 1, 5),
        required_headcount=3,
    )
    before = {field.attname: getattr(broken, field.attname) for field in Milestone._meta.concrete_fields}
    with pytest.raises(ValidationError) as caught:
        broken.clean()
    codes = {field: [error.code for error in errors] for field, errors in caught.value.error_dict.items()}
    assert codes == {
        "required_headcount": ["headcount_pair"],
        "status": ["date_without_done"],
        "site": ["site_not_party"],
    }
    assert {field.attname: getattr(broken, field.attname) for field in Milestone._meta.concrete_fields} == before
