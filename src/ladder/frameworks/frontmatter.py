"""A ladder file's optional YAML front matter: what the Markdown cannot say.

    ---
    dimensions: [Team Contributor, Technical Leadership, People Management]
    scale: {min: 1, max: 5}
    levels:
      TL2: {number: 7, track: Tech Lead}
    rules: {min_criteria_met: 0.8}
    synonyms:
      EF: [Entity Framework, EF Core]
    ---

Its values are checked here against what the database can hold, each error with its line.
"""

from __future__ import annotations

import dataclasses

import yaml

from .errors import Problems, cut, shown, too_long
from .ladder_data import (
    MAX_NAME_LENGTH,
    MAX_SYNONYM_LENGTH,
    MAX_SYNONYM_TERMS,
    MAX_SYNONYMS_PER_TERM,
    POSITIVE_SMALL_INTEGERS,
    SMALL_INTEGERS,
    UNSTORABLE,
    PromotionRules,
    Scale,
)
from .words import words

_RULE_TYPES = {f.name: f.type for f in dataclasses.fields(PromotionRules)}
# The front matter needs three levels of nesting (levels, a code, its number and track).
_MAX_FRONT_MATTER_DEPTH = 20


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
                problem=f"the number {shown(node.value)} is too long",
                problem_mark=node.start_mark,
            )
        return super().construct_yaml_int(node)

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as error:
            # A value PyYAML recognises but cannot build, such as the date 2024-13-45.
            raise _Refused(
                problem=f"cannot read {shown(node.value)}: {error}", problem_mark=node.start_mark
            ) from error


_FrontMatterLoader.add_constructor("tag:yaml.org,2002:int", _FrontMatterLoader.construct_yaml_int)


def read_front_matter(lines: list[str], problems: Problems) -> dict:
    """The front matter's values by key, checked, from the file's lines; {} when it has none.

    The front matter's lines are blanked in `lines`, so the Markdown after it keeps the line
    numbers of the file. Every problem goes to `problems`; a front matter that is never closed
    stops the reading of the whole file.
    """
    if not lines or lines[0].strip() != "---":
        return {}
    end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if end is None:
        # Where the front matter should end is unknown, so nothing after it can be read.
        problems.add(1, "front matter opened with '---' is never closed by a '---' line")
        problems.stop()
    source = "\n".join(lines[1:end])
    lines[: end + 1] = [""] * (end + 1)
    loader = None
    try:
        loader = _FrontMatterLoader(source)
        node = loader.get_single_node()
        if node is None:
            return {}
        if not isinstance(node, yaml.MappingNode):
            problems.add(2, "front matter must be a mapping of keys to values")
            return {}
        return _values(loader, _entries(loader, node), problems)
    except yaml.reader.ReaderError as error:
        character = error.character
        character = chr(character) if isinstance(character, int) else str(character)
        if not UNSTORABLE.match(character):  # reported as unstorable already
            line = source.count("\n", 0, error.position) + 2
            problems.add(
                line,
                f"front matter is not valid YAML: the character {shown(character)} is not allowed",
            )
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark else 1
        problem = cut(str(getattr(error, "problem", None) or error), 200)
        if isinstance(error, _Refused):
            problems.add(line, f"front matter: {problem}")
        else:
            problems.add(line, f"front matter is not valid YAML: {problem}")
    finally:
        if loader is not None:
            loader.dispose()
    return {}


def dimension_names_fit(names, line: int, problems: Problems) -> bool:
    """Whether the dimensions, from the front matter or a ratings header, fit the database."""
    fit = True
    if len(names) > len(POSITIVE_SMALL_INTEGERS):
        problems.add(
            line, f"{len(names)} dimensions: a ladder has at most {len(POSITIVE_SMALL_INTEGERS)}"
        )
        fit = False
    for name in names:
        if len(name.strip()) > MAX_NAME_LENGTH:
            problems.add(
                line,
                f"dimension {shown(name.strip())} is {len(name.strip())} characters long: "
                f"a dimension name has at most {MAX_NAME_LENGTH}",
            )
            fit = False
    return fit


def _values(loader, entries, problems: Problems) -> dict:
    values: dict = {}
    for key, value, line, node in entries:
        if key == "dimensions":
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) and v.strip() for v in value)
            ):
                problems.add(line, "dimensions must be a non-empty list of names")
            elif len(set(value)) != len(value):
                problems.add(line, "dimensions must not repeat a name")
            elif dimension_names_fit(value, line, problems):
                values["dimensions"] = [v.strip() for v in value]
        elif key == "scale":
            low, high = (value.get("min"), value.get("max")) if isinstance(value, dict) else (0, 0)
            if not (_is_integer(low, SMALL_INTEGERS) and _is_integer(high, SMALL_INTEGERS)):
                problems.add(
                    line,
                    "scale must be {min: INTEGER, max: INTEGER} with min < max, each from "
                    f"{SMALL_INTEGERS[0]} to {SMALL_INTEGERS[-1]}",
                )
            elif not low < high:
                problems.add(line, "scale must be {min: INTEGER, max: INTEGER} with min < max")
            else:
                values["scale"] = Scale(low, high)
        elif key == "levels":
            values["levels"] = _levels(loader, node, line, problems)
        elif key == "rules":
            values["rules"] = _rules(loader, node, line, problems)
        elif key == "synonyms":
            values["synonyms"] = _synonyms(loader, node, line, problems)
        else:
            problems.add(
                line,
                f"unknown front matter key {shown(key)}: expected dimensions, scale, levels, "
                "rules or synonyms",
            )
    return values


def _levels(loader, node, line: int, problems: Problems) -> dict:
    """Each level code the front matter names: (its line, its number, its track)."""
    if not isinstance(node, yaml.MappingNode):
        problems.add(line, "levels must map each level code to {number: N, track: NAME}")
        return {}
    levels = {}
    for code, spec, spec_line, _ in _entries(loader, node):
        if not isinstance(code, str | int | float) or isinstance(code, bool):
            problems.add(spec_line, f"level code {shown(code)} must be a code like SR1")
            continue
        code = str(code)
        if not isinstance(spec, dict) or set(spec) - {"number", "track"}:
            problems.add(spec_line, f"level {cut(code)}: expected {{number: N, track: NAME}}")
            continue
        number, track = spec.get("number"), spec.get("track")
        if number is not None and not _is_integer(number, SMALL_INTEGERS):
            problems.add(
                spec_line,
                f"level {cut(code)}: number must be an integer from {SMALL_INTEGERS[0]} "
                f"to {SMALL_INTEGERS[-1]}, not {shown(number)}",
            )
            continue
        if track is not None and not (isinstance(track, str) and track.strip()):
            problems.add(spec_line, f"level {cut(code)}: track must be a name")
            continue
        levels[code] = (spec_line, number, track.strip() if track else None)
    return levels


def _rules(loader, node, line: int, problems: Problems) -> PromotionRules:
    if not isinstance(node, yaml.MappingNode):
        problems.add(line, "rules must be a mapping")
        return PromotionRules()
    rules = {}
    for key, setting, line, _ in _entries(loader, node):
        kind = _RULE_TYPES.get(key) if isinstance(key, str) else None
        if kind is None:
            problems.add(
                line, f"unknown rule {shown(key)}: expected one of {', '.join(_RULE_TYPES)}"
            )
        elif kind == "bool" and not isinstance(setting, bool):
            problems.add(line, f"rule {key} must be true or false, not {shown(setting)}")
        elif kind == "int" and not _is_integer(setting, POSITIVE_SMALL_INTEGERS):
            problems.add(
                line,
                f"rule {key} must be a whole number from 0 to {POSITIVE_SMALL_INTEGERS[-1]}, "
                f"not {shown(setting)}",
            )
        elif kind == "float" and (
            isinstance(setting, bool)
            or not isinstance(setting, int | float)
            or not 0 <= setting <= 1
        ):
            problems.add(line, f"rule {key} must be a share from 0 to 1, not {shown(setting)}")
        else:
            rules[key] = float(setting) if kind == "float" else setting
    return PromotionRules(**rules)


_SYNONYMS_SHAPE = (
    "synonyms must map each word to a list of words that mean the same, like "
    "EF: [Entity Framework, EF Core]"
)


def _synonyms(loader, node, line: int, problems: Problems) -> dict[str, tuple[str, ...]]:
    """Each term with the words a search takes as the same; its line for every error."""
    if not isinstance(node, yaml.MappingNode):
        problems.add(line, _SYNONYMS_SHAPE)
        return {}
    entries = _entries(loader, node)
    if len(entries) > MAX_SYNONYM_TERMS:
        problems.add(
            line, f"{len(entries)} synonym terms: a ladder has at most {MAX_SYNONYM_TERMS}"
        )
        return {}
    synonyms: dict[str, tuple[str, ...]] = {}
    # Terms are compared as a search compares them: "EF" and "ef" are one term.
    seen: dict[tuple[str, ...], tuple[str, int]] = {}
    for key, value, key_line, value_node in entries:
        term = _synonym_text(key, key_line, "synonym term", problems)
        if term is None:
            continue
        folded = tuple(words(term))
        if folded in seen:
            first, first_line = seen[folded]
            problems.add(
                key_line,
                f"synonym term {shown(term)} repeats {shown(first)} (line {first_line}): "
                "list all of its synonyms once",
            )
            continue
        seen[folded] = (term, key_line)
        if isinstance(value_node, yaml.ScalarNode) and isinstance(value, str):
            items = [(value, key_line)]  # `CI: continuous integration`, a list of one
        elif isinstance(value_node, yaml.SequenceNode) and value_node.value:
            items = [
                (loader.construct_object(item, deep=True), item.start_mark.line + 2)
                for item in value_node.value
            ]
        else:
            problems.add(key_line, f"synonyms of {shown(term)}: {_SYNONYMS_SHAPE}")
            continue
        if len(items) > MAX_SYNONYMS_PER_TERM:
            problems.add(
                key_line,
                f"{len(items)} synonyms of {shown(term)}: a term has at most "
                f"{MAX_SYNONYMS_PER_TERM}",
            )
            continue
        texts = [
            _synonym_text(item, item_line, f"synonym of {shown(term)}", problems)
            for item, item_line in items
        ]
        if None not in texts:
            synonyms[term] = tuple(texts)
    return synonyms


def _synonym_text(value: object, line: int, what: str, problems: Problems) -> str | None:
    """A synonym as written, stripped; None, with the error added, unless it can be searched."""
    if not isinstance(value, str):
        problems.add(
            line,
            f"{what} {shown(value)} must be text: write it in quotes if YAML reads it as "
            "something else (a number, true or false)",
        )
        return None
    text = value.strip()
    if len(text) > MAX_SYNONYM_LENGTH:
        problems.add(line, too_long(what, text, MAX_SYNONYM_LENGTH))
        return None
    if not words(text):
        problems.add(line, f"{what} {shown(text)} has no letter or digit to search for")
        return None
    return text


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
