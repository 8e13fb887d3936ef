"""Decision rules: numbering per partnership, committee and year; approval only by record_approval; supersession."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from governance.models import Body, Decision
from governance.services import decision_save, decision_set_concerns
from tests.factories import DecisionFactory, ExchangeFactory, MeetingFactory, MilestoneFactory, SiteFactory
from tests.governance.conftest import NOW

D = datetime.date


def codes(refused: ValidationError) -> dict[str, list[str]]:
    return {field: [e.code for e in errors] for field, errors in refused.error_dict.items()}


def test_decisions_are_numbered_in_order_within_the_year_of_their_meeting(alliance):
    partnership = alliance.partnership
    meeting = MeetingFactory(partnership=partnership, held_on=D(2026, 2, 10))
    first = DecisionFactory(partnership=partnership, meeting=meeting)
    second = DecisionFactory(partnership=partnership, meeting=meeting)
    next_year = DecisionFactory(
        partnership=partnership, meeting=MeetingFactory(partnership=partnership, held_on=D(2027, 1, 20))
    )
    assert [first.number, second.number, next_year.number] == ["JSC-2026-01", "JSC-2026-02", "JSC-2027-01"]
    assert (second.year, second.sequence) == (2026, 2)


def test_working_group_decisions_have_their_own_series_so_the_jsc_series_has_no_gaps(alliance):
    partnership = alliance.partnership
    jsc = MeetingFactory(partnership=partnership, held_on=D(2026, 2, 10))
    wg = MeetingFactory(partnership=partnership, held_on=D(2026, 3, 3), kind=Body.WORKING_GROUP)
    numbers = [
        DecisionFactory(partnership=partnership, meeting=jsc).number,
        DecisionFactory(partnership=partnership, meeting=wg, body=Body.WORKING_GROUP).number,
        DecisionFactory(partnership=partnership, meeting=jsc).number,
    ]
    assert numbers == ["JSC-2026-01", "WG-2026-01", "JSC-2026-02"]


def test_each_partnership_numbers_its_own_decisions(alliance, other_partnership):
    assert (
        DecisionFactory(partnership=alliance.partnership).number
        == DecisionFactory(partnership=other_partnership).number
    )


def test_a_decision_without_a_meeting_is_numbered_in_the_current_year_in_tokyo(alliance, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: datetime.datetime(2026, 12, 31, 16, 0, tzinfo=datetime.UTC))
    assert DecisionFactory(partnership=alliance.partnership).number == "JSC-2027-01"


def test_the_number_does_not_change_when_the_decision_is_saved_again(alliance):
    meeting = MeetingFactory(partnership=alliance.partnership, held_on=D(2026, 2, 10))
    decision = DecisionFactory(partnership=alliance.partnership, meeting=meeting)
    decision.title = "Revised title"
    decision._change_reason = "Clarified the title wording"
    decision_save(decision=decision)
    decision.refresh_from_db()
    assert (decision.number, decision.title) == ("JSC-2026-01", "Revised title")
    assert Decision.objects.count() == 1


def test_a_decision_saved_without_the_numbering_service_is_refused_by_the_database(alliance):
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.create(partnership=alliance.partnership, title="T", text="X", year=2026, sequence=0)


def test_two_decisions_cannot_share_a_number(alliance):
    first = DecisionFactory(partnership=alliance.partnership)
    copy = Decision(
        partnership=alliance.partnership,
        title="Copy",
        text="X",
        year=first.year,
        sequence=first.sequence,
        number=first.number,
    )
    with pytest.raises(ValidationError) as refused:
        copy.full_clean()
    assert "This decision number is already taken." in refused.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()


def test_approved_cannot_be_set_by_hand(alliance):
    decision = DecisionFactory(partnership=alliance.partnership)
    decision.status = Decision.Status.APPROVED
    decision.approved_at = NOW
    with pytest.raises(ValidationError) as refused:
        decision.full_clean()
    assert codes(refused.value) == {"status": ["approval_by_hand"]}


def test_record_approval_approves_a_proposed_decision_with_its_time_and_a_reason(alliance):
    decision = DecisionFactory(partnership=alliance.partnership)
    decision.record_approval(NOW)
    decision.refresh_from_db()
    assert (decision.status, decision.approved_at) == (Decision.Status.APPROVED, NOW)
    assert decision.history.latest().history_change_reason == "Approved by a co-chair of each party"
    assert list(Decision.objects.approved()) == [decision]


def test_only_a_proposed_decision_can_be_approved(alliance):
    decision = DecisionFactory(partnership=alliance.partnership, status=Decision.Status.REJECTED)
    with pytest.raises(ValidationError) as refused:
        decision.record_approval(NOW)
    assert refused.value.code == "approval_not_proposed"
    decision.refresh_from_db()
    assert decision.status == Decision.Status.REJECTED


def test_an_approved_decision_cannot_go_back_to_proposed_or_rejected(alliance):
    decision = DecisionFactory(partnership=alliance.partnership, approved=NOW)
    for status in (Decision.Status.PROPOSED, Decision.Status.REJECTED):
        decision.status = status
        with pytest.raises(ValidationError) as refused:
            decision.full_clean()
        assert "approved_is_final" in codes(refused.value)["status"]


def test_the_database_refuses_an_approved_decision_without_its_approval_time(alliance):
    decision = DecisionFactory(partnership=alliance.partnership)
    decision.status = Decision.Status.APPROVED
    with pytest.raises(IntegrityError), transaction.atomic():
        decision.save()


def test_a_superseded_decision_names_the_approved_decision_that_supersedes_it(alliance):
    old = DecisionFactory(partnership=alliance.partnership, approved=NOW)
    new = DecisionFactory(partnership=alliance.partnership, approved=NOW + datetime.timedelta(days=30))
    old.status = Decision.Status.SUPERSEDED
    with pytest.raises(ValidationError) as refused:
        old.full_clean()
    assert codes(refused.value) == {"superseded_by": ["superseded_without_successor"]}
    old.superseded_by = new
    old._change_reason = "Replaced by the revised plan"
    decision_save(decision=old)
    assert list(new.supersedes.all()) == [old]


def test_supersession_needs_an_approved_successor_of_the_same_partnership_and_an_approved_decision(
    alliance, other_partnership
):
    proposal = DecisionFactory(partnership=alliance.partnership)
    approved = DecisionFactory(partnership=alliance.partnership, approved=NOW)
    foreign = DecisionFactory(partnership=other_partnership, approved=NOW)
    approved.status = Decision.Status.SUPERSEDED
    for successor, code in [
        (proposal, "successor_not_approved"),
        (foreign, "successor_other"),
        (approved, "superseded_by_itself"),
    ]:
        approved.superseded_by = successor
        with pytest.raises(ValidationError) as refused:
            approved.full_clean()
        assert codes(refused.value)["superseded_by"] == [code]
    proposal.status, proposal.superseded_by = Decision.Status.SUPERSEDED, approved
    approved.status, approved.superseded_by = Decision.Status.APPROVED, None
    with pytest.raises(ValidationError) as refused:
        proposal.full_clean()
    assert codes(refused.value) == {"status": ["superseded_not_approved"]}


def test_a_successor_without_superseded_status_is_refused(alliance):
    new = DecisionFactory(partnership=alliance.partnership, approved=NOW)
    decision = DecisionFactory.build(partnership=alliance.partnership, superseded_by=new)
    with pytest.raises(ValidationError) as refused:
        decision.clean()
    assert codes(refused.value) == {"superseded_by": ["successor_without_superseded"]}


def test_a_decision_collects_every_error_at_once(alliance, other_partnership):
    foreign_meeting = MeetingFactory(partnership=other_partnership)
    decision = Decision(
        partnership=alliance.partnership, title="T", text="X", status=Decision.Status.APPROVED, meeting=foreign_meeting
    )
    with pytest.raises(ValidationError) as refused:
        decision.clean()
    assert codes(refused.value) == {"status": ["approval_by_hand"], "meeting": ["meeting_other_partnership"]}


def test_a_decision_is_numbered_in_its_meetings_committee_series(alliance):
    wg = MeetingFactory(partnership=alliance.partnership, kind=Body.WORKING_GROUP)
    with pytest.raises(ValidationError) as refused:
        DecisionFactory(partnership=alliance.partnership, meeting=wg)
    assert codes(refused.value) == {"meeting": ["meeting_other_body"]}
    assert Decision.objects.count() == 0


def test_the_committee_of_a_numbered_decision_cannot_change(alliance):
    decision = DecisionFactory(partnership=alliance.partnership)
    decision.body = Body.WORKING_GROUP
    with pytest.raises(ValidationError) as refused:
        decision.full_clean()
    assert codes(refused.value) == {"body": ["body_fixed"]}


def test_a_decision_concerns_only_its_partnerships_milestones_sites_and_exchanges(alliance, other_partnership):
    decision = DecisionFactory(partnership=alliance.partnership)
    ours = MilestoneFactory(partnership=alliance.partnership)
    theirs = MilestoneFactory(partnership=other_partnership, title="Elsewhere")
    stranger_site = SiteFactory(name="Stranger site")
    exchange = ExchangeFactory(
        person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet
    )
    with pytest.raises(ValidationError) as refused:
        decision_set_concerns(decision=decision, milestones=[ours, theirs], sites=[stranger_site], exchanges=[exchange])
    assert codes(refused.value) == {
        "milestones": ["milestone_other_partnership"],
        "sites": ["site_not_party"],
    }
    assert "Elsewhere" in str(refused.value)
    decision_set_concerns(decision=decision, milestones=[ours], sites=[alliance.yokohama], exchanges=[exchange])
    assert list(decision.milestones.all()) == [ours]
    assert list(alliance.yokohama.decisions.all()) == [decision]
