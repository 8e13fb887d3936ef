from __future__ import annotations

import datetime

import pytest

from api.datasets import api_datasets
from audit.versions import version_of
from exports.filters import Filters
from exports.sources import source
from milestones.models import Milestone
from partners.models import Exchange
from signatures.services import signature_create
from tests.factories import (
    ActionFactory,
    DecisionFactory,
    ExchangeFactory,
    MilestoneFactory,
    RequirementVersionFactory,
    RiskFactory,
    TrainingRecordFactory,
    UserFactory,
)


@pytest.fixture
def records(alliance, exchange):
    ExchangeFactory(
        person=alliance.medinet_person,
        partnership=alliance.partnership,
        host_company=alliance.agc_bio,
        host_site=alliance.yokohama,
        planned_start=datetime.date(2025, 5, 1),
        planned_end=datetime.date(2025, 7, 1),
    )
    milestone = MilestoneFactory(
        partnership=alliance.partnership, status=Milestone.Status.DONE, actual_date=datetime.date(2026, 1, 5)
    )
    TrainingRecordFactory(person=alliance.medinet_person, version=RequirementVersionFactory())
    decision = DecisionFactory(partnership=alliance.partnership)
    ActionFactory(partnership=alliance.partnership, owner=alliance.medinet_person, decision=decision)
    RiskFactory(partnership=alliance.partnership, owner=alliance.agc_person)
    signature_create(
        record=milestone,
        signer=UserFactory(username="approver", role="Manager"),
        meaning="approved",
        opened_version=version_of(Milestone, milestone.pk),
    )
    return alliance


def exchange_in(alliance, year: int):
    return ExchangeFactory(
        person=alliance.agc_person,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        planned_start=datetime.date(year, 1, 5),
        planned_end=datetime.date(year, 2, 5),
    )


def everything(client, url: str) -> list[dict]:
    rows = []
    while url:
        page = client.get(url).json()
        rows += page["results"]
        url = page["next"]
    return rows


def export_rows(name: str, filters: Filters | None = None) -> list[dict]:
    src = source(name, filters or Filters())
    return [dict(zip((c.key for c in src.columns), row, strict=True)) for row in src.rows()]


@pytest.mark.parametrize("name", list(api_datasets()))
def test_every_dataset_the_exports_offer_reads_the_same_rows_as_its_export(clients, records, name):
    got = everything(clients["auditor"], f"/api/{name}/?page_size=2")
    expected = export_rows(name)
    assert expected  # something to compare
    assert len(got) == len(expected)
    assert [list(row) for row in got] == [list(row) for row in expected]  # the export's columns, in order
    keys = {c.key for c in source(name, Filters()).columns if c.kind in ("int", "text", "bool")}
    assert [{k: r[k] for k in keys} for r in got] == [{k: r[k] for k in keys} for r in expected]


def test_the_api_filters_as_the_export_does(clients, records):
    start, end = datetime.date(2025, 4, 15), datetime.date(2025, 12, 31)
    got = clients["auditor"].get(f"/api/exchanges/?start={start}&end={end}").json()["results"]
    assert [row["id"] for row in got] == [row["id"] for row in export_rows("exchanges", Filters(start=start, end=end))]
    assert len(got) == 1  # the exchange of May to July, not the one that ended in March


def test_a_bad_filter_is_a_400_naming_the_field_in_the_exports_words(clients, records):
    response = clients["auditor"].get("/api/exchanges/?start=2025-06-01&end=2025-01-01")
    assert response.status_code == 400
    assert response.json() == {"end": ["The end of the date range cannot be before its start."]}
    assert clients["auditor"].get("/api/exchanges/?site=99999999999999999999").status_code == 400


def test_pages_follow_the_cursor_oldest_record_first_without_repeats(clients, alliance):
    for year in range(2030, 2035):
        exchange_in(alliance, year)
    first = clients["staff"].get("/api/exchanges/?page_size=2").json()
    ids = [row["id"] for row in everything(clients["staff"], "/api/exchanges/?page_size=2")]
    assert len(first["results"]) == 2 and first["next"]
    assert ids == sorted(Exchange.objects.values_list("pk", flat=True))


def test_the_audit_trail_is_for_those_whose_role_reads_it(clients, records):
    assert clients["staff"].get("/api/audit-trail/").status_code == 403
    assert clients["manager"].get("/api/audit-trail/").status_code == 200
    assert clients["anonymous"].get("/api/audit-trail/").status_code == 401


def test_a_record_read_by_id_carries_its_version_as_the_etag(clients, exchange):
    response = clients["auditor"].get(f"/api/exchanges/{exchange.pk}/")
    assert response.status_code == 200
    assert response["ETag"] == f'"{version_of(Exchange, exchange.pk)}"'
    assert clients["auditor"].get("/api/exchanges/999999/").status_code == 404


def test_a_page_of_exchanges_costs_the_same_queries_whatever_the_data(clients, alliance, django_assert_max_num_queries):
    for year in range(2030, 2060):
        exchange_in(alliance, year)
    with django_assert_max_num_queries(6):  # the token and its user, the page; the user's permissions
        assert clients["staff"].get("/api/exchanges/?page_size=25").status_code == 200


def test_the_docs_page_loads_its_script_and_styles_from_the_app_under_the_strict_csp(client, users):
    client.force_login(users["auditor"])
    page = client.get("/api/docs/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "script-src 'self'" in page["Content-Security-Policy"]
    assert "<style" not in html and "<script>" not in html  # nothing inline for the policy to refuse
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
