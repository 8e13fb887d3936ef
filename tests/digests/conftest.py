from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Profile
from digests.models import DigestSent
from digests.services import digest_send
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://alliance.example.com"
    settings.DIGEST_HOUR = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def reader(username: str, *roles: str, zone: str = "Asia/Tokyo", language: str = "en", **fields):
    """A user in ``roles`` with an email address and preferences (language, time zone)."""
    user = UserFactory(username=username, email=f"{username}@example.com", first_name=username.title(), **fields)
    for role in roles:
        user.groups.add(user.groups.model.objects.get(name=role))
    profile = Profile.for_user(user)
    profile.language, profile.time_zone = language, zone
    profile.save()
    return type(user).objects.select_related("profile").get(pk=user.pk)


def last_digest_was(user, when: datetime.datetime | None = None) -> DigestSent:
    """Record a digest sent ``when`` (now by default), for the day before, so news starts after it."""
    when = when or timezone.now()
    day = timezone.localtime(when, datetime.timezone(datetime.timedelta(hours=9))).date() - datetime.timedelta(1)
    return DigestSent.objects.create(user=user, day=day, sent_at=when)


def send(user, **kwargs):
    """Send now; return the outcome and the email's text (empty when none went)."""
    before = len(mail.outbox)
    outcome = digest_send(user=user, now=kwargs.pop("now", None) or timezone.now(), **kwargs)
    sent = mail.outbox[before:]
    return outcome, (sent[0].body if sent else "")


def today_in_tokyo() -> datetime.date:
    return timezone.localtime(timezone.now(), datetime.timezone(datetime.timedelta(hours=9))).date()
