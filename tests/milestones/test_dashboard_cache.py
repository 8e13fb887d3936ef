"""The dashboard's panels come from the cache until a record they read changes, the day turns or the reader's
language differs; a repeat load reads none of the records."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.versions import version_of
from demo.seed import add_synthetic_exchanges
from milestones import cache as dashboard_cache
from milestones.models import Milestone
from partners.models import Exchange
from signatures.services import signature_create
from tests.factories import MilestoneFactory, PersonFactory, SiteFactory, UserFactory
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
    before = dashboard_cache.generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        MilestoneFactory(partnership=alliance.partnership, title="New")
        during = dashboard_cache.generation()
    assert len({before, during, dashboard_cache.generation()}) == 3
    assert dashboard_cache.bump in callbacks


def test_writes_the_panels_do_not_read_leave_the_cache_alone(manager_client, launch):
    manager_client.get(URL)
    before = dashboard_cache.generation()
    UserFactory(username="someone-new")
    manager_client.get(URL)
    assert dashboard_cache.generation() == before


def test_a_write_is_saved_when_the_cache_cannot_be_reached(db, alliance, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(dashboard_cache.cache, "set", unreachable)
    milestone = MilestoneFactory(partnership=alliance.partnership, title="Saved anyway")
    assert Milestone.objects.filter(pk=milestone.pk, title="Saved anyway").exists()
    assert "could not be told of a write" in caplog.text
