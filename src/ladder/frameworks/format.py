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
import reprlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from .ladder_data import (
    BULLET_SECTIONS,
    CRITERIA_SECTIONS,
    MAX_CODE_LENGTH,
    MAX_NAME_LENGTH,
    MAX_TITLE_LENGTH,
    POSITIVE_SMALL_INTEGERS,
    SECTIONS,
    SMALL_INTEGERS,
    Ladder,
    Level,
    MinimumExperience,
    PromotionRules,
    Scale,
)

_markdown = MarkdownIt("commonmark").enable("table")

# Every pattern here runs over text from the file, so each is written to take time in
# proportion to that text: possessive quantifiers (*+, ++) and no two neighbouring parts that
# can match the same characters, which is what lets a regular expression backtrack for ever.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*+")
_AT_LEVEL = re.compile(r"\bat level (\d++)\b", re.IGNORECASE)
# The lookbehind starts the match only where a run of spaces starts, not at each of its spaces.
_TRACK_SUFFIX = re.compile(r"(?<!\s)\s++(?:[IVX]++|\d++)$")
_INTEGER = re.compile(r"[+-]?\d++")
# Characters PostgreSQL cannot store in text (NUL) or at all (a lone surrogate).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
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
_COUNT = r"\d++(?:\.\d++)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_DURATION = re.compile(
    rf"\b(?P<count>{_COUNT})"
    # A range ("2-3 years", "6 to 12 months") counts from its lower end.
    rf"(?:\s*+(?:-|–|to)\s*+(?:{_COUNT}))?"
    r"\s*+(?:(?:\+|or more|or longer)\s*+)?(?:-\s*+)?(?P<unit>years?|months?)\b",
    re.IGNORECASE,
)
# What may stand between the parts of one duration: "1 year and 6 months", "1 year, 6 months".
_JOINER = re.compile(r"\s*+(?:,\s*+)?(?:and\s*+)?", re.IGNORECASE)
_RULE_TYPES = {f.name: f.type for f in dataclasses.fields(PromotionRules)}
# More digits than this is beyond every limit a ladder has; Python will not even read a number
# of over 4,300 digits, so longer ones are never converted.
_MAX_DIGITS = 9
# The front matter needs three levels of nesting (levels, a code, its number and track).
_MAX_FRONT_MATTER_DEPTH = 20


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


class _ShortRepr(reprlib.Repr):
    def __init__(self):
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother, self.maxlong = 2, 60, 60, 40

    def repr_int(self, x: int, level: int) -> str:
        # repr() itself refuses an int of over 4,300 digits.
        if x.bit_length() > 128:
            return f"<a number of about {x.bit_length() * 3 // 10} digits>"
        return super().repr_int(x, level)


_short_repr = _ShortRepr()


def _shown(value: object, limit: int = 80) -> str:
    """`value` quoted for an error message, cut short: no input can make a message long."""
    return _cut(_short_repr.repr(value), limit)


def _cut(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _whole(digits: str) -> int:
    """The integer written as `digits` (with an optional sign).

    One of more than _MAX_DIGITS digits reads as 10**_MAX_DIGITS, past every limit a ladder
    has, so it is refused as too large instead of breaking Python's conversion.
    """
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-").lstrip("0") or "0"
    return sign * (int(digits) if len(digits) <= _MAX_DIGITS else 10**_MAX_DIGITS)


def _count(word: str) -> float:
    if word.lower() in _NUMBER_WORDS:
        return _NUMBER_WORDS[word.lower()]
    whole = word.partition(".")[0].lstrip("0")
    # float() of a long enough number is infinity, which no month count can be rounded from.
    return float(word) if len(whole) <= _MAX_DIGITS else 10.0**_MAX_DIGITS


def months_of(text: str) -> int | None:
    """The duration a Minimum Experience line states, in months ("2+ years" -> 24), or None.

    The first duration counts, with any part joined to it ("1 year and 6 months" -> 18).
    """
    match = _DURATION.search(text)
    if not match:
        return None
    total = 0.0
    while match:
        count = _count(match["count"])
        total += count * 12 if match["unit"].lower().startswith("year") else count
        joiner = _JOINER.match(text, match.end())
        match = _DURATION.match(text, joiner.end())
    return round(total)


def _level_heading(text: str) -> tuple[str, str] | None:
    """A level heading's (title, code) from 'Title (CODE)', or None when it does not read so."""
    # Split at the last "(" rather than with one regular expression: spaces that both the title
    # and the gap before "(" could take would make a pattern backtrack over every split.
    if not text.endswith(")"):
        return None
    title, paren, code = text[:-1].rpartition("(")
    title, code = title.rstrip(), code.strip()
    if not (paren and title and _CODE.fullmatch(code)):
        return None
    return title, code


def parse_file(path: str | Path) -> Ladder:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise LadderError([ParseError(str(path), 0, f"cannot read the file: {error}")]) from error
    return parse(text, path=str(path))


def parse(text: str, path: str = "<ladder>") -> Ladder:
    """Read a ladder file's text; raises LadderError listing every problem with its line.

    A ladder it returns fits the database: every name, number and count within its columns.
    """
    return _Parser(text, path).parse()


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that the front matter does not take."""


class _FrontMatterLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing what lets a few bytes of front matter grow without bound.

    An alias repeats what its anchor names, so nested aliases ("a billion laughs") turn a
    kilobyte into gigabytes; the ladder's front matter has no use for them. Deep nesting makes
    the composer recurse past Python's stack, and a long number is more than Python will read.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(
                problem="anchors and aliases (&name, *name) are not allowed",
                problem_mark=event.start_mark,
            )
        if self.depth >= _MAX_FRONT_MATTER_DEPTH:
            raise _Refused(
                problem=f"values nested more than {_MAX_FRONT_MATTER_DEPTH} deep",
                problem_mark=event.start_mark,
            )
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_int(self, node):
        if len(node.value) > 20:
            raise _Refused(
                problem=f"the number {_shown(node.value)} is too long",
                problem_mark=node.start_mark,
            )
        return super().construct_yaml_int(node)

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as error:
            # A value PyYAML recognises but cannot build, such as the date 2024-13-45.
            raise _Refused(
                problem=f"cannot read {_shown(node.value)}: {error}", problem_mark=node.start_mark
            ) from error


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:int", _FrontMatterLoader.construct_yaml_int)


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
        self._unstorable_characters()
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

    def _unstorable_characters(self) -> None:
        # The file is stored whole, so a NUL anywhere, even in a comment, fails the import.
        for number, line in enumerate(self.lines, 1):
            if match := _UNSTORABLE.search(line):
                self.error(
                    number,
                    f"the character {match.group()!r} (U+{ord(match.group()):04X}) cannot be "
                    "stored: remove it",
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
        loader = None
        try:
            loader = _FrontMatterLoader(source)
            node = loader.get_single_node()
            if node is None:
                return {}
            if not isinstance(node, yaml.MappingNode):
                self.error(2, "front matter must be a mapping of keys to values")
                return {}
            entries = _entries(loader, node)
            return self._front_values(loader, entries)
        except yaml.reader.ReaderError as error:
            character = error.character
            character = chr(character) if isinstance(character, int) else str(character)
            if not _UNSTORABLE.match(character):  # reported as unstorable already
                line = source.count("\n", 0, error.position) + 2
                self.error(
                    line,
                    f"front matter is not valid YAML: the character {_shown(character)} "
                    "is not allowed",
                )
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 2 if mark else 1
            problem = _cut(str(getattr(error, "problem", None) or error), 200)
            if isinstance(error, _Refused):
                self.error(line, f"front matter: {problem}")
            else:
                self.error(line, f"front matter is not valid YAML: {problem}")
        finally:
            if loader is not None:
                loader.dispose()
        return {}

    def _front_values(self, loader, entries) -> dict:
        values: dict = {}
        for key, value, line, node in entries:
            if key == "dimensions":
                if (
                    not isinstance(value, list)
                    or not value
                    or not all(isinstance(v, str) and v.strip() for v in value)
                ):
                    self.error(line, "dimensions must be a non-empty list of names")
                elif len(set(value)) != len(value):
                    self.error(line, "dimensions must not repeat a name")
                elif self._dimension_names_fit(value, line):
                    values["dimensions"] = [v.strip() for v in value]
            elif key == "scale":
                low, high = (
                    (value.get("min"), value.get("max")) if isinstance(value, dict) else (0, 0)
                )
                if not (_is_integer(low, SMALL_INTEGERS) and _is_integer(high, SMALL_INTEGERS)):
                    self.error(
                        line,
                        "scale must be {min: INTEGER, max: INTEGER} with min < max, each from "
                        f"{SMALL_INTEGERS[0]} to {SMALL_INTEGERS[-1]}",
                    )
                elif not low < high:
                    self.error(line, "scale must be {min: INTEGER, max: INTEGER} with min < max")
                else:
                    values["scale"] = Scale(low, high)
            elif key == "levels":
                values["levels"] = self._front_levels(loader, node, line)
            elif key == "rules":
                values["rules"] = self._front_rules(loader, node, line)
            else:
                self.error(
                    line,
                    f"unknown front matter key {_shown(key)}: expected dimensions, scale, "
                    "levels or rules",
                )
        return values

    def _front_levels(self, loader, node, line: int) -> dict:
        if not isinstance(node, yaml.MappingNode):
            self.error(line, "levels must map each level code to {number: N, track: NAME}")
            return {}
        levels = {}
        for code, spec, spec_line, _ in _entries(loader, node):
            if not isinstance(code, str | int | float) or isinstance(code, bool):
                self.error(spec_line, f"level code {_shown(code)} must be a code like SR1")
                continue
            code = str(code)
            if not isinstance(spec, dict) or set(spec) - {"number", "track"}:
                self.error(spec_line, f"level {_cut(code)}: expected {{number: N, track: NAME}}")
                continue
            number, track = spec.get("number"), spec.get("track")
            if number is not None and not _is_integer(number, SMALL_INTEGERS):
                self.error(
                    spec_line,
                    f"level {_cut(code)}: number must be an integer from {SMALL_INTEGERS[0]} "
                    f"to {SMALL_INTEGERS[-1]}, not {_shown(number)}",
                )
                continue
            if track is not None and not (isinstance(track, str) and track.strip()):
                self.error(spec_line, f"level {_cut(code)}: track must be a name")
                continue
            levels[code] = (spec_line, number, track.strip() if track else None)
        return levels

    def _front_rules(self, loader, node, line: int) -> PromotionRules:
        if not isinstance(node, yaml.MappingNode):
            self.error(line, "rules must be a mapping")
            return PromotionRules()
        rules = {}
        for key, setting, line, _ in _entries(loader, node):
            kind = _RULE_TYPES.get(key) if isinstance(key, str) else None
            if kind is None:
                self.error(
                    line, f"unknown rule {_shown(key)}: expected one of {', '.join(_RULE_TYPES)}"
                )
            elif kind == "bool" and not isinstance(setting, bool):
                self.error(line, f"rule {key} must be true or false, not {_shown(setting)}")
            elif kind == "int" and not _is_integer(setting, POSITIVE_SMALL_INTEGERS):
                self.error(
                    line,
                    f"rule {key} must be a whole number from 0 to {POSITIVE_SMALL_INTEGERS[-1]}, "
                    f"not {_shown(setting)}",
                )
            elif kind == "float" and (
                isinstance(setting, bool)
                or not isinstance(setting, int | float)
                or not 0 <= setting <= 1
            ):
                self.error(line, f"rule {key} must be a share from 0 to 1, not {_shown(setting)}")
            else:
                rules[key] = float(setting) if kind == "float" else setting
        return PromotionRules(**rules)

    def _dimension_names_fit(self, names, line: int) -> bool:
        fit = True
        if len(names) > len(POSITIVE_SMALL_INTEGERS):
            self.error(
                line,
                f"{len(names)} dimensions: a ladder has at most {len(POSITIVE_SMALL_INTEGERS)}",
            )
            fit = False
        for name in names:
            if len(name.strip()) > MAX_NAME_LENGTH:
                self.error(
                    line,
                    f"dimension {_shown(name.strip())} is {len(name.strip())} characters long: "
                    f"a dimension name has at most {MAX_NAME_LENGTH}",
                )
                fit = False
        return fit

    # -- Markdown body ----------------------------------------------------------------------

    def _body(self, front: dict) -> tuple[str, list[_LevelDraft], list[str] | None]:
        tokens = _markdown.parse("\n".join(self.lines))
        self._nesting(tokens)
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
                        self.error(
                            line, f"a second ladder title {_shown(text)}: a file holds one ladder"
                        )
                    elif drafts:
                        self.error(line, "the ladder title '# ...' must come before the levels")
                    elif len(text) > MAX_TITLE_LENGTH:
                        self.error(line, _too_long("the ladder title", text, MAX_TITLE_LENGTH))
                    title = text
                elif token.tag == "h2":
                    section = None
                    drafts.append(self._level_draft(text, line))
                elif token.tag == "h3":
                    section = self._section(text, line, level)
                else:
                    self.error(
                        line,
                        f"unexpected heading {_shown(text)}: use ## for levels and ### for sections",
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
                self.error(line, f"text {where} must be a '- ' bullet: {_shown(content)}")
            else:
                self.error(line, f"unexpected {token.type.removesuffix('_open')} in a ladder file")
            i = _skip_block(tokens, i)
        if not title:
            self.error(1, "missing the ladder title: the file must start with '# Title'")
        if not drafts and title:
            self.error(len(self.lines), "the ladder has no levels: add '## Title (CODE)' sections")
        return title, drafts, first_header

    def _nesting(self, tokens: list[Token]) -> None:
        # markdown-it stops reading at its nesting limit and silently drops the rest of the
        # file, so a file nested that deep cannot be checked past that point.
        limit = _markdown.options.maxNesting
        deep = next((t for t in tokens if t.nesting == 1 and t.level + 1 >= limit), None)
        if deep is not None:
            self.error(
                deep.map[0] + 1 if deep.map else 1,
                f"lists or quotes nested {limit} deep: the ladder format does not nest them, "
                "and nothing after this line can be read",
            )
            raise LadderError(self.errors)

    def _level_draft(self, text: str, line: int) -> _LevelDraft:
        heading = _level_heading(text)
        if heading is None:
            self.error(line, f"level heading {_shown(text)} must read 'Title (CODE)'")
            return _LevelDraft(line, text, "")
        title, code = heading
        if len(title) > MAX_TITLE_LENGTH:
            self.error(line, _too_long("the level title", title, MAX_TITLE_LENGTH))
        if len(code) > MAX_CODE_LENGTH:
            self.error(line, _too_long("the level code", code, MAX_CODE_LENGTH))
            # The level is left unread, as for a heading without a code: every message about
            # it would otherwise carry the whole code.
            return _LevelDraft(line, title, "")
        return _LevelDraft(line, title, code)

    def _section(self, text: str, line: int, level: _LevelDraft | None) -> str:
        name = _SECTION_BY_KEY.get(text.rstrip(":").strip().casefold())
        if level is None:
            self.error(
                line, f"section {_shown(text)} comes before any '## Title (CODE)' level heading"
            )
            return _UNKNOWN
        if name is None:
            shown = _shown(text.rstrip(":").strip())
            self.error(line, f"unknown section {shown}: expected one of {', '.join(SECTIONS)}")
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
            line = token.map[0] + 1 if token.map else 1
            if token.type == "inline" and token.level == depth + 3:
                text = " ".join(part.strip() for part in token.content.split("\n"))
                items.append((line, text))
            elif token.type in ("bullet_list_open", "ordered_list_open") and token.level > depth:
                self.error(line, "nested lists are not part of the ladder format")
            elif (
                token.level == depth + 2
                and token.nesting != -1
                and token.type not in ("paragraph_open", "bullet_list_open", "ordered_list_open")
            ):
                # Only a bullet's text is read, so anything else in it would be lost unseen.
                kind = token.type.removesuffix("_open")
                self.error(line, f"a bullet holds text only, not a {kind}")
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
        seen = set()
        for position, name in enumerate(header):
            if not name:
                self.error(
                    header_line,
                    f"level {level.code}: column {position + 1} of the ratings header has no dimension name",
                )
            elif name in seen:
                self.error(
                    header_line,
                    f"level {level.code}: dimension {_shown(name)} appears twice in the ratings "
                    "header",
                )
            seen.add(name)
        self._dimension_names_fit(header, header_line)
        if len(body) != 1:
            self.error(header_line, f"level {level.code}: the ratings table needs exactly one row")
        scale = front.get("scale", Scale())
        for row_line, cells in body[:1]:
            for dimension, cell in zip(header, cells, strict=False):
                rating = _whole(cell) if _INTEGER.fullmatch(cell) else None
                if rating not in scale:
                    self.error(
                        row_line,
                        f"level {level.code}: rating {_shown(cell)} for {_cut(dimension)} is not "
                        f"an integer from {scale.min} to {scale.max}",
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
                    f"level {draft.code}: ratings header {_shown(' | '.join(draft.header))} does "
                    f"not match the ladder's dimensions {_shown(' | '.join(dimensions))}",
                )
            self._criteria_fit(draft)
            months = self._months(draft)
            front_line, front_number, front_track = front_levels.get(draft.code, (0, None, None))
            number = self._number(draft, front_number)
            track = front_track or _TRACK_SUFFIX.sub("", draft.title)
            if len(track) > MAX_NAME_LENGTH:
                where = "its front matter track" if front_track else "its title, less any numeral"
                self.error(
                    front_line if front_track else draft.line,
                    f"level {draft.code}: {_too_long('the track', track, MAX_NAME_LENGTH)} "
                    f"(the track is {where})",
                )
                continue
            if number is None:
                continue
            if track in track_last and track_last[track].number >= number:
                previous = track_last[track]
                self.error(
                    draft.line,
                    f"track {track!r} goes from {previous.code} (level {previous.number}) to "
                    f"{draft.code} (level {number}): numbers must increase along a track",
                )
            if len(levels) == len(POSITIVE_SMALL_INTEGERS):
                self.error(
                    draft.line,
                    f"level {draft.code}: a ladder has at most {len(POSITIVE_SMALL_INTEGERS)} "
                    "levels",
                )
            experience = draft.bullets("Minimum Experience")
            level = Level(
                code=draft.code,
                title=draft.title,
                number=number,
                track=track,
                minimum_experience=MinimumExperience(months=months, text=tuple(experience)),
                # In the header's order, which is the dimensions' (a header that differs was
                # reported); not looked up per dimension, which costs every level the width
                # of the widest table.
                ratings=dict(draft.ratings),
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
                self.error(
                    line, f"front matter names level {_cut(code)}, which the file does not have"
                )
        return levels

    def _criteria_fit(self, draft: _LevelDraft) -> None:
        criteria = [
            bullet for name in CRITERIA_SECTIONS.values() for bullet in draft.sections[name]
        ]
        if len(criteria) > len(POSITIVE_SMALL_INTEGERS):
            self.error(
                criteria[len(POSITIVE_SMALL_INTEGERS)][0],
                f"level {draft.code}: a level has at most {len(POSITIVE_SMALL_INTEGERS)} "
                "criteria (Responsibilities, Skills and Soft Skills together)",
            )

    def _months(self, draft: _LevelDraft) -> int | None:
        """The months of the first Minimum Experience bullet that states a duration."""
        for line, text in draft.sections["Minimum Experience"]:
            months = months_of(text)
            if months is None:
                continue
            if months not in POSITIVE_SMALL_INTEGERS:
                self.error(
                    line,
                    f"level {draft.code}: Minimum Experience {_shown(text)} is more than "
                    f"{POSITIVE_SMALL_INTEGERS[-1]} months, the longest a ladder can hold",
                )
            return months
        return None

    def _number(self, draft: _LevelDraft, front_number: int | None) -> int | None:
        stated, out_of_range = {}, False
        for line, text in draft.sections["Scenario"]:
            for match in _AT_LEVEL.finditer(text):
                number = _whole(match[1])
                if number in SMALL_INTEGERS:
                    stated.setdefault(number, line)
                    continue
                out_of_range = True
                self.error(
                    line,
                    f"level {draft.code}: level number {_shown(match[1])} is more than "
                    f"{SMALL_INTEGERS[-1]}, the highest a level can have",
                )
        if front_number is not None:
            stated.setdefault(front_number, draft.line)
        if out_of_range and not stated:
            return None
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


def _too_long(what: str, text: str, limit: int) -> str:
    return (
        f"{what} {_shown(text)} is {len(text)} characters long, more than the {limit} it may have"
    )


def _is_integer(value: object, allowed: range) -> bool:
    # YAML reads true and false as bools, which Python counts as the integers 1 and 0.
    return isinstance(value, int) and not isinstance(value, bool) and value in allowed


def _entries(loader: _FrontMatterLoader, node: yaml.MappingNode) -> list[tuple]:
    """A YAML mapping's (key, value, line of the key, value node), in the order written."""
    loader.flatten_mapping(node)  # a `<<` merge key brings in the pairs of its mapping
    entries = []
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        value = loader.construct_object(value_node, deep=True)
        # The front matter starts on the file's second line; marks count lines from 0.
        entries.append((key, value, key_node.start_mark.line + 2, value_node))
    return entries


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
        # A code YAML would read as something else (yes, 1.5, 0x1) is written quoted.
        f"  {_flow([lv.code])[1:-1]}: {_flow({'number': lv.number, 'track': lv.track})}"
        for lv in ladder.levels
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
