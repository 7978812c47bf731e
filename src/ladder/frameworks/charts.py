"""Radar (spider) charts as inline SVG, rendered on the server so they need no JavaScript."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

STYLES = ("a", "b", "c", "d")
R = 100.0  # outer ring radius in viewBox units; the width attribute scales the drawing
INNER = 0.12  # scale_min sits off-centre so a shape of all-minimum ratings is still visible
FONT, LINE, TICK_FONT = 13, 15, 10
CHAR_W = 0.62 * FONT  # generous average glyph width: only used to size the viewBox
WRAP = 14
PAD = 6

# Styles live in static/ladder/site.css ("Radar charts"): four colour-blind-safe colours at
# >= 4.5:1 on white; b and d have hollow markers and c and d dashed outlines, so all four differ
# in greyscale print too.

# A radar with fewer axes is a line or a point: callers show a table instead.
MIN_DIMENSIONS = 3


@dataclass(frozen=True)
class Shape:
    label: str  # legend text, e.g. "TL2 expected" or "Self rating"
    values: Mapping[str, int | float | None]  # dimension -> rating; None/missing = not rated
    style: str = "a"  # selects the CSS classes radar-shape-{style} and radar-marker-{style}


def _n(x: float) -> str:
    return f"{round(x, 1) + 0.0:g}"  # + 0.0 turns -0.0 into 0.0


def _wrap(label: str) -> list[str]:
    if len(label) <= WRAP or " " not in label:
        return [label]
    spaces = [i for i, ch in enumerate(label) if ch == " "]
    cut = min(spaces, key=lambda i: abs(i - len(label) / 2))
    return [label[:cut], label[cut + 1 :]]


def _validate(dims, shapes, scale_min, scale_max) -> None:
    if len(dims) < MIN_DIMENSIONS:
        raise ValueError(
            f"a radar chart needs at least {MIN_DIMENSIONS} dimensions, got {len(dims)}"
        )
    if len(set(dims)) != len(dims):
        raise ValueError(f"radar chart dimensions must be unique, got {dims}")
    if scale_max <= scale_min:
        raise ValueError(f"scale_max ({scale_max}) must be above scale_min ({scale_min})")
    for shape in shapes:
        if shape.style not in STYLES:
            raise ValueError(f"shape style must be one of {STYLES}, got {shape.style!r}")
        for dim in dims:
            v = shape.values.get(dim)
            if v is not None and not math.isfinite(v):
                raise ValueError(f"{shape.label!r} rates {dim!r} as {v}, which is not a number")


def off_scale(shapes, dims, scale_min, scale_max) -> list[str]:
    """Sentences for each rating outside the chart's scale: a rating recorded under a ladder
    version with a wider scale keeps its value, and the chart says where it drew it."""
    notes = []
    for s in shapes:
        for dim in dims:
            v = s.values.get(dim)
            if v is not None and not scale_min <= v <= scale_max:
                edge = "outer" if v > scale_max else "inner"
                notes.append(
                    f"{s.label} rates {dim} {v:g}, outside this chart's {scale_min}–{scale_max} "
                    f"scale: drawn on the {edge} ring."
                )
    return notes


def radar_svg(
    dimensions: Sequence[str],
    shapes: Sequence[Shape],
    *,
    scale_min: int = 1,
    scale_max: int = 5,
    title: str = "",
    size: int = 320,
    compact: bool = False,
) -> str:
    """A <figure> with an SVG radar chart, a legend and a visually hidden table of the numbers."""
    dims, shapes = list(dimensions), list(shapes)
    _validate(dims, shapes, scale_min, scale_max)
    n, title = len(dims), title or "Radar chart"
    angles = [math.radians(-90 + i * 360 / n) for i in range(n)]

    def radius(v: float) -> float:
        return R * (INNER + (1 - INNER) * (v - scale_min) / (scale_max - scale_min))

    def points(rs: list[float]) -> list[tuple[float, float]]:
        return [(r * math.cos(a), r * math.sin(a)) for r, a in zip(rs, angles, strict=True)]

    def attr(pts: list[tuple[float, float]]) -> str:
        return " ".join(f"{_n(x)},{_n(y)}" for x, y in pts)

    # Ids must be unique on the page yet stable across renders, so hash the inputs.
    inputs = [(s.label, sorted(s.values.items()), s.style) for s in shapes]
    key = repr((dims, inputs, scale_min, scale_max, title, size, compact))
    uid = "radar-" + hashlib.sha256(key.encode()).hexdigest()[:10]
    outer = points([R] * n)
    xs, ys = [x for x, _ in outer], [y for _, y in outer]  # extents of everything drawn
    grid, labels = [], []
    for step in range(scale_min, scale_max + 1):
        grid.append(f'<polygon class="radar-ring" points="{attr(points([radius(step)] * n))}"/>')
        if not compact:  # step numbers sit just left of the first (upward) spoke
            labels.append(
                f'<text class="radar-tick" x="-3" y="{_n(-radius(step) - 2)}" text-anchor="end"'
                f' font-size="{TICK_FONT}">{step}</text>'
            )
    for i, (x, y) in enumerate(outer):
        grid.append(f'<line class="radar-spoke" x1="0" y1="0" x2="{_n(x)}" y2="{_n(y)}"/>')
        if compact:
            continue
        cos, sin = math.cos(angles[i]), math.sin(angles[i])
        x, y = (R + 8) * cos, (R + 8) * sin
        lines = _wrap(dims[i])
        anchor = "middle" if abs(cos) < 0.3 else "start" if cos > 0 else "end"
        extra = (len(lines) - 1) * LINE
        if sin < -0.3:  # above the spoke tip: grow upwards, clear of the first axis's step numbers
            top = y - extra - 3 - (TICK_FONT if i == 0 else 0)
        elif sin > 0.3:  # below it: hang down
            top = y + 0.8 * FONT
        else:  # beside it: centre on the tip
            top = y - extra / 2 + 0.35 * FONT
        width = max(len(line) for line in lines) * CHAR_W
        left = x - {"start": 0, "middle": width / 2, "end": width}[anchor]
        xs += [left, left + width]
        ys += [top - FONT, top + extra + 0.3 * FONT]
        spans = "".join(
            f'<tspan x="{_n(x)}" y="{_n(top + j * LINE)}">{escape(line)}</tspan>'
            for j, line in enumerate(lines)
        )
        labels.append(
            f'<text class="radar-axis-label" text-anchor="{anchor}" font-size="{FONT}">{spans}</text>'
        )

    def clamped(v: float | None) -> float:
        return scale_min if v is None else min(max(v, scale_min), scale_max)

    drawn = []
    for s in shapes:
        vals = [s.values.get(d) for d in dims]
        pts = points([radius(clamped(v)) for v in vals])
        drawn.append(f'<polygon class="radar-shape radar-shape-{s.style}" points="{attr(pts)}"/>')
        for v, (x, y) in zip(vals, pts, strict=True):
            missing = " radar-missing" if v is None else ""
            if v is not None and clamped(v) != v:
                missing = " radar-off-scale"
            drawn.append(
                f'<circle class="radar-marker radar-marker-{s.style}{missing}"'
                f' cx="{_n(x)}" cy="{_n(y)}" r="{2.5 if compact else 3}"/>'
            )

    left, top = min(xs) - PAD, min(ys) - PAD
    w, h = max(xs) + PAD - left, max(ys) + PAD - top
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_n(left)} {_n(top)} {_n(w)} {_n(h)}"'
        f' width="{size}" height="{round(size * h / w)}" role="img" aria-labelledby="{uid}-title">'
        f'<title id="{uid}-title">{escape(title)}</title>'
        # Fallbacks for a page without RADAR_CSS: presentation attributes lose to any CSS rule.
        f'<g fill="none" stroke="currentColor">{"".join(grid + drawn)}</g>{"".join(labels)}</svg>'
    )
    legend = "".join(
        f'<li><span class="radar-swatch radar-swatch-{s.style}" aria-hidden="true"></span>'
        f"{escape(s.label)}</li>"
        for s in shapes
    )
    legend = "" if compact else f'<ul class="radar-legend">{legend}</ul>'
    notes = off_scale(shapes, dims, scale_min, scale_max)
    if notes:
        legend += "".join(f'<p class="radar-note">{escape(note)}</p>' for note in notes)

    def cell(v: float | None) -> str:
        if v is None:
            return "—"
        return f"{v:g}" if scale_min <= v <= scale_max else f"{v:g} (off the scale)"

    head = "".join(f'<th scope="col">{escape(s.label)}</th>' for s in shapes)
    rows = "".join(
        f'<tr><th scope="row">{escape(d)}</th>'
        + "".join(f"<td>{cell(s.values.get(d))}</td>" for s in shapes)
        + "</tr>"
        for d in dims
    )
    # The hiding wrapper is a div: a table ignores a 1px width and would widen the page.
    table = (
        f'<div class="visually-hidden"><table><caption>{escape(title)}'
        f" (ratings on a {scale_min}–{scale_max} scale)</caption>"
        f'<thead><tr><th scope="col">Dimension</th>{head}</tr></thead><tbody>{rows}</tbody>'
        "</table></div>"
    )
    return f'<figure class="radar">{svg}{legend}{table}</figure>'
