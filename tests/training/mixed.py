"""Training data that mixes what decides an audit finding: expiry on the day itself, months without the completion's
day, a newer version taking effect, a later record on an older version, a failed retraining, QA approval given or not,
people inactive or without a home site, a curriculum at one site beside one for every site.

``mixed`` builds it for one test. ``board`` gives each test of a module the same data read on ``TODAY``, built once for
the module (tests/module_data.py): the summaries' tests read it on many days after writes of every kind, and building it
for each of them was most of their time.
"""

from __future__ import annotations

import datetime

import pytest

from audit.versions import version_of
from signatures.services import signature_create
from tests.factories import Alliance, PersonFactory, SiteFactory, UserFactory, the_alliance
from tests.module_data import as_if_committed, built_for_the_module, own_copy
from tests.training.test_status import requirement, trained, version
from training.models import Curriculum, TrainingRecord

D = datetime.date
TODAY = D(2026, 11, 25)


def mixed_training(alliance: Alliance) -> Alliance:
    """The training records, curricula and approvals of the module's docstring, for ``alliance``."""
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


@pytest.fixture
def mixed(alliance: Alliance) -> Alliance:
    return mixed_training(alliance)


def on_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def _board_built() -> Alliance:
    with pytest.MonkeyPatch.context() as patch:
        on_today(patch)
        built = mixed_training(the_alliance())
        # The curricula rebuild the clearance summary once their transaction commits: run it now, on TODAY.
        as_if_committed()
    return built


@pytest.fixture(scope="module")
def board_kept(django_db_blocker):
    with built_for_the_module(django_db_blocker, _board_built) as built:
        yield built


@pytest.fixture
def today(monkeypatch) -> datetime.date:
    on_today(monkeypatch)
    return TODAY


@pytest.fixture
def board(board_kept, today, db) -> Alliance:
    """The mixed data, read on TODAY, built once for the module."""
    return own_copy(board_kept)
