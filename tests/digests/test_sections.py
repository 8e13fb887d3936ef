"""Each role's section lists the right records and not the wrong ones, at the rules' edges."""

from __future__ import annotations

import datetime

from django.core import mail

from accounts import roles
from digests.services import Result
from governance.models import Action
from milestones.models import Milestone
from milestones.services import milestone_save
from partners.models import Exchange
from signatures import content
from signatures.meanings import Meaning
from signatures.services import signature_create
from tests.digests.conftest import last_digest_was, reader, send, today_in_tokyo
from tests.factories import (
    ActionFactory,
    ExchangeFactory,
    MilestoneFactory,
    RequirementFactory,
    RequirementVersionFactory,
    TrainingRecordFactory,
)
from tests.milestones.rebaselines import approved_decision, rebaseline
from training.services import training_record_save

DAY = datetime.timedelta(days=1)


def move(milestone: Milestone, forecast: datetime.date, reason: str) -> Milestone:
    milestone.forecast_date, milestone._change_reason = forecast, reason
    return milestone_save(milestone=milestone)


def test_manager_reads_milestones_that_turned_amber_or_red_since_the_last_digest_only(alliance):
    today = today_in_tokyo()
    manager = reader("manager", roles.MANAGER)
    turning = MilestoneFactory(partnership=alliance.partnership, title="Turns red", baseline_date=today + 100 * DAY)
    already = MilestoneFactory(partnership=alliance.partnership, title="Was red", baseline_date=today - 3 * DAY)
    green = MilestoneFactory(partnership=alliance.partnership, title="Stays green", baseline_date=today + 200 * DAY)
    last_digest_was(manager)
    move(turning, today + 140 * DAY, "Supplier delay")
    move(green, today + 202 * DAY, "Two days")

    outcome, body = send(manager)

    assert outcome.result == Result.SENT
    section = body.split("== Milestones that turned amber or red ==")[1].split("==")[0]
    assert "Turns red: Late (was On track)" in section
    assert already.title not in section
    assert green.title not in section


def test_manager_reads_slips_and_rebaselines_made_after_the_last_digest_not_before(alliance):
    today = today_in_tokyo()
    manager = reader("manager", roles.MANAGER)
    launch = MilestoneFactory(partnership=alliance.partnership, title="Launch", baseline_date=today + 300 * DAY)
    move(launch, today + 310 * DAY, "Old news")
    last_digest_was(manager)
    move(launch, today + 320 * DAY, "Isolator late")
    rebaseline(launch, today + 330 * DAY, approved_decision(alliance, milestones=[launch]))

    outcome, body = send(manager)

    assert "Isolator late" in body
    assert "Old news" not in body
    rebaselines = body.split("== Re-baselines since your last digest ==")[1]
    assert "Launch: baseline" in rebaselines and "(JSC-" in rebaselines
    assert "https://alliance.example.com/milestones/" in rebaselines


def test_manager_reads_actions_overdue_but_not_one_due_today_or_done(alliance):
    today = today_in_tokyo()
    manager = reader("manager", roles.MANAGER)
    owner = {"partnership": alliance.partnership, "owner": alliance.agc_person}
    ActionFactory(title="Send the CAPA plan", due_on=today - DAY, **owner)
    ActionFactory(title="Due today", due_on=today, **owner)
    ActionFactory(title="Done already", due_on=today - 5 * DAY, status=Action.Status.DONE, done_on=today, **owner)

    outcome, body = send(manager)

    assert "Send the CAPA plan (Yui Takahashi): due" in body and "1 day overdue" in body
    assert "Due today" not in body
    assert "Done already" not in body


def test_staff_read_exchanges_starting_or_ending_within_fourteen_days_the_fourteenth_included(alliance):
    today = today_in_tokyo()
    staff = reader("staff", roles.STAFF)
    common = {
        "partnership": alliance.partnership,
        "host_company": alliance.medinet,
        "host_site": alliance.shinagawa,
        "host_supervisor": alliance.medinet_supervisor,
    }
    ExchangeFactory(person=alliance.agc_person, planned_start=today + 14 * DAY, planned_end=today + 90 * DAY, **common)
    ExchangeFactory(
        person=alliance.agc_supervisor, planned_start=today + 15 * DAY, planned_end=today + 90 * DAY, **common
    )
    ExchangeFactory(
        person=alliance.medinet_person,
        host_company=alliance.agc_bio,
        host_site=alliance.yokohama,
        host_supervisor=alliance.agc_supervisor,
        partnership=alliance.partnership,
        planned_start=today - 60 * DAY,
        planned_end=today + 14 * DAY,
        status=Exchange.Status.CANCELLED,
    )

    outcome, body = send(staff)

    assert "Yui Takahashi starts a secondment at Shinagawa" in body
    assert alliance.agc_supervisor.name not in body
    assert alliance.medinet_person.name not in body  # cancelled


def test_staff_read_an_exchange_ending_on_the_fourteenth_day(alliance):
    today = today_in_tokyo()
    staff = reader("staff", roles.STAFF)
    ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
        host_supervisor=alliance.medinet_supervisor,
        planned_start=today - 60 * DAY,
        planned_end=today + 14 * DAY,
    )
    assert "Yui Takahashi ends a" in send(staff)[1]


def expiring_record(alliance, person, expires_on: datetime.date, **requirement):
    version = RequirementVersionFactory(requirement=RequirementFactory(validity_months=12, **requirement))
    return TrainingRecordFactory(
        person=person, version=version, completed_on=expires_on.replace(year=expires_on.year - 1)
    )


def test_quality_and_auditors_read_qualifications_expiring_within_the_window_its_last_day_included(alliance, settings):
    settings.TRAINING_EXPIRING_DAYS = 60
    today = today_in_tokyo()
    expiring_record(alliance, alliance.agc_person, today + 60 * DAY, code="SOP-EDGE")
    expiring_record(alliance, alliance.medinet_person, today + 61 * DAY, code="SOP-LATER")

    for user in (reader("qa", roles.QA_APPROVER), reader("auditor", roles.AUDITOR)):
        outcome, body = send(user)
        assert "Yui Takahashi: SOP-EDGE" in body
        assert "SOP-LATER" not in body


def test_quality_read_a_signature_the_record_changed_under_until_it_is_signed_again(alliance):
    qa = reader("qa", roles.QA_APPROVER)
    record = expiring_record(alliance, alliance.agc_person, today_in_tokyo() + 300 * DAY, requires_qa_approval=True)

    def approve():
        signature_create(
            record=record, signer=qa, meaning=Meaning.APPROVED, opened_version=content.current_of(record).version
        )

    approve()
    assert send(qa)[0].result == Result.NOTHING  # the signature covers the record
    record.evidence, record._change_reason = "TRN-2026-0999", "Evidence number corrected"
    training_record_save(record=record)

    body = send(qa)[1]
    assert "Signatures that no longer cover their record" in body
    assert "signed “Approved” by" in body

    approve()
    assert send(qa, day=today_in_tokyo() + DAY)[0].result == Result.NOTHING


def test_a_user_with_several_roles_gets_every_section_in_one_email(alliance):
    today = today_in_tokyo()
    both = reader("both", roles.MANAGER, roles.STAFF)
    ActionFactory(partnership=alliance.partnership, owner=alliance.agc_person, due_on=today - 2 * DAY, title="Late one")
    ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
        host_supervisor=alliance.medinet_supervisor,
        planned_start=today + 3 * DAY,
        planned_end=today + 90 * DAY,
    )
    outcome, body = send(both)
    assert len(mail.outbox) == 1
    assert "== Overdue actions ==" in body and "Yui Takahashi starts a" in body


def test_staff_are_not_sent_manager_sections(alliance):
    ActionFactory(
        partnership=alliance.partnership, owner=alliance.agc_person, due_on=today_in_tokyo() - DAY, title="Late"
    )
    outcome, body = send(reader("staff", roles.STAFF))
    assert outcome.result == Result.NOTHING
    assert mail.outbox == []
