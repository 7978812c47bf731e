"""What changed between two versions of a ladder, level by level."""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import SequenceMatcher

from .ladder_data import BULLET_SECTIONS, Ladder, Level


@dataclass(frozen=True)
class Reworded:
    before: str
    after: str


@dataclass(frozen=True)
class SectionChange:
    section: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    reworded: tuple[Reworded, ...] = ()


@dataclass(frozen=True)
class LevelChange:
    code: str
    # (what, before, after) for the level's own facts: title, number, track, ratings, experience.
    facts: tuple[tuple[str, object, object], ...] = ()
    sections: tuple[SectionChange, ...] = ()


@dataclass(frozen=True)
class LadderDiff:
    added: tuple[Level, ...] = ()
    removed: tuple[Level, ...] = ()
    changed: tuple[LevelChange, ...] = ()
    facts: tuple[tuple[str, object, object], ...] = field(default=())

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.facts)

    def lines(self) -> list[str]:
        """A plain-text account, one change a line, for the terminal."""
        out = [f"ladder {what}: {before!r} -> {after!r}" for what, before, after in self.facts]
        out += [
            f"+ level {lv.code} ({lv.title}), {len(lv.criteria())} criteria" for lv in self.added
        ]
        out += [f"- level {lv.code} ({lv.title})" for lv in self.removed]
        for change in self.changed:
            out.append(f"~ level {change.code}")
            out += [f"    {what}: {before!r} -> {after!r}" for what, before, after in change.facts]
            for section in change.sections:
                out += [f"    + {section.section}: {text}" for text in section.added]
                out += [f"    - {section.section}: {text}" for text in section.removed]
                out += [
                    f"    ~ {section.section}: {r.before!r} -> {r.after!r}"
                    for r in section.reworded
                ]
        return out


def diff_ladders(old: Ladder, new: Ladder) -> LadderDiff:
    old_codes = {level.code: level for level in old.levels}
    new_codes = {level.code: level for level in new.levels}
    facts = [
        (what, getattr(old, what), getattr(new, what))
        for what in ("title", "dimensions", "scale", "rules", "synonyms")
        if getattr(old, what) != getattr(new, what)
    ]
    changed = []
    for code, level in new_codes.items():
        if code in old_codes and old_codes[code] != level:
            changed.append(_level_change(old_codes[code], level))
    return LadderDiff(
        added=tuple(level for code, level in new_codes.items() if code not in old_codes),
        removed=tuple(level for code, level in old_codes.items() if code not in new_codes),
        changed=tuple(changed),
        facts=tuple(facts),
    )


def _level_change(old: Level, new: Level) -> LevelChange:
    facts = [
        (what, getattr(old, what), getattr(new, what))
        for what in ("title", "number", "track")
        if getattr(old, what) != getattr(new, what)
    ]
    for dimension in dict.fromkeys([*old.ratings, *new.ratings]):
        before, after = old.ratings.get(dimension), new.ratings.get(dimension)
        if before != after:
            facts.append((f"rating {dimension}", before, after))
    if old.minimum_experience.months != new.minimum_experience.months:
        facts.append(
            (
                "minimum experience (months)",
                old.minimum_experience.months,
                new.minimum_experience.months,
            )
        )
    sections = [
        _section_change(name, old.bullets(name), new.bullets(name)) for name in BULLET_SECTIONS
    ]
    return LevelChange(
        code=new.code,
        facts=tuple(facts),
        sections=tuple(s for s in sections if s.added or s.removed or s.reworded),
    )


def _section_change(label: str, old: tuple[str, ...], new: tuple[str, ...]) -> SectionChange:
    added, removed, reworded = [], [], []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op in ("delete", "replace"):
            pairs = min(i2 - i1, j2 - j1) if op == "replace" else 0
            reworded += [Reworded(old[i1 + k], new[j1 + k]) for k in range(pairs)]
            removed += old[i1 + pairs : i2]
            added += new[j1 + pairs : j2]
        elif op == "insert":
            added += new[j1:j2]
    return SectionChange(label, tuple(added), tuple(removed), tuple(reworded))
