"""The web view's charts: weekly lines in a plot that stretches to the page's width, drawn
by templates/web/_chart.html as inline SVG with its labels as HTML text.

Why not matplotlib, as the digest's PNGs are (templates/charts.py): its SVG was four
fifths of a playbook page's time (two charts, about 100 ms each, against 300 ms for the
page), and its text is part of the picture, so at 390 px a label shrinks to 5 px. Here
the plot is a polyline in a box of 0..WIDTH by 0..HEIGHT that the browser stretches
(its strokes keep their width), and the axes' numbers, the legend and each point's
hover text are the page's own text, escaped like the rest of it; round_ticks picks the
axis's round numbers. docs/architecture.md, kept for speed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from cadence.state import BASELINE_WEEK
from templates import _number, measure

# The charts are drawn as many as a thousand at once (the overview's small charts): their parts
# are slotted, one object each rather than two, which keeps the garbage collector's work down.
WIDTH, HEIGHT = 1000, 300  # the plot's own units; the page sets its size
MARKED_POINTS = 52  # a longer series is a line without visible dots (they would crowd it)
X_LABELS = 8  # at most, evenly spaced; the narrow layout shows every other one
BLUE, PURPLE, RED, GREEN, GREY = "#1264a3", "#6a1b9a", "#c62828", "#2e7d32", "#9e9e9e"
ORANGE = "#a84b00"  # the rest of the work's KPI, beside the run's (a KPI with `compare`)


# a week's label on a playbook's page (cadence/state.py, PlaybookState.week_label)
_CYCLE_WEEK = re.compile(r"C(\d+)W(\d+)")
CYCLE_WEEK_AXIS = "Weeks: C2W3 is cycle 2, week 3"


def week_words(label: str) -> str:
    """A week's short label spelt out: "C2W3" is "cycle 2, week 3", "baseline" an adopter's
    "baseline week"; any other as it is."""
    if label == BASELINE_WEEK:
        return "the baseline week"
    found = _CYCLE_WEEK.fullmatch(label)
    return f"cycle {found.group(1)}, week {found.group(2)}" if found else label


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    text: str  # the hover text: "cycle 2, week 3: 14.5 min"
    marked: bool  # drawn as a dot; an unmarked point is still there to hover over


def with_unit(name: str, unit: str) -> str:
    """A legend's or a chart's name with its unit, said once: "Time to resolve (min)",
    "exception ratio (%)", but "cases", never "cases (cases)"."""
    return name if not unit or unit.lower() in name.lower().split() else f"{name} ({unit})"


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    color: str
    path: str  # SVG path data: one run of points per stretch without a gap
    points: list[Point]  # marked: every point of a short series, a lone one of any
    legend: str = ""  # the name with the chart's unit, said once (with_unit)


@dataclass(frozen=True, slots=True)
class Reference:
    """A horizontal line: a baseline, a target, a guardrail's bound."""

    name: str
    color: str
    y: float
    dashed: bool


@dataclass(frozen=True, slots=True)
class Tick:
    at: float  # percent of the plot's width (x) or height from its top (y)
    text: str
    narrow: bool = True  # shown at a phone's width too


@dataclass(frozen=True, slots=True)
class LineChart:
    title: str  # said to screen readers; the page's heading says it to everyone
    unit: str
    series: list[Series]
    references: list[Reference]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    label_chars: int  # of the longest axis number: the plot's margin makes room for it
    x_title: str = "Weeks"  # under the weeks' labels: what a label like C2W3 means
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def label(self) -> str:
        """The title with its unit, said once: what screen readers hear."""
        return with_unit(self.title, self.unit)


def kpi_chart(
    name: str,
    labels: list[str],
    values: list[float | None],
    baseline: float,
    target: float,
    unit: str,
    rest: list[float | None] | None = None,
) -> LineChart:
    """The KPI week by week in its own unit, with its baseline and target; with `compare`,
    the rest of the work's KPI as a second line (`rest`), the week's delta between them."""
    lines = [
        (f"baseline {measure(baseline, unit)}", GREY, baseline, True),
        (f"target {measure(target, unit)}", GREEN, target, True),
    ]
    series = [(name, BLUE, values)] + ([("the rest", ORANGE, rest)] if rest is not None else [])
    return _chart(name, unit, labels, series, lines)


def guardrail_chart(
    name: str, labels: list[str], values: list[float | None], minimum: float | None, maximum: float | None, unit: str
) -> LineChart:
    """The guardrail week by week in its own unit, with the bound it must keep, on an axis
    that does not stretch a small difference from its bound to the plot's whole height
    (`least_span`)."""
    bounds = [(word, bound) for word, bound in (("min", minimum), ("max", maximum)) if bound is not None]
    lines = [(f"{word} {measure(bound, unit)}", RED, bound, True) for word, bound in bounds]
    shown = [v for v in values if v is not None] + [bound for _, bound in bounds]
    return _chart(name, unit, labels, [(name, PURPLE, values)], lines, least_span(shown) if bounds else ())


LEAST_SPAN = 0.2  # a guardrail's axis spans at least this share of its largest value


def least_span(shown: list[float]) -> tuple[float, ...]:
    """What an axis must take in to span at least LEAST_SPAN of its largest value, reaching
    toward zero: a CSAT of 4.7 a week against its minimum of 4.6 is drawn on 3.5 to 5, not
    as a line at the top of the plot and its bound at the bottom (issue 108: it read as a
    chart stretched out of shape). Values of both signs, or spread enough, take in nothing."""
    if not shown or min(shown) < 0:
        return ()
    top = max(shown)
    return (top * (1 - LEAST_SPAN),) if top - min(shown) < top * LEAST_SPAN else ()


def org_trend_charts(
    labels: list[str], exceptions: list[float | None], attestation: list[float | None]
) -> list[LineChart]:
    """The org's exception ratio and attestation rate week by week, in %, one measure a
    chart (small multiples): a ratio of a few percent drawn from 0 to its own top, not on
    the 0-100 axis of a rate near 80%; to a tenth as the overview's table has them."""
    percent = [[v * 100 if v is not None else None for v in values] for values in (exceptions, attestation)]
    return [
        _chart(
            "The org's exception ratio", "%", labels, [("exception ratio", RED, percent[0])], [], take_in=(0,), digits=1
        ),
        _chart(
            "The org's attestation rate",
            "%",
            labels,
            [("attestation rate", BLUE, percent[1])],
            [],
            take_in=(0, 100),
            digits=1,
        ),
    ]


def hours_chart(labels: list[str], hours: list[float | None]) -> LineChart:
    """The org's hours saved per closed week: the value measures' estimates (cadence/value.py), from 0."""
    return _chart(
        "The org's hours saved per week (estimate)", "h", labels, [("hours saved", GREEN, hours)], [], (0,), 1
    )


def pulse_chart(cycles: list[int], trust: list[float | None], safety: list[float | None]) -> LineChart:
    """The pulse's trust and safety means (1-5) per closed cycle whose pulse is shown; the
    lines draw no interval, so the page's table beside the chart gives each 95% interval."""
    labels = [f"cycle {c}" for c in cycles]
    series = [("trust", BLUE, trust), ("safety", PURPLE, safety)]
    chart = _chart("The pulse: trust and safety", "of 5", labels, series, [], take_in=(1, 5), digits=1)
    return replace(chart, x_title="Closed cycles with enough answers to show")


def progress_chart(title: str, labels: list[str], shares: list[float | None]) -> LineChart:
    """A playbook's KPI week by week as its share of the way from baseline (0%) to target
    (100%): cadence.figures.progress_to_target, the measure every surface shows. Small:
    one of the overview's row of charts, whole percents."""
    percent = [s * 100 if s is not None else None for s in shares]
    lines = [("baseline 0%", GREY, 0.0, True), ("target 100%", GREEN, 100.0, True)]
    return _chart(title, "% of the way", labels, [("of the way", BLUE, percent)], lines, digits=0)


def depth_charts(labels: list[str], rows: list[dict[str, Any]], whose: str) -> list[LineChart]:
    """Depth over months (usecases/shared/depth.py, `months`), one measure per chart: the
    cases per week, the share of steps AI-led or collaborative (in %, 0 to 100) and the
    people who reported."""
    cases = [float(r["cases"]) if r["cases"] is not None else None for r in rows]
    share = [r["share"] * 100 if r["share"] is not None else None for r in rows]
    people = [float(r["people"]) if r["people"] is not None else None for r in rows]
    return [
        _chart(f"{whose}: cases per week", "cases", labels, [("cases", BLUE, cases)], [], take_in=(0,), digits=1),
        _chart(
            f"{whose}: share of steps AI-led or collaborative",
            "%",
            labels,
            [("AI-led or collaborative", PURPLE, share)],
            [],
            take_in=(0, 100),
            digits=1,
        ),
        _chart(
            f"{whose}: people who reported", "people", labels, [("people", GREEN, people)], [], take_in=(0,), digits=1
        ),
    ]


def _chart(
    title: str,
    unit: str,
    labels: list[str],
    series: list[tuple[str, str, list[float | None]]],
    lines: list[tuple[str, str, float, bool]],
    take_in: tuple[float, ...] = (),
    digits: int = 2,
) -> LineChart:
    """Series over the weeks of `labels` and reference lines, on an axis of round numbers
    that takes in every value, every line and `take_in`; hover texts to `digits` places."""
    ticks = _y_axis(series, lines, take_in, digits)
    low, high = ticks[0], ticks[-1]

    def y(value: float) -> float:
        return round((high - value) / (high - low) * HEIGHT, 1)

    def x(i: int) -> float:
        return round(i * WIDTH / (len(labels) - 1), 1) if len(labels) > 1 else WIDTH / 2

    drawn = [_series(name, color, values, labels, unit, digits, x, y) for name, color, values in series]
    x_ticks = _x_ticks(labels, x)
    places = decimals_of(ticks[1] - ticks[0])  # a tick's text has the step's decimals, no more
    y_ticks = [Tick(round(y(t) / HEIGHT * 100, 2), _number(t, places)) for t in ticks]
    references = [Reference(name, color, y(value), dashed) for name, color, value, dashed in lines]
    x_title = CYCLE_WEEK_AXIS if any(_CYCLE_WEEK.fullmatch(t) for t in labels) else "Weeks"
    return LineChart(title, unit, drawn, references, x_ticks, y_ticks, max(len(t.text) for t in y_ticks), x_title)


def _y_axis(
    series: list[tuple[str, str, list[float | None]]],
    lines: list[tuple[str, str, float, bool]],
    take_in: tuple[float, ...],
    digits: int,
) -> list[float]:
    """The axis's ticks: round numbers that take in every value, every line and `take_in`,
    to the measure's own decimals (at most `digits`)."""
    shown = [v for _, _, values in series for v in values if v is not None] + [line[2] for line in lines]
    precision = min(digits, max((decimals_of(v) for v in shown), default=0)) if digits else 0  # the measure's own
    shown += take_in
    return round_ticks(min(shown), max(shown), precision) if shown else round_ticks(0, 1, precision)


def _x_ticks(labels: list[str], x: Callable[[int], float]) -> list[Tick]:
    every = -(-len(labels) // X_LABELS) if labels else 1  # ceiling: at most X_LABELS of them
    return [
        Tick(round(x(i) / WIDTH * 100, 2), labels[i], narrow=n % 2 == 0)
        for n, i in enumerate(range(0, len(labels), every))
    ]


def _series(
    name: str,
    color: str,
    values: list[float | None],
    labels: list[str],
    unit: str,
    digits: int,
    x: Callable[[int], float],
    y: Callable[[float], float],
) -> Series:
    """One series drawn: a path of runs between gaps, and its points with hover texts
    (each marked when alone in its run or when the series has few)."""
    path: list[str] = []
    points: list[Point] = []
    run: list[tuple[float, float, str]] = []  # x, y and hover text of the points since the last gap
    for i, value in enumerate([*values, None]):  # the None ends the last run
        if value is not None:
            said = f"{week_words(labels[i])}: {_number(value, digits)}{' ' + unit if unit else ''}"
            run.append((x(i), y(value), said))
            continue
        if run:
            path.append("M" + " L".join(f"{px} {py}" for px, py, _ in run))
            marked = len(run) == 1 or len(values) <= MARKED_POINTS
            points.extend(Point(px, py, text, marked) for px, py, text in run)
        run = []
    return Series(name, color, " ".join(path), points, with_unit(name, unit))


STEPS = (1.0, 2.0, 2.5, 5.0)  # an axis steps by one of these times a power of ten
MOST_TICKS = 6
MOST_DECIMALS = 6


def decimals_of(value: float) -> int:
    """The decimals `value` is written with (4.62: 2; 15.0: 0), up to MOST_DECIMALS."""
    text = f"{abs(value):.{MOST_DECIMALS}f}".rstrip("0")
    return len(text) - text.index(".") - 1


def round_ticks(low: float, high: float, precision: int, most: int = MOST_TICKS) -> list[float]:
    """An axis's ticks, from at or below `low` to at or above `high`: at most `most` of
    them, a step of 1, 2, 2.5 or 5 times a power of ten, the smallest such step that is
    written in the measure's `precision` (decimals): so 4.6, 4.65, 4.7 for a guardrail
    read to hundredths, never 4.625; 0, 2.5, 5 only for a measure with a decimal."""
    if high - low < 1e-9:  # one value: a band around it
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    exponent = math.floor(math.log10((high - low) / most)) - 1
    while True:
        for m in STEPS:
            step = m * 10.0**exponent
            if decimals_of(step) > precision:
                continue
            first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
            if last - first + 1 <= most:
                return [round(i * step, MOST_DECIMALS) for i in range(first, last + 1)]
        exponent += 1
