"""Who signs what (accounts/signing.py), and what a QA approval changes for qualification."""

from __future__ import annotations

import datetime

import pytest

from accounts.signing import RULES, meanings_for
from audit.versions import version_of
from milestones.models import Milestone
from partners.models import Exchange
from signatures.services import signature_create
from tests.factories import (
    ExchangeFactory,
    MilestoneFactory,
    PersonFactory,
    RequirementVersionFactory,
    TrainingRecordFactory,
    UserFactory,
)
from training.models import TrainingRecord
from training.status import Status, qualification

DAY = datetime.date(2025, 3, 1)


def test_every_rule_names_a_record_type_that_exists():
    from django.apps import apps

    assert all(apps.get_model(rule.model) for rule in RULES)


def test_a_milestones_owner_performs_it_and_a_manager_approves_it_once_done(alliance):
    owner_user = UserFactory(username="yui-user")
    owner = alliance.agc_person
    owner.user = owner_user
    owner._change_reason = "Linked to her account"
    owner.save()
    manager = UserFactory(username="boss", role="Manager")
    milestone = MilestoneFactory(partnership=alliance.partnership, owner=owner, status=Milestone.Status.IN_PROGRESS)
    assert meanings_for(owner_user, milestone) == meanings_for(manager, milestone) == []

    milestone.status, milestone.actual_date = Milestone.Status.DONE, datetime.date(2026, 1, 10)
    milestone._change_reason = "Completed"
    milestone.save()

    assert meanings_for(owner_user, milestone) == ["performed"]
    assert meanings_for(manager, milestone) == ["approved"]
    assert meanings_for(UserFactory(username="someone", role="Staff"), milestone) == []


def test_the_host_supervisor_reviews_a_completed_exchange_and_nobody_else_does(alliance):
    supervisor_user = UserFactory(username="mio")
    supervisor = alliance.medinet_supervisor
    supervisor.user = supervisor_user
    supervisor._change_reason = "Linked to her account"
    supervisor.save()
    exchange = ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_supervisor=supervisor,
        planned_start=datetime.date(2025, 1, 6),
        planned_end=datetime.date(2025, 3, 28),
        actual_start=datetime.date(2025, 1, 6),
        actual_end=datetime.date(2025, 3, 28),
        status=Exchange.Status.COMPLETED,
    )

    assert meanings_for(supervisor_user, exchange) == ["reviewed"]
    assert meanings_for(UserFactory(username="boss", role="Manager"), exchange) == []


@pytest.fixture
def qa_record(alliance):
    """A passed record of a requirement that asks for QA approval, and its trainer with a user account."""
    version = RequirementVersionFactory(requirement__requires_qa_approval=True, requirement__validity_months=None)
    trainer = PersonFactory(name="Kaito Endo", employer=alliance.agc_bio, user=UserFactory(username="kaito"))
    record = TrainingRecordFactory(person=alliance.agc_person, version=version, trainer=trainer)
    return record


def sign(record, user, meaning):
    return signature_create(
        record=record, signer=user, meaning=meaning, opened_version=version_of(type(record), record.pk)
    )


def test_the_trainer_performs_a_training_record_and_qa_approves_it_where_the_requirement_asks(qa_record):
    qa = UserFactory(username="qa", role="QA approver")
    assert meanings_for(qa_record.trainer.user, qa_record) == ["performed"]
    assert meanings_for(qa, qa_record) == ["approved"]

    qa_record.requirement.requires_qa_approval = False
    assert meanings_for(qa, qa_record) == []


def test_a_record_needing_qa_approval_counts_towards_qualification_only_once_approved(alliance, qa_record):
    person, requirement = alliance.agc_person, qa_record.requirement
    sign(qa_record, qa_record.trainer.user, "performed")
    assert qualification(person.pk, requirement, DAY).status == Status.NOT_TRAINED

    sign(qa_record, UserFactory(username="qa", role="QA approver"), "approved")

    assert qualification(person.pk, requirement, DAY).status == Status.CURRENT


def test_a_qa_approved_record_changed_afterwards_no_longer_counts(alliance, qa_record):
    sign(qa_record, UserFactory(username="qa", role="QA approver"), "approved")
    record = TrainingRecord.objects.get(pk=qa_record.pk)
    record.evidence = "TF-2025-0042"
    record._change_reason = "Form number added"
    record.save()

    assert qualification(alliance.agc_person.pk, qa_record.requirement, DAY).status == Status.NOT_TRAINED


def test_a_record_whose_requirement_asks_no_approval_counts_without_one(alliance):
    record = TrainingRecordFactory(person=alliance.agc_person, version=RequirementVersionFactory())
    assert qualification(alliance.agc_person.pk, record.requirement, DAY).status == Status.CURRENT
