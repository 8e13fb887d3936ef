"""Signed records' pages show their signatures in a fixed number of queries, however many there are."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.versions import version_of
from signatures.services import signature_create
from tests.factories import PersonFactory, RequirementVersionFactory, TrainingRecordFactory, UserFactory
from training.models import TrainingRecord


def signed_record(person, trainer, n: int) -> TrainingRecord:
    record = TrainingRecordFactory(
        person=person, trainer=trainer, version=RequirementVersionFactory(requirement__code=f"SOP-{n}")
    )
    signature_create(
        record=record,
        signer=trainer.user,
        meaning="performed",
        opened_version=version_of(TrainingRecord, record.pk),
    )
    return record


def test_a_persons_training_page_lists_each_records_signatures_in_the_same_queries_for_one_or_many(client, alliance):
    trainer_user = UserFactory(username="kaito", first_name="Kaito", last_name="Endo", role="Staff")
    trainer = PersonFactory(name="Kaito Endo", employer=alliance.agc_bio, user=trainer_user)
    person = alliance.agc_person
    client.force_login(trainer_user)
    url = reverse("training:person", args=[person.pk])
    signed_record(person, trainer, 0)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url)
    assert "Kaito Endo · Performed" in page.content.decode()
    for n in range(1, 7):
        signed_record(person, trainer, n)
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert page.content.decode().count("Kaito Endo · Performed") == 7
    assert len(many) == len(one)
