"""Reading a ladder file: Markdown in the seed's shape, with optional YAML front matter.

    ---                       # optional: what the Markdown cannot say (frontmatter.py)
    levels:
      TL2: {number: 7, track: Tech Lead}
    ---
    # Ladder title            # the Markdown as written (body.py)
    ## Level title (CODE)
    ### Responsibilities:     (and the other six sections)

Without front matter, the dimensions come from the first ratings table, a level's number from
"at level N" in its Scenario, and its track from its title ("Senior Developer II" is on the
"Senior Developer" track). Every error of a file is reported at once, each with its line.
"""

from __future__ import annotations

import re
from pathlib import Path

from .body import LevelDraft, read_body, whole
from .errors import LadderError, ParseError, Problems, cut, shown, too_long
from .experience import months_of
from .frontmatter import read_front_matter
from .ladder_data import (
    BULLET_SECTIONS,
    CRITERIA_SECTIONS,
    MAX_NAME_LENGTH,
    POSITIVE_SMALL_INTEGERS,
    SECTIONS,
    SMALL_INTEGERS,
    UNSTORABLE,
    Ladder,
    Level,
    MinimumExperience,
    PromotionRules,
    Scale,
)

# Both patterns run over text from the file, so each takes time in proportion to it: possessive
# quantifiers, and no two neighbouring parts that can match the same characters.
_AT_LEVEL = re.compile(r"\bat level (\d++)\b", re.IGNORECASE)
# The lookbehind starts the match only where a run of spaces starts, not at each of its spaces.
_TRACK_SUFFIX = re.compile(r"(?<!\s)\s++(?:[IVX]++|\d++)$")
# Sections that may be left without bullets: the top level has no minimum and no next step.
_MAY_BE_EMPTY = {"Minimum Experience", "Next Actions", "Scenario"}


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


class _Parser:
    def __init__(self, text: str, path: str):
        self.lines = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
        self.problems = Problems(path)
        self.error = self.problems.add

    def parse(self) -> Ladder:
        self._unstorable_characters()
        front = read_front_matter(self.lines, self.problems)
        scale = front.get("scale", Scale())
        body = read_body(self.lines, scale, self.problems)
        dimensions = tuple(front.get("dimensions") or body.first_header or ())
        levels = self._levels(body.levels, front.get("levels", {}), dimensions)
        if self.problems.errors:
            self.problems.stop()
        return Ladder(
            title=body.title,
            dimensions=dimensions,
            levels=tuple(levels),
            scale=scale,
            rules=front.get("rules", PromotionRules()),
            synonyms=front.get("synonyms", {}),
        )

    def _unstorable_characters(self) -> None:
        # The file is stored whole, so a NUL anywhere, even in a comment, fails the import.
        for number, line in enumerate(self.lines, 1):
            if match := UNSTORABLE.search(line):
                self.error(
                    number,
                    f"the character {match.group()!r} (U+{ord(match.group()):04X}) cannot be "
                    "stored: remove it",
                )

    def _levels(self, drafts: list[LevelDraft], front_levels: dict, dimensions) -> list[Level]:
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
                    f"level {draft.code}: ratings header {shown(' | '.join(draft.header))} does "
                    f"not match the ladder's dimensions {shown(' | '.join(dimensions))}",
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
                    f"level {draft.code}: {too_long('the track', track, MAX_NAME_LENGTH)} "
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
                    line, f"front matter names level {cut(code)}, which the file does not have"
                )
        return levels

    def _criteria_fit(self, draft: LevelDraft) -> None:
        criteria = [
            bullet for name in CRITERIA_SECTIONS.values() for bullet in draft.sections[name]
        ]
        if len(criteria) > len(POSITIVE_SMALL_INTEGERS):
            self.error(
                criteria[len(POSITIVE_SMALL_INTEGERS)][0],
                f"level {draft.code}: a level has at most {len(POSITIVE_SMALL_INTEGERS)} "
                "criteria (Responsibilities, Skills and Soft Skills together)",
            )

    def _months(self, draft: LevelDraft) -> int | None:
        """The months of the first Minimum Experience bullet that states a duration."""
        for line, text in draft.sections["Minimum Experience"]:
            months = months_of(text)
            if months is None:
                continue
            if months not in POSITIVE_SMALL_INTEGERS:
                self.error(
                    line,
                    f"level {draft.code}: Minimum Experience {shown(text)} is more than "
                    f"{POSITIVE_SMALL_INTEGERS[-1]} months, the longest a ladder can hold",
                )
            return months
        return None

    def _number(self, draft: LevelDraft, front_number: int | None) -> int | None:
        stated, out_of_range = {}, False
        for line, text in draft.sections["Scenario"]:
            for match in _AT_LEVEL.finditer(text):
                number = whole(match[1])
                if number in SMALL_INTEGERS:
                    stated.setdefault(number, line)
                    continue
                out_of_range = True
                self.error(
                    line,
                    f"level {draft.code}: level number {shown(match[1])} is more than "
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
