"""Reading and writing ladder files: Markdown in the seed's shape, with optional YAML front matter.

    ---                       # optional: what the Markdown cannot say
    dimensions: [Team Contributor, Technical Leadership, People Management]
    scale: {min: 1, max: 5}
    levels:
      TL2: {number: 7, track: Tech Lead}
    rules: {min_criteria_met: 0.8}
    ---
    # Ladder title
    ## Level title (CODE)
    ### Responsibilities:       (and the other six sections, each a bullet list)
    ### Competency Ratings:     (a table: one column per dimension, one row of ratings)

Without front matter, the dimensions come from the first ratings table, a level's number from
"at level N" in its Scenario, and its track from its title ("Senior Developer II" is on the
"Senior Developer" track).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .model import (
    BULLET_SECTIONS,
    SECTIONS,
    Ladder,
    Level,
    MinimumExperience,
    PromotionRules,
    Scale,
)

_markdown = MarkdownIt("commonmark").enable("table")

_LEVEL_HEADING = re.compile(r"^(?P<title>.+?)\s*\(\s*(?P<code>[A-Za-z0-9][A-Za-z0-9_.-]*)\s*\)$")
_AT_LEVEL = re.compile(r"\bat level (\d+)\b", re.IGNORECASE)
_TRACK_SUFFIX = re.compile(r"\s+(?:[IVX]+|\d+)$")
_SECTION_BY_KEY = {name.casefold(): name for name in SECTIONS}
# Sections that may be left without bullets: the top level has no minimum and no next step.
_MAY_BE_EMPTY = {"Minimum Experience", "Next Actions", "Scenario"}
# The section after an unknown or misplaced heading: its content was reported with the heading.
_UNKNOWN = "<unknown>"

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "eighteen": 18, "twenty-four": 24, "thirty-six": 36,
}  # fmt: skip
_COUNT = r"\d+(?:\.\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DURATION = re.compile(
    rf"\b(?P<count>{_COUNT})"
    # A range ("2-3 years", "6 to 12 months") counts from its lower end.
    rf"(?:\s*(?:-|–|to)\s*(?:{_COUNT}))?"
    r"\s*(?:\+|or more|or longer)?\s*-?\s*(?P<unit>years?|months?)\b",
    re.IGNORECASE,
)
# What may stand between the parts of one duration: "1 year and 6 months", "1 year, 6 months".
_JOINER = re.compile(r"\s*(?:,|and|,\s*and)?\s*", re.IGNORECASE)
_RULE_TYPES = {f.name: f.type for f in dataclasses.fields(PromotionRules)}


class LadderError(ValueError):
    """A ladder file that cannot be read; `errors` holds every problem found, in line order."""

    def __init__(self, errors: list[ParseError]):
        self.errors = sorted(errors, key=lambda e: (e.path, e.line))
        super().__init__("\n".join(map(str, self.errors)))


@dataclass(frozen=True)
class ParseError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        # Line 0 is the file as a whole (it could not be read at all).
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def months_of(text: str) -> int | None:
    """The duration a Minimum Experience line states, in months ("2+ years" -> 24), or None.

    The first duration counts, with any part joined to it ("1 year and 6 months" -> 18).
    """
    match = _DURATION.search(text)
    if not match:
        return None
    total = 0.0
    while match:
        word = match["count"].lower()
        count = float(_NUMBER_WORDS.get(word, 0) or word)
        total += count * 12 if match["unit"].lower().startswith("year") else count
        joiner = _JOINER.match(text, match.end())
        match = _DURATION.match(text, joiner.end()) if joiner else None
    return round(total)


def parse_file(path: str | Path) -> Ladder:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LadderError([ParseError(str(path), 0, f"cannot read the file: {error}")]) from error
    return parse(text, path=str(path))


def parse(text: str, path: str = "<ladder>") -> Ladder:
    """Read a ladder file's text; raises LadderError listing every problem with its line."""
    return _Parser(text, path).parse()


@dataclass
class _LevelDraft:
    line: int
    title: str
    code: str
    # Each section's bullets as (line, text).
    sections: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    section_lines: dict[str, int] = field(default_factory=dict)
    header: list[str] | None = None
    header_line: int = 0
    ratings: dict[str, int] = field(default_factory=dict)

    def bullets(self, section: str) -> tuple[str, ...]:
        return tuple(text for _, text in self.sections[section])


class _Parser:
    def __init__(self, text: str, path: str):
        self.path = path
        self.lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.errors: list[ParseError] = []

    def error(self, line: int, message: str) -> None:
        self.errors.append(ParseError(self.path, line, message))

    def parse(self) -> Ladder:
        front = self._front_matter()
        title, drafts, header = self._body(front)
        dimensions = tuple(front.get("dimensions") or header or ())
        scale = front.get("scale", Scale())
        levels = self._levels(drafts, front.get("levels", {}), dimensions, scale)
        if self.errors:
            raise LadderError(self.errors)
        return Ladder(
            title=title,
            dimensions=dimensions,
            levels=tuple(levels),
            scale=scale,
            rules=front.get("rules", PromotionRules()),
        )

    # -- front matter ---------------------------------------------------------------------

    def _front_matter(self) -> dict:
        if not self.lines or self.lines[0].strip() != "---":
            return {}
        end = next((i for i, line in enumerate(self.lines[1:], 1) if line.strip() == "---"), None)
        if end is None:
            # Where the front matter should end is unknown, so nothing after it can be read.
            self.error(1, "front matter opened with '---' is never closed by a '---' line")
            raise LadderError(self.errors)
        source = "\n".join(self.lines[1:end])
        # Blank out the front matter so Markdown line numbers stay those of the file.
        self.lines[: end + 1] = [""] * (end + 1)
        try:
            data = yaml.safe_load(source)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            self.error(line, f"front matter is not valid YAML: {getattr(error, 'problem', error)}")
            return {}
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.error(2, "front matter must be a mapping of keys to values")
            return {}
        return self._front_values(data, source.split("\n"))

    def _front_values(self, data: dict, source: list[str]) -> dict:
        def line_of(key: str) -> int:
            pattern = re.compile(rf"(?:^|[\s{{,]){re.escape(str(key))}\s*:")
            return next((i + 2 for i, line in enumerate(source) if pattern.search(line)), 1)

        values: dict = {}
        for key, value in data.items():
            line = line_of(key)
            if key == "dimensions":
                if (
                    not isinstance(value, list)
                    or not value
                    or not all(isinstance(v, str) and v.strip() for v in value)
                ):
                    self.error(line, "dimensions must be a non-empty list of names")
                elif len(set(value)) != len(value):
                    self.error(line, "dimensions must not repeat a name")
                else:
                    values["dimensions"] = [v.strip() for v in value]
            elif key == "scale":
                low, high = (
                    (value.get("min"), value.get("max")) if isinstance(value, dict) else (0, 0)
                )
                if not (isinstance(low, int) and isinstance(high, int) and low < high):
                    self.error(line, "scale must be {min: INTEGER, max: INTEGER} with min < max")
                else:
                    values["scale"] = Scale(low, high)
            elif key == "levels":
                values["levels"] = self._front_levels(value, line, line_of)
            elif key == "rules":
                values["rules"] = self._front_rules(value, line, line_of)
            else:
                self.error(
                    line,
                    f"unknown front matter key {key!r}: expected dimensions, scale, levels or rules",
                )
        return values

    def _front_levels(self, value: object, line: int, line_of) -> dict:
        if not isinstance(value, dict):
            self.error(line, "levels must map each level code to {number: N, track: NAME}")
            return {}
        levels = {}
        for code, spec in value.items():
            spec_line = line_of(code)
            if not isinstance(spec, dict) or set(spec) - {"number", "track"}:
                self.error(spec_line, f"level {code}: expected {{number: N, track: NAME}}")
                continue
            number, track = spec.get("number"), spec.get("track")
            if number is not None and (not isinstance(number, int) or isinstance(number, bool)):
                self.error(spec_line, f"level {code}: number must be an integer, not {number!r}")
                continue
            if track is not None and not (isinstance(track, str) and track.strip()):
                self.error(spec_line, f"level {code}: track must be a name")
                continue
            levels[str(code)] = (spec_line, number, track.strip() if track else None)
        return levels

    def _front_rules(self, value: object, line: int, line_of) -> PromotionRules:
        if not isinstance(value, dict):
            self.error(line, "rules must be a mapping")
            return PromotionRules()
        rules = {}
        for key, setting in value.items():
            kind, line = _RULE_TYPES.get(key), line_of(key)
            if kind is None:
                self.error(line, f"unknown rule {key!r}: expected one of {', '.join(_RULE_TYPES)}")
            elif kind == "bool" and not isinstance(setting, bool):
                self.error(line, f"rule {key} must be true or false, not {setting!r}")
            elif kind == "int" and (
                not isinstance(setting, int) or isinstance(setting, bool) or setting < 0
            ):
                self.error(
                    line, f"rule {key} must be a whole number of at least 0, not {setting!r}"
                )
            elif kind == "float" and (
                isinstance(setting, bool)
                or not isinstance(setting, int | float)
                or not 0 <= setting <= 1
            ):
                self.error(line, f"rule {key} must be a share from 0 to 1, not {setting!r}")
            else:
                rules[key] = float(setting) if kind == "float" else setting
        return PromotionRules(**rules)

    # -- Markdown body ----------------------------------------------------------------------

    def _body(self, front: dict) -> tuple[str, list[_LevelDraft], list[str] | None]:
        tokens = _markdown.parse("\n".join(self.lines))
        title = ""
        drafts: list[_LevelDraft] = []
        first_header: list[str] | None = None
        section: str | None = None
        i = 0
        while i < len(tokens):
            token = tokens[i]
            line = token.map[0] + 1 if token.map else 1
            level = drafts[-1] if drafts else None
            if token.type == "heading_open":
                text = tokens[i + 1].content.strip()
                if token.tag == "h1":
                    if title:
                        self.error(line, f"a second ladder title {text!r}: a file holds one ladder")
                    elif drafts:
                        self.error(line, "the ladder title '# ...' must come before the levels")
                    title = text
                elif token.tag == "h2":
                    section = None
                    match = _LEVEL_HEADING.match(text)
                    if not match:
                        self.error(line, f"level heading {text!r} must read 'Title (CODE)'")
                        drafts.append(_LevelDraft(line, text, ""))
                    else:
                        drafts.append(_LevelDraft(line, match["title"], match["code"]))
                elif token.tag == "h3":
                    section = self._section(text, line, level)
                else:
                    self.error(
                        line, f"unexpected heading {text!r}: use ## for levels and ### for sections"
                    )
                i += 3
                continue
            if token.type == "bullet_list_open":
                items, i = self._bullets(tokens, i)
                if section == _UNKNOWN:
                    pass  # already reported at its heading
                elif level is None or section is None:
                    self.error(line, "a list outside any level section")
                elif section == "Competency Ratings":
                    self.error(line, "Competency Ratings takes a table, not a list")
                else:
                    level.sections[section].extend(items)
                continue
            if token.type == "table_open":
                rows, i = self._table(tokens, i)
                if section == _UNKNOWN:
                    pass
                elif level is None or section != "Competency Ratings":
                    self.error(line, "a table outside a Competency Ratings section")
                else:
                    header = self._ratings(rows, level, front)
                    first_header = first_header or header
                continue
            if token.type == "ordered_list_open":
                self.error(line, "use '-' or '*' bullets, not a numbered list")
            elif section == _UNKNOWN:
                pass
            elif token.type == "paragraph_open":
                content = tokens[i + 1].content.strip()
                where = f"in {section}" if section else "outside any section"
                self.error(line, f"text {where} must be a '- ' bullet: {content[:60]!r}")
            else:
                self.error(line, f"unexpected {token.type.removesuffix('_open')} in a ladder file")
            i = _skip_block(tokens, i)
        if not title:
            self.error(1, "missing the ladder title: the file must start with '# Title'")
        if not drafts and title:
            self.error(len(self.lines), "the ladder has no levels: add '## Title (CODE)' sections")
        return title, drafts, first_header

    def _section(self, text: str, line: int, level: _LevelDraft | None) -> str:
        name = _SECTION_BY_KEY.get(text.rstrip(":").strip().casefold())
        if level is None:
            self.error(line, f"section {text!r} comes before any '## Title (CODE)' level heading")
            return _UNKNOWN
        if name is None:
            shown = text.rstrip(":").strip()
            self.error(line, f"unknown section {shown!r}: expected one of {', '.join(SECTIONS)}")
            return _UNKNOWN
        if name in level.sections:
            self.error(line, f"level {level.code}: section {name!r} appears twice")
            return _UNKNOWN
        level.sections[name] = []
        level.section_lines[name] = line
        return name

    def _bullets(self, tokens: list[Token], start: int) -> tuple[list[tuple[int, str]], int]:
        depth, items, i = tokens[start].level, [], start + 1
        while tokens[i].type != "bullet_list_close" or tokens[i].level != depth:
            token = tokens[i]
            if token.type == "inline" and token.level == depth + 3:
                text = " ".join(part.strip() for part in token.content.split("\n"))
                items.append((token.map[0] + 1, text))
            elif token.type in ("bullet_list_open", "ordered_list_open") and token.level > depth:
                line = token.map[0] + 1 if token.map else 1
                self.error(line, "nested lists are not part of the ladder format")
            i += 1
        return [(line, text) for line, text in items if text], i + 1

    def _table(self, tokens: list[Token], start: int) -> tuple[list[tuple[int, list[str]]], int]:
        rows, i = [], start + 1
        while tokens[i].type != "table_close":
            if tokens[i].type == "tr_open":
                rows.append((tokens[i].map[0] + 1, []))
            elif tokens[i].type == "inline":
                rows[-1][1].append(tokens[i].content.strip())
            i += 1
        return rows, i + 1

    def _ratings(self, rows, level: _LevelDraft, front: dict) -> list[str]:
        (header_line, header), body = rows[0], rows[1:]
        if level.header is not None:
            self.error(header_line, f"level {level.code}: a second ratings table")
            return header
        level.header, level.header_line = header, header_line
        for position, name in enumerate(header):
            if not name:
                self.error(
                    header_line,
                    f"level {level.code}: column {position + 1} of the ratings header has no dimension name",
                )
            elif header.index(name) != position:
                self.error(
                    header_line,
                    f"level {level.code}: dimension {name!r} appears twice in the ratings header",
                )
        if len(body) != 1:
            self.error(header_line, f"level {level.code}: the ratings table needs exactly one row")
        scale = front.get("scale", Scale())
        for row_line, cells in body[:1]:
            for dimension, cell in zip(header, cells, strict=False):
                rating = int(cell) if re.fullmatch(r"[+-]?\d+", cell) else None
                if rating not in scale:
                    self.error(
                        row_line,
                        f"level {level.code}: rating {cell!r} for {dimension} is not an integer "
                        f"from {scale.min} to {scale.max}",
                    )
                else:
                    level.ratings[dimension] = rating
        return header

    # -- levels -----------------------------------------------------------------------------

    def _levels(self, drafts, front_levels: dict, dimensions, scale) -> list[Level]:
        levels, seen, track_last = [], {}, {}
        for draft in drafts:
            if not draft.code:
                continue
            if draft.code in seen:
                self.error(
                    draft.line,
                    f"duplicate level code {draft.code} (first at line {seen[draft.code]})",
                )
                continue
            seen[draft.code] = draft.line
            missing = [name for name in SECTIONS if name not in draft.sections]
            if missing:
                self.error(
                    draft.line,
                    f"level {draft.code}: missing section {', '.join(map(repr, missing))}",
                )
                continue
            for name, line in draft.section_lines.items():
                if name not in _MAY_BE_EMPTY | {"Competency Ratings"} and not draft.sections[name]:
                    self.error(line, f"level {draft.code}: section {name!r} has no bullets")
            if draft.header is None:
                self.error(
                    draft.section_lines["Competency Ratings"],
                    f"level {draft.code}: Competency Ratings needs a table with a column per "
                    "dimension and one row of ratings",
                )
            elif dimensions and draft.header != list(dimensions):
                self.error(
                    draft.header_line,
                    f"level {draft.code}: ratings header {' | '.join(draft.header)!r} does not "
                    f"match the ladder's dimensions {' | '.join(dimensions)!r}",
                )
            _, front_number, front_track = front_levels.get(draft.code, (0, None, None))
            number = self._number(draft, front_number)
            track = front_track or _TRACK_SUFFIX.sub("", draft.title)
            if number is None:
                continue
            if track in track_last and track_last[track].number >= number:
                previous = track_last[track]
                self.error(
                    draft.line,
                    f"track {track!r} goes from {previous.code} (level {previous.number}) to "
                    f"{draft.code} (level {number}): numbers must increase along a track",
                )
            experience = draft.bullets("Minimum Experience")
            level = Level(
                code=draft.code,
                title=draft.title,
                number=number,
                track=track,
                minimum_experience=MinimumExperience(
                    months=next((m for m in map(months_of, experience) if m is not None), None),
                    text=tuple(experience),
                ),
                ratings={d: draft.ratings[d] for d in dimensions if d in draft.ratings},
                **{
                    field: draft.bullets(section)
                    for section, field in BULLET_SECTIONS.items()
                    if section != "Minimum Experience"
                },
            )
            track_last[track] = level
            levels.append(level)
        for code, (line, _, _) in front_levels.items():
            if code not in seen:
                self.error(line, f"front matter names level {code}, which the file does not have")
        return levels

    def _number(self, draft: _LevelDraft, front_number: int | None) -> int | None:
        stated = {}
        for line, text in draft.sections["Scenario"]:
            for match in _AT_LEVEL.finditer(text):
                stated.setdefault(int(match[1]), line)
        if front_number is not None:
            stated.setdefault(front_number, draft.line)
        if len(stated) > 1:
            values = " and ".join(str(n) for n in sorted(stated))
            self.error(
                max(stated.values()),
                f"level {draft.code}: level number stated twice with two values ({values})",
            )
            return None
        if not stated:
            self.error(
                draft.line,
                f"level {draft.code}: no level number: write 'at level N' in its Scenario or give "
                f"'{draft.code}: {{number: N}}' under levels in the front matter",
            )
            return None
        return next(iter(stated))


def _skip_block(tokens: list[Token], i: int) -> int:
    """The index after the block that starts at tokens[i]."""
    token = tokens[i]
    if token.nesting != 1:
        return i + 1
    close = token.type.removesuffix("_open") + "_close"
    while not (tokens[i].type == close and tokens[i].level == token.level):
        i += 1
    return i + 1


# -- writing --------------------------------------------------------------------------------


def format_ladder(ladder: Ladder) -> str:
    """The canonical text of a ladder: complete front matter, one blank line between blocks."""
    out = ["---", f"dimensions: {_flow(list(ladder.dimensions))}"]
    out.append(f"scale: {_flow({'min': ladder.scale.min, 'max': ladder.scale.max})}")
    out.append("levels:")
    out += [
        f"  {lv.code}: {_flow({'number': lv.number, 'track': lv.track})}" for lv in ladder.levels
    ]
    if ladder.rules != PromotionRules():
        out.append(f"rules: {_flow(dataclasses.asdict(ladder.rules))}")
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
