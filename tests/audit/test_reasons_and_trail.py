"""Every change made through the app lands in the trail with who, when, old and new value, and why."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from simple_history.manager import HistoryManager

from audit.history import AuditedWriteError, bulk_written
from audit.trail import trail_for
from audit.versions import version_of
from milestones.models import Milestone
from partners.models import Company, Exchange, Partnership, Person
from tests.factories import CompanyFactory, ExchangeFactory, MilestoneFactory, PersonFactory


def exchange_form(exchange: Exchange, **overrides) -> dict:
    data = {
        "person": exchange.person_id,
        "partnership": exchange.partnership_id,
        "kind": exchange.kind,
        "purpose": exchange.purpose,
        "function_area": exchange.function_area,
        "host_company": exchange.host_company_id,
        "host_site": exchange.host_site_id or "",
        "host_supervisor": exchange.host_supervisor_id or "",
        "planned_start": exchange.planned_start.isoformat(),
        "planned_end": exchange.planned_end.isoformat(),
        "actual_start": "",
        "actual_end": "",
        "status": exchange.status,
        "objectives": exchange.objectives,
        "outcome": exchange.outcome,
        "change_reason": "",
        "record_version": version_of(Exchange, exchange.pk),
    }
    data.update(overrides)
    return data


@pytest.fixture
def exchange(alliance):
    return ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
    )


def test_editing_an_exchange_without_a_reason_is_refused(staff_client, exchange):
    url = reverse("admin:partners_exchange_change", args=[exchange.pk])
    response = staff_client.post(url, exchange_form(exchange, planned_end="2025-04-30"))
    assert response.status_code == 200
    assert "This field is required." in response.text
    exchange.refresh_from_db()
    assert exchange.planned_end == datetime.date(2025, 3, 28)
    assert exchange.history.count() == 1


def test_an_edit_records_who_what_and_why(staff_client, exchange):
    url = reverse("admin:partners_exchange_change", args=[exchange.pk])
    response = staff_client.post(
        url, exchange_form(exchange, planned_end="2025-04-30", change_reason="Extended at MEDINET's request")
    )
    assert response.status_code == 302
    latest = exchange.history.latest()
    assert latest.history_user.username == "staff"
    assert latest.history_change_reason == "Extended at MEDINET's request"

    changes = trail_for(Exchange, exchange.pk)[-1].changes
    assert [(c.field, c.old, c.new) for c in changes] == [("planned_end", "2025-03-28", "2025-04-30")]


def test_creating_may_carry_a_reason(staff_client, alliance):
    from tests.partners.test_exchange_admin import ADD_URL, form_data

    staff_client.post(ADD_URL, form_data(alliance, change_reason="Agreed at the steering committee"))
    created = Exchange.history.get()
    assert created.history_type == "+"
    assert created.history_change_reason == "Agreed at the steering committee"


def test_the_trail_page_shows_each_change_with_old_and_new_values(auditor_client, exchange):
    exchange.status = Exchange.Status.CANCELLED
    exchange._change_reason = "Host site not ready"
    exchange.save()
    response = auditor_client.get(reverse("audit:trail", args=["partners", "exchange", exchange.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Host site not ready" in text
    assert "<td>Planned</td>" in text and "<td>Cancelled</td>" in text
    assert "MEDINET Co., Ltd." in text  # related records by name, not id
    assert "UTC" in text and "JST" in text


def test_the_trail_page_runs_a_fixed_number_of_queries(auditor_client, exchange):
    url = reverse("audit:trail", args=["partners", "exchange", exchange.pk])
    auditor_client.get(url)
    with CaptureQueriesContext(connection) as few:
        auditor_client.get(url)
    for day in range(1, 30):
        exchange.objectives = f"Revision {day}"
        exchange._change_reason = "Refined objectives"
        exchange.save()
    with CaptureQueriesContext(connection) as many:
        response = auditor_client.get(url)
    assert response.text.count("Refined objectives") == 29
    assert len(many) == len(few)


def test_staff_cannot_read_the_audit_trail(staff_client, exchange):
    response = staff_client.get(reverse("audit:trail", args=["partners", "exchange", exchange.pk]))
    assert response.status_code == 403


def test_trail_of_an_unknown_model_is_404(auditor_client, db):
    assert auditor_client.get(reverse("audit:trail", args=["auth", "permission", 1])).status_code == 404
    assert auditor_client.get(reverse("audit:trail", args=["partners", "nothing", 1])).status_code == 404


def test_admin_history_button_opens_the_audit_trail(auditor_client, exchange):
    response = auditor_client.get(reverse("admin:partners_exchange_history", args=[exchange.pk]))
    assert response.status_code == 302
    assert response.url == reverse("audit:trail", args=["partners", "exchange", exchange.pk])


def test_many_to_many_changes_are_in_the_trail(admin_client, alliance):
    third = CompanyFactory(name="Kyoto Cell Labs", short_name="KCL")
    url = reverse("admin:partners_partnership_change", args=[alliance.partnership.pk])
    response = admin_client.post(
        url,
        {
            "name": alliance.partnership.name,
            "party_companies": [alliance.agc.pk, alliance.medinet.pk, third.pk],
            "status": "active",
            "announced_on": "2024-09-11",
            "signed_on": "2024-09-11",
            "scope": alliance.partnership.scope,
            "change_reason": "Scope extended to a third party",
            "record_version": version_of(Partnership, alliance.partnership.pk),
        },
    )
    assert response.status_code == 302
    last = trail_for(Partnership, alliance.partnership.pk)[-1]
    assert last.reason == "Scope extended to a third party"
    parties = next(c for c in last.changes if c.field == "parties")
    assert parties.old == "AGC Inc., MEDINET Co., Ltd."
    assert parties.new == "AGC Inc., Kyoto Cell Labs, MEDINET Co., Ltd."


def test_deleting_needs_a_reason_and_keeps_the_last_state(admin_client, db):
    company = CompanyFactory(name="Short-lived Co.")
    url = reverse("admin:partners_company_delete", args=[company.pk])
    refused = admin_client.post(url, {"post": "yes"})
    assert refused.status_code == 302 and Company.objects.filter(pk=company.pk).exists()

    admin_client.post(url, {"post": "yes", "change_reason": "Entered twice by mistake"})
    assert not Company.objects.filter(pk=company.pk).exists()
    deleted = Company.history.filter(id=company.pk).latest()
    assert (deleted.history_type, deleted.name, deleted.history_change_reason) == (
        "-",
        "Short-lived Co.",
        "Entered twice by mistake",
    )
    page = admin_client.get(reverse("audit:trail", args=["partners", "company", company.pk]))
    assert "Entered twice by mistake" in page.text and "deleted" in page.text


def test_ordinary_users_cannot_delete_records(manager_client, staff_client, alliance):
    for client in (manager_client, staff_client):
        url = reverse("admin:partners_person_delete", args=[alliance.agc_person.pk])
        assert client.post(url, {"post": "yes", "change_reason": "Left the company in March"}).status_code == 403
    assert Person.objects.filter(pk=alliance.agc_person.pk).exists()


def test_bulk_delete_action_is_not_offered(admin_client, db):
    response = admin_client.get(reverse("admin:partners_company_changelist"))
    assert "delete_selected" not in response.text


def test_bulk_create_writes_history(db):
    company = CompanyFactory()
    people = [PersonFactory.build(employer=company, email=f"bulk{i}@example.com") for i in range(3)]
    for person in people:
        person._change_reason = "Imported from the HR roster"
    Person.objects.bulk_create(people)
    rows = Person.history.filter(employer=company)
    assert rows.count() == 3
    assert set(rows.values_list("history_change_reason", flat=True)) == {"Imported from the HR roster"}


@pytest.mark.parametrize("failing", ["history", "summary"])
def test_a_bulk_create_that_fails_after_its_insert_leaves_no_rows(db, monkeypatch, failing):
    """Rows inserted in bulk must not stay when their history or the summaries kept from them could not be written:
    the caller may be in autocommit (a command, a job) or catch the error and go on (here, in the test's
    transaction)."""
    company = CompanyFactory()
    people = [PersonFactory.build(employer=company, email=f"half{i}@example.com") for i in range(3)]

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    if failing == "history":
        monkeypatch.setattr(HistoryManager, "bulk_history_create", fail)
    else:
        bulk_written.connect(fail, sender=Person, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError, match="went away"):
            Person.objects.bulk_create(people)
    finally:
        bulk_written.disconnect(sender=Person, dispatch_uid="test-fail")
    assert not Person.objects.filter(employer=company).exists()
    assert not Person.history.filter(employer=company).exists()


def test_queryset_update_on_audited_models_is_refused(alliance):
    MilestoneFactory(partnership=alliance.partnership)
    with pytest.raises(AuditedWriteError):
        Milestone.objects.update(status="cancelled")
    with pytest.raises(AuditedWriteError):
        Person.objects.bulk_update(list(Person.objects.all()), ["active"])
    assert not Milestone.objects.filter(status="cancelled").exists()


def test_user_accounts_cannot_be_deleted(admin_client, django_user_model):
    other = django_user_model.objects.create_user("leaver", password="x" * 12)
    response = admin_client.post(reverse("admin:auth_user_delete", args=[other.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert django_user_model.objects.filter(pk=other.pk).exists()
