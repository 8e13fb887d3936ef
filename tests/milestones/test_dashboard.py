from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_script_prefix
from django.urls import reverse
from django.utils import formats, translation

from demo.seed import add_synthetic_exchanges
from milestones import dashboard, panels
from milestones.charts import LABEL_COLUMNS, fit
from milestones.dashboard import detail_urls, headcount
from milestones.quarters import Quarter, quarters_between
from milestones.services import milestone_set_dependencies
from partners.models import Exchange
from tests.factories import ExchangeFactory, MilestoneFactory, SiteFactory

D = datetime.date
URL = reverse("milestones:dashboard")
# Every panel computed (the cache empty): the page's own 8 queries and the panels' (no curriculum here, so the
# training panel's count of qualified people is not run). tests/milestones/test_dashboard_cache.py: a warm load.
COLD_QUERIES = 29


@pytest.fixture
def today(monkeypatch):
    day = D(2026, 11, 25)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)
    return day


def milestone(alliance, **fields):
    return MilestoneFactory(partnership=alliance.partnership, **fields)


def exchange(alliance, person=None, **fields):
    person = person or alliance.agc_person
    host = alliance.medinet if person.employer_id != alliance.medinet.pk else alliance.agc_bio
    return ExchangeFactory(person=person, partnership=alliance.partnership, host_company=host, **fields)


def test_headline_counts_milestones_by_rag_and_names_the_next_one(manager_client, alliance, today):
    milestone(alliance, title="On plan", baseline_date=D(2027, 6, 1), status="in_progress")
    milestone(alliance, title="Slipping", baseline_date=D(2027, 1, 10), forecast_date=D(2027, 1, 25))
    milestone(alliance, title="Badly late", baseline_date=D(2026, 9, 30), forecast_date=D(2026, 12, 11))
    milestone(alliance, title="Done", baseline_date=D(2025, 7, 1), actual_date=D(2025, 7, 1), status="done")
    response = manager_client.get(URL)
    assert response.status_code == 200
    text = response.text
    assert '<strong data-rag="green">2</strong>' in text
    assert '<strong data-rag="amber">1</strong>' in text
    assert '<strong data-rag="red">1</strong>' in text
    assert response.context["next_milestone"].title == "Badly late"


def test_countdown_to_the_launch_milestone(manager_client, alliance, today):
    milestone(
        alliance,
        title="Yokohama launch",
        baseline_date=D(2026, 10, 1),
        forecast_date=D(2026, 12, 21),
        status="in_progress",
        countdown=True,
    )
    response = manager_client.get(URL)
    assert 'data-countdown="26"' in response.text
    assert "26 days" in response.text


def test_exchange_figures_by_direction(manager_client, alliance, today):
    exchange(
        alliance, planned_start=D(2026, 10, 1), planned_end=D(2027, 3, 31), status="active", actual_start=D(2026, 10, 1)
    )
    exchange(
        alliance,
        planned_start=D(2025, 1, 6),
        planned_end=D(2025, 3, 28),
        status="completed",
        actual_start=D(2025, 1, 6),
        actual_end=D(2025, 3, 28),
    )
    exchange(alliance, person=alliance.medinet_person, planned_start=D(2027, 1, 11), planned_end=D(2027, 4, 30))
    rows = {row.direction: row for row in manager_client.get(URL).context["direction_counts"]}
    assert (rows["AGC → MEDINET"].active, rows["AGC → MEDINET"].planned, rows["AGC → MEDINET"].completed) == (1, 0, 1)
    assert (rows["MEDINET → AGC"].active, rows["MEDINET → AGC"].planned) == (0, 1)


def test_who_is_on_exchange_now_and_where(manager_client, alliance, today):
    exchange(
        alliance,
        planned_start=D(2026, 10, 1),
        planned_end=D(2027, 3, 31),
        status="active",
        actual_start=D(2026, 10, 1),
        host_site=alliance.shinagawa,
    )
    response = manager_client.get(URL)
    assert "On exchange now: 1 person" in response.text
    assert "Shinagawa Cell Processing Center (MEDINET)" in response.text
    assert "31 Mar 2027" in response.text


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan (PostgreSQL's driver writes values out)")
def test_on_sqlite_who_is_on_exchange_now_is_read_down_its_index_as_the_query_is_sent(alliance, today):
    """SQLite matches the ``exchange_on_now`` index only to the very constant it holds: sent as a bound parameter,
    the list read the whole index and sorted it (120 ms at 200,010 exchanges, where it now takes a millisecond)."""
    sent = []

    def record(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        dashboard.on_exchange_now(dashboard.filtered_exchanges(dashboard.Filters()), today)
    [(sql, params)] = sent
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(row[3] for row in cursor.fetchall())
    assert "SEARCH partners_exchange USING INDEX exchange_on_now (<expr>>?)" in plan, plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan  # the index's order serves the list's first key


def test_a_long_list_of_people_on_exchange_links_to_all_active_exchanges(
    manager_client, staff_client, alliance, today, monkeypatch
):
    monkeypatch.setattr("milestones.dashboard.ON_EXCHANGE_SHOWN", 1)
    for person in (alliance.agc_person, alliance.medinet_person):
        exchange(
            alliance,
            person,
            planned_start=D(2026, 10, 1),
            planned_end=D(2027, 3, 31),
            status="active",
            actual_start=D(2026, 10, 1),
        )
    exchange(alliance, planned_start=D(2027, 10, 1), planned_end=D(2028, 3, 31), status="planned")
    text = manager_client.get(URL).text
    [link] = re.findall(r'<a href="([^"]+)">Showing 1 of 2: see them all</a>', text)
    listed = staff_client.get(link.replace("&amp;", "&")).context["cl"]
    assert sorted(e.status for e in listed.result_list) == ["active", "active"]


def test_an_exchange_spanning_a_quarter_boundary_counts_in_both_quarters(alliance):
    exchange(alliance, planned_start=D(2026, 3, 15), planned_end=D(2026, 4, 15))
    chart = headcount(
        Exchange.objects.all(),
        quarters_between(D(2026, 1, 1), D(2026, 9, 30)),
        {alliance.agc.pk: "AGC", alliance.medinet.pk: "MEDINET"},
    )
    assert chart.counts[("AGC → MEDINET", "manufacturing")] == [1, 1, 0]


def test_cancelled_exchanges_are_not_headcount(alliance):
    exchange(alliance, planned_start=D(2026, 3, 15), planned_end=D(2026, 4, 15), status="cancelled")
    chart = headcount(Exchange.objects.all(), [Quarter(2026, 1)], {})
    assert chart.counts == {}


def test_slips_show_the_reason_who_and_when_from_the_audit_trail(manager_client, alliance, today):
    late = milestone(alliance, title="Inspection readiness", baseline_date=D(2026, 9, 30))
    late.forecast_date = D(2026, 12, 11)
    late._change_reason = "Mock inspection found gaps in deviation trending"
    late.save()
    milestone(alliance, title="No forecast yet", baseline_date=D(2027, 3, 31))
    slips = manager_client.get(URL).context["slips"]
    assert [(s.milestone.title, s.days, s.reason) for s in slips] == [
        ("Inspection readiness", 72, "Mock inspection found gaps in deviation trending")
    ]
    assert slips[0].moved_by == "system"


def test_site_readiness_counts_done_and_names_the_next_milestone(manager_client, alliance, today):
    milestone(
        alliance,
        title="Suite qualified",
        site=alliance.yokohama,
        baseline_date=D(2025, 5, 15),
        actual_date=D(2025, 6, 10),
        status="done",
    )
    milestone(alliance, title="Launch", site=alliance.yokohama, baseline_date=D(2026, 12, 21))
    milestone(alliance, title="Dropped", site=alliance.yokohama, baseline_date=D(2026, 1, 1), status="cancelled")
    rows = {row.site.name: row for row in manager_client.get(URL).context["sites"]}
    yokohama = rows["Yokohama Technical Center"]
    assert (yokohama.done, yokohama.total, yokohama.next_title) == (1, 2, "Launch")
    assert rows["Shinagawa Cell Processing Center"].total == 0


def test_empty_dashboard_says_so(manager_client, db, today):
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert "No milestones match these filters." in response.text
    assert "No open milestone." in response.text
    assert "Nobody is on exchange today." in response.text


def test_all_done_has_no_next_milestone_and_no_slips(manager_client, alliance, today):
    milestone(alliance, baseline_date=D(2025, 1, 1), actual_date=D(2025, 1, 1), status="done")
    response = manager_client.get(URL)
    assert response.context["next_milestone"] is None
    assert response.context["slips"] == []
    assert '<strong data-rag="green">1</strong>' in response.text


def test_filter_by_site_is_kept_in_the_url_and_narrows_milestones(manager_client, alliance, today):
    milestone(alliance, title="At Yokohama", site=alliance.yokohama)
    milestone(alliance, title="At Shinagawa", site=alliance.shinagawa)
    response = manager_client.get(URL, {"site": alliance.yokohama.pk})
    titles = [row.milestone.title for row in response.context["timeline"].rows]
    assert titles == ["At Yokohama"]
    assert f'<option value="{alliance.yokohama.pk}" selected>' in response.text


def test_date_window_filters_milestones(manager_client, alliance, today):
    milestone(alliance, title="2025 thing", baseline_date=D(2025, 6, 1))
    milestone(alliance, title="2027 thing", baseline_date=D(2027, 6, 1))
    response = manager_client.get(URL, {"start": "2027-01-01", "end": "2027-12-31"})
    assert [row.milestone.title for row in response.context["timeline"].rows] == ["2027 thing"]


@pytest.mark.parametrize(
    "query",
    [{"start": "2027-01-01", "end": "2026-01-01"}, {"start": "yesterday"}, {"site": "999999"}, {"partnership": "x"}],
)
def test_bad_filters_get_a_clear_400_not_a_500(manager_client, alliance, query):
    response = manager_client.get(URL, query)
    assert response.status_code == 400
    assert 'role="alert"' in response.text


def test_timeline_draws_baseline_and_forecast_with_status_shape_and_dependencies(manager_client, alliance, today):
    first = milestone(
        alliance, title="QC method transfer", baseline_date=D(2026, 6, 30), actual_date=D(2026, 9, 4), status="done"
    )
    second = milestone(
        alliance,
        title="Inspection readiness",
        baseline_date=D(2026, 9, 30),
        forecast_date=D(2026, 12, 11),
        status="in_progress",
    )
    milestone_set_dependencies(milestone=second, depends_on=[first])
    response = manager_client.get(URL)
    timeline = response.context["timeline"]
    row = next(r for r in timeline.rows if r.milestone == second)
    assert row.marker == "square" and row.baseline_x < row.expected_x
    assert len(timeline.links) == 1
    assert "<svg" in response.text and "<polygon" in response.text
    assert "today" in response.text
    assert "QC method transfer</td>" in response.text.replace("\n", "")  # in the accessible table's dependency column


def test_the_timeline_writes_a_hostile_title_as_text_in_the_chart_and_the_table(manager_client, alliance, today):
    hostile = '<img src=x onerror=alert(1)> & "Q"'
    late = milestone(alliance, title=hostile, baseline_date=D(2026, 9, 30), forecast_date=D(2026, 12, 11))
    text = manager_client.get(URL).text
    assert "<img src=x" not in text
    chart = text[text.index("<svg") : text.index("</svg>")]
    written = "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;Q&quot;"
    assert f"<title>{written}: baseline 30 Sep 2026, expected 11 Dec 2026 (Late)</title>" in chart
    assert f'<a href="{late.get_absolute_url()}"><text x="14"' in chart
    assert f">{written}</text></a>" in chart  # the label, short enough to be whole
    table = text[text.index('id="milestone-table"') :]
    assert f'<a href="{late.get_absolute_url()}">{written}</a>' in table


def test_the_timeline_and_slips_link_each_milestone_to_its_own_page(manager_client, alliance, today):
    drawn = [
        milestone(alliance, title=f"Moved {n}", baseline_date=D(2026, 9, n + 1), forecast_date=D(2026, 12, n + 1))
        for n in range(3)
    ]
    context = manager_client.get(URL).context
    own_pages = {m.title: m.get_absolute_url() for m in drawn}
    assert {row.title: row.url for row in context["timeline"].rows} == own_pages
    assert {slip.title: slip.url for slip in context["slips"]} == own_pages


@pytest.mark.parametrize("prefix", ["/", "/tracker/", "/t999999999/"])
def test_milestone_links_made_once_a_page_are_each_milestones_own_under_any_script_prefix(alliance, prefix):
    """The link is reversed once with a stand-in key; a prefix that holds the stand-in's digits reverses each one."""
    milestones = [milestone(alliance, title=f"Linked {n}") for n in range(2)]
    with override_script_prefix(prefix):
        link = detail_urls()
        assert [link(m.pk) for m in milestones] == [m.get_absolute_url() for m in milestones]
        assert link(milestones[0].pk).startswith(prefix)


def test_dashboard_runs_the_same_queries_at_any_size(manager_client, alliance, today):
    for n in range(5):
        milestone(alliance, title=f"Small {n}", baseline_date=D(2026, 1 + n, 1), forecast_date=D(2026, 2 + n, 1))
    add_synthetic_exchanges(alliance.partnership, 10, seed=1)
    manager_client.get(URL)
    cache.clear()  # every panel computed, none from the cache
    with CaptureQueriesContext(connection) as small:
        manager_client.get(URL)
    for n in range(60):
        milestone(
            alliance,
            title=f"Large {n}",
            site=alliance.yokohama,
            baseline_date=D(2027, 1, 1) + datetime.timedelta(n),
            forecast_date=D(2027, 2, 1) + datetime.timedelta(n),
        )
    add_synthetic_exchanges(alliance.partnership, 1500, seed=2)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        response = manager_client.get(URL)
    assert response.context["milestones_total"] == 65
    assert len(large) == len(small) <= COLD_QUERIES


def test_a_long_timeline_shows_the_milestones_nearest_today_and_says_so(manager_client, alliance, today, monkeypatch):
    monkeypatch.setattr("milestones.dashboard.TIMELINE_ROWS", 2)
    for title, day in [
        ("Long ago", D(2024, 10, 1)),
        ("Soon", D(2026, 12, 1)),
        ("Just done", D(2026, 11, 1)),
        ("Far future", D(2029, 1, 1)),
    ]:
        milestone(alliance, title=title, baseline_date=day)
    response = manager_client.get(URL)
    assert [row.milestone.title for row in response.context["timeline"].rows] == ["Just done", "Soon"]
    assert "Showing the 2 milestones due nearest to today, of 4." in response.text
    assert '<strong data-rag="red">2</strong>' in response.text  # the headline still counts them all


def section_headings(page: str) -> list[str]:
    return re.findall(r'<h2 class="[^"]*" id="([a-z-]+)-heading"', page)


def test_the_dashboard_shows_its_panels_top_to_bottom(manager_client, alliance, today):
    headings = section_headings(manager_client.get(URL).text)
    assert headings == [
        "headline",
        "timeline",
        "years",
        "slips",
        "heatmap",
        "overdue",
        "sites",
        "exchanges",
        "training",
        "calendar",
    ]


def test_the_page_draws_the_panels_the_registry_lists_in_its_order(manager_client, alliance, today, monkeypatch):
    monkeypatch.setattr(panels, "PANELS", [panels.Calendar(), panels.Sites()])
    response = manager_client.get(URL)
    assert section_headings(response.text) == ["calendar", "sites"]
    assert "Renew my calendar link" in response.text  # the panel sees the page's request for its CSRF token
    assert "csrfmiddlewaretoken" in response.text


def test_staff_and_auditors_can_read_the_dashboard(staff_client, alliance, today):
    assert staff_client.get(URL).status_code == 200


def test_milestone_detail_shows_how_the_forecast_moved(manager_client, alliance, today):
    launch = milestone(alliance, title="Yokohama launch", baseline_date=D(2026, 10, 1))
    for forecast, reason in [(D(2026, 11, 1), "Inspection slot moved"), (D(2026, 12, 21), "CAPA from mock inspection")]:
        launch.forecast_date = forecast
        launch._change_reason = reason
        launch.save()
    response = manager_client.get(reverse("milestones:detail", args=[launch.pk]))
    moves = response.context["movement"]
    assert [(m.forecast, m.slip_days, m.reason) for m in moves] == [
        (None, 0, ""),
        (D(2026, 11, 1), 31, "Inspection slot moved"),
        (D(2026, 12, 21), 81, "CAPA from mock inspection"),
    ]
    assert "CAPA from mock inspection" in response.text
    assert "Audit trail" in response.text


def test_exchange_detail_shows_its_trail_to_auditors_only(auditor_client, alliance):
    record = exchange(alliance)
    response = auditor_client.get(reverse("partners:exchange_detail", args=[record.pk]))
    assert response.status_code == 200
    assert "Yui Takahashi: AGC → MEDINET" in response.text
    assert "Audit trail" in response.text


def test_staff_see_exchange_detail_without_the_trail(staff_client, alliance):
    record = exchange(alliance)
    response = staff_client.get(reverse("partners:exchange_detail", args=[record.pk]))
    assert response.status_code == 200
    assert "Audit trail" not in response.text


def test_closed_sites_are_left_out_of_readiness(manager_client, alliance, today):
    SiteFactory(status="closed", name="Old facility")
    names = [row.site.name for row in manager_client.get(URL).context["sites"]]
    assert "Old facility" not in names
    assert "Yokohama Technical Center" in names


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("a" * 44, "a" * 44),
        ("a" * 45, "a" * 43 + "…"),
        ("横" * 22, "横" * 22),
        ("横" * 23, "横" * 21 + "…"),
        ("a" * 43 + "横", "a" * 43 + "…"),
    ],
)
def test_timeline_labels_fit_their_column_in_either_script(title, shown):
    """A Japanese character is twice as wide as a Latin letter, so it counts twice against the label column."""
    assert fit(title, LABEL_COLUMNS) == shown


def test_the_timeline_lists_milestones_by_site_then_baseline(manager_client, alliance, today):
    milestone(alliance, title="Yokohama first", site=alliance.yokohama, baseline_date=D(2026, 12, 1))
    milestone(alliance, title="Shinagawa", site=alliance.shinagawa, baseline_date=D(2026, 12, 5))
    milestone(alliance, title="Partnership-wide", site=None, baseline_date=D(2026, 12, 10))
    milestone(alliance, title="Yokohama second", site=alliance.yokohama, baseline_date=D(2026, 11, 20))
    rows = manager_client.get(URL).context["timeline"].rows
    titles = [row.milestone.title for row in rows]
    assert titles == ["Partnership-wide", "Shinagawa", "Yokohama second", "Yokohama first"]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_timeline_and_slips_write_dates_as_the_date_filter_does(manager_client, alliance, today, language):
    milestone(alliance, title="Dated", baseline_date=D(2026, 12, 3), forecast_date=D(2027, 1, 9))
    text = manager_client.get(URL, HTTP_ACCEPT_LANGUAGE=language).text
    with translation.override(language):
        baseline, forecast = (formats.date_format(day, "SHORT_DATE_FORMAT") for day in (D(2026, 12, 3), D(2027, 1, 9)))
    with translation.override(language):
        tooltip = f"{translation.gettext('baseline')} {baseline}, {translation.gettext('expected')} {forecast}"
    chart = text[text.index("<svg") : text.index("</svg>")]
    assert f"<title>Dated: {tooltip} (" in chart
    timeline_table = text[text.index('id="milestone-table"') :]
    assert f"<td>{baseline}</td>\n        <td>{forecast}</td>" in timeline_table
    slips_table = text[text.index('id="slips-table"') :]
    assert f"<td>{baseline}</td>\n        <td>{forecast}</td>" in slips_table


def test_a_milestone_whose_status_no_choice_names_is_drawn_with_its_stored_value(manager_client, alliance, today):
    """A status written outside the app (no constraint holds the column to the choices): the timeline shows what is
    stored, as the milestone's own page does, instead of failing the whole dashboard."""
    milestone = MilestoneFactory(partnership=alliance.partnership, title="Imported", baseline_date=today)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE milestones_milestone SET status = 'paused' WHERE id = %s", [milestone.pk])
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert "paused" in response.text
