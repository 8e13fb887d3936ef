"""Random and hostile values into every form, filter and export parameter.

Whatever arrives: never a 500, nothing saved from a rejected submission, nothing rendered unescaped.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from milestones.models import Milestone
from partners.models import Exchange, Person
from tests.properties import examples

SCRIPT = "<script>alert(1)</script>"
HOSTILE = st.one_of(
    st.text(max_size=50),
    st.text(min_size=3000, max_size=6000),
    st.sampled_from(
        [
            SCRIPT,
            f'"><img src=x onerror=alert(1)>{SCRIPT}',
            "'; DROP TABLE partners_exchange; --",
            "1 OR 1=1",
            "2025-02-30",
            "0000-00-00",
            "99999-12-31",
            "2025-13-01",
            "-1",
            "1e309",
            "NaN",
            "９９",
            "\x00",
            "abc\x00def",
            "\r\n\t",
            '=HYPERLINK("http://evil.example")',
            "",
            " ",
            "null",
            "[]",
            "{}",
        ]
    ),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)
FUZZ = examples(40)


def assert_safe(response) -> None:
    assert response.status_code < 500
    if response.get("Content-Type", "").startswith("text/html"):
        assert SCRIPT not in response.content.decode(errors="replace")


def exchange_form(alliance) -> dict:
    return {
        "person": alliance.agc_person.pk,
        "partnership": alliance.partnership.pk,
        "kind": "secondment",
        "purpose": "training",
        "function_area": "manufacturing",
        "host_company": alliance.medinet.pk,
        "host_site": alliance.shinagawa.pk,
        "host_supervisor": "",
        "planned_start": "2025-04-07",
        "planned_end": "2025-09-30",
        "actual_start": "",
        "actual_end": "",
        "status": "planned",
        "objectives": "",
        "outcome": "",
        "change_reason": "",
    }


EXCHANGE_FIELDS = [
    "person",
    "partnership",
    "kind",
    "purpose",
    "function_area",
    "host_company",
    "host_site",
    "host_supervisor",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "status",
    "objectives",
    "outcome",
    "change_reason",
]


@FUZZ
@given(field=st.sampled_from(EXCHANGE_FIELDS), value=HOSTILE)
def test_exchange_admin_form(staff_client, alliance, field, value):
    before = Exchange.objects.count()
    data = {**exchange_form(alliance), "planned_start": "2031-01-06", "planned_end": "2031-01-07", field: value}
    response = staff_client.post(reverse("admin:partners_exchange_add"), data)
    assert_safe(response)
    if response.status_code != 302:
        assert Exchange.objects.count() == before
    else:
        saved = Exchange.objects.latest("pk")
        page = staff_client.get(reverse("partners:exchange_detail", args=[saved.pk]))
        assert_safe(page)
        saved._change_reason = "Fuzzing clean-up"
        saved.status = Exchange.Status.CANCELLED  # frees the dates for the next example
        saved.save()


@FUZZ
@given(
    field=st.sampled_from(["name", "name_ja", "employer", "home_site", "function", "job_title", "email"]), value=HOSTILE
)
def test_person_admin_form(staff_client, alliance, field, value):
    before = Person.objects.count()
    data = {
        "name": "Fuzzy Person",
        "employer": alliance.medinet.pk,
        "function": "manufacturing",
        "active": "on",
        "email": "",
        field: value,
    }
    response = staff_client.post(reverse("admin:partners_person_add"), data)
    assert_safe(response)
    if response.status_code != 302:
        assert Person.objects.count() == before


@FUZZ
@given(
    field=st.sampled_from(
        [
            "partnership",
            "site",
            "title",
            "baseline_date",
            "forecast_date",
            "actual_date",
            "status",
            "depends_on",
            "owner",
            "description",
        ]
    ),
    value=HOSTILE,
)
def test_milestone_admin_form(manager_client, alliance, field, value):
    before = Milestone.objects.count()
    data = {
        "partnership": alliance.partnership.pk,
        "title": f"Fuzz {before}",
        "baseline_date": "2027-01-01",
        "status": "not_started",
        field: value,
    }
    response = manager_client.post(reverse("admin:milestones_milestone_add"), data)
    assert_safe(response)
    if response.status_code != 302:
        assert Milestone.objects.count() == before


DASHBOARD_PARAMS = ["partnership", "site", "start", "end", "year_basis", "fiscal_year"]
EXPORT_PARAMS = [
    "start",
    "end",
    "partnership",
    "site",
    "company",
    "record_type",
    "year_basis",
    "fiscal_year",
    "headers",
]


@FUZZ
@given(params=st.dictionaries(st.sampled_from(DASHBOARD_PARAMS), HOSTILE, min_size=1))
def test_dashboard_filters(manager_client, alliance, params):
    response = manager_client.get(reverse("milestones:dashboard"), params)
    assert response.status_code in {200, 400}
    assert_safe(response)


@FUZZ
@given(
    dataset=st.sampled_from(["exchanges", "milestones", "audit-trail", "people"]),
    params=st.dictionaries(st.sampled_from(EXPORT_PARAMS), HOSTILE, min_size=1),
)
def test_export_parameters(auditor_client, alliance, dataset, params):
    response = auditor_client.get(reverse("exports:download", args=[dataset, "csv"]), params)
    assert response.status_code in {200, 400}
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, as a client does: frees the export slot
    page = auditor_client.get(reverse("exports:index"), {"dataset": dataset, **params})
    assert_safe(page)


@FUZZ
@given(language=HOSTILE, target=HOSTILE)
def test_language_switcher(manager_client, db, language, target):
    response = manager_client.post(reverse("accounts:language"), {"language": language, "next": target})
    assert response.status_code in {302, 400}
    if response.status_code == 302:
        assert response.url.startswith("/") and not response.url.startswith("//")


@FUZZ
@given(field=st.sampled_from(["language", "time_zone", "year_basis"]), value=HOSTILE)
def test_preferences_form(manager_client, alliance, field, value):
    data = {"language": "ja", "time_zone": "Asia/Tokyo", "year_basis": "", field: value}
    response = manager_client.post(reverse("accounts:preferences"), data)
    assert response.status_code in {302, 400}
    assert_safe(response)


@FUZZ
@given(username=HOSTILE, password=HOSTILE)
def test_login_form(client, db, username, password):
    response = client.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code in {200, 429}
    assert_safe(response)


@pytest.mark.parametrize(
    "path",
    [
        "/audit/partners/exchange/99999999999999999999/",
        "/milestones/0/",
        "/exchanges/-1/",
        "/exports/..%2F.csv",
        "/milestones/calendar.ics?token=%00",
        "/audit/partners/exchange/1%00/",
    ],
)
def test_hostile_paths(auditor_client, db, path):
    assert_safe(auditor_client.get(path))


HUGE_IDS = ["9223372036854775808", "-9223372036854775809", "1" * 40]


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_beyond_a_bigint_are_form_errors(manager_client, alliance, huge):
    data = {
        "partnership": alliance.partnership.pk,
        "title": "Too big",
        "baseline_date": "2027-01-01",
        "status": "not_started",
        "site": huge,
        "depends_on": [huge],
    }
    response = manager_client.post(reverse("admin:milestones_milestone_add"), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not Milestone.objects.filter(title="Too big").exists()
    assert manager_client.get(reverse("milestones:dashboard"), {"site": huge}).status_code == 400


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_export_ids_beyond_a_bigint_are_400(auditor_client, alliance, huge):
    response = auditor_client.get(reverse("exports:download", args=["exchanges", "csv"]), {"company": huge})
    assert response.status_code == 400
