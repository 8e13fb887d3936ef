"""The dashboard's governance panels: the risk heat map, overdue actions and risks past their review date."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import ActionFactory, PartnershipFactory, RiskFactory

D = datetime.date
URL = reverse("milestones:dashboard")


@pytest.fixture
def today(monkeypatch):
    day = D(2026, 11, 25)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)
    return day


def risk(alliance, **fields):
    fields.setdefault("owner", alliance.agc_supervisor)
    fields.setdefault("review_on", D(2027, 1, 31))
    return RiskFactory(partnership=alliance.partnership, **fields)


def action(alliance, **fields):
    fields.setdefault("owner", alliance.agc_supervisor)
    return ActionFactory(partnership=alliance.partnership, **fields)


def table_counts(text: str) -> dict[tuple[int, int], int]:
    cells = re.findall(r'<td data-likelihood="(\d)" data-impact="(\d)">(\d+)</td>', text)
    return {(int(likelihood), int(impact)): int(count) for likelihood, impact, count in cells}


def test_the_heat_map_counts_open_risks_by_likelihood_and_impact_in_the_svg_and_the_table(
    manager_client, alliance, today
):
    risk(alliance, title="Isolator spare parts", likelihood=4, impact=5)
    risk(alliance, title="Inspector availability", likelihood=4, impact=5)
    risk(alliance, title="Operator headcount", likelihood=2, impact=3)
    risk(alliance, title="Mitigated long ago", likelihood=1, impact=1, status="mitigated", mitigation="Second supplier")
    risk(alliance, title="Closed one", likelihood=5, impact=5, status="closed", review_on=None)
    text = manager_client.get(URL).text
    counts = table_counts(text)
    assert len(counts) == 25
    assert {cell: n for cell, n in counts.items() if n} == {(4, 5): 2, (2, 3): 1}
    svg = text[text.index('aria-labelledby="heatmap-heading heatmap-key"') :]
    svg = svg[: svg.index("</svg>")]
    assert svg.count("<rect") == 25
    assert "Likelihood 4 × impact 5 (critical): 2" in svg
    assert "Likelihood 2 × impact 3 (medium): 1" in svg
    assert "3 open risks" in text


def test_the_heat_map_follows_the_partnership_filter(manager_client, alliance, today):
    risk(alliance, likelihood=3, impact=3)
    other = PartnershipFactory(parties=[alliance.agc, alliance.medinet], name="Another alliance")
    RiskFactory(partnership=other, owner=alliance.agc_supervisor, likelihood=5, impact=1, review_on=D(2027, 1, 1))
    everything = table_counts(manager_client.get(URL).text)
    assert (everything[(3, 3)], everything[(5, 1)]) == (1, 1)
    mine = table_counts(manager_client.get(URL, {"partnership": alliance.partnership.pk}).text)
    assert (mine[(3, 3)], mine[(5, 1)]) == (1, 0)


def test_the_heat_map_needs_no_inline_script_or_style(manager_client, alliance, today):
    risk(alliance, likelihood=5, impact=5)
    text = manager_client.get(URL).text
    panel = text[text.index('id="heatmap-heading"') : text.index("</section>", text.index('id="heatmap-heading"'))]
    assert "<script" not in panel and "style=" not in panel and "<style" not in panel
    assert "no-print" not in panel  # it prints with the dashboard


def test_overdue_actions_and_risks_past_review_are_listed_worst_first(manager_client, alliance, today):
    action(alliance, title="Send the CAPA plan", due_on=D(2026, 11, 2))
    action(alliance, title="Book the mock inspection", due_on=D(2026, 10, 15))
    action(alliance, title="Due today", due_on=today)
    action(alliance, title="Done late", due_on=D(2026, 10, 1), status="done", done_on=D(2026, 11, 20))
    risk(alliance, title="Reagent lot supply", review_on=D(2026, 11, 1))
    risk(alliance, title="Reviewed soon", review_on=D(2026, 12, 1))
    text = manager_client.get(URL).text
    actions = text[text.index('id="overdue-actions-table"') :].split("</table>")[0]
    assert re.findall(r'<th scope="row">([^<]+)</th>', actions) == ["Book the mock inspection", "Send the CAPA plan"]
    assert "<td>41</td>" in actions  # days overdue
    assert "2 overdue actions" in text
    risks = text[text.index('id="past-review-table"') :].split("</table>")[0]
    assert "Reagent lot supply" in risks and "Reviewed soon" not in risks
    assert "<td>24</td>" in risks
    assert "1 risk past its review date" in text


def test_the_lists_say_how_many_more_there_are(manager_client, alliance, today, monkeypatch):
    monkeypatch.setattr("governance.panels.ROWS_SHOWN", 2)
    for n in range(3):
        action(alliance, title=f"Late {n}", due_on=D(2026, 10, 1 + n))
    text = manager_client.get(URL).text
    assert "3 overdue actions" in text
    assert "The 2 most overdue of 3." in text


def test_nothing_overdue_says_so(manager_client, alliance, today):
    text = manager_client.get(URL).text
    assert "No action is overdue." in text
    assert "No open risk is past its review date." in text
    assert "0 open risks" in text


def test_the_governance_panels_run_a_fixed_number_of_queries(
    manager_client, alliance, today, django_assert_max_num_queries
):
    def grow(n: int, start: int) -> None:
        for index in range(start, start + n):
            risk(
                alliance,
                title=f"Risk {index}",
                likelihood=1 + index % 5,
                impact=1 + index // 5 % 5,
                review_on=D(2026, 10, 1),
            )
            action(alliance, title=f"Action {index}", due_on=D(2026, 10, 1))

    grow(2, 0)
    manager_client.get(URL)
    cache.clear()  # every panel computed, none from the cache
    with CaptureQueriesContext(connection) as small:
        manager_client.get(URL)
    grow(40, 2)
    cache.clear()
    with django_assert_max_num_queries(len(small)):
        response = manager_client.get(URL)
    assert "42 overdue actions" in response.text
