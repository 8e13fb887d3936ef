from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedQuerySet, audit_history
from partners.names import local_name, local_name_expression

# A corporate tree deeper than this is a data error, not a real group structure.
MAX_GROUP_DEPTH = 10


class Company(models.Model):
    class Kind(models.TextChoices):
        HOLDING = "holding", _("Parent / holding company")
        CDMO = "cdmo", _("CDMO")
        CELL_THERAPY = "cell_therapy", _("Cell-therapy company")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    name_ja = models.CharField(_("name in Japanese"), max_length=200, blank=True)
    short_name = models.CharField(
        _("short name"), max_length=50, help_text=_("Used in labels such as “AGC → MEDINET”.")
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="subsidiaries",
        help_text=_("A subsidiary acts for its parent in a partnership."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(_("country"), max_length=100)
    city = models.CharField(_("city"), max_length=100, blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Empty means the calendar year. Nullable, not a default of 1, so history written before the field existed
    # still hashes the same (the chain leaves empty values out).
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in"),
        choices=MONTHS.items(),
        null=True,
        blank=True,
        help_text=_("The month the company's fiscal year begins: October for a year ending in September."),
    )

    objects = AuditedQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=F("pk")),
                name="company_not_its_own_parent",
                violation_error_message=_("A company cannot be its own parent."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return local_name_expression(prefix + "name", prefix + "name_ja")

    @property
    def display_name(self) -> str:
        return local_name(self.name, self.name_ja)

    @property
    def fiscal_year_start(self) -> int:
        return self.fiscal_year_start_month or 1

    def lineage(self) -> Iterator[Company]:
        """The company itself, then its parent, grandparent and so on up the group."""
        company: Company | None = self
        for _depth in range(MAX_GROUP_DEPTH):
            if company is None:
                return
            yield company
            company = company.parent

    @property
    def group(self) -> Company:
        """The top of the company's group: AGC Inc. for AGC Biologics."""
        return list(self.lineage())[-1]

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.pk is not None and self.parent_id == self.pk:
            error = ValidationError(_("A company cannot be its own parent."), code="parent_self")
        else:
            error = self._parent_error()
        if error is not None:
            raise ValidationError({"parent": error})

    def _parent_error(self) -> ValidationError | None:
        ancestors = list(self.parent.lineage())
        if self.pk is not None and any(ancestor.pk == self.pk for ancestor in ancestors):
            return ValidationError(
                _("%(parent)s is already part of %(company)s's group: this would make a loop.")
                % {"parent": self.parent, "company": self},
                code="parent_cycle",
            )
        if len(ancestors) >= MAX_GROUP_DEPTH:
            return ValidationError(_("The group structure is too deep."), code="parent_depth")
        return None
