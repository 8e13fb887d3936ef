"""Where re-baselines show: the milestone's baseline history, and the dashboard, apart from slips."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from milestones.services import milestone_save
from tests.factories import MilestoneFactory
from tests.milestones.rebaselines import approved_decision, rebaseline

D = datetime.date


def test_the_milestone_page_shows_its_baseline_history_with_decision_links(manager_client, alliance, launch):
    cited = approved_decision(alliance)
    rebaseline(launch, D(2026, 12, 21), cited, reason="Inspection slot moved")
    text = manager_client.get(launch.get_absolute_url()).text
    history = text.split('id="baselines-table"')[1].split("</table>")[0]
    assert f'<a href="{cited.get_absolute_url()}"' in history
    assert f">{cited.number}</a>" in history
    assert "Inspection slot moved" in history and "+81" in history and "first baseline" in history


DASHBOARD = reverse("milestones:dashboard")


def test_the_dashboard_lists_a_re_baseline_with_its_decision_apart_from_the_slips(manager_client, alliance, launch):
    launch.forecast_date = D(2026, 12, 21)
    launch._change_reason = "Mock inspection found gaps"
    milestone_save(milestone=launch)
    cited = approved_decision(alliance, milestones=[launch])
    rebaseline(launch, D(2026, 12, 21), cited, reason="JSC agreed the later launch")
    slipping = MilestoneFactory(partnership=alliance.partnership, title="QC transfer", baseline_date=D(2026, 6, 30))
    slipping.forecast_date = D(2026, 9, 4)
    slipping._change_reason = "Reagent lot change"
    milestone_save(milestone=slipping)

    text = manager_client.get(DASHBOARD).text
    moves = text[text.index('id="rebaselines-table"') :].split("</table>")[0]
    assert "Yokohama launch" in moves and "QC transfer" not in moves
    assert f'<a href="{cited.get_absolute_url()}" title="{cited.title}">{cited.number}</a>' in moves
    assert "+81" in moves and "JSC agreed the later launch" in moves
    slips = text[text.index('id="slips-table"') :].split("</table>")[0]
    assert "QC transfer" in slips and "Yokohama launch" not in slips  # back on its (new) baseline


def test_a_slip_after_a_re_baseline_is_measured_against_the_new_baseline_with_the_forecast_reason(
    manager_client, alliance, launch
):
    launch.forecast_date = D(2027, 1, 15)
    launch._change_reason = "Reagent lot change"
    milestone_save(milestone=launch)
    rebaseline(launch, D(2026, 12, 21), approved_decision(alliance), reason="JSC agreed the later launch")
    text = manager_client.get(DASHBOARD).text
    slips = text[text.index('id="slips-table"') :].split("</table>")[0]
    assert "<td>+25</td>" in slips
    assert "Reagent lot change" in slips and "JSC agreed the later launch" not in slips


def test_the_re_baselines_panel_runs_the_same_queries_however_many_moves(
    manager_client, alliance, django_assert_max_num_queries
):
    def moved(title: str) -> None:
        milestone = MilestoneFactory(partnership=alliance.partnership, title=title, baseline_date=D(2026, 10, 1))
        rebaseline(milestone, D(2026, 12, 21), approved_decision(alliance))

    moved("First")
    manager_client.get(DASHBOARD)
    cache.clear()  # every panel computed, none from the cache
    with CaptureQueriesContext(connection) as small:
        manager_client.get(DASHBOARD)
    for n in range(30):
        moved(f"Milestone {n}")
    cache.clear()
    with django_assert_max_num_queries(len(small)):
        text = manager_client.get(DASHBOARD).text
    assert text.count("JSC-") >= 31
