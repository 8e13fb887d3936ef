"""What the demo that `make run` loads holds: the real partnership, its Japanese names, valid records both ways, the
users and their roles, the decisions, risks and actions a first look should find. Loaded once for the module
(tests/module_data.py); tests that load it another way are in test_seed_demo.py."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count

from governance.models import Action, Decision, Meeting, Risk
from milestones.models import Milestone
from milestones.movement import baseline_history
from partners.models import Company, Exchange, Partnership, Person, Site
from signatures.models import Signature
from tests.demo.test_seed_demo import seed
from tests.module_data import as_if_committed, built_for_the_module
from training.models import Curriculum, Requirement

SEEDED = (Company, Site, Person, Exchange, Milestone, Meeting, Decision, Action, Risk, Signature)


def _seeded() -> str:
    output = seed("--password", "demo-pass-123")
    as_if_committed()
    return output


@pytest.fixture(scope="module")
def seeded(django_db_blocker):
    with built_for_the_module(django_db_blocker, _seeded) as output:
        yield output


@pytest.fixture
def demo(seeded, db) -> str:
    """What seed_demo printed: the demo is in the database."""
    return seeded


def test_seed_loads_the_real_partnership(demo):
    partnership = Partnership.objects.get()
    assert {c.short_name for c in partnership.parties.all()} == {"AGC", "MEDINET"}
    assert partnership.signed_on.isoformat() == "2024-09-11"
    assert Company.objects.get(name="AGC Biologics").parent.name == "AGC Inc."
    yokohama = Site.objects.get(name="Yokohama Technical Center")
    assert yokohama.get_status_display() == "Partial operation"
    assert yokohama.operational_since.isoformat() == "2025-07-01"
    titles = set(Milestone.objects.values_list("title", flat=True))
    assert {"Yokohama partial service start (2025)", "Yokohama cell-therapy CDMO launch (2026)"} <= titles


def test_every_demo_record_has_its_japanese_name(demo):
    """People are the exception: colleagues at the global sites have only a Latin name."""
    assert not Milestone.objects.filter(title_ja="").exists()
    assert not Requirement.objects.filter(title_ja="").exists()
    assert not Curriculum.objects.filter(name_ja="").exists()
    for model in (Company, Site, Partnership):
        assert not model.objects.filter(name_ja="").exists(), model


def test_seed_records_pass_every_model_rule_and_run_both_directions(demo):
    for record in [*Exchange.objects.all(), *Milestone.objects.all(), *Person.objects.all(), *Site.objects.all()]:
        record.full_clean()
    assert {e.direction for e in Exchange.objects.select_related("home_party", "host_party")} == {
        "AGC → MEDINET",
        "MEDINET → AGC",
    }


def test_seed_is_idempotent(demo):
    counts = [model.objects.count() for model in (*SEEDED, get_user_model())]
    histories = [model.history.count() for model in (Milestone, Decision, Action, Risk)]
    seed()
    assert [model.objects.count() for model in (*SEEDED, get_user_model())] == counts
    assert [model.history.count() for model in (Milestone, Decision, Action, Risk)] == histories


def test_demo_users_get_the_given_password_and_their_roles(demo):
    output = demo
    assert "manager  Manager        demo-pass-123" in output
    for username in ("admin", "staff", "manager", "auditor"):
        assert get_user_model().objects.get(username=username).check_password("demo-pass-123")
    assert get_user_model().objects.get(username="admin").is_superuser
    assert list(get_user_model().objects.get(username="auditor").groups.values_list("name", flat=True)) == ["Auditor"]
    assert list(get_user_model().objects.get(username="qa").groups.values_list("name", flat=True)) == ["QA approver"]


def test_synthetic_exchanges_are_added_valid_and_spread_out(demo):
    before = Exchange.objects.count()
    assert "Added 2000 synthetic exchanges." in seed("--exchanges", "2000", "--random-seed", "7")
    synthetic = Exchange.objects.filter(objectives="Synthetic demo record.")
    assert Exchange.objects.count() - before == 2000 == synthetic.count()
    assert set(synthetic.values_list("status", flat=True)) == {"planned", "active", "completed", "cancelled"}
    directions = synthetic.values("home_party__short_name", "host_party__short_name").annotate(n=Count("id"))
    assert {(d["home_party__short_name"], d["host_party__short_name"]) for d in directions} == {
        ("AGC", "MEDINET"),
        ("MEDINET", "AGC"),
    }
    assert synthetic.values("host_site").distinct().count() >= 3
    for exchange in synthetic.order_by("?")[:200]:
        exchange.full_clean()  # overlap, party, site and date rules all hold


def test_demo_logins_are_on_the_access_trail_with_a_reason_and_a_rerun_adds_nothing(demo):
    User = get_user_model()
    rows = User.history.model.objects.filter(username__in=["admin", "staff", "manager", "auditor"])
    assert rows.exists()
    assert set(rows.values_list("history_change_reason", flat=True)) == {"Demo data loaded by seed_demo"}
    count = rows.count()
    seed()
    assert rows.count() == count


def test_the_2025_partial_start_was_re_baselined_by_a_jsc_decision_both_co_chairs_signed(demo):
    partial = Milestone.objects.get(title="Yokohama partial service start (2025)")
    decision = partial.baseline_decision
    assert (decision.number, decision.status) == ("JSC-2025-01", Decision.Status.APPROVED)
    signers = {(s.printed_name, s.meaning) for s in Signature.objects.for_record(decision)}
    assert signers == {("Kenji Morita", "approved"), ("Hiroshi Aoki", "approved")}
    assert {
        decision.partnership.party_of(s.signer.person).short_name for s in Signature.objects.for_record(decision)
    } == {
        "AGC",
        "MEDINET",
    }
    history = baseline_history(partial)
    assert [(c.baseline.isoformat(), c.decision) for c in history] == [("2025-04-01", None), ("2025-07-01", decision)]
    assert (partial.status, partial.slip_days) == ("done", 0)


def test_the_demo_has_open_risks_on_the_launch_an_approved_launch_decision_to_apply_and_overdue_actions(demo):
    launch = Milestone.objects.get(title="Yokohama cell-therapy CDMO launch (2026)")
    assert Risk.objects.filter(milestones=launch, status=Risk.Status.OPEN).count() >= 3
    waiting = Decision.objects.approved().get(milestones=launch)
    assert waiting.number == "JSC-2026-01" and launch.baseline_decision is None  # a manager applies it
    today = datetime.date(2026, 11, 27)
    assert Action.objects.overdue(today).count() >= 2
    assert Risk.objects.past_review(today).exists()
