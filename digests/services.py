"""Sending digests: who gets one, for which day, and the one write that keeps a day's digest from going out twice."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from digests.compose import message_for
from digests.models import DigestSent
from digests.sections import digest_for

# A first digest covers the day before it; after a long pause (opted out, a role newly given) no more than a week.
FIRST_LOOKBACK = datetime.timedelta(days=1)
LONGEST_LOOKBACK = datetime.timedelta(days=7)


class Result(models.TextChoices):
    SENT = "sent", _("sent")
    DRY_RUN = "dry_run", _("would send")
    NOTHING = "nothing", _("nothing to say")
    ALREADY = "already", _("already sent for that day")
    OPTED_OUT = "opted_out", _("opted out")
    NO_EMAIL = "no_email", _("no email address")
    INACTIVE = "inactive", _("inactive")
    NOT_YET = "not_yet", _("not yet the hour of the digest in their time zone")
    FAILED = "failed", _("failed")


@dataclass
class Outcome:
    user: object
    result: Result
    day: datetime.date | None = None
    summary: str = ""
    message: EmailMultiAlternatives | None = None
    error: str = ""


def zone_of(profile) -> zoneinfo.ZoneInfo:
    name = getattr(profile, "time_zone", "") or settings.TIME_ZONE
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def recipients() -> Iterator:
    """Every user, with their preferences and roles, in a fixed order (the command decides for each)."""
    return get_user_model().objects.select_related("profile").prefetch_related("groups").order_by("pk").iterator(2000)


def window_start(user, day: datetime.date, now: datetime.datetime) -> datetime.datetime:
    """Since when the news runs: the last digest sent before ``day``, at most LONGEST_LOOKBACK back."""
    last = DigestSent.objects.filter(user=user, day__lt=day).order_by("-day").values_list("sent_at", flat=True).first()
    return max(last or now - FIRST_LOOKBACK, now - LONGEST_LOOKBACK)


def digest_send(*, user, now: datetime.datetime, day: datetime.date | None = None, dry_run: bool = False) -> Outcome:
    """Send ``user`` their digest for ``day`` (default: their own today, once DIGEST_HOUR has passed there).

    Sent only when it has something to say, and at most once per user and day: the DigestSent row is inserted
    before the email goes, in the same transaction, so a concurrent run waits on the row and then skips, and a
    failed send leaves no row (the next run tries again).
    """
    if not user.is_active:
        return Outcome(user, Result.INACTIVE)
    if not user.email:
        return Outcome(user, Result.NO_EMAIL)
    profile = getattr(user, "profile", None)
    if profile is not None and not profile.receives_digest:
        return Outcome(user, Result.OPTED_OUT)
    zone = zone_of(profile)
    local = timezone.localtime(now, zone)
    if day is None:
        day = local.date()
        if local.hour < settings.DIGEST_HOUR:
            return Outcome(user, Result.NOT_YET, day)
    if DigestSent.objects.filter(user=user, day=day).exists():
        return Outcome(user, Result.ALREADY, day)
    since = window_start(user, day, now)
    language = getattr(profile, "language", "") or settings.LANGUAGE_CODE
    with timezone.override(zone):
        digest = digest_for(user, day=day, since=since, until=now, since_day=timezone.localtime(since, zone).date())
        if digest.is_empty:
            return Outcome(user, Result.NOTHING, day)
        with translation.override(settings.LANGUAGE_CODE):
            summary = digest.summary()  # for the operator, in the site's language
        with translation.override(language):
            message = message_for(digest, user)
    if dry_run:
        return Outcome(user, Result.DRY_RUN, day, summary, message)
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, day=day, sent_at=now, summary=summary[:300])
            message.send()
    except IntegrityError:
        return Outcome(user, Result.ALREADY, day)
    return Outcome(user, Result.SENT, day, summary, message)


def send_all(
    *, now: datetime.datetime, day: datetime.date | None = None, dry_run: bool = False, usernames=()
) -> Iterator[Outcome]:
    """``digest_send`` for every user (or those named); a user whose email fails does not stop the others."""
    for user in recipients():
        if usernames and user.get_username() not in usernames:
            continue
        try:
            yield digest_send(user=user, now=now, day=day, dry_run=dry_run)
        except Exception as error:  # noqa: BLE001 - an SMTP refusal, a timeout: reported, retried by the next run
            yield Outcome(user, Result.FAILED, day, error=f"{type(error).__name__}: {error}")
