"""The dashboard's training figures, counted in SQL, against a straightforward reading of every cell's status.

The data mixes what decides an audit finding: expiry on the day itself, months without the completion's day, a newer
version taking effect, a later record on an older version, a failed retraining, QA approval given or not, people
inactive or without a home site, a curriculum at one site beside one for every site.
"""

from __future__ import annotations

import datetime
from collections import Counter

import pytest

from audit.versions import version_of
from partners.models import Person
from signatures.services import signature_create
from tests.factories import PersonFactory, SiteFactory, UserFactory
from tests.training.test_status import requirement, trained, version
from training import readiness
from training.models import Curriculum, TrainingRecord, add_months
from training.status import expiring_window, matrix, valid_records

D = datetime.date


@pytest.fixture
def mixed(alliance):
    monthly = requirement("SOP-MONTHLY", validity=1)  # month ends: 31 Jan + 1 month = 28/29 Feb
    yearly = requirement("SOP-YEARLY", validity=12)
    forever = requirement("SOP-FOREVER", validity=None)
    revised = requirement("SOP-REVISED", validity=24)
    version(revised, 2, D(2026, 3, 1))
    approved_only = requirement("SOP-QA", validity=12, requires_qa_approval=True)
    other_site = SiteFactory(company=alliance.agc_bio, name="Other plant")
    everywhere = Curriculum.objects.create(name="Manufacturing", function="manufacturing")
    everywhere.requirements.set([yearly, forever])
    local = Curriculum.objects.create(name="Manufacturing, Yokohama", function="manufacturing", site=alliance.yokohama)
    local.requirements.set([monthly, revised])
    quality = Curriculum.objects.create(name="QC", function="quality_control")
    quality.requirements.set([approved_only, yearly])

    def person(name, site=alliance.yokohama, function="manufacturing", **fields):
        return PersonFactory(name=name, employer=alliance.agc_bio, home_site=site, function=function, **fields)

    def done(who, req, day, number=1, **fields):
        return trained(who, req, day, number, **fields)

    qa = UserFactory(username="qa-approver", role="QA approver")
    trainer = PersonFactory(name="Trainer", employer=alliance.agc_bio, user=UserFactory(username="trainer"))
    for n, day in enumerate([D(2026, 1, 31), D(2026, 2, 28), D(2025, 12, 31), D(2026, 3, 30), D(2026, 10, 15)]):
        who = person(f"Yokohama {n}")
        done(who, yearly, day)
        done(who, forever, D(2025, 1, 1))
        done(who, monthly, day)
        done(who, revised, D(2026, 3, 1) if n % 2 else D(2025, 6, 1), 2 if n % 2 else 1)
    late_old_version = person("Late old version")
    for req in (yearly, forever, monthly):
        done(late_old_version, req, D(2026, 10, 1))
    done(late_old_version, revised, D(2026, 3, 2), 2)
    done(late_old_version, revised, D(2026, 4, 1), 1)  # later, on the older version: this one decides
    same_day = person("Same day, two versions")
    for req in (yearly, forever, monthly):
        done(same_day, req, D(2026, 10, 1))
    done(same_day, revised, D(2026, 4, 1), 2)
    done(same_day, revised, D(2026, 4, 1), 1)  # entered after, on the same day: the newer version still decides
    failed_again = person("Failed again")
    done(failed_again, yearly, D(2026, 2, 1))
    done(failed_again, yearly, D(2026, 6, 1), result=TrainingRecord.Result.FAILED)
    done(failed_again, forever, D(2025, 1, 1))
    elsewhere = person("Elsewhere", site=other_site)
    done(elsewhere, yearly, D(2026, 5, 31))
    done(elsewhere, forever, D(2026, 5, 31))
    person("Nobody trained", site=other_site)
    gone = person("Gone", active=False)
    done(gone, yearly, D(2026, 5, 1))
    done(gone, forever, D(2026, 5, 1))
    person("No site", site=None)
    for n, approve in enumerate([True, False]):
        checker = person(f"QC {n}", function="quality_control")
        done(checker, yearly, D(2026, 4, 30))
        record = done(checker, approved_only, D(2026, 5, 31), trainer=trainer)
        if approve:
            signature_create(
                record=record,
                signer=qa,
                meaning="approved",
                opened_version=version_of(TrainingRecord, record.pk),
            )
    return alliance


def edge_days() -> list[datetime.date]:
    """Each record's expiry, the day before it, and the warning window's edges; each version's first day."""
    days = {D(2026, 11, 25)}
    window = datetime.timedelta(days=expiring_window())
    for completed, months in TrainingRecord.objects.values_list("completed_on", "requirement__validity_months"):
        if months:
            expires = add_months(completed, months)
            days |= {
                expires,
                expires - datetime.timedelta(1),
                expires - window,
                expires - window - datetime.timedelta(1),
            }
    days |= {D(2026, 3, 1), D(2026, 2, 28)}
    return sorted(days)


def straightforward(day: datetime.date) -> tuple[Counter, Counter]:
    """People cleared per (site, function), from every cell's status, person by person."""
    curricula = list(Curriculum.objects.prefetch_related("requirements"))
    people = Person.objects.filter(active=True, home_site__isnull=False, function__in={c.function for c in curricula})
    requirements = {r for c in curricula for r in c.requirements.all()}
    grid = matrix([p.pk for p in people], requirements, day)
    cleared, totals = Counter(), Counter()
    for p in people:
        totals[(p.home_site_id, p.function)] += 1
        needed = {
            r.pk
            for c in curricula
            if c.function == p.function and c.site_id in (None, p.home_site_id)
            for r in c.requirements.all()
        }
        if needed and all(grid[(p.pk, r)].status.valid for r in needed):
            cleared[(p.home_site_id, p.function)] += 1
    return cleared, totals


def test_people_cleared_per_site_and_function_match_the_status_of_every_cell(mixed):
    days = edge_days()
    assert len(days) > 20
    seen = set()
    for day in days:
        counted = readiness.qualified(day)
        cleared, totals = straightforward(day)
        assert (+counted.cleared, counted.totals) == (+cleared, totals), day
        seen.add(sum(cleared.values()))
    assert len(seen) >= 3  # the days chosen move the figures


def test_valid_records_are_the_cells_whose_status_is_valid(mixed):
    people = list(Person.objects.values_list("pk", flat=True))
    from training.models import Requirement

    requirements = list(Requirement.objects.all())
    for day in edge_days():
        grid = matrix(people, requirements, day)
        expected = {key for key, q in grid.items() if q.status.valid}
        assert set(valid_records(day).values_list("person_id", "requirement_id")) == expected, day


def test_what_expires_soon_matches_the_status_of_every_cell(mixed):
    from training.models import Requirement

    people = list(Person.objects.values_list("pk", flat=True))
    requirements = list(Requirement.objects.all())
    names = dict(Person.objects.values_list("pk", "name"))
    codes = {r.pk: r.code for r in requirements}
    for day in edge_days():
        grid = matrix(people, requirements, day)
        soon = sorted(
            ((q.expires_on, q.completed_on, names[p], codes[r]) for (p, r), q in grid.items() if q.status == "expiring")
        )
        shown, total = readiness.expiring(day, limit=3)
        assert total == len(soon), day
        assert [(e.expires_on, e.person.name, e.requirement.code) for e in shown] == [
            (expires, name, code) for expires, _done, name, code in soon[:3]
        ], day
