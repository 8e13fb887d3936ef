"""Action and risk rules: owners from the parties, due and done dates, the 1–5 scales, what is overdue."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from governance.models import Action, Body, Risk
from governance.services import meeting_set_attendees, risk_set_milestones
from tests.factories import ActionFactory, DecisionFactory, MeetingFactory, MilestoneFactory, RiskFactory

D = datetime.date
TODAY = D(2026, 3, 15)


def codes(refused: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in refused.error_dict.items()}


def test_overdue_actions_are_open_and_past_their_due_date(alliance):
    owner = alliance.agc_person
    late = ActionFactory(partnership=alliance.partnership, owner=owner, due_on=D(2026, 3, 14))
    ActionFactory(partnership=alliance.partnership, owner=owner, due_on=TODAY)
    ActionFactory(
        partnership=alliance.partnership, owner=owner, due_on=D(2026, 3, 1), status="done", done_on=D(2026, 3, 2)
    )
    ActionFactory(partnership=alliance.partnership, owner=owner, due_on=D(2026, 3, 1), status="cancelled")
    assert list(Action.objects.overdue(TODAY)) == [late]
    assert late.is_overdue(TODAY)


def test_a_done_action_has_its_done_date_and_only_a_done_action_has_one(alliance):
    action = ActionFactory.build(partnership=alliance.partnership, owner=alliance.agc_person, status="done")
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert codes(refused.value) == {"done_on": ["done_without_date"]}
    action.status, action.done_on = Action.Status.OPEN, D(2026, 3, 1)
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert codes(refused.value) == {"status": ["date_without_done"]}
    with pytest.raises(IntegrityError), transaction.atomic():
        action.save()


def test_an_action_cannot_be_done_in_the_future(alliance):
    action = ActionFactory.build(
        partnership=alliance.partnership, owner=alliance.agc_person, status="done", done_on=D(2999, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert codes(refused.value) == {"done_on": ["done_in_future"]}


def test_an_action_is_not_due_before_the_meeting_or_decision_that_set_it(alliance):
    meeting = MeetingFactory(partnership=alliance.partnership, held_on=D(2026, 2, 10))
    decision = DecisionFactory(partnership=alliance.partnership, meeting=meeting)
    action = ActionFactory.build(
        partnership=alliance.partnership, owner=alliance.agc_person, meeting=meeting, due_on=D(2026, 2, 9)
    )
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert codes(refused.value) == {"due_on": ["due_before_meeting"]}
    action.meeting, action.decision = None, decision
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert codes(refused.value) == {"due_on": ["due_before_decision"]}
    action.due_on = D(2026, 2, 10)
    action.full_clean()


def test_an_action_collects_every_error_owner_sources_and_dates(alliance, outsider, other_partnership):
    action = ActionFactory.build(
        partnership=alliance.partnership,
        owner=outsider,
        meeting=MeetingFactory(partnership=other_partnership),
        decision=DecisionFactory(partnership=other_partnership),
        status="done",
    )
    with pytest.raises(ValidationError) as refused:
        action.full_clean()
    assert codes(refused.value) == {
        "done_on": ["done_without_date"],
        "owner": ["owner_not_party"],
        "meeting": ["meeting_other_partnership"],
        "decision": ["decision_other_partnership"],
    }


def test_risk_score_is_likelihood_times_impact(alliance):
    assert RiskFactory.build(partnership=alliance.partnership, likelihood=4, impact=5).score == 20


@pytest.mark.parametrize(("field", "value"), [("likelihood", 0), ("likelihood", 6), ("impact", 0), ("impact", 6)])
def test_likelihood_and_impact_are_on_a_one_to_five_scale_in_the_form_and_the_database(alliance, field, value):
    risk = RiskFactory.build(partnership=alliance.partnership, owner=alliance.medinet_person, **{field: value})
    with pytest.raises(ValidationError) as refused:
        risk.full_clean()
    assert "Rate from 1 (lowest) to 5 (highest)." in refused.value.message_dict[field]
    with pytest.raises(IntegrityError), transaction.atomic():
        risk.save()


def test_a_risk_needs_a_review_date_unless_closed_and_a_mitigation_once_mitigated(alliance, outsider):
    risk = RiskFactory.build(
        partnership=alliance.partnership, owner=outsider, status="mitigated", review_on=None, mitigation=" "
    )
    with pytest.raises(ValidationError) as refused:
        risk.full_clean()
    assert codes(refused.value) == {
        "mitigation": ["mitigated_without_mitigation"],
        "review_on": ["open_without_review"],
        "owner": ["owner_not_party"],
    }
    closed = RiskFactory.build(
        partnership=alliance.partnership, owner=alliance.agc_person, status="closed", review_on=None
    )
    closed.full_clean()


def test_risks_past_review_are_not_closed_and_their_review_date_has_passed(alliance):
    owner = alliance.agc_person
    past = RiskFactory(partnership=alliance.partnership, owner=owner, review_on=D(2026, 3, 14))
    RiskFactory(partnership=alliance.partnership, owner=owner, review_on=TODAY)
    RiskFactory(partnership=alliance.partnership, owner=owner, review_on=D(2026, 1, 1), status="closed")
    mitigated = RiskFactory(
        partnership=alliance.partnership,
        owner=owner,
        review_on=D(2026, 1, 1),
        status="mitigated",
        mitigation="Dual source",
    )
    assert set(Risk.objects.past_review(TODAY)) == {past, mitigated}


def test_a_risk_threatens_only_its_partnerships_milestones(alliance, other_partnership):
    risk = RiskFactory(partnership=alliance.partnership, owner=alliance.agc_person)
    ours = MilestoneFactory(partnership=alliance.partnership)
    with pytest.raises(ValidationError) as refused:
        risk_set_milestones(risk=risk, milestones=[ours, MilestoneFactory(partnership=other_partnership)])
    assert refused.value.code == "milestone_other_partnership"
    assert list(risk.milestones.all()) == []
    risk_set_milestones(risk=risk, milestones=[ours])
    assert list(ours.risks.all()) == [risk]


def test_meeting_attendees_work_for_the_parties(alliance, outsider):
    meeting = MeetingFactory(partnership=alliance.partnership)
    with pytest.raises(ValidationError) as refused:
        meeting_set_attendees(meeting=meeting, attendees=[alliance.agc_person, alliance.medinet_person, outsider])
    assert refused.value.code == "attendee_not_party"
    assert list(meeting.attendees.all()) == []


def test_a_steering_committee_meeting_has_attendees_from_every_party_a_working_group_need_not(alliance):
    jsc = MeetingFactory(partnership=alliance.partnership)
    with pytest.raises(ValidationError) as refused:
        meeting_set_attendees(meeting=jsc, attendees=[alliance.agc_person, alliance.agc_supervisor])
    assert refused.value.code == "attendees_one_sided"
    assert "MEDINET" in refused.value.messages[0]
    wg = MeetingFactory(partnership=alliance.partnership, kind=Body.WORKING_GROUP)
    meeting_set_attendees(meeting=wg, attendees=[alliance.agc_person])
    assert list(wg.attendees.all()) == [alliance.agc_person]
