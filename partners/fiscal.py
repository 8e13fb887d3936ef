"""Fiscal years: the calendar year, or a company's own (MEDINET's runs October to September).

A fiscal year is named by the calendar year it ends in, as Japanese companies name theirs ("2025年9月期" is
MEDINET's year from October 2024 to September 2025). A year that starts in January is the calendar year.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThanOrEqual
from django.utils.dates import MONTHS_3
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partners.models import Company

CALENDAR = "calendar"


@dataclass(frozen=True)
class Basis:
    """How dates group into years: by the calendar, or by one company's fiscal year."""

    start_month: int = 1
    company: Company | None = None

    @property
    def key(self) -> str:
        """The value that selects this basis in a query string."""
        return str(self.company.pk) if self.company else CALENDAR

    @property
    def is_calendar(self) -> bool:
        return self.start_month == 1

    @property
    def end_month(self) -> int:
        return (self.start_month - 2) % 12 + 1

    @property
    def label(self) -> str:
        if self.company is None:
            return _("Calendar year")
        return _("%(company)s fiscal year (%(start)s–%(end)s)") % {
            "company": self.company.short_name,
            "start": MONTHS_3[self.start_month].title(),
            "end": MONTHS_3[self.end_month].title(),
        }

    def year_of(self, day: datetime.date) -> int:
        return day.year + (1 if not self.is_calendar and day.month >= self.start_month else 0)

    def bounds(self, year: int) -> tuple[datetime.date, datetime.date]:
        """First and last day of the fiscal year ``year``."""
        start = datetime.date(year - (0 if self.is_calendar else 1), self.start_month, 1)
        following = datetime.date(start.year + 1, start.month, 1)
        return start, following - datetime.timedelta(days=1)

    def year_label(self, year: int) -> str:
        if self.company is None:
            return str(year)
        start, end = self.bounds(year)
        # "FY9/2025" is how Japanese companies name, in English, the fiscal year ending in September 2025.
        return _("FY%(end_month)s/%(year)s (%(start)s – %(end)s)") % {
            "year": year,
            "end_month": self.end_month,
            "start": date_format(start, "YEAR_MONTH_FORMAT"),
            "end": date_format(end, "YEAR_MONTH_FORMAT"),
        }

    def year_expression(self, field: str | F):
        """The fiscal year of a date column, computed by the database (so exports can stream it)."""
        day = F(field) if isinstance(field, str) else field
        year = ExtractYear(day)
        if self.is_calendar:
            return year
        return Case(
            When(GreaterThanOrEqual(ExtractMonth(day), Value(self.start_month)), then=year + Value(1)),
            default=year,
            output_field=IntegerField(),
        )


def bases() -> list[Basis]:
    """The calendar year, then each company that keeps a fiscal year of its own."""
    companies = Company.objects.filter(fiscal_year_start_month__isnull=False).order_by("short_name")
    return [Basis()] + [basis_for(company) for company in companies]


def basis_for(company: Company | None) -> Basis:
    return Basis(company.fiscal_year_start, company) if company is not None else Basis()
