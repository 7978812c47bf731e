"""The Markdown of a ladder file, as written: its title, and each level's sections and ratings.

    # Ladder title
    ## Level title (CODE)
    ### Responsibilities:       (and the other five bullet sections, each a bullet list)
    ### Competency Ratings:     (a table: one column per dimension, one row of ratings)

What the levels mean (numbers, tracks, Minimum Experience) is worked out in parse.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .errors import Problems, cut, shown, too_long
from .frontmatter import dimension_names_fit
from .ladder_data import MAX_CODE_LENGTH, MAX_DIGITS, MAX_TITLE_LENGTH, SECTIONS, Scale

_markdown = MarkdownIt("commonmark").enable("table")

# Every pattern here runs over text from the file, so each is written to take time in
# proportion to that text: possessive quantifiers (*+, ++) and no two neighbouring parts that
# can match the same characters, which is what lets a regular expression backtrack for ever.
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*+")
_INTEGER = re.compile(r"[+-]?\d++")
_SECTION_BY_KEY = {name.casefold(): name for name in SECTIONS}
# The section after an unknown or misplaced heading: its content was reported with the heading.
_UNKNOWN = "<unknown>"


@dataclass
class LevelDraft:
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


@dataclass
class Body:
    title: str
    levels: list[LevelDraft]
    # The header of the first ratings table: the dimensions when the front matter names none.
    first_header: list[str] | None


def whole(digits: str) -> int:
    """The integer written as `digits` (with an optional sign).

    One of more than MAX_DIGITS digits reads as 10**MAX_DIGITS, past every limit a ladder
    has, so it is refused as too large instead of breaking Python's conversion.
    """
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-").lstrip("0") or "0"
    return sign * (int(digits) if len(digits) <= MAX_DIGITS else 10**MAX_DIGITS)


def read_body(lines: list[str], scale: Scale, problems: Problems) -> Body:
    """The file's Markdown as written, every problem of its shape added to `problems`."""
    return _BodyReader(lines, scale, problems).read()


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


class _BodyReader:
    def __init__(self, lines: list[str], scale: Scale, problems: Problems):
        self.lines, self.scale, self.problems = lines, scale, problems
        self.error = problems.add

    def read(self) -> Body:
        tokens = _markdown.parse("\n".join(self.lines))
        self._nesting(tokens)
        title = ""
        drafts: list[LevelDraft] = []
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
                            line, f"a second ladder title {shown(text)}: a file holds one ladder"
                        )
                    elif drafts:
                        self.error(line, "the ladder title '# ...' must come before the levels")
                    elif len(text) > MAX_TITLE_LENGTH:
                        self.error(line, too_long("the ladder title", text, MAX_TITLE_LENGTH))
                    title = text
                elif token.tag == "h2":
                    section = None
                    drafts.append(self._level_draft(text, line))
                elif token.tag == "h3":
                    section = self._section(text, line, level)
                else:
                    self.error(
                        line,
                        f"unexpected heading {shown(text)}: use ## for levels and ### for sections",
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
                    header = self._ratings(rows, level)
                    first_header = first_header or header
                continue
            if token.type == "ordered_list_open":
                self.error(line, "use '-' or '*' bullets, not a numbered list")
            elif section == _UNKNOWN:
                pass
            elif token.type == "paragraph_open":
                content = tokens[i + 1].content.strip()
                where = f"in {section}" if section else "outside any section"
                self.error(line, f"text {where} must be a '- ' bullet: {shown(content)}")
            else:
                self.error(line, f"unexpected {token.type.removesuffix('_open')} in a ladder file")
            i = _skip_block(tokens, i)
        if not title:
            self.error(1, "missing the ladder title: the file must start with '# Title'")
        if not drafts and title:
            self.error(len(self.lines), "the ladder has no levels: add '## Title (CODE)' sections")
        return Body(title, drafts, first_header)

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
            self.problems.stop()

    def _level_draft(self, text: str, line: int) -> LevelDraft:
        heading = _level_heading(text)
        if heading is None:
            self.error(line, f"level heading {shown(text)} must read 'Title (CODE)'")
            return LevelDraft(line, text, "")
        title, code = heading
        if len(title) > MAX_TITLE_LENGTH:
            self.error(line, too_long("the level title", title, MAX_TITLE_LENGTH))
        if len(code) > MAX_CODE_LENGTH:
            self.error(line, too_long("the level code", code, MAX_CODE_LENGTH))
            # The level is left unread, as for a heading without a code: every message about
            # it would otherwise carry the whole code.
            return LevelDraft(line, title, "")
        return LevelDraft(line, title, code)

    def _section(self, text: str, line: int, level: LevelDraft | None) -> str:
        name = _SECTION_BY_KEY.get(text.rstrip(":").strip().casefold())
        if level is None:
            self.error(
                line, f"section {shown(text)} comes before any '## Title (CODE)' level heading"
            )
            return _UNKNOWN
        if name is None:
            written = shown(text.rstrip(":").strip())
            self.error(line, f"unknown section {written}: expected one of {', '.join(SECTIONS)}")
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

    def _ratings(self, rows, level: LevelDraft) -> list[str]:
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
                    f"level {level.code}: dimension {shown(name)} appears twice in the ratings "
                    "header",
                )
            seen.add(name)
        dimension_names_fit(header, header_line, self.problems)
        if len(body) != 1:
            self.error(header_line, f"level {level.code}: the ratings table needs exactly one row")
        scale = self.scale
        for row_line, cells in body[:1]:
            for dimension, cell in zip(header, cells, strict=False):
                rating = whole(cell) if _INTEGER.fullmatch(cell) else None
                if rating not in scale:
                    self.error(
                        row_line,
                        f"level {level.code}: rating {shown(cell)} for {cut(dimension)} is not "
                        f"an integer from {scale.min} to {scale.max}",
                    )
                else:
                    level.ratings[dimension] = rating
        return header


def _skip_block(tokens: list[Token], i: int) -> int:
    """The index after the block that starts at tokens[i]."""
    token = tokens[i]
    if token.nesting != 1:
        return i + 1
    close = token.type.removesuffix("_open") + "_close"
    while not (tokens[i].type == close and tokens[i].level == token.level):
        i += 1
    return i + 1
