from __future__ import annotations

import secrets
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.history import register_access_history
from audit.history import AuditedQuerySet, chained_options
from audit.names import name_expression


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
    receives_digest = models.BooleanField(
        _("daily email digest"),
        default=True,
        help_text=_("What needs your attention, by email once a day; nothing is sent on a day with nothing to say."),
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


class ApiToken(models.Model):
    """A key for the API (``Authorization: Token <secret>``). Only the SHA-256 of the secret is stored.

    The secret is shown once, when the token is issued (accounts/tokens.py); a token ends when it expires or is
    revoked, and both its issue and its revocation are on the audit trail with a reason.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. the system using it."))
    # The first characters of the secret, so its owner can tell tokens apart; never enough to use it.
    prefix = models.CharField(_("starts with"), max_length=8)
    digest = models.CharField(_("SHA-256 of the secret"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = AuditedQuerySet.as_manager()
    # The digest stays off the trail: a trail row is kept for ever, a token's secret need not be.
    history = HistoricalRecords(**chained_options(excluded_fields=["digest"]))

    class Meta:
        ordering = ["user", "-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} — {self.name} ({self.prefix}…)"

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression | None:
        """``str()`` as SQL (``audit/names.py``)."""
        user = name_expression(get_user_model(), prefix + "user__")
        if user is None:
            return None
        return Concat(
            user,
            Value(" — "),
            F(prefix + "name"),
            Value(" ("),
            F(prefix + "prefix"),
            Value("…)"),
        )

    def is_live(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


register_access_history()
