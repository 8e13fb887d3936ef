"""The managers' pages: the decision log, a meeting, my actions, the risk register."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from governance.models import Decision
from governance.services import decision_set_concerns, risk_set_milestones
from tests.conftest import login_as
from tests.factories import ActionFactory, DecisionFactory, MeetingFactory, MilestoneFactory, RiskFactory, UserFactory
from tests.governance.conftest import NOW

D = datetime.date


@pytest.fixture
def log(alliance):
    partnership = alliance.partnership
    meeting = MeetingFactory(
        partnership=partnership,
        title="First joint steering committee",
        held_on=D(2026, 2, 10),
        attendees=[alliance.agc_supervisor, alliance.medinet_supervisor],
        minutes="Agreed the launch plan.",
    )
    shift = DecisionFactory(partnership=partnership, meeting=meeting, title="Second shift at Yokohama", approved=NOW)
    rejected = DecisionFactory(
        partnership=partnership, meeting=meeting, title="Move QC to Shinagawa", status=Decision.Status.REJECTED
    )
    later = DecisionFactory(
        partnership=partnership,
        meeting=MeetingFactory(partnership=partnership, held_on=D(2027, 1, 12)),
        title="Third shift",
        text="Add a weekend shift for the cell bank.",
    )
    return {"meeting": meeting, "shift": shift, "rejected": rejected, "later": later}


def numbers(response) -> list[str]:
    return [decision.number for decision in response.context["page"]]


def test_the_decision_log_lists_decisions_newest_first_with_status_and_meeting(manager_client, log):
    response = manager_client.get(reverse("governance:decision_log"))
    assert response.status_code == 200
    assert numbers(response) == ["JSC-2027-01", "JSC-2026-02", "JSC-2026-01"]
    assert "First joint steering committee" in response.text
    assert "Rejected" in response.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "weekend"}, ["JSC-2027-01"]),  # the text, not only the title
        ({"q": "JSC-2026-01"}, ["JSC-2026-01"]),
        ({"q": "shift yokohama"}, ["JSC-2026-01"]),  # every word
        ({"status": "rejected"}, ["JSC-2026-02"]),
        ({"year": "2026"}, ["JSC-2026-02", "JSC-2026-01"]),
    ],
)
def test_the_decision_log_searches_and_filters(manager_client, log, query, expected):
    assert numbers(manager_client.get(reverse("governance:decision_log"), query)) == expected


def test_the_decision_log_filters_by_partnership(manager_client, log, other_partnership):
    DecisionFactory(partnership=other_partnership)
    response = manager_client.get(reverse("governance:decision_log"), {"partnership": other_partnership.pk})
    assert len(numbers(response)) == 1


@pytest.mark.parametrize("query", [{"year": "twenty"}, {"status": "approved-ish"}, {"partnership": "x"}])
def test_a_bad_filter_is_a_400_with_the_form_error_not_a_500(manager_client, log, query):
    response = manager_client.get(reverse("governance:decision_log"), query)
    assert response.status_code == 400
    assert response.context["form"].errors


def test_the_decision_log_prints_without_its_filters(manager_client, log):
    response = manager_client.get(reverse("governance:decision_log"))
    assert 'class="row g-2 align-items-end mb-3 no-print"' in response.text
    stylesheet = open(finders.find("css/app.css"), encoding="utf-8").read()  # noqa: SIM115
    assert "@media print" in stylesheet and ".no-print" in stylesheet


def test_the_decision_log_runs_a_fixed_number_of_queries(manager_client, alliance, django_assert_max_num_queries):
    meeting = MeetingFactory(partnership=alliance.partnership)
    for _n in range(30):
        DecisionFactory(partnership=alliance.partnership, meeting=meeting)
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("governance:decision_log"))
    assert len(response.context["page"]) == 30


def test_a_meeting_page_shows_attendees_decisions_and_actions(manager_client, alliance, log):
    ActionFactory(
        partnership=alliance.partnership,
        owner=alliance.agc_person,
        meeting=log["meeting"],
        title="Draft the shift roster",
        due_on=D(2026, 2, 20),
    )
    response = manager_client.get(log["meeting"].get_absolute_url())
    assert response.status_code == 200
    for text in ("Haruka Nishimura", "Mio Hayashi", "JSC-2026-01", "JSC-2026-02", "Draft the shift roster", "Overdue"):
        assert text in response.text
    assert "Agreed the launch plan." in response.text


def test_a_meeting_page_runs_a_fixed_number_of_queries(manager_client, alliance, django_assert_max_num_queries):
    meeting = MeetingFactory(partnership=alliance.partnership)
    for _n in range(10):
        decision = DecisionFactory(partnership=alliance.partnership, meeting=meeting)
        ActionFactory(partnership=alliance.partnership, owner=alliance.agc_person, meeting=meeting, decision=decision)
    with django_assert_max_num_queries(20):
        response = manager_client.get(meeting.get_absolute_url())
    assert response.text.count("Action ") >= 10


def test_a_decision_page_shows_what_it_concerns_its_actions_and_what_superseded_it(manager_client, alliance, log):
    milestone = MilestoneFactory(partnership=alliance.partnership, title="Yokohama launch")
    decision_set_concerns(decision=log["shift"], milestones=[milestone], sites=[alliance.yokohama])
    successor = DecisionFactory(partnership=alliance.partnership, title="Revised shift plan", approved=NOW)
    shift = log["shift"]
    shift.status, shift.superseded_by, shift._change_reason = Decision.Status.SUPERSEDED, successor, "Replaced"
    shift.save()
    response = manager_client.get(shift.get_absolute_url())
    assert "Yokohama launch" in response.text and "Yokohama Technical Center" in response.text
    assert f'Superseded → <a href="{successor.get_absolute_url()}">{successor.number}</a>' in response.text


def test_my_actions_lists_the_signed_in_users_own_actions_open_first(client, alliance):
    user = UserFactory(username="yui", role="Manager")
    person = alliance.agc_person
    person.user = user
    person._change_reason = "Linked to her login"
    person.save()
    ActionFactory(
        partnership=alliance.partnership, owner=person, title="Mine, done", status="done", done_on=D(2026, 1, 5)
    )
    ActionFactory(partnership=alliance.partnership, owner=person, title="Mine, open", due_on=D(2026, 1, 31))
    ActionFactory(partnership=alliance.partnership, owner=alliance.medinet_person, title="Someone else's")
    client.force_login(user)
    response = client.get(reverse("governance:my_actions"))
    assert [action.title for action in response.context["actions"]] == ["Mine, open", "Mine, done"]
    assert "Someone else" not in response.text


def test_my_actions_says_plainly_when_the_login_has_no_person(manager_client, db):
    response = manager_client.get(reverse("governance:my_actions"))
    assert response.status_code == 200
    assert "Your login is not linked to a person of the partnership" in response.text


def test_the_risk_register_lists_highest_score_first_and_flags_past_review(manager_client, alliance):
    milestone = MilestoneFactory(partnership=alliance.partnership, title="Yokohama launch")
    low = RiskFactory(partnership=alliance.partnership, owner=alliance.agc_person, title="Low", likelihood=1, impact=2)
    high = RiskFactory(
        partnership=alliance.partnership,
        owner=alliance.agc_person,
        title="High",
        likelihood=4,
        impact=5,
        review_on=D(2020, 1, 1),
    )
    risk_set_milestones(risk=high, milestones=[milestone])
    response = manager_client.get(reverse("governance:risks"))
    assert list(response.context["page"]) == [high, low]
    assert "Past review" in response.text and "Yokohama launch" in response.text
    filtered = manager_client.get(reverse("governance:risks"), {"category": "quality"})
    assert list(filtered.context["page"]) == []


def test_the_risk_register_runs_a_fixed_number_of_queries(manager_client, alliance, django_assert_max_num_queries):
    milestone = MilestoneFactory(partnership=alliance.partnership)
    for _n in range(20):
        risk = RiskFactory(partnership=alliance.partnership, owner=alliance.agc_person)
        risk_set_milestones(risk=risk, milestones=[milestone])
    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("governance:risks"))
    assert len(response.context["page"]) == 20


def test_the_navigation_links_the_governance_pages_for_those_who_may_read_them(manager_client, db):
    text = manager_client.get(reverse("governance:decision_log")).text
    for name in ("decision_log", "meeting_list", "my_actions", "risks"):
        assert f'href="{reverse(f"governance:{name}")}"' in text


def test_the_pages_read_in_japanese(client, alliance, log):
    login_as(client, "manager")
    client.cookies.load({"django_language": "ja"})
    response = client.get(reverse("governance:decision_log"))
    assert "決定事項一覧" in response.text and "否決" in response.text
