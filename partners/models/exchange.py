from __future__ import annotations

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Concat, Greatest
from django.db.models.lookups import GreaterThanOrEqual
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audit.history import AuditedQuerySet, audit_history
from audit.names import iso_date
from core.expressions import DateLiteral
from partners.models.company import Company
from partners.models.partnership import Partnership
from partners.models.person import Function, Person
from partners.models.site import Site

# One message per rule, shared by clean() and the database constraint that mirrors it.
PLANNED_END_BEFORE_START = _("The planned end cannot be before the planned start.")
ACTUAL_END_BEFORE_START = _("The actual end cannot be before the actual start.")
ACTUAL_END_WITHOUT_START = _("An exchange cannot have an actual end without an actual start.")
ACTIVE_NEEDS_START = _("An active exchange needs its actual start date.")
PLANNED_HAS_NO_START = _("A planned exchange has not started yet: clear the actual start or set the status to active.")
COMPLETED_NEEDS_END = _("A completed exchange needs its actual end date.")
SAME_PARTY = _("The host must be a different party of the partnership from the person's employer.")


# An exchange's period, defined once for the overlap rule, the dashboard, the filters and the exports: actual
# dates where known, planned ones otherwise. Started late and not yet back, the stale planned end must not end
# it before it began. ``Exchange.starts``/``ends`` read the same rule on one loaded row (a test holds them to
# these expressions). Migration 0002 keeps its own frozen copy in the PostgreSQL exclusion constraint's SQL, as
# migrations must; change the rule and that constraint needs a new migration too.
PERIOD_START = Coalesce("actual_start", "planned_start")
PERIOD_END = Coalesce("actual_end", Greatest("planned_end", PERIOD_START))


# When the person is back: not back yet reads as the last day there is, so "not back before that day" is one range
# of one value, which the ``exchange_on_now`` index holds in order (an OR of "no end" and "ends later" it cannot).
BACK_ON = Coalesce("actual_end", DateLiteral(datetime.date.max))


def direction_label(home: str, host: str) -> str:
    """How a direction reads everywhere: "AGC → MEDINET"."""
    return f"{home} → {host}"


def on_exchange(day: datetime.date) -> Q:
    """The condition "the person was actually on this exchange that day", for filters and conditional counts."""
    return Q(actual_start__lte=day) & Q(GreaterThanOrEqual(BACK_ON, day)) & ~Q(status=Exchange.Status.CANCELLED)


class ExchangeQuerySet(AuditedQuerySet):
    def with_period(self) -> ExchangeQuerySet:
        """Annotate ``period_start``/``period_end`` (see ``PERIOD_START``/``PERIOD_END``)."""
        return self.annotate(period_start=PERIOD_START, period_end=PERIOD_END)

    def not_cancelled(self) -> ExchangeQuerySet:
        return self.exclude(status=Exchange.Status.CANCELLED)

    def overlapping(self, starts: datetime.date, ends: datetime.date) -> ExchangeQuerySet:
        return self.with_period().filter(period_start__lte=ends, period_end__gte=starts)

    def during(self, start: datetime.date | None, end: datetime.date | None) -> ExchangeQuerySet:
        """Exchanges whose period meets the window; an open bound reaches as far as the data does."""
        if start is None and end is None:
            return self
        return self.overlapping(start or datetime.date.min, end or datetime.date.max)

    def starting_or_ending(self, start: datetime.date, end: datetime.date) -> ExchangeQuerySet:
        """Exchanges not cancelled whose period starts or ends between ``start`` and ``end``, both included."""
        return (
            self.not_cancelled()
            .with_period()
            .filter(Q(period_start__range=(start, end)) | Q(period_end__range=(start, end)))
        )

    def at_site(self, site: Site) -> ExchangeQuerySet:
        """Hosted at the site, or of people based there."""
        return self.filter(Q(host_site=site) | Q(person__home_site=site))

    def active_on(self, day: datetime.date) -> ExchangeQuerySet:
        """Exchanges the person was actually on, that day."""
        return self.filter(on_exchange(day))

    def for_list(self) -> ExchangeQuerySet:
        return self.select_related("person", "home_party", "host_party", "host_company", "host_site__company")

    def filtered(
        self,
        *,
        partnership: Partnership | None = None,
        site: Site | None = None,
        company: Company | None = None,
        start: datetime.date | None = None,
        end: datetime.date | None = None,
    ) -> ExchangeQuerySet:
        """The exchanges a page, an export or the API shows for these filters (``None`` leaves a filter off).

        A site means hosted there or of people based there; a company means hosting or employing the person.
        """
        rows = self
        if partnership:
            rows = rows.filter(partnership=partnership)
        if site:
            rows = rows.at_site(site)
        if company:
            rows = rows.filter(Q(host_company=company) | Q(person__employer=company))
        return rows.during(start, end)


class ExchangeStatus(models.TextChoices):
    """An exchange's state (``Exchange.Status``); module-level so the model's constraints can name its members."""

    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Active")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Exchange(models.Model):
    """A talent exchange: a secondment or training assignment of one person to the other party."""

    class Kind(models.TextChoices):
        SECONDMENT = "secondment", _("Secondment")
        TRAINING = "training_assignment", _("Training assignment")

    class Purpose(models.TextChoices):
        TRAINING = "training", pgettext_lazy("purpose of an exchange", "Training")
        OPERATIONAL_SUPPORT = "operational_support", _("Operational support")
        KNOWLEDGE_TRANSFER = "knowledge_transfer", _("Knowledge transfer")

    Status = ExchangeStatus

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("person"))
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="exchanges", verbose_name=_("partnership")
    )
    host_company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="hosted_exchanges", verbose_name=_("host company")
    )
    host_site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_exchanges",
        verbose_name=_("host site"),
    )
    host_supervisor = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_exchanges",
        verbose_name=_("host supervisor"),
    )
    # Derived by services.exchange_save() from the person's employer and the host company, and kept with the exchange
    # so its direction stays what it was when it happened even if people later change employer.
    home_party = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        blank=True,
        verbose_name=_("from party"),
    )
    host_party = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        blank=True,
        verbose_name=_("to party"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.SECONDMENT)
    purpose = models.CharField(_("purpose"), max_length=30, choices=Purpose.choices)
    function_area = models.CharField(_("function area"), max_length=30, choices=Function.choices)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    objectives = models.TextField(_("objectives"), blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects = ExchangeQuerySet.as_manager()
    history = audit_history()

    class Meta:
        ordering = ["-planned_start", "person__name"]
        verbose_name = _("talent exchange")
        verbose_name_plural = _("talent exchanges")
        indexes = [
            models.Index(fields=["person", "planned_start"], name="exchange_person_start"),
            models.Index(fields=["status", "planned_start"], name="exchange_status_start"),
            # The admin list's order, newest first, read backwards.
            models.Index(fields=["planned_start", "id"], name="exchange_planned_start"),
            # Who is on exchange on a day (``on_exchange``), in the dashboard's order: those back soonest first. Only
            # the exchanges that started, not cancelled; with the directions, so the dashboard counts from the index.
            models.Index(
                BACK_ON,
                "planned_end",
                "actual_start",
                "home_party",
                "host_party",
                name="exchange_on_now",
                condition=Q(actual_start__isnull=False) & ~Q(status=ExchangeStatus.CANCELLED),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=F("planned_start")),
                name="exchange_planned_end_after_start",
                violation_error_message=PLANNED_END_BEFORE_START,
            ),
            models.CheckConstraint(
                condition=Q(actual_end__isnull=True) | Q(actual_start__isnull=False, actual_end__gte=F("actual_start")),
                name="exchange_actual_end_after_start",
                violation_error_message=ACTUAL_END_BEFORE_START,
            ),
            models.CheckConstraint(
                condition=~Q(status=ExchangeStatus.ACTIVE) | Q(actual_start__isnull=False),
                name="exchange_active_has_start",
                violation_error_message=ACTIVE_NEEDS_START,
            ),
            models.CheckConstraint(
                condition=~Q(status=ExchangeStatus.PLANNED) | Q(actual_start__isnull=True),
                name="exchange_planned_not_started",
                violation_error_message=PLANNED_HAS_NO_START,
            ),
            models.CheckConstraint(
                condition=~Q(status=ExchangeStatus.COMPLETED) | Q(actual_end__isnull=False),
                name="exchange_completed_has_end",
                violation_error_message=COMPLETED_NEEDS_END,
            ),
            models.CheckConstraint(
                condition=~Q(home_party=F("host_party")),
                name="exchange_between_different_parties",
                violation_error_message=SAME_PARTY,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} → {self.host_company.short_name} ({self.planned_start:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("partners:exchange_detail", args=[self.pk])

    @classmethod
    def name_expression(cls, prefix: str = "") -> models.Expression:
        """``str()`` as SQL (``audit/names.py``)."""
        return Concat(
            Person.name_expression(prefix + "person__"),
            Value(" → "),
            F(prefix + "host_company__short_name"),
            Value(" ("),
            iso_date(prefix + "planned_start"),
            Value(")"),
        )

    @property
    def direction(self) -> str:
        return direction_label(self.home_party.short_name, self.host_party.short_name)

    @property
    def starts(self) -> datetime.date:
        """``PERIOD_START`` for this row."""
        return self.actual_start or self.planned_start

    @property
    def ends(self) -> datetime.date:
        """``PERIOD_END`` for this row."""
        return self.actual_end or max(self.planned_end, self.starts)

    def parties(self) -> tuple[Company | None, Company | None]:
        """The parties the person goes from and to: those their employer and the host company act for."""
        return self.partnership.party_for(self.person.employer), self.partnership.party_for(self.host_company)

    def clean(self) -> None:
        errors: dict[str, list[ValidationError]] = {}

        def add(field: str, message, code: str) -> None:
            errors.setdefault(field, []).append(ValidationError(message, code=code))

        self._check_dates(add)
        if self.partnership_id and self.person_id and self.host_company_id:
            self._resolve_parties(add)
            self._check_signed(add)
        if self.host_site_id and self.host_company_id and self.host_site.company_id != self.host_company_id:
            add(
                "host_site",
                _("%(site)s is not a site of the host company (%(host)s).")
                % {"site": self.host_site, "host": self.host_company},
                "host_site_other_company",
            )
        if self.host_supervisor_id and self.host_supervisor_id == self.person_id:
            add("host_supervisor", _("A person cannot supervise their own exchange."), "supervisor_self")
        if not errors and self.person_id and self.planned_start and self.planned_end:
            self._check_overlap(add)
        if errors:
            raise ValidationError(errors)

    def _check_dates(self, add) -> None:
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            add("planned_end", PLANNED_END_BEFORE_START, "planned_end_before_start")
        if self.actual_end and not self.actual_start:
            add("actual_start", ACTUAL_END_WITHOUT_START, "actual_end_without_start")
        elif self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            add("actual_end", ACTUAL_END_BEFORE_START, "actual_end_before_start")
        if self.status == self.Status.ACTIVE and not self.actual_start:
            add("actual_start", ACTIVE_NEEDS_START, "active_without_start")
        if self.status == self.Status.PLANNED and self.actual_start:
            add("status", PLANNED_HAS_NO_START, "planned_with_start")
        if self.status == self.Status.COMPLETED and not self.actual_end:
            add("actual_end", COMPLETED_NEEDS_END, "completed_without_end")

    def _resolve_parties(self, add) -> None:
        partnership, employer = self.partnership, self.person.employer
        home, host = self.parties()
        if home is None:
            add(
                "person",
                _("%(person)s works for %(employer)s, which is not a party to %(partnership)s.")
                % {"person": self.person, "employer": employer, "partnership": partnership},
                "home_not_party",
            )
        if host is None:
            add(
                "host_company",
                _("%(host)s is not a party to %(partnership)s (nor a subsidiary of one).")
                % {"host": self.host_company, "partnership": partnership},
                "host_not_party",
            )
        elif home is not None and home.pk == host.pk:
            add(
                "host_company",
                _("%(person)s already works for %(party)s: the host must be the other party.")
                % {"person": self.person, "party": home.short_name},
                "same_party",
            )
        if home is not None and host is not None:
            supervisor = self.host_supervisor
            is_other = supervisor is not None and supervisor.pk != self.person_id
            if is_other and partnership.party_for(supervisor.employer) != host:
                add(
                    "host_supervisor",
                    _("The host supervisor must work for the host party, %(party)s.") % {"party": host.short_name},
                    "supervisor_not_host",
                )

    def _check_signed(self, add) -> None:
        signed_on = self.partnership.signed_on
        if signed_on is None:
            add("partnership", _("This partnership has not been signed yet."), "partnership_unsigned")
            return
        for field in ("planned_start", "actual_start"):
            day = getattr(self, field)
            if day and day < signed_on:
                add(
                    field,
                    _("The partnership was signed on %(signed)s: an exchange cannot start before that.")
                    % {"signed": date_format(signed_on, "SHORT_DATE_FORMAT")},
                    "before_signing",
                )

    def _check_overlap(self, add) -> None:
        if self.status == self.Status.CANCELLED:
            return
        clash = (
            Exchange.objects.filter(person_id=self.person_id)
            .exclude(pk=self.pk)
            .not_cancelled()
            .overlapping(self.starts, self.ends)
            .select_related("host_company")
            .first()
        )
        if clash is not None:
            add(
                NON_FIELD_ERRORS,
                _(
                    "%(person)s is already on an exchange to %(host)s from %(starts)s to %(ends)s; "
                    "exchanges of one person cannot overlap."
                )
                % {
                    "person": self.person,
                    "host": clash.host_company.short_name,
                    "starts": date_format(clash.starts, "SHORT_DATE_FORMAT"),
                    "ends": date_format(clash.ends, "SHORT_DATE_FORMAT"),
                },
                "overlap",
            )
