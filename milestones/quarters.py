from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from partners.fiscal import Basis

# The headcount chart shows at most this many quarters, whatever window is asked for.
MAX_QUARTERS = 16


@dataclass(frozen=True)
class Quarter:
    """A quarter of a year that starts in ``start_month``: with 10 (MEDINET's), Q1 is October to December.

    ``year`` is the fiscal year, named by the calendar year it ends in; partners.fiscal does the year arithmetic.
    """

    year: int
    number: int  # 1-4
    start_month: int = 1

    @property
    def basis(self) -> Basis:
        return Basis(self.start_month)

    @property
    def start(self) -> datetime.date:
        first = self.basis.bounds(self.year)[0]
        months = first.month - 1 + 3 * (self.number - 1)
        return datetime.date(first.year + months // 12, months % 12 + 1, 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.basis.is_calendar:
            return _("%(year)s Q%(quarter)s") % {"year": self.year, "quarter": self.number}
        return _("FY%(end_month)s/%(year)s Q%(quarter)s") % {
            "year": self.year,
            "end_month": self.basis.end_month,
            "quarter": self.number,
        }

    @property
    def key(self) -> str:
        return f"q{self.year}_{self.number}"

    def next(self) -> Quarter:
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1, self.start_month)

    @classmethod
    def of(cls, day: datetime.date, start_month: int = 1) -> Quarter:
        months_in = (day.month - start_month) % 12
        return cls(Basis(start_month).year_of(day), months_in // 3 + 1, start_month)


def quarters_between(start: datetime.date, end: datetime.date, start_month: int = 1) -> list[Quarter]:
    quarter, last, result = Quarter.of(start, start_month), Quarter.of(end, start_month), []
    while (quarter.year, quarter.number) <= (last.year, last.number) and len(result) < MAX_QUARTERS:
        result.append(quarter)
        quarter = quarter.next()
    return result
