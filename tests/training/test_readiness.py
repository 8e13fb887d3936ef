from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.seed import add_synthetic_exchanges
from partners.models import Person
from tests.factories import MilestoneFactory, PersonFactory
from tests.training.test_status import requirement, trained
from training import readiness
from training.models import Curriculum

D = datetime.date


@pytest.fixture
def today(monkeypatch):
    day = D(2026, 11, 25)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)
    return day


def test_dashboard_compares_qualified_people_with_what_a_milestone_needs(manager_client, alliance, today):
    gowning = requirement("SOP-GOWN-B", validity=12)
    curriculum = Curriculum.objects.create(name="Aseptic, Yokohama", function="manufacturing", site=alliance.yokohama)
    curriculum.requirements.set([gowning])
    ready = PersonFactory(name="Aya", employer=alliance.agc_bio, home_site=alliance.yokohama)
    trained(ready, gowning, D(2026, 1, 10))  # valid until 2027-01-10: expiring within 60 days
    PersonFactory(name="Ken", employer=alliance.agc_bio, home_site=alliance.yokohama)  # not trained
    MilestoneFactory(
        partnership=alliance.partnership,
        title="Yokohama launch",
        site=alliance.yokohama,
        required_function="manufacturing",
        required_headcount=3,
    )
    response = manager_client.get(reverse("milestones:dashboard"))
    [need] = response.context["training_needs"]
    assert (need.needed, need.qualified, need.short) == (3, 1, 2)
    shown, total = response.context["expiring"]
    assert total == 1 and shown[0].person.name == "Aya" and shown[0].expires_on == D(2027, 1, 10)
    assert "Qualifications expiring soon: 1" in response.text
    [row] = response.context["headcounts"]
    assert (row.site, row.function, row.qualified, row.people) == (alliance.yokohama, "Manufacturing", 1, 3)


def test_a_headcount_need_names_function_headcount_and_site(alliance):
    milestone = MilestoneFactory.build(partnership=alliance.partnership, required_headcount=2)
    with pytest.raises(ValidationError, match="Give both the function and the headcount"):
        milestone.full_clean()
    milestone.required_function = "manufacturing"
    with pytest.raises(ValidationError, match="A headcount need is for a site"):
        milestone.full_clean()


def test_the_training_panel_keeps_the_dashboard_bounded_in_queries(manager_client, alliance, today):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    gowning = requirement("SOP-GOWN-B", validity=12)
    curriculum = Curriculum.objects.create(name="Aseptic, Yokohama", function="manufacturing", site=alliance.yokohama)
    curriculum.requirements.set([gowning])
    MilestoneFactory(
        partnership=alliance.partnership,
        title="Launch",
        site=alliance.yokohama,
        required_function="manufacturing",
        required_headcount=3,
    )
    trained(PersonFactory(employer=alliance.agc_bio, home_site=alliance.yokohama), gowning, D(2026, 1, 10))
    url = reverse("milestones:dashboard")
    manager_client.get(url)
    cache.clear()  # the panels computed each time, not read from the cache
    with CaptureQueriesContext(connection) as few:
        manager_client.get(url)
    for n in range(25):
        person = PersonFactory(employer=alliance.agc_bio, home_site=alliance.yokohama)
        trained(person, requirement(f"SOP-X{n}", validity=12), D(2026, 1, 10))
        trained(person, gowning, D(2026, 1, 10))
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        response = manager_client.get(url)
    assert response.context["training_needs"][0].qualified == 26
    assert len(many) == len(few)


def test_the_cold_dashboard_counts_qualified_people_in_the_same_queries_at_any_number_of_people(
    manager_client, alliance, today
):
    """The training panel reads each person's clearance summary: one query, however many people and records."""
    gowning = requirement("SOP-GOWN-B", validity=12)
    Curriculum.objects.create(name="Manufacturing", function="manufacturing").requirements.set([gowning])
    Curriculum.objects.create(name="QC", function="quality_control").requirements.set([gowning])

    def grow(exchanges: int, seed: int) -> None:
        add_synthetic_exchanges(alliance.partnership, exchanges, seed=seed)
        for person in Person.objects.filter(function__in=["manufacturing", "quality_control"]).exclude(
            training_records__isnull=False
        ):
            trained(person, gowning, D(2026, 1, 10) if person.pk % 3 else D(2025, 1, 10))
        cache.clear()  # every panel computed, none from the cache

    def cold_load() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse("milestones:dashboard"))
        assert response.status_code == 200
        assert readiness.summarised(today) is not None  # counted from the summary, not the records
        return len(queries), sum(h.qualified for h in response.context["headcounts"])

    grow(20, seed=1)
    manager_client.get(reverse("milestones:dashboard"))
    cache.clear()
    small, cleared_small = cold_load()
    grow(600, seed=2)
    large, cleared_large = cold_load()
    assert cleared_large > cleared_small > 0
    assert large == small
