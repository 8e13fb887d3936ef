"""Lockouts count the real client behind the proxy; the password-change form is throttled like the login form;
passwords that spell the username are refused."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from accounts.addresses import client_address
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"
PROXY = "10.0.0.2"  # the reverse proxy: every request reaches the app from its address
CLIENT_A, CLIENT_B = "203.0.113.5", "198.51.100.7"
SETTINGS = Path(__file__).resolve().parents[2] / "cdmo" / "settings.py"


def login(client, username: str, password: str, forwarded: str | None = None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", role="Manager", password=PASSWORD)


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


# Lockouts by the client's address


def test_behind_the_proxy_failures_from_one_address_lock_that_address_not_the_user(
    client, manager, behind_proxy, settings
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "manager", "wrong", forwarded=CLIENT_A)
    assert login(client, "manager", PASSWORD, forwarded=CLIENT_A).status_code == 429
    assert login(client, "manager", PASSWORD, forwarded=CLIENT_B).status_code == 302
    assert AccessAttempt.objects.get(username="manager", ip_address=CLIENT_A).failures_since_start >= 5


def test_behind_the_proxy_a_client_cannot_dodge_its_lockout_by_sending_its_own_header(
    client, manager, behind_proxy, settings
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "manager", "wrong", forwarded=CLIENT_A)
    # The client sent "X-Forwarded-For: B"; the proxy appended the address it really came from.
    assert login(client, "manager", PASSWORD, forwarded=f"{CLIENT_B}, {CLIENT_A}").status_code == 429


def test_without_the_proxy_setting_the_header_is_ignored(client, manager, settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        login(client, "manager", "wrong", forwarded=CLIENT_A)
    # A forged header names another address: the lockout still holds, for the address the request came from.
    assert login(client, "manager", PASSWORD, forwarded=CLIENT_B).status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


@pytest.mark.parametrize(
    "count, forwarded, expected",
    [
        (0, "203.0.113.5", "10.0.0.2"),
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "1.1.1.1, 203.0.113.5", "203.0.113.5"),
        (2, "1.1.1.1, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.2"),  # did not come through both proxies
        (1, "not-an-address", "10.0.0.2"),
        (1, "", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_address_is_the_entry_the_outermost_trusted_proxy_wrote(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


@pytest.mark.parametrize(
    "environment, count",
    [({}, 0), ({"DJANGO_BEHIND_PROXY": "1"}, 1), ({"DJANGO_BEHIND_PROXY": "1", "DJANGO_TRUSTED_PROXIES": "2"}, 2)],
)
def test_the_proxy_setting_sets_how_many_proxies_are_trusted(monkeypatch, environment, count):
    for name in ("DJANGO_BEHIND_PROXY", "DJANGO_TRUSTED_PROXIES", "DJANGO_PRODUCTION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    configured = runpy.run_path(str(SETTINGS))
    assert configured["TRUSTED_PROXY_COUNT"] == count
    assert configured["AXES_CLIENT_IP_CALLABLE"] == "accounts.addresses.client_address"


# The password-change form


def change_password(client, old: str, new: str = "a-fresh-long-passphrase", remote: str = "10.1.2.3"):
    data = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post(reverse("admin:password_change"), data, REMOTE_ADDR=remote)


def test_the_password_can_still_be_changed_with_the_right_old_one(client, manager):
    client.force_login(manager)
    response = change_password(client, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("admin:password_change_done")
    manager.refresh_from_db()
    assert manager.check_password("a-fresh-long-passphrase")


def test_wrong_old_passwords_lock_out_like_failed_logins(client, manager, settings):
    client.force_login(manager)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = change_password(client, "a-guess")
        assert response.status_code == 200
        assert "Your old password was entered incorrectly" in response.text
    locked = change_password(client, "another-guess")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)
    # The session that guessed has ended, and logging in again from that address is locked too.
    assert client.get(reverse("milestones:dashboard")).status_code == 302
    assert login(client, "manager", PASSWORD, remote="10.1.2.3").status_code == 429


def test_once_locked_even_the_right_old_password_is_refused(client, manager, settings):
    client.force_login(manager)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        change_password(client, "a-guess")
    other_session = type(client)()
    other_session.force_login(manager)
    assert change_password(other_session, PASSWORD).status_code == 429
    manager.refresh_from_db()
    assert manager.check_password(PASSWORD)


def test_a_failed_guess_from_another_address_does_not_count_here(client, manager, settings):
    client.force_login(manager)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        change_password(client, "a-guess", remote="10.9.9.9")
    other_session = type(client)()
    other_session.force_login(manager)
    assert change_password(other_session, PASSWORD, remote="10.1.2.3").status_code == 302


# Password rules


@pytest.mark.parametrize(
    "password",
    ["staff12345", "staff-2025-spring", "St4ff-and-more-words", "my-ffats-password", "S.t.a.f.f.-long-enough"],
)
def test_a_password_containing_the_username_is_refused(db, password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, get_user_model()(username="staff"))
    assert "contains your username" in " ".join(refused.value.messages)


def test_a_password_containing_the_email_name_is_refused(db):
    user = get_user_model()(username="yt001", email="yui.takahashi@agc.example")
    with pytest.raises(ValidationError):
        validate_password("Yui-Takahashi-2025", user)


def test_a_password_shorter_than_twelve_characters_is_refused(db):
    with pytest.raises(ValidationError) as refused:
        validate_password("Tr0ub4dor&3x", get_user_model()(username="ren"))  # twelve: accepted
        validate_password("Tr0ub4dor&3", get_user_model()(username="ren"))
    assert "at least 12 characters" in " ".join(refused.value.messages)


def test_staff12345_is_refused_on_the_password_change_form(db, client):
    staff = UserFactory(username="staff", role="Staff", password=PASSWORD)
    client.force_login(staff)
    response = change_password(client, PASSWORD, new="staff12345")
    assert response.status_code == 200
    assert "contains your username" in response.text
    assert "at least 12 characters" in response.text
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_an_administrator_setting_a_password_meets_the_same_rules(admin_client, db):
    staff = UserFactory(username="staff", role="Staff", password=PASSWORD)
    url = reverse("admin:auth_user_password_change", args=[staff.pk])
    response = admin_client.post(url, {"password1": "staff-spring-2025", "password2": "staff-spring-2025"})
    assert response.status_code == 200
    assert "contains your username" in response.text
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)


def test_the_factories_password_meets_the_rules(db):
    for username in ("staff", "manager", "auditor", "admin", "ren", "someone"):
        validate_password(PASSWORD, get_user_model()(username=username))
