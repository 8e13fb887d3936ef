from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models.company import Company
from partners.models.partnership import Partnership
from partners.models.person import Function


class ExchangeMonth(models.Model):
    """Derived, never entered: how many exchanges of one direction and function begin and end in one month, as
    ``partners/summary.py`` counts them from the exchanges.

    A summary for the dashboard's exchange figures, not a record: every exchange written changes it in the same
    transaction, ``rebuild_exchange_summary`` rewrites it whole, and where the dashboard's filters ask what it cannot
    say (a site, a date window) the dashboard reads the exchanges themselves.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name=_("partnership")
    )
    home_party = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("from party"))
    host_party = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("to party"))
    function_area = models.CharField(_("function area"), max_length=30, choices=Function.choices)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    # Every exchange whose period starts this month, whatever its status, and of those the planned and completed.
    exchanges = models.IntegerField(_("exchanges"), default=0)
    planned = models.IntegerField(_("planned"), default=0)
    completed = models.IntegerField(_("completed"), default=0)
    # Exchanges not cancelled whose period starts, and ends, this month.
    starting = models.IntegerField(_("starting"), default=0)
    ending = models.IntegerField(_("ending"), default=0)
    # Exchanges not cancelled whose person actually left this month, and came back this month.
    began = models.IntegerField(_("began"), default=0)
    back = models.IntegerField(_("back"), default=0)

    class Meta:
        ordering = ["partnership", "home_party", "host_party", "function_area", "month"]
        verbose_name = _("exchange month (derived)")
        verbose_name_plural = _("exchange months (derived)")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "home_party", "host_party", "function_area", "month"],
                name="exchange_month_unique",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.partnership_id} {self.home_party_id}→{self.host_party_id} {self.function_area} {self.month:%Y-%m}"
        )


class ExchangeDay(models.Model):
    """Derived, never entered: how many exchanges of one direction the person actually began, and came back from, on
    one day, as ``partners/summary.py`` counts them from the exchanges.

    With the months before it (``ExchangeMonth.began`` and ``back``), the days of the current month say who is on
    exchange on a day without reading the exchanges: a month's rows and at most 31 days' rows, whatever their number.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+", verbose_name=_("partnership")
    )
    home_party = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("from party"))
    host_party = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+", verbose_name=_("to party"))
    day = models.DateField(_("day"))
    began = models.IntegerField(_("began"), default=0)
    back = models.IntegerField(_("back"), default=0)

    class Meta:
        ordering = ["partnership", "home_party", "host_party", "day"]
        verbose_name = _("exchange day (derived)")
        verbose_name_plural = _("exchange days (derived)")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "home_party", "host_party", "day"], name="exchange_day_unique"
            )
        ]
        # Who is on exchange today reads the days of this month so far, across partnerships.
        indexes = [models.Index(fields=["day"], name="exchange_day_day")]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.home_party_id}→{self.host_party_id} {self.day:%Y-%m-%d}"
