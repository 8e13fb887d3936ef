"""Fiscal years: MEDINET's runs October to September, AGC's is the calendar year. The boundary is the test."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from milestones.models import Milestone
from milestones.quarters import Quarter, quarters_between
from partners.fiscal import Basis, basis_for
from tests.factories import MilestoneFactory, UserFactory

D = datetime.date
LAST_DAY, FIRST_DAY = D(2025, 9, 30), D(2025, 10, 1)


@pytest.fixture
def medinet_year(alliance) -> Basis:
    alliance.medinet.fiscal_year_start_month = 10
    alliance.medinet._change_reason = "MEDINET's fiscal year runs October to September"
    alliance.medinet.save()
    return basis_for(alliance.medinet)


def test_30_september_and_1_october_fall_in_different_medinet_years_but_the_same_calendar_year(medinet_year):
    assert (medinet_year.year_of(LAST_DAY), medinet_year.year_of(FIRST_DAY)) == (2025, 2026)
    assert (Basis().year_of(LAST_DAY), Basis().year_of(FIRST_DAY)) == (2025, 2025)


def test_a_medinet_year_runs_from_1_october_to_30_september(medinet_year):
    assert medinet_year.bounds(2026) == (FIRST_DAY, D(2026, 9, 30))
    assert Basis().bounds(2026) == (D(2026, 1, 1), D(2026, 12, 31))


def test_year_labels_name_the_year_by_its_end_in_each_language(medinet_year):
    with translation.override("en"):
        assert medinet_year.year_label(2026) == "FY9/2026 (October 2025 – September 2026)"
        assert medinet_year.label == "MEDINET fiscal year (Oct–Sep)"
    with translation.override("ja"):
        assert medinet_year.year_label(2026) == "2026年9月期（2025年10月～2026年9月）"
        assert medinet_year.label == "MEDINETの会計年度（10月～9月）"


def test_the_database_places_boundary_dates_in_the_same_year_as_python(medinet_year, alliance):
    for day in (LAST_DAY, FIRST_DAY, D(2025, 12, 31), D(2026, 1, 1)):
        MilestoneFactory(partnership=alliance.partnership, title=f"Due {day}", baseline_date=day)
    for basis in (medinet_year, Basis()):
        years = dict(
            Milestone.objects.annotate(year=basis.year_expression("baseline_date")).values_list("baseline_date", "year")
        )
        assert years == {day: basis.year_of(day) for day in years}


def test_medinet_quarters_start_in_october():
    assert Quarter.of(FIRST_DAY, 10) == Quarter(2026, 1, 10)
    assert Quarter.of(LAST_DAY, 10) == Quarter(2025, 4, 10)
    assert (Quarter(2026, 1, 10).start, Quarter(2026, 1, 10).end) == (FIRST_DAY, D(2025, 12, 31))
    assert [q.start for q in quarters_between(FIRST_DAY, D(2026, 9, 30), 10)] == [
        FIRST_DAY,
        D(2026, 1, 1),
        D(2026, 4, 1),
        D(2026, 7, 1),
    ]
    with translation.override("ja"):
        assert Quarter(2026, 1, 10).label == "2026年9月期 Q1"


def years_table(response) -> str:
    text = response.text
    return text[text.index('id="years-table"') :][:3000]


def test_the_dashboard_counts_milestones_by_medinet_year(manager_client, alliance, medinet_year):
    MilestoneFactory(partnership=alliance.partnership, title="Last day of the year", baseline_date=LAST_DAY)
    MilestoneFactory(partnership=alliance.partnership, title="First day of the next", baseline_date=FIRST_DAY)
    by_medinet = years_table(manager_client.get(reverse("milestones:dashboard"), {"year_basis": medinet_year.key}))
    assert "FY9/2025 (October 2024 – September 2025)</th><td>1</td>" in by_medinet
    assert "FY9/2026 (October 2025 – September 2026)</th><td>1</td>" in by_medinet
    by_calendar = years_table(manager_client.get(reverse("milestones:dashboard"), {"year_basis": "calendar"}))
    assert "2025</th><td>2</td>" in by_calendar


def test_choosing_a_medinet_year_on_the_dashboard_narrows_it_to_that_year(manager_client, alliance, medinet_year):
    MilestoneFactory(partnership=alliance.partnership, title="Last day of the year", baseline_date=LAST_DAY)
    MilestoneFactory(partnership=alliance.partnership, title="First day of the next", baseline_date=FIRST_DAY)
    response = manager_client.get(
        reverse("milestones:dashboard"), {"year_basis": medinet_year.key, "fiscal_year": 2026}
    )
    assert "First day of the next" in response.text and "Last day of the year" not in response.text
    assert "FY9/2026 Q1" in response.text  # the headcount chart counts MEDINET's quarters


def test_a_year_and_a_date_range_together_are_refused_clearly(manager_client, db):
    response = manager_client.get(
        reverse("milestones:dashboard"), {"year_basis": "calendar", "fiscal_year": 2026, "start": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "Choose either a year or a date range, not both." in response.text


def test_a_year_alone_is_read_in_the_users_own_basis(client, alliance, medinet_year):
    user = UserFactory(username="reader", role="Manager")
    Profile.objects.create(user=user, year_basis=alliance.medinet)
    client.force_login(user)
    MilestoneFactory(partnership=alliance.partnership, title="Last day of the year", baseline_date=LAST_DAY)
    MilestoneFactory(partnership=alliance.partnership, title="First day of the next", baseline_date=FIRST_DAY)
    response = client.get(reverse("milestones:dashboard"), {"fiscal_year": 2026})
    assert "First day of the next" in response.text and "Last day of the year" not in response.text
