from __future__ import annotations

import time

import pytest
from django.urls import reverse

from accounts.middleware import LAST_SEEN, STARTED
from milestones.models import Milestone
from partners.models import Exchange
from tests.factories import ExchangeFactory, MilestoneFactory, UserFactory


@pytest.fixture
def exchange(alliance):
    return ExchangeFactory(person=alliance.agc_person, partnership=alliance.partnership, host_company=alliance.medinet)


def test_an_auditor_posting_a_change_gets_403_and_nothing_changes(auditor_client, exchange):
    url = reverse("admin:partners_exchange_change", args=[exchange.pk])
    response = auditor_client.post(url, {"status": "cancelled", "change_reason": "Cancelled by the host site"})
    assert response.status_code == 403
    exchange.refresh_from_db()
    assert exchange.status == Exchange.Status.PLANNED
    assert exchange.history.count() == 1


def test_staff_editing_a_milestone_gets_403_and_nothing_changes(staff_client, alliance):
    milestone = MilestoneFactory(partnership=alliance.partnership, title="Yokohama launch")
    url = reverse("admin:milestones_milestone_change", args=[milestone.pk])
    response = staff_client.post(
        url,
        {
            "partnership": alliance.partnership.pk,
            "title": "Renamed",
            "baseline_date": "2026-06-30",
            "status": "not_started",
            "change_reason": "Renamed after the steering committee",
        },
    )
    assert response.status_code == 403
    assert Milestone.objects.get(pk=milestone.pk).title == "Yokohama launch"


def test_manager_cannot_add_exchanges(manager_client, alliance):
    response = manager_client.post(reverse("admin:partners_exchange_add"), {"person": alliance.agc_person.pk})
    assert response.status_code == 403
    assert not Exchange.objects.exists()


def login(client, username: str, password: str, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, REMOTE_ADDR="10.1.2.3")


def test_login_succeeds_with_the_right_password(client, db):
    UserFactory(username="ren", password="correct-horse-battery")
    response = login(client, "ren", "correct-horse-battery")
    assert response.status_code == 302
    assert response.url == reverse("milestones:dashboard")


def test_repeated_failed_logins_lock_the_account_out_with_a_clear_message(client, db, settings):
    UserFactory(username="ren", password="correct-horse-battery")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, "ren", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text
    locked = login(client, "ren", "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    assert "Try again in 15 minutes" in locked.text
    # Even the right password is refused while the lock holds.
    assert login(client, "ren", "correct-horse-battery").status_code == 429


def test_the_login_redirect_never_leaves_the_site(client, db):
    UserFactory(username="ren", password="correct-horse-battery")
    response = login(client, "ren", "correct-horse-battery", next_url="https://evil.example/steal")
    assert response.status_code == 302
    assert response.url == reverse("milestones:dashboard")


def test_the_login_redirect_follows_a_local_next(client, db):
    UserFactory(username="ren", password="correct-horse-battery")
    response = login(client, "ren", "correct-horse-battery", next_url="/admin/")
    assert response.url == "/admin/"


def test_an_idle_session_ends(staff_client, settings):
    staff_client.get(reverse("milestones:dashboard"))
    session = staff_client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_TIMEOUT - 1
    session.save()
    response = staff_client.get(reverse("milestones:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert staff_client.get(reverse("milestones:dashboard")).status_code == 302


def test_a_session_ends_after_its_absolute_lifetime_even_when_active(staff_client, settings):
    staff_client.get(reverse("milestones:dashboard"))
    session = staff_client.session
    session[STARTED] = int(time.time()) - settings.SESSION_ABSOLUTE_LIFETIME - 1
    session[LAST_SEEN] = int(time.time())
    session.save()
    response = staff_client.get(reverse("milestones:dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_active_session_within_limits_continues(staff_client):
    staff_client.get(reverse("milestones:dashboard"))
    assert staff_client.get(reverse("milestones:dashboard")).status_code == 200


def test_pages_carry_a_content_security_policy_without_inline_script(staff_client):
    response = staff_client.get(reverse("milestones:dashboard"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "<script>" not in response.text


def test_logout_ends_the_session(staff_client):
    response = staff_client.post(reverse("logout"))
    assert response.status_code == 302
    assert staff_client.get(reverse("milestones:dashboard")).status_code == 302


def test_an_overlong_username_is_a_form_error_not_a_crash(client, db):
    response = client.post(reverse("login"), {"username": "x" * 5000, "password": "anything"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters" in response.text
