"""The 5 × 5 risk heat map: open risks counted by likelihood and impact, drawn as SVG by its template.

One grouped query gives every count; the geometry is computed here so the template only draws it (no script,
no inline style: the page's content security policy allows neither).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

SCALE = range(1, 6)
CELL, LEFT, TOP = 64, 64, 16
SIZE = LEFT + 5 * CELL + 8, TOP + 5 * CELL + 48

# Score (likelihood × impact) bands, lowest first: (highest score in the band, label, fill, text colour).
# Light fills keep the dark count readable (WCAG 1.4.3); the band is also named in each cell's title and in the key.
BANDS = [
    (4, _("low"), "#d1e7dd", "#0f5132"),
    (9, _("medium"), "#fff3cd", "#664d03"),
    (14, _("high"), "#ffd8b1", "#6a3300"),
    (25, _("critical"), "#f1aeb5", "#58151c"),
]


@dataclass(frozen=True)
class Band:
    label: str
    fill: str
    ink: str
    low: int
    high: int


def bands() -> list[Band]:
    result, low = [], 1
    for high, label, fill, ink in BANDS:
        result.append(Band(label, fill, ink, low, high))
        low = high + 1
    return result


def band_of(score: int) -> Band:
    return next(band for band in bands() if score <= band.high)


@dataclass(frozen=True)
class Cell:
    likelihood: int
    impact: int
    count: int

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> Band:
        return band_of(self.score)

    @property
    def x(self) -> int:
        return LEFT + (self.likelihood - 1) * CELL

    @property
    def y(self) -> int:
        return TOP + (5 - self.impact) * CELL  # highest impact at the top

    @property
    def centre_x(self) -> int:
        return self.x + CELL // 2

    @property
    def centre_y(self) -> int:
        return self.y + CELL // 2


@dataclass
class HeatMap:
    rows: list[list[Cell]]  # impact 5 first, each row likelihood 1 → 5

    @property
    def cells(self) -> list[Cell]:
        return [cell for row in self.rows for cell in row]

    @property
    def total(self) -> int:
        return sum(cell.count for cell in self.cells)

    @property
    def column_totals(self) -> list[int]:
        return [sum(row[index].count for row in self.rows) for index in range(5)]

    width, height = SIZE
    left, top, cell = LEFT, TOP, CELL
    scale = list(SCALE)

    @property
    def bands(self) -> list[Band]:
        return bands()

    @property
    def axis_x(self) -> list[tuple[int, int]]:
        """(value, x) of the likelihood labels under the grid."""
        return [(value, LEFT + (value - 1) * CELL + CELL // 2) for value in SCALE]

    @property
    def axis_y(self) -> list[tuple[int, int]]:
        """(value, y) of the impact labels left of the grid."""
        return [(value, TOP + (5 - value) * CELL + CELL // 2) for value in SCALE]

    @property
    def grid_bottom(self) -> int:
        return TOP + 5 * CELL

    @property
    def grid_right(self) -> int:
        return LEFT + 5 * CELL


def heat_map(risks: QuerySet) -> HeatMap:
    """Counts of ``risks`` in each likelihood × impact cell (one grouped query)."""
    counts = {
        (row["likelihood"], row["impact"]): row["n"]
        for row in risks.order_by().values("likelihood", "impact").annotate(n=Count("pk"))
    }
    return HeatMap(
        [
            [Cell(likelihood, impact, counts.get((likelihood, impact), 0)) for likelihood in SCALE]
            for impact in SCALE[::-1]
        ]
    )
