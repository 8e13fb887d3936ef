from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history
from partners.models.company import Company
from partners.names import local_name, local_name_expression


class Capability(models.Model):
    """What a site can do: process development, clinical manufacturing, QC testing, ..."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)

    objects = AuditedQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["name"]
        verbose_name = _("capability")
        verbose_name_plural = _("capabilities")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return F(prefix + "name")


class SiteManager(models.Manager.from_queryset(AuditedQuerySet)):
    def get_queryset(self) -> models.QuerySet:
        # A site is named with its company ("Milan (AGC Biologics)"): fetch both in one query everywhere.
        return super().get_queryset().select_related("company")


class SiteStatus(models.TextChoices):
    """A site's state (``Site.Status``); module-level so the model's constraints can name its members."""

    PLANNED = "planned", _("Planned")
    PARTIAL = "partial", _("Partial operation")
    OPERATIONAL = "operational", _("Operational")
    CLOSED = "closed", _("Closed")


class Site(models.Model):
    Status = SiteStatus

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="sites", verbose_name=_("company"))
    name = models.CharField(_("name"), max_length=200)
    name_ja = models.CharField(_("name in Japanese"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    country = models.CharField(_("country"), max_length=100)
    capabilities = models.ManyToManyField(Capability, blank=True, related_name="sites", verbose_name=_("capabilities"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    operational_since = models.DateField(
        _("operational since"), null=True, blank=True, help_text=_("First day of (partial) operation.")
    )
    notes = models.TextField(_("notes"), blank=True)

    objects = SiteManager()
    history = audit_history(m2m_fields=("capabilities",))

    class Meta:
        ordering = ["company__name", "name"]
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        constraints = [
            models.UniqueConstraint(
                fields=["company", "name"],
                name="site_name_unique_per_company",
                violation_error_message=_("This company already has a site with this name."),
            ),
            models.CheckConstraint(
                condition=Q(operational_since__isnull=False)
                | ~Q(status__in=[SiteStatus.PARTIAL, SiteStatus.OPERATIONAL]),
                name="site_running_has_start_date",
                violation_error_message=_("A site in operation needs the date it started operating."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.company.short_name})"

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return Concat(
            local_name_expression(prefix + "name", prefix + "name_ja"),
            Value(" ("),
            F(prefix + "company__short_name"),
            Value(")"),
        )

    @property
    def display_name(self) -> str:
        return local_name(self.name, self.name_ja)

    def clean(self) -> None:
        if self.status in {self.Status.PARTIAL, self.Status.OPERATIONAL} and self.operational_since is None:
            message = _("A site in operation needs the date it started operating.")
            raise ValidationError({"operational_since": ValidationError(message, code="operational_since_required")})
