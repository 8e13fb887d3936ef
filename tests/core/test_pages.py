from __future__ import annotations

from unittest import mock

from django.db import DatabaseError
from django.urls import reverse

from tests.factories import MilestoneFactory


def test_healthz_answers_without_login_when_the_database_is_up(client, db):
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_healthz_reports_503_when_the_database_is_down(client, db):
    with mock.patch("core.views.connection.cursor", side_effect=DatabaseError("gone")):
        response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_home_page_requires_login(client, db):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_home_page_shows_the_partnership_and_next_milestones(staff_client, alliance):
    MilestoneFactory(partnership=alliance.partnership, title="Yokohama launch (2026)")
    response = staff_client.get(reverse("core:home"))
    assert response.status_code == 200
    assert alliance.partnership.name in response.text
    assert "AGC Inc., MEDINET Co., Ltd." in response.text
    assert "Yokohama launch (2026)" in response.text


def test_login_page_renders_for_anonymous_visitors(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.text


def test_admin_requires_login(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("login") in response.url or "/admin/login/" in response.url
