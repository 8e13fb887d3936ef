from __future__ import annotations

import datetime
from dataclasses import dataclass

# The headcount chart shows at most this many quarters, whatever window is asked for.
MAX_QUARTERS = 16


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int  # 1-4

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> datetime.date:
        return self.next().start - datetime.timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"

    @property
    def key(self) -> str:
        return f"q{self.year}_{self.number}"

    def next(self) -> Quarter:
        return Quarter(self.year + (self.number == 4), self.number % 4 + 1)

    @classmethod
    def of(cls, day: datetime.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)


def quarters_between(start: datetime.date, end: datetime.date) -> list[Quarter]:
    quarter, last, result = Quarter.of(start), Quarter.of(end), []
    while (quarter.year, quarter.number) <= (last.year, last.number) and len(result) < MAX_QUARTERS:
        result.append(quarter)
        quarter = quarter.next()
    return result
