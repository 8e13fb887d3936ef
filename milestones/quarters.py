from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

# The headcount chart shows at most this many quarters, whatever window is asked for.
MAX_QUARTERS = 16


@dataclass(frozen=True)
class Quarter:
    """A quarter of a year that starts in ``start_month``: with 10 (MEDINET's), Q1 is October to December.

    ``year`` is the fiscal year, named by the calendar year it ends in (see partners.fiscal).
    """

    year: int
    number: int  # 1-4
    start_month: int = 1

    @property
    def start(self) -> datetime.date:
        months = (self.start_month - 1) + 3 * (self.number - 1)
        first_year = self.year - (0 if self.start_month == 1 else 1)
        return datetime.date(first_year + months // 12, months % 12 + 1, 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        if self.start_month == 1:
            return _("%(year)s Q%(quarter)s") % {"year": self.year, "quarter": self.number}
        end_month = (self.start_month - 2) % 12 + 1
        return _("FY%(end_month)s/%(year)s Q%(quarter)s") % {
            "year": self.year,
            "end_month": end_month,
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
        year = day.year + (1 if start_month != 1 and day.month >= start_month else 0)
        return cls(year, months_in // 3 + 1, start_month)


def quarters_between(start: datetime.date, end: datetime.date, start_month: int = 1) -> list[Quarter]:
    quarter, last, result = Quarter.of(start, start_month), Quarter.of(end, start_month), []
    while (quarter.year, quarter.number) <= (last.year, last.number) and len(result) < MAX_QUARTERS:
        result.append(quarter)
        quarter = quarter.next()
    return result
