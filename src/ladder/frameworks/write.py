"""Writing a ladder file in its canonical form, the one `ladder fmt` leaves and imports compare.

Canonical means complete front matter, '- ' bullets, one blank line between blocks and padded
ratings tables, so that format(parse(format(x))) == format(x) and parse(format(x)) == parse(x).
"""

from __future__ import annotations

import dataclasses

import yaml

from .ladder_data import BULLET_SECTIONS, Ladder, PromotionRules


def format_ladder(ladder: Ladder) -> str:
    """The canonical text of a ladder: complete front matter, one blank line between blocks."""
    out = ["---", f"dimensions: {_flow(list(ladder.dimensions))}"]
    out.append(f"scale: {_flow({'min': ladder.scale.min, 'max': ladder.scale.max})}")
    out.append("levels:")
    out += [
        # A code YAML would read as something else (yes, 1.5, 0x1) is written quoted.
        f"  {_flow([lv.code])[1:-1]}: {_flow({'number': lv.number, 'track': lv.track})}"
        for lv in ladder.levels
    ]
    if ladder.rules != PromotionRules():
        out.append(f"rules: {_flow(dataclasses.asdict(ladder.rules))}")
    if ladder.synonyms:
        out.append("synonyms:")
        out += [
            f"  {_flow([term])[1:-1]}: {_flow(list(alike))}"
            for term, alike in ladder.synonyms.items()
        ]
    out += ["---", f"# {ladder.title}", ""]
    for level in ladder.levels:
        out += [f"## {level.title} ({level.code})", ""]
        for name in BULLET_SECTIONS:
            out += [f"### {name}:", *(f"- {text}" for text in level.bullets(name)), ""]
        out += ["### Competency Ratings:", *_ratings_table(ladder.dimensions, level.ratings), ""]
    return "\n".join(out).rstrip("\n") + "\n"


def _flow(value: object) -> str:
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6).strip()


def _ratings_table(dimensions, ratings) -> list[str]:
    widths = [max(len(d), 3) for d in dimensions]

    def row(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [
        row(dimensions),
        row("-" * w for w in widths),
        row(ratings.get(d, "") for d in dimensions),
    ]
