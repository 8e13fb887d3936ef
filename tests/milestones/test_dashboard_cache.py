"""The dashboard's panels come from the cache until a record they read changes, the day turns or the reader's
language differs; a repeat load reads none of the records."""

from __future__ import annotations

import datetime
import re

import pytest
from django.apps import apps
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.versions import version_of
from demo.seed import add_synthetic_exchanges
from governance.models import Risk
from milestones import cache as dashboard_cache
from milestones.dashboard import Filters
from milestones.models import Milestone
from milestones.panels import PANELS, Board
from partners.models import Exchange
from signatures.services import signature_create
from tests.factories import (
    ActionFactory,
    ExchangeFactory,
    MilestoneFactory,
    PersonFactory,
    RiskFactory,
    SiteFactory,
    UserFactory,
)
from tests.training.test_status import requirement, trained
from training.models import Curriculum, TrainingRecord

D = datetime.date
URL = reverse("milestones:dashboard")
# The page's own queries, whatever the data: session, user, the two permission lookups, the filter form's
# companies, partnerships and sites, and the calendar panel's token (the one panel drawn per user).
WARM_QUERIES = 8
RECORD_TABLES = ("milestones_", "partners_exchange", "partners_person", "training_", "governance_", "signatures_")


@pytest.fixture
def day(monkeypatch):
    today = {"value": D(2026, 11, 25)}
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: today["value"])
    return today


@pytest.fixture
def launch(alliance, day):
    return MilestoneFactory(
        partnership=alliance.partnership,
        title="Yokohama launch",
        baseline_date=D(2026, 10, 1),
        forecast_date=D(2026, 12, 21),
        status="in_progress",
        countdown=True,
    )


def countdown(page: str) -> int:
    return int(re.search(r'data-countdown="(-?\d+)"', page)[1])


def on_exchange_total(response) -> str:
    return re.search(r'id="exchanges-heading".*?</section>', response.text, re.S)[0]


def test_a_second_load_reads_no_records_and_shows_the_same_page(manager_client, launch):
    first = manager_client.get(URL)
    with CaptureQueriesContext(connection) as warm:
        second = manager_client.get(URL)
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", second.text) == token.sub("", first.text)
    assert len(warm) <= WARM_QUERIES
    assert not [q["sql"] for q in warm if any(f'"{t}' in q["sql"] for t in RECORD_TABLES)]


def test_a_saved_change_shows_on_the_next_load(manager_client, launch):
    assert countdown(manager_client.get(URL).text) == 26
    launch.forecast_date = D(2026, 12, 31)
    launch._change_reason = "Fill-finish line late"
    launch.save()
    assert countdown(manager_client.get(URL).text) == 36


def test_a_deleted_record_leaves_the_next_load(manager_client, launch):
    assert "data-countdown" in manager_client.get(URL).text
    launch._change_reason = "Entered twice"
    launch.delete()
    assert "data-countdown" not in manager_client.get(URL).text


def test_bulk_writes_show_on_the_next_load(manager_client, alliance, launch):
    assert manager_client.get(URL).context["direction_counts"] == []
    add_synthetic_exchanges(alliance.partnership, 30, seed=3)  # bulk_create: no post_save
    after = manager_client.get(URL).context["direction_counts"]
    shown = sum(r.planned + r.active + r.completed for r in after)
    assert shown == Exchange.objects.exclude(status=Exchange.Status.CANCELLED).count() > 0


def test_a_curriculum_change_and_a_qa_approval_show_on_the_next_load(manager_client, alliance, launch):
    gowning = requirement("SOP-GOWN-B", validity=12)
    approval = requirement("SOP-QA-REL", validity=None, requires_qa_approval=True)
    curriculum = Curriculum.objects.create(name="Aseptic", function="manufacturing", site=alliance.yokohama)
    curriculum.requirements.set([gowning])
    aya = PersonFactory(name="Aya", employer=alliance.agc_bio, home_site=alliance.yokohama)
    trained(aya, gowning, D(2026, 6, 1))
    trainer = PersonFactory(name="Trainer", employer=alliance.agc_bio, user=UserFactory(username="trainer"))
    record = trained(aya, approval, D(2026, 6, 1), trainer=trainer)

    def qualified() -> int:
        [row] = manager_client.get(URL).context["headcounts"]
        return row.qualified

    assert qualified() == 1
    curriculum.requirements.add(approval)  # many-to-many: no save of either record
    assert qualified() == 0
    signature_create(
        record=record,
        signer=UserFactory(username="qa", role="QA approver"),
        meaning="approved",
        opened_version=version_of(TrainingRecord, record.pk),
    )
    assert qualified() == 1


def test_a_cached_dashboard_turns_over_at_midnight(manager_client, launch, day):
    assert countdown(manager_client.get(URL).text) == 26
    day["value"] = D(2026, 11, 26)
    assert countdown(manager_client.get(URL).text) == 25


def test_each_language_has_its_own_panels(manager_client, launch):
    assert "Launch countdown" in manager_client.get(URL).text
    assert "Launch countdown" not in manager_client.get(URL, headers={"accept-language": "ja"}).text


def test_each_filter_set_has_its_own_panels(manager_client, alliance, launch):
    kobe_site = SiteFactory(company=alliance.medinet, name="Kobe")
    MilestoneFactory(partnership=alliance.partnership, title="Kobe only", site=kobe_site)
    everything = manager_client.get(URL)
    kobe = manager_client.get(URL, {"site": kobe_site.pk})
    assert "Kobe only" in everything.text and "Yokohama launch" in everything.text
    assert "Kobe only" in kobe.text and "Yokohama launch" not in kobe.text


def test_a_write_moves_the_generation_again_when_it_commits(db, django_capture_on_commit_callbacks, alliance):
    """A dashboard drawn by another request between the write and its commit read the old rows: the bump at commit
    leaves what it kept behind."""
    before = dashboard_cache.generation("Timeline")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        MilestoneFactory(partnership=alliance.partnership, title="New")
        during = dashboard_cache.generation("Timeline")
    assert len({before, during, dashboard_cache.generation("Timeline")}) == 3
    assert any(getattr(callback, "func", None) is dashboard_cache.bump for callback in callbacks)


def test_writes_the_panels_do_not_read_leave_the_cache_alone(manager_client, launch):
    manager_client.get(URL)
    before = dashboard_cache.generations(CACHED)
    UserFactory(username="someone-new")
    assert redrawn(manager_client.get(URL)) == set()
    assert dashboard_cache.generations(CACHED) == before


# --- Each write refreshes the panels that show what it changed, and no other. ---

CACHED = [panel.name for panel in PANELS if panel.cached]
TEMPLATES = {panel.template_name: panel.name for panel in PANELS if panel.cached}


def redrawn(response) -> set[str]:
    """The panels the page computed afresh rather than took from the cache."""
    panels = response.context["panels"]
    return {TEMPLATES[f.template_name] for f in panels if f.template_name in TEMPLATES and f.html is None}


@pytest.fixture
def board(alliance, launch, day):
    """A dashboard with something in every panel: a slipped milestone, someone on exchange today, an overdue action
    and an open risk, a curriculum with a cleared person."""
    yui = alliance.agc_person
    ExchangeFactory(
        person=yui,
        partnership=alliance.partnership,
        host_company=alliance.medinet,
        host_site=alliance.shinagawa,
        planned_start=D(2026, 10, 1),
        planned_end=D(2027, 3, 31),
        actual_start=D(2026, 10, 1),
        status="active",
    )
    ActionFactory(partnership=alliance.partnership, owner=alliance.medinet_person, due_on=D(2026, 11, 1))
    RiskFactory(partnership=alliance.partnership, owner=alliance.medinet_person, review_on=D(2026, 11, 1))
    gowning = requirement("SOP-GOWN-B", validity=12)
    curriculum = Curriculum.objects.create(name="Aseptic", function="manufacturing", site=alliance.yokohama)
    curriculum.requirements.set([gowning])
    trained(yui, gowning, D(2026, 6, 1))
    return alliance


def training_people(response) -> int:
    return sum(row.people for row in response.context["headcounts"])


def test_a_person_added_without_exchange_or_home_site_refreshes_no_panel(manager_client, board):
    manager_client.get(URL)
    PersonFactory(name="Load Person", employer=board.agc_bio, home_site=None)
    assert redrawn(manager_client.get(URL)) == set()


def test_a_sign_in_refreshes_no_panel(manager_client, board):
    manager_client.get(URL)
    kenji = UserFactory(username="kenji", role="Manager")
    manager_client.force_login(kenji)  # another manager signs in: their last_login saved, as at every sign-in
    kenji.refresh_from_db()
    assert kenji.last_login is not None
    assert redrawn(manager_client.get(URL)) == set()


def test_a_login_renamed_refreshes_the_slips_that_name_it(manager_client, board, launch):
    mover = UserFactory(username="planner")
    launch.forecast_date = D(2027, 1, 15)
    launch._change_reason = "Late"
    launch._history_user = mover
    launch.save()
    assert "planner" in manager_client.get(URL).text
    mover.username = "planner-2"
    mover.save()
    after = manager_client.get(URL)
    assert "planner-2" in after.text
    assert redrawn(after) == {"Slips"}


def test_a_person_added_at_a_site_refreshes_the_training_headcount_alone(manager_client, board):
    before = training_people(manager_client.get(URL))
    PersonFactory(name="New operator", employer=board.agc_bio, home_site=board.yokohama, function="manufacturing")
    after = manager_client.get(URL)
    assert redrawn(after) == {"Training"}
    assert training_people(after) == before + 1


def test_a_person_on_exchange_renamed_refreshes_the_panels_that_name_them(manager_client, board):
    assert "Yui Takahashi" in on_exchange_total(manager_client.get(URL))
    yui = board.agc_person
    yui.name = "Yui Takahashi-Mori"
    yui._change_reason = "Married name"
    yui.save()
    after = manager_client.get(URL)
    assert "Yui Takahashi-Mori" in on_exchange_total(after)
    assert {"Exchanges", "Training", "Overdue"} <= redrawn(after)
    assert "RiskHeatMap" not in redrawn(after)


def test_an_exchange_added_refreshes_the_exchange_figures_alone(manager_client, board):
    before = manager_client.get(URL).context["on_exchange_total"]
    ExchangeFactory(
        person=board.medinet_person,
        partnership=board.partnership,
        host_company=board.agc_bio,
        host_site=board.yokohama,
        planned_start=D(2026, 11, 1),
        planned_end=D(2027, 1, 31),
        actual_start=D(2026, 11, 2),
        status="active",
    )
    after = manager_client.get(URL)
    assert redrawn(after) == {"Headline", "Exchanges"}
    assert after.context["on_exchange_total"] == before + 1


def test_a_milestone_moved_refreshes_the_milestone_panels_and_leaves_the_others(manager_client, board, launch):
    assert countdown(manager_client.get(URL).text) == 26
    launch.forecast_date = D(2026, 12, 31)
    launch._change_reason = "Fill-finish line late"
    launch.save()
    after = manager_client.get(URL)
    assert countdown(after.text) == 36
    assert redrawn(after) == {"Headline", "Timeline", "Years", "Slips", "Sites", "Training"}


def test_a_risk_rescored_refreshes_the_governance_panels_alone(manager_client, board):
    manager_client.get(URL)
    risk = Risk.objects.get()
    risk.likelihood = 5
    risk._change_reason = "Supplier lost"
    risk.save()
    assert redrawn(manager_client.get(URL)) == {"RiskHeatMap", "Overdue"}


def test_a_site_renamed_refreshes_every_panel_that_names_sites(manager_client, board):
    manager_client.get(URL)
    site = board.yokohama
    site.name = "Yokohama Cell Center"
    site._change_reason = "Renamed"
    site.save()
    after = manager_client.get(URL)
    assert "Yokohama Cell Center" in after.text
    assert {"Headline", "Timeline", "Sites", "Exchanges", "Training"} <= redrawn(after)


def tables_read(panel, board_filters, today, user) -> set[str]:
    """The tables a panel's figures and its drawing read: a relation left out of a query is read as the template
    renders it."""
    fresh = Board(filters=board_filters, today=today, user=user)
    with CaptureQueriesContext(connection) as queries:
        render_to_string(panel.template_name, {**panel.get_context(fresh), "today": today})
    return {table for query in queries for table in re.findall(r'(?:FROM|JOIN) "(\w+)"', query["sql"])}


@pytest.mark.parametrize("filtered", [False, True])
def test_each_panel_names_every_table_its_queries_read(board, filtered):
    """A panel reading a table it does not name would show a write to it late: this finds it."""
    tables = {model._meta.db_table: model._meta.label.lower() for model in apps.get_models(include_auto_created=True)}
    filters = Filters(site=board.yokohama, start=D(2025, 1, 1), end=D(2027, 12, 31)) if filtered else Filters()
    user = UserFactory(username="reader")
    for panel in PANELS:
        if not panel.cached:
            continue
        named = {label.lower() for label in (*panel.reads, *panel.refers_to)}
        read = {tables[table] for table in tables_read(panel, filters, D(2026, 11, 25), user)}
        assert read <= named, f"{panel.name} reads {sorted(read - named)} without naming them"


def test_a_write_is_saved_when_the_cache_cannot_be_reached(db, alliance, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(dashboard_cache.cache, "set", unreachable)
    milestone = MilestoneFactory(partnership=alliance.partnership, title="Saved anyway")
    assert Milestone.objects.filter(pk=milestone.pk, title="Saved anyway").exists()
    assert "could not be told of a write" in caplog.text
