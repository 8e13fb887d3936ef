"""Geometry for the dashboard's SVG charts. Templates draw what these compute, except the timeline's rows, written here
whole (``ROW_SVG``); no JavaScript involved."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.text import char_width
from milestones.dashboard import Headcount, detail_urls, short_date
from milestones.models import Milestone
from milestones.rag import Rag

WIDTH = 1100
LABEL_WIDTH = 320
PLOT_LEFT, PLOT_RIGHT = LABEL_WIDTH + 10, WIDTH - 20
ROW, GROUP, TOP = 26, 26, 30
# Status is shown by shape and text as well as colour (WCAG 1.4.1).
MARKERS = {Rag.GREEN: "circle", Rag.AMBER: "triangle", Rag.RED: "square", None: "cross"}
# The same shapes as text, for the table beside the chart.
SYMBOLS = {Rag.GREEN: "●", Rag.AMBER: "▲", Rag.RED: "■", None: "▬"}
# Dark enough for 3:1 contrast against white (WCAG 1.4.11).
COLOURS = {Rag.GREEN: "#1a7f37", Rag.AMBER: "#a15c00", Rag.RED: "#c62828", None: "#6c757d"}
# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


# The timeline's label column holds this many Latin letters; a Japanese character takes two.
LABEL_COLUMNS = 44

# One milestone in the timeline's chart: the tooltip, its label linking to the milestone, the bar from baseline to
# expected date, the baseline's diamond, the status marker, and a tick when done. Written here rather than in the
# template: the template's thirty lookups a row cost more than everything else the dashboard does for a milestone.
ROW_SVG = (
    "<g><title>{tooltip}</title>"
    '<a href="{url}"><text x="14" y="{y}" dy="4" font-size="12" fill="#212529">{label}</text></a>'
    '<line x1="{baseline_x}" y1="{y}" x2="{expected_x}" y2="{y}" stroke="{colour}" stroke-width="3"/>'
    '<polygon points="{baseline_points}" fill="#ffffff" stroke="#495057" stroke-width="1.5"/>'
    "{marker}{tick}</g>"
)
CIRCLE_SVG = '<circle cx="{x}" cy="{y}" r="6" fill="{colour}"/>'
POLYGON_SVG = '<polygon points="{points}" fill="{colour}"/>'
TICK_SVG = '<text x="{x}" y="{y}" dy="4" font-size="9" text-anchor="middle" fill="#ffffff">✓</text>'


def fit(text: str, columns: int) -> str:
    """``text`` cut to ``columns`` columns of display width (wide East Asian characters count two), with "…"."""
    widths = [char_width(char) for char in text]
    if sum(widths) <= columns:
        return text
    used = 0
    for index, width in enumerate(widths):
        if used + width > columns - 1:  # keep one column for the ellipsis
            return text[:index] + "…"
        used += width
    return text


@dataclass
class Tick:
    x: float
    label: str


@dataclass
class TimelineRow:
    """One milestone in the timeline's chart and table, with what the page writes of it prepared once per row (its
    title, link and dates in the language's short format, the labels translated once per page), so a long timeline
    costs the template little more than its markup."""

    milestone: Milestone
    y: float
    baseline_x: float
    expected_x: float
    rag: Rag | None
    marker: str
    done: bool
    title: str = ""
    url: str = ""
    site: str = ""
    baseline: str = ""
    forecast: str = ""
    actual: str = ""
    expected: str = ""
    rag_label: str = ""
    status: str = ""
    tooltip: str = ""
    depends_on: list[str] = field(default_factory=list)

    @property
    def colour(self) -> str:
        return COLOURS[self.rag]

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.rag]

    @property
    def label(self) -> str:
        return fit(self.title, LABEL_COLUMNS)

    @property
    def marker_points(self) -> str:
        """Polygon points of the status marker at the expected date (circles are drawn as circles)."""
        x, y = self.expected_x, self.y
        shapes = {
            "triangle": [(x, y - 7), (x - 7, y + 6), (x + 7, y + 6)],
            "square": [(x - 6, y - 6), (x + 6, y - 6), (x + 6, y + 6), (x - 6, y + 6)],
            "cross": [(x - 6, y - 2), (x + 6, y - 2), (x + 6, y + 2), (x - 6, y + 2)],
        }
        return " ".join(f"{px:.1f},{py:.1f}" for px, py in shapes.get(self.marker, []))

    @property
    def baseline_points(self) -> str:
        x, y = self.baseline_x, self.y
        return f"{x:.1f},{y - 7:.1f} {x + 7:.1f},{y:.1f} {x:.1f},{y + 7:.1f} {x - 7:.1f},{y:.1f}"

    @property
    def dependencies(self) -> str:
        return "; ".join(self.depends_on) or "—"

    @property
    def svg(self) -> SafeString:
        x, y, colour = self.expected_x, self.y, self.colour
        if self.marker == "circle":
            marker = CIRCLE_SVG.format(x=x, y=y, colour=colour)
        else:
            marker = POLYGON_SVG.format(points=self.marker_points, colour=colour)
        svg = ROW_SVG.format(
            tooltip=escape(self.tooltip),
            url=escape(self.url),
            y=y,
            label=escape(self.label),
            baseline_x=self.baseline_x,
            expected_x=x,
            colour=colour,
            baseline_points=self.baseline_points,
            marker=marker,
            tick=TICK_SVG.format(x=x, y=y) if self.done else "",
        )
        return mark_safe(svg)  # noqa: S308 - the words escaped above; the rest numbers and colours of the chart's own


@dataclass
class Timeline:
    height: float
    ticks: list[Tick]
    today_x: float | None
    groups: list[tuple[str, float]]
    rows: list[TimelineRow]
    links: list[tuple[float, float, float, float]]
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    plot_left: int = PLOT_LEFT
    plot_right: int = PLOT_RIGHT


def timeline(milestones: list[Milestone], edges: list[tuple[int, int]], today: datetime.date) -> Timeline | None:
    if not milestones:
        return None
    dates = [d for m in milestones for d in (m.baseline_date, m.expected_date)] + [today]
    first, last = min(dates) - datetime.timedelta(days=20), max(dates) + datetime.timedelta(days=20)
    span = max((last - first).days, 1)

    def x(day: datetime.date) -> float:
        return round(PLOT_LEFT + (day - first).days / span * (PLOT_RIGHT - PLOT_LEFT), 1)

    rows, groups, y, current_group = [], [], TOP, object()
    url = detail_urls()
    rag_labels = {rag: str(rag.label) for rag in Rag}
    statuses = {value: str(label) for value, label in Milestone.Status.choices}
    partnership_wide = str(_("Partnership-wide"))
    baseline_word, expected_word, not_rated = gettext("baseline"), gettext("expected"), gettext("not rated")
    for milestone in milestones:
        group = milestone.site.display_name if milestone.site else partnership_wide
        if group != current_group:
            y += GROUP
            groups.append((group, y - 8))
            current_group = group
        rag = milestone.rag(today)
        title, rag_label = milestone.display_title, rag_labels.get(rag, "")
        baseline, expected = short_date(milestone.baseline_date), short_date(milestone.expected_date)
        rows.append(
            TimelineRow(
                milestone=milestone,
                y=y + ROW / 2,
                baseline_x=x(milestone.baseline_date),
                expected_x=x(milestone.expected_date),
                rag=rag,
                marker=MARKERS[rag],
                done=milestone.status == Milestone.Status.DONE,
                title=title,
                url=url(milestone.pk),
                site=group,
                baseline=baseline,
                forecast=short_date(milestone.forecast_date),
                actual=short_date(milestone.actual_date),
                expected=expected,
                rag_label=rag_label,
                status=statuses.get(milestone.status, milestone.status),  # as get_status_display() shows it
                tooltip=f"{title}: {baseline_word} {baseline}, {expected_word} {expected} ({rag_label or not_rated})",
            )
        )
        y += ROW
    position = {row.milestone.pk: row for row in rows}
    for before, after in edges:
        if before in position and after in position:
            position[after].depends_on.append(position[before].title)
    links = [
        (position[before].expected_x, position[before].y, position[after].expected_x, position[after].y)
        for before, after in edges
        if before in position and after in position
    ]
    ticks, year = [], first.year
    while datetime.date(year, 1, 1) <= last:
        for month in (1, 4, 7, 10):
            day = datetime.date(year, month, 1)
            if first <= day <= last:
                ticks.append(
                    Tick(x(day), str(year) if month == 1 else _("Q%(quarter)s") % {"quarter": (month - 1) // 3 + 1})
                )
        year += 1
    return Timeline(
        height=y + 20,
        ticks=ticks,
        today_x=x(today),
        groups=groups,
        rows=rows,
        links=links,
    )


@dataclass
class Bar:
    x: float
    width: float
    direction: str
    short: str
    total: int
    segments: list[tuple[float, float, str, str, int]] = field(default_factory=list)  # y, height, colour, label, n


@dataclass
class BarChart:
    height: int
    baseline_y: float
    bars: list[Bar]
    quarter_labels: list[Tick]
    gridlines: list[tuple[float, int]]
    legend: list[tuple[str, str]]
    width: int = WIDTH


def headcount_bars(chart: Headcount) -> BarChart | None:
    if not chart.quarters or not chart.directions:
        return None
    height, top, bottom, left = 320, 20, 270, 50
    peak = max((chart.total(d, i) for d in chart.directions for i in range(len(chart.quarters))), default=0) or 1
    scale = (bottom - top) / peak
    colours = {value: PALETTE[i % len(PALETTE)] for i, (value, _label) in enumerate(chart.functions)}
    slot = (WIDTH - left - 20) / len(chart.quarters)
    bar_width = min(40.0, slot * 0.8 / len(chart.directions))
    bars, labels = [], []
    for qi, quarter in enumerate(chart.quarters):
        group_left = left + qi * slot + (slot - bar_width * len(chart.directions)) / 2
        labels.append(Tick(round(left + qi * slot + slot / 2, 1), quarter.label))
        for di, direction in enumerate(chart.directions):
            bar = Bar(
                x=round(group_left + di * bar_width, 1),
                width=round(bar_width - 2, 1),
                direction=direction,
                short="".join(part.strip()[:1] for part in direction.split("→")),
                total=chart.total(direction, qi),
            )
            y = bottom
            for value, label in chart.functions:
                n = chart.counts.get((direction, value), [0] * len(chart.quarters))[qi]
                if n:
                    h = n * scale
                    y -= h
                    bar.segments.append((round(y, 1), round(h, 1), colours[value], str(label), n))
            bars.append(bar)
    step = max(1, round(peak / 4))
    gridlines = [(round(bottom - v * scale, 1), v) for v in range(0, peak + 1, step)]
    legend = [(colours[value], str(label)) for value, label in chart.functions]
    return BarChart(
        height=height, baseline_y=bottom, bars=bars, quarter_labels=labels, gridlines=gridlines, legend=legend
    )
