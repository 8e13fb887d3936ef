from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from icalendar import Calendar

from accounts.models import CalendarToken, Profile
from tests.factories import MilestoneFactory, UserFactory

URL = reverse("milestones:calendar")


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role="Manager")


@pytest.fixture
def milestones(alliance):
    MilestoneFactory(
        partnership=alliance.partnership,
        title="Yokohama launch, phase 1; \\ part",
        site=alliance.yokohama,
        baseline_date=datetime.date(2026, 10, 1),
        forecast_date=datetime.date(2026, 12, 21),
        status="in_progress",
    )
    MilestoneFactory(partnership=alliance.partnership, title="Dropped", status="cancelled")


def test_the_feed_is_a_valid_calendar_with_one_event_per_milestone(client, manager, milestones):
    token = CalendarToken.for_user(manager).token
    response = client.get(URL, {"token": token})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert b"\r\n" in response.content  # RFC 5545 line ends
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0" and "PRODID" in calendar
    events = calendar.walk("VEVENT")
    assert len(events) == 1  # cancelled milestones are left out
    event = events[0]
    assert str(event["SUMMARY"]) == "Yokohama launch, phase 1; \\ part [Late]"
    assert event.decoded("DTSTART") == datetime.date(2026, 12, 21)
    assert event.decoded("DTEND") == datetime.date(2026, 12, 22)
    assert "Baseline: 1 Oct 2026" in str(event["DESCRIPTION"])
    assert str(event["UID"]).startswith("milestone-")


def test_the_feed_speaks_its_owners_language(client, manager, milestones):
    """A calendar client sends no session, so the owner's preference decides, not the client's."""
    Profile.objects.create(user=manager, language="ja")
    token = CalendarToken.for_user(manager).token
    response = client.get(URL, {"token": token}, HTTP_ACCEPT_LANGUAGE="en")
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]).endswith("[遅延]")
    assert "ベースライン：2026/10/01" in str(event["DESCRIPTION"])


@pytest.mark.parametrize("query", [{}, {"token": ""}, {"token": "not-the-token"}])
def test_no_token_or_a_wrong_one_gets_no_calendar(client, manager, milestones, query):
    CalendarToken.for_user(manager)
    assert client.get(URL, query).status_code == 404


def test_renewing_the_token_retires_the_old_link(client, manager, milestones):
    old = CalendarToken.for_user(manager).token
    client.force_login(manager)
    response = client.post(reverse("accounts:regenerate_calendar_token"))
    assert response.status_code == 302
    client.logout()
    assert client.get(URL, {"token": old}).status_code == 404
    assert client.get(URL, {"token": CalendarToken.for_user(manager).token}).status_code == 200


def test_a_deactivated_user_token_stops_working(client, manager, milestones):
    token = CalendarToken.for_user(manager).token
    manager.is_active = False
    manager.save()
    assert client.get(URL, {"token": token}).status_code == 404


def test_renewing_needs_a_post(client, manager):
    client.force_login(manager)
    assert client.get(reverse("accounts:regenerate_calendar_token")).status_code == 405


def test_the_dashboard_links_the_personal_feed(client, manager, alliance):
    client.force_login(manager)
    response = client.get(reverse("milestones:dashboard"))
    assert f"?token={CalendarToken.for_user(manager).token}" in response.text
