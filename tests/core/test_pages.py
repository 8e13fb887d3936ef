from __future__ import annotations

from unittest import mock

from django.db import DatabaseError
from django.urls import reverse

from tests.factories import UserFactory


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
    response = client.get(reverse("milestones:dashboard"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_a_user_without_a_role_gets_403(client, db):
    client.force_login(UserFactory(username="newcomer"))
    assert client.get(reverse("milestones:dashboard")).status_code == 403


def test_login_page_renders_for_anonymous_visitors(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'name="username"' in response.text


def test_admin_requires_login(client, db):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("login") in response.url or "/admin/login/" in response.url


def test_demo_banner_labels_illustrative_data(staff_client, db, settings):
    settings.DEMO_BANNER = True
    assert "Demo data:" in staff_client.get(reverse("milestones:dashboard")).text
    settings.DEMO_BANNER = False
    assert "Demo data:" not in staff_client.get(reverse("milestones:dashboard")).text
