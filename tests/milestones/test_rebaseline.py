"""Re-baselines cite a decision: a baseline moves only with an approved decision of the milestone's partnership."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from milestones.models import Milestone
from milestones.movement import baseline_history
from milestones.services import milestone_save
from tests.factories import MilestoneFactory, PartnershipFactory
from tests.milestones.rebaselines import approved_decision, decision, rebaseline

D = datetime.date


def codes(error: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def stored(milestone: Milestone) -> tuple:
    return Milestone.objects.values_list("baseline_date", "baseline_decision_id").get(pk=milestone.pk)


def test_moving_the_baseline_without_a_decision_is_refused_and_nothing_changes(launch):
    launch.baseline_date = D(2026, 12, 21)
    with pytest.raises(ValidationError) as caught:
        milestone_save(milestone=launch)
    assert codes(caught.value) == {"baseline_decision": ["baseline_needs_decision"]}
    assert "needs an approved decision" in caught.value.message_dict["baseline_decision"][0]
    assert stored(launch) == (D(2026, 10, 1), None)


def test_a_bare_save_cannot_move_the_baseline_without_a_decision_either(launch):
    launch.baseline_date = D(2026, 12, 21)
    launch._change_reason = "Moved from a script"
    with pytest.raises(ValidationError) as caught:
        launch.save()
    assert codes(caught.value) == {"baseline_decision": ["baseline_needs_decision"]}
    assert stored(launch) == (D(2026, 10, 1), None)


def test_an_approved_decision_of_the_partnership_moves_the_baseline_and_the_history_row_names_it(alliance, launch):
    cited = approved_decision(alliance, milestones=[launch])
    rebaseline(launch, D(2026, 12, 21), cited, reason="JSC moved the launch after the mock inspection")
    assert stored(launch) == (D(2026, 12, 21), cited.pk)
    latest = launch.history.order_by("-chain_seq").first()
    assert (latest.baseline_date, latest.baseline_decision_id, latest.history_change_reason) == (
        D(2026, 12, 21),
        cited.pk,
        "JSC moved the launch after the mock inspection",
    )


@pytest.mark.parametrize("status", ["proposed", "rejected"])
def test_a_decision_that_is_not_approved_cannot_move_a_baseline(alliance, launch, status):
    cited = decision(alliance, status=status)
    with pytest.raises(ValidationError) as caught:
        rebaseline(launch, D(2026, 12, 21), cited)
    assert codes(caught.value) == {"baseline_decision": ["decision_not_approved"]}
    assert f"{cited.number} is" in caught.value.messages[0]
    assert stored(launch) == (D(2026, 10, 1), None)


def test_a_decision_of_another_partnership_cannot_move_a_baseline(alliance, launch):
    other = PartnershipFactory(parties=[alliance.agc, alliance.medinet], name="Another alliance")
    cited = approved_decision(alliance, partnership=other)
    with pytest.raises(ValidationError) as caught:
        rebaseline(launch, D(2026, 12, 21), cited)
    assert codes(caught.value) == {"baseline_decision": ["decision_other_partnership"]}
    assert stored(launch) == (D(2026, 10, 1), None)


def test_the_decision_that_set_the_baseline_cannot_move_it_again(alliance, launch):
    first = approved_decision(alliance)
    rebaseline(launch, D(2026, 12, 21), first)
    with pytest.raises(ValidationError) as caught:
        rebaseline(launch, D(2027, 3, 31), first)
    assert codes(caught.value) == {"baseline_decision": ["baseline_decision_reused"]}
    assert stored(launch) == (D(2026, 12, 21), first.pk)


def test_citing_a_decision_without_moving_the_baseline_is_refused(alliance, launch):
    launch.baseline_decision = approved_decision(alliance)
    launch._change_reason = "Tidy up the record"
    with pytest.raises(ValidationError) as caught:
        milestone_save(milestone=launch)
    assert codes(caught.value) == {"baseline_decision": ["decision_without_rebaseline"]}
    assert stored(launch) == (D(2026, 10, 1), None)


def test_a_forecast_change_needs_only_a_reason(launch):
    launch.forecast_date = D(2026, 12, 21)
    launch._change_reason = "Follows inspection readiness"
    milestone_save(milestone=launch)
    launch.refresh_from_db()
    assert (launch.forecast_date, launch.baseline_decision) == (D(2026, 12, 21), None)


def test_creation_sets_the_first_baseline_without_a_decision(alliance):
    created = MilestoneFactory(partnership=alliance.partnership, baseline_date=D(2027, 3, 31))
    assert stored(created) == (D(2027, 3, 31), None)


def test_clean_reports_every_broken_rule_at_once(alliance, launch):
    other = PartnershipFactory(parties=[alliance.agc, alliance.medinet], name="Another alliance")
    launch.baseline_date = D(2026, 12, 21)
    launch.baseline_decision = decision(alliance, partnership=other, status="proposed")
    launch.actual_date = D(2026, 11, 1)
    with pytest.raises(ValidationError) as caught:
        launch.full_clean()
    assert codes(caught.value) == {
        "status": ["date_without_done"],
        "baseline_decision": ["decision_other_partnership", "decision_not_approved"],
    }


def test_the_baseline_history_lists_the_first_baseline_and_each_re_baseline_with_its_decision(alliance, launch):
    first = approved_decision(alliance)
    second = approved_decision(alliance)
    rebaseline(launch, D(2026, 12, 21), first, reason="Inspection slot moved")
    launch.forecast_date = D(2027, 1, 15)
    launch._change_reason = "Reagent lot change"
    milestone_save(milestone=launch)
    rebaseline(launch, D(2027, 1, 15), second, reason="Re-baselined to the reagent plan")
    history = baseline_history(launch)
    assert [(c.baseline, c.days, c.decision, c.reason) for c in history] == [
        (D(2026, 10, 1), None, None, ""),
        (D(2026, 12, 21), 81, first, "Inspection slot moved"),
        (D(2027, 1, 15), 25, second, "Re-baselined to the reagent plan"),
    ]


def admin_post(client, milestone: Milestone, **changes):
    from audit.versions import version_of

    data = {
        "partnership": milestone.partnership_id,
        "title": milestone.title,
        "baseline_date": milestone.baseline_date.isoformat(),
        "status": milestone.status,
        "change_reason": "Steering committee decision applied",
        "record_version": version_of(Milestone, milestone.pk),
        **changes,
    }
    return client.post(reverse("admin:milestones_milestone_change", args=[milestone.pk]), data)


def test_a_manager_re_baselines_in_the_admin_citing_an_approved_decision(manager_client, alliance, launch):
    cited = approved_decision(alliance)
    response = admin_post(manager_client, launch, baseline_date="2026-12-21", baseline_decision=cited.pk)
    assert response.status_code == 302
    assert stored(launch) == (D(2026, 12, 21), cited.pk)


def test_the_admin_refuses_a_re_baseline_without_a_decision_with_a_message(manager_client, launch):
    response = admin_post(manager_client, launch, baseline_date="2026-12-21")
    assert response.status_code == 200
    assert "needs an approved decision" in response.text
    assert stored(launch) == (D(2026, 10, 1), None)


def test_the_admin_offers_only_the_approved_decisions_of_the_milestones_partnership(manager_client, alliance, launch):
    mine = approved_decision(alliance)
    proposed = decision(alliance, status="proposed")
    other = approved_decision(alliance, partnership=PartnershipFactory(name="Another alliance"))
    form = manager_client.get(reverse("admin:milestones_milestone_change", args=[launch.pk])).context["adminform"].form
    assert list(form.fields["baseline_decision"].queryset) == [mine]
    assert proposed not in form.fields["baseline_decision"].queryset
    assert other not in form.fields["baseline_decision"].queryset
    response = admin_post(manager_client, launch, baseline_date="2026-12-21", baseline_decision=other.pk)
    assert response.status_code == 200
    assert stored(launch) == (D(2026, 10, 1), None)


def test_adding_a_milestone_asks_for_no_decision(manager_client, alliance):
    form = manager_client.get(reverse("admin:milestones_milestone_add")).context["adminform"].form
    assert "baseline_decision" not in form.fields
