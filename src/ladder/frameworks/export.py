"""The ladder as JSON, in the shape that `ladder.schema.json` describes."""

import json
from pathlib import Path

from .ladder_data import Ladder

SCHEMA_PATH = Path(__file__).with_name("ladder.schema.json")


def ladder_to_dict(ladder: Ladder) -> dict:
    return {
        "title": ladder.title,
        "dimensions": list(ladder.dimensions),
        "scale": {"min": ladder.scale.min, "max": ladder.scale.max},
        "levels": [
            {
                "code": level.code,
                "title": level.title,
                "number": level.number,
                "track": level.track,
                "responsibilities": list(level.responsibilities),
                "skills": list(level.skills),
                "soft_skills": list(level.soft_skills),
                "minimum_experience": {
                    "months": level.minimum_experience.months,
                    "text": list(level.minimum_experience.text),
                },
                "next_actions": list(level.next_actions),
                "scenario": list(level.scenario),
                "ratings": dict(level.ratings),
            }
            for level in ladder.levels
        ],
        "synonyms": {term: list(alike) for term, alike in ladder.synonyms.items()},
    }


def ladder_to_json(ladder: Ladder) -> str:
    return json.dumps(ladder_to_dict(ladder), indent=2, ensure_ascii=False) + "\n"


def json_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
