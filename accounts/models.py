from __future__ import annotations

import secrets
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.history import register_access_history


def new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a user's calendar-feed URL. Calendar clients carry no session, so it alone authenticates."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_token", verbose_name=_("user")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created at"), auto_now=True)

    class Meta:
        ordering = ["user"]
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def for_user(cls, user) -> CalendarToken:
        token, _created = cls.objects.get_or_create(user=user)
        return token

    def regenerate(self) -> None:
        """Issue a new secret; the old URL stops working at once."""
        self.token = new_token()
        self.save()


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(_("“%(zone)s” is not a time zone."), code="time_zone", params={"zone": value})


class Profile(models.Model):
    """How one user likes to read the app: language, time zone and which years the figures group by."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="profile", verbose_name=_("user")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the language your browser asks for."),
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    year_basis = models.ForeignKey(
        "partners.Company",
        verbose_name=_("years"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        limit_choices_to={"fiscal_year_start_month__isnull": False},
        help_text=_("Empty: calendar years. A company: that company's fiscal years."),
    )

    class Meta:
        ordering = ["user"]
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return str(self.user)

    @classmethod
    def for_user(cls, user) -> Profile:
        profile, _created = cls.objects.get_or_create(user=user)
        return profile


register_access_history()
