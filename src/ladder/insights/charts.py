"""Horizontal bar charts drawn on the server as inline SVG: no script, readable in print.

A chart is a dataclass with every position worked out here; `insights/_bar_chart.html` draws
it, and `{{ chart }}` in a template renders that (the chart is `__html__`). Each series has a
colour from a CSS custom property (insights.css sets them for light, dark and print) and a
pattern of its own, so that bars tell apart on a black-and-white page or for a reader who does
not see the colours; each segment wide enough carries its number, and each bar its total.

The SVG is `role="img"` named by its <title> and <desc>; the page gives the same numbers in a
table, which is what a screen reader reads.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.template.loader import render_to_string

# Colours (insights.css: --chart-0 ... --chart-7) and patterns (PATTERNS) by index.
PALETTE_SIZE = 8
# Tones by meaning, for series that mean the same on every page.
GOOD, WAIT, BAD, NEUTRAL = 2, 1, 4, 7

# Geometry, in the SVG's own units (it scales to the width of its box).
WIDTH = 960
ROW_HEIGHT = 28
BAR_HEIGHT = 18
TOP = 8
BOTTOM = 30  # the axis and its numbers
RIGHT = 56  # room for a bar's total
CHAR_WIDTH = 7.2  # of a 13-unit label, on average
LABEL_CHARS = 28  # longer labels are cut, with the whole in a tooltip and the table


@dataclass(frozen=True)
class Series:
    """One kind of thing counted: its name in the legend and its colour and pattern."""

    label: str
    tone: int

    @property
    def pattern(self) -> str:
        return PATTERNS[self.tone % PALETTE_SIZE]


# Pattern drawn over each tone's colour (SVG path in an 8x8 tile; "" is plain colour). The
# first four tones differ most, as most charts have four series or fewer.
PATTERNS = (
    "",
    "M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4",  # diagonal lines
    "M2,2 h1 M6,6 h1",  # dots (drawn as short thick strokes)
    "M0,4 h8",  # horizontal lines
    "M0,0 l8,8 M0,8 l8,-8",  # cross-hatch
    "M4,0 v8",  # vertical lines
    "M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4",  # diagonal the other way
    "M0,4 h8 M4,0 v8",  # grid
)


@dataclass(frozen=True)
class Segment:
    series: Series
    index: int  # of the series, which names its pattern
    value: int
    x: str
    width: str
    text_x: str
    labelled: bool  # wide enough to carry its number
    title: str


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    total: int
    y: str
    text_y: str
    total_x: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class Tick:
    value: int
    x: str


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    unit: str
    series: tuple[Series, ...]
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    width: int
    height: int
    plot_left: str
    plot_right: str
    label_x: str
    bar_height: int
    axis_y: str
    tick_text_y: str

    @property
    def is_empty(self) -> bool:
        return not any(bar.total for bar in self.bars)

    @property
    def total(self) -> int:
        return sum(bar.total for bar in self.bars)

    @property
    def legend(self) -> bool:
        """Whether a legend helps: more than one series."""
        return len(self.series) > 1

    def __html__(self) -> str:
        return render_to_string("insights/_bar_chart.html", {"chart": self})

    def __str__(self) -> str:
        return self.__html__()


def _n(value: float) -> str:
    """A coordinate as the SVG gets it: one decimal at most."""
    return f"{value:.1f}".removesuffix(".0")


def nice_ticks(largest: int) -> list[int]:
    """Round numbers from 0 to at least `largest`, at most six of them: 0, 5, 10, 15, 20."""
    if largest <= 0:
        return [0, 1]
    rough = largest / 4
    magnitude = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= rough)
    step = max(1, int(step))
    top = math.ceil(largest / step) * step
    return list(range(0, top + 1, step))


def _series(series: Sequence[str | Series]) -> tuple[Series, ...]:
    return tuple(
        one if isinstance(one, Series) else Series(one, index) for index, one in enumerate(series)
    )


def stacked_bars(
    *,
    id: str,
    title: str,
    description: str,
    series: Sequence[str | Series],
    rows: Sequence[tuple[str, Sequence[int]]],
    unit: str = "people",
) -> BarChart:
    """A chart of one horizontal bar per row, stacked by series.

    `id` must be unique in the page (it names the patterns); `rows` are (label, one count per
    series); a series is a name (coloured in turn) or a `Series` with a chosen tone."""
    kinds = _series(series)
    for label, values in rows:
        if len(values) != len(kinds):
            raise ValueError(f"{label!r} has {len(values)} values for {len(kinds)} series")
    longest = max((len(label) for label, _ in rows), default=4)
    label_width = min(LABEL_CHARS, max(4, longest)) * CHAR_WIDTH + 12
    plot_left = label_width
    plot_right = WIDTH - RIGHT
    ticks = nice_ticks(max((sum(values) for _, values in rows), default=0))
    scale = (plot_right - plot_left) / ticks[-1]
    bars = []
    for index, (label, values) in enumerate(rows):
        y = TOP + index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        x = plot_left
        segments = []
        for position, (kind, value) in enumerate(zip(kinds, values, strict=True)):
            if value <= 0:
                continue
            width = value * scale
            segments.append(
                Segment(
                    series=kind,
                    index=position,
                    value=value,
                    x=_n(x),
                    width=_n(width),
                    text_x=_n(x + width / 2),
                    labelled=width >= len(str(value)) * CHAR_WIDTH + 8,
                    title=f"{label}, {kind.label}: {value} {unit}",
                )
            )
            x += width
        short = label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"
        bars.append(
            Bar(
                label=label,
                short_label=short,
                total=sum(values),
                y=_n(y),
                text_y=_n(y + BAR_HEIGHT / 2),
                total_x=_n(x + 6),
                segments=tuple(segments),
            )
        )
    axis_y = TOP + len(rows) * ROW_HEIGHT
    return BarChart(
        id=id,
        title=title,
        description=description,
        unit=unit,
        series=kinds,
        bars=tuple(bars),
        ticks=tuple(Tick(value, _n(plot_left + value * scale)) for value in ticks),
        width=WIDTH,
        height=axis_y + BOTTOM,
        plot_left=_n(plot_left),
        plot_right=_n(plot_right),
        label_x=_n(plot_left - 8),
        bar_height=BAR_HEIGHT,
        axis_y=_n(axis_y),
        tick_text_y=_n(axis_y + 18),
    )


def bars(
    *,
    id: str,
    title: str,
    description: str,
    rows: Sequence[tuple[str, int]],
    unit: str = "people",
    series: str | Series = "People",
) -> BarChart:
    """A chart of one plain horizontal bar per row: (label, count)."""
    return stacked_bars(
        id=id,
        title=title,
        description=description,
        series=[series],
        rows=[(label, [value]) for label, value in rows],
        unit=unit,
    )
