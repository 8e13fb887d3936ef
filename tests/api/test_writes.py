from __future__ import annotations

import pytest
from django.urls import reverse

from audit.versions import version_of
from partners.models import Exchange
from partners.models.exchange import PLANNED_END_BEFORE_START
from tests.factories import RequirementFactory, RequirementVersionFactory
from training.models import TrainingRecord

REASON = "Agreed at the steering committee"


@pytest.fixture
def new_exchange(alliance) -> dict:
    return {
        "person": alliance.medinet_person.pk,
        "partnership": alliance.partnership.pk,
        "host_company": alliance.agc.pk,
        "purpose": "training",
        "function_area": "manufacturing",
        "planned_start": "2026-04-06",
        "planned_end": "2026-06-26",
    }


def test_a_staff_token_creates_an_exchange_with_a_reason_and_the_trail_names_that_user(clients, users, new_exchange):
    response = clients["staff"].post("/api/exchanges/", {**new_exchange, "change_reason": REASON}, format="json")
    assert response.status_code == 201
    exchange = Exchange.objects.get(pk=response.json()["id"])
    assert response["ETag"] == f'"{version_of(Exchange, exchange.pk)}"'
    assert response["Location"] == reverse("api:exchanges-detail", args=[exchange.pk])
    assert response.json()["direction"] == "MEDINET → AGC"  # fixed by the same service the admin uses
    row = exchange.history.get()
    assert (row.history_user, row.history_change_reason) == (users["staff"], REASON)


def test_the_reason_may_come_in_the_x_change_reason_header(clients, new_exchange):
    response = clients["staff"].post("/api/exchanges/", new_exchange, format="json", HTTP_X_CHANGE_REASON=REASON)
    assert response.status_code == 201
    assert Exchange.objects.get().history.get().history_change_reason == REASON


@pytest.mark.parametrize("reason", [None, "", "fix"])
def test_a_write_without_a_reason_that_says_something_is_a_400_and_saves_nothing(clients, new_exchange, reason):
    body = new_exchange if reason is None else {**new_exchange, "change_reason": reason}
    response = clients["staff"].post("/api/exchanges/", body, format="json")
    assert response.status_code == 400
    assert "reason needs at least 8 letters" in response.json()["change_reason"][0]
    assert not Exchange.objects.exists()


@pytest.mark.parametrize("persona", ["auditor", "manager"])
def test_readers_tokens_cannot_create_exchanges(clients, new_exchange, persona):
    response = clients[persona].post("/api/exchanges/", {**new_exchange, "change_reason": REASON}, format="json")
    assert response.status_code == 403
    assert not Exchange.objects.exists()


def test_the_models_rules_answer_field_by_field_in_the_admins_words(clients, new_exchange):
    body = {**new_exchange, "planned_end": "2026-01-01", "change_reason": REASON}
    response = clients["staff"].post("/api/exchanges/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"planned_end": [str(PLANNED_END_BEFORE_START)]}
    assert not Exchange.objects.exists()


def test_an_id_no_column_could_hold_is_a_400_not_a_crash(clients, new_exchange):
    body = {**new_exchange, "person": 2**64, "change_reason": REASON}
    response = clients["staff"].post("/api/exchanges/", body, format="json")
    assert response.status_code == 400
    assert "person" in response.json()


def update(client, exchange, body, **headers):
    return client.patch(f"/api/exchanges/{exchange.pk}/", body, format="json", **headers)


def test_an_update_with_the_current_version_saves_and_returns_the_next_one(clients, users, exchange):
    current = clients["staff"].get(f"/api/exchanges/{exchange.pk}/")["ETag"]
    response = update(
        clients["staff"],
        exchange,
        {"objectives": "Learn the fill line"},
        HTTP_IF_MATCH=current,
        HTTP_X_CHANGE_REASON=REASON,
    )
    assert response.status_code == 200
    assert response.json()["objectives"] == "Learn the fill line"
    assert response["ETag"] != current
    assert response["ETag"] == f'"{version_of(Exchange, exchange.pk)}"'
    assert exchange.history.latest("chain_seq").history_user == users["staff"]


def test_an_update_on_a_stale_version_is_a_412_that_names_the_newer_save(clients, exchange):
    stale = clients["staff"].get(f"/api/exchanges/{exchange.pk}/")["ETag"]
    first = update(
        clients["staff"], exchange, {"objectives": "First"}, HTTP_IF_MATCH=stale, HTTP_X_CHANGE_REASON=REASON
    )
    assert first.status_code == 200
    second = update(
        clients["staff"], exchange, {"objectives": "Second"}, HTTP_IF_MATCH=stale, HTTP_X_CHANGE_REASON=REASON
    )
    assert second.status_code == 412
    assert "reload it" in second.json()["detail"]
    exchange.refresh_from_db()
    assert exchange.objectives == "First"


def test_an_update_without_if_match_is_a_428_and_changes_nothing(clients, exchange):
    response = update(clients["staff"], exchange, {"objectives": "Changed"}, HTTP_X_CHANGE_REASON=REASON)
    assert response.status_code == 428
    exchange.refresh_from_db()
    assert exchange.objectives != "Changed"


@pytest.mark.parametrize("persona", ["staff", "auditor", "admin"])
def test_nobody_deletes_through_the_api(clients, exchange, persona):
    assert clients[persona].delete(f"/api/exchanges/{exchange.pk}/").status_code == 405
    assert Exchange.objects.filter(pk=exchange.pk).exists()


@pytest.fixture
def requirement(db):
    requirement = RequirementFactory(code="SOP-GOWN-B")
    return requirement, RequirementVersionFactory(requirement=requirement, version=1, effective_from="2024-01-01")


def test_a_staff_token_records_a_completed_training(clients, alliance, requirement):
    req, version = requirement
    body = {
        "person": alliance.agc_person.pk,
        "requirement": req.pk,
        "version": version.pk,
        "completed_on": "2025-07-01",
        "evidence": "TR-0042",
        "change_reason": "Training form signed",
    }
    response = clients["staff"].post("/api/training-records/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["requirement"] == "SOP-GOWN-B"
    assert TrainingRecord.objects.get().history.get().history_change_reason == "Training form signed"


def test_a_training_in_the_future_is_refused_in_the_models_words(clients, alliance, requirement):
    req, version = requirement
    body = {
        "person": alliance.agc_person.pk,
        "requirement": req.pk,
        "version": version.pk,
        "completed_on": "2200-01-01",
        "change_reason": "Training form signed",
    }
    response = clients["staff"].post("/api/training-records/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"completed_on": ["Training cannot be completed in the future."]}
    assert not TrainingRecord.objects.exists()
