from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import path, reverse

from tests.conftest import login_as
from tests.factories import UserFactory


def broken_view(request):
    raise ZeroDivisionError("a real bug")


# Served by the 500 test only (pytest.mark.urls): the app has no view that fails on purpose.
urlpatterns = [path("broken/", broken_view)]


def request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "django.request"]


def test_a_403_is_one_line_naming_the_user_and_the_path_without_a_traceback(client, db, caplog):
    login_as(client, "staff")
    with caplog.at_level(logging.INFO):
        assert client.get(reverse("exports:index")).status_code == 403
    [record] = request_records(caplog)
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    assert record.getMessage() == f"403 GET {reverse('exports:index')} (user: staff)"


def test_a_404_is_one_line_naming_the_user_and_the_path(client, db, caplog):
    login_as(client, "manager")
    with caplog.at_level(logging.INFO):
        assert client.get("/no-such-page/?from=bookmark").status_code == 404
    [record] = request_records(caplog)
    assert record.exc_info is None
    assert record.getMessage() == "404 GET /no-such-page/?from=bookmark (user: manager)"


@pytest.mark.urls("tests.core.test_logging")
def test_a_500_keeps_its_traceback(client, db, caplog):
    login_as(client, "staff")
    client.raise_request_exception = False
    with caplog.at_level(logging.INFO):
        assert client.get("/broken/").status_code == 500
    [record] = request_records(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info[0] is ZeroDivisionError
    assert "/broken/" in record.getMessage()


def test_a_request_prints_one_line_and_no_banner(tmp_path):
    """The settings as a newcomer's shell gets them: Django's handler and the root handler once printed each line."""
    script = (
        "import django; django.setup(); from django.test import Client; "
        "Client(HTTP_HOST='localhost').get('/no-such-page/')"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env={
            "DJANGO_SETTINGS_MODULE": "cdmo.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
            "PATH": "/usr/bin:/bin",
            # Where `make test` keeps compiled modules, or the run's wish not to write any: nothing compiled into the
            # checkout either way.
            **{
                name: os.environ[name]
                for name in ("PYTHONPYCACHEPREFIX", "PYTHONDONTWRITEBYTECODE")
                if name in os.environ
            },
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = result.stderr.splitlines() + result.stdout.splitlines()
    assert [line for line in lines if "/no-such-page/" in line] == [
        next(
            line for line in lines if line.endswith("WARNING django.request: 404 GET /no-such-page/ (user: anonymous)")
        )
    ]
    assert not [line for line in lines if "AXES" in line]


def console_lines(caplog) -> list[str]:
    """The records the console handler of the settings' LOGGING lets through, as it would print them."""
    [console] = [handler for handler in logging.getLogger().handlers if handler.get_name() == "console"]
    return [f"{record.levelname} {record.getMessage()}" for record in caplog.records if console.filter(record)]


def test_a_sign_in_prints_one_line_and_a_failed_one_a_warning(client, db, caplog):
    """django-axes printed four lines for one sign-in: the event, then three lines of housekeeping."""
    UserFactory(username="h.sato")
    with caplog.at_level(logging.INFO):
        client.post(reverse("login"), {"username": "h.sato", "password": "correct-horse-battery"})
        client.post(reverse("logout"))
        client.post(reverse("login"), {"username": "h.sato", "password": "not-the-password"})
    assert [line.split(" by ")[0] for line in console_lines(caplog) if "AXES" in line] == [
        "INFO AXES: Successful login",
        "INFO AXES: Successful logout",
        "WARNING AXES: New login failure",
    ]
