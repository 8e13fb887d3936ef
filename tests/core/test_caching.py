"""Nothing the app answers is kept by a browser or a shared cache; static files are."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from accounts.models import CalendarToken
from tests.factories import UserFactory


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_pages_exports_and_the_feed_are_never_stored(auditor_client, alliance):
    page = auditor_client.get(reverse("milestones:dashboard"))
    export = auditor_client.get(reverse("exports:download", args=["people", "csv"]))
    b"".join(export.streaming_content)
    feed = Client().get(reverse("milestones:calendar"), {"token": CalendarToken.for_user(page.wsgi_request.user).token})
    assert (page.status_code, export.status_code, feed.status_code) == (200, 200, 200)
    assert no_store(page) and no_store(export) and no_store(feed)
    assert "max-age=900" not in feed["Cache-Control"]


def test_a_static_file_keeps_its_caching(db, settings):
    settings.WHITENOISE_USE_FINDERS = True
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in response["Cache-Control"]
    assert "max-age" in response["Cache-Control"]


def test_the_login_page_and_redirects_are_not_stored_either(client, db):
    UserFactory(username="someone")
    assert no_store(client.get(reverse("login")))
    assert no_store(client.get(reverse("milestones:dashboard")))  # the redirect to the login page
