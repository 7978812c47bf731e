"""The ladders part of the API reads what the ladder pages read: ladders, their versions as
`ladder export` writes them, their levels and the diff between two versions."""

import io
import json
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladder.frameworks.models import Ladder, LadderVersion, Level
from ladder.frameworks.services import ladder_import, ladder_retire
from tests.conftest import DOTNET

pytestmark = pytest.mark.django_db

JR1_RATINGS = "| 2                | 1                    | 1                 |"


def second_version(text: str, **kwargs) -> LadderVersion:
    """dotnet v2: a new title, one criterion reworded, a rating raised and PE1 gone."""
    text = text.replace("# .NET Developer Career Ladder", "# .NET Engineering Ladder")
    text = text.replace(
        "- Asks clear questions that show what they have already tried.",
        "- Asks clear questions that show what they have tried so far.",
    )
    text = text.replace(JR1_RATINGS, JR1_RATINGS.replace("2", "3", 1), 1)
    text = text.replace("  PE1: {number: 8, track: Developer}\n", "")
    text = text[: text.index("## Principal Engineer (PE1)")]
    return ladder_import(source=text, source_name="dotnet-v2.md", slug="dotnet", **kwargs).version


def ladder_source(codes: list[str], title: str = "Small ladder") -> str:
    """A valid ladder of one track with a level of each code, numbered 1 upwards."""
    parts = ["---", "dimensions: [Craft, Impact, People]", "---", f"# {title}", ""]
    for n, code in enumerate(codes, start=1):
        parts += [f"## Engineer {n} ({code})", ""]
        for section in ["Responsibilities", "Skills and Criteria", "Soft Skills and Collaboration"]:
            parts += [f"### {section}:", f"- {section} of level {n}.", ""]
        parts += ["### Minimum Experience:", "- 12 months.", "", "### Next Actions:", "- Grow.", ""]
        parts += ["### Scenario:", f"- An engineer at level {n}.", ""]
        parts += ["### Competency Ratings:", "| Craft | Impact | People |", "| - | - | - |"]
        parts += [f"| {min(n, 5)} | 2 | 3 |", ""]
    return "\n".join(parts)


def exported(path) -> dict:
    """What `ladder export` prints for the file."""
    out = io.StringIO()
    call_command("export", str(path), stdout=out)
    return json.loads(out.getvalue())


def local(url: str) -> str:
    """A link the API gave, as the path and query the test client takes."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def walk(reader, path: str, **params) -> list[list[dict]]:
    """Every page of a list, following `next` from the first."""
    pages, response = [], reader.get(path, **params)
    while True:
        assert response.status_code == 200, response.content
        pages.append(response.json()["results"])
        following = response.json()["next"]
        if following is None:
            return pages
        assert len(pages) < 50, "the next links go round in a loop"
        response = reader.get(local(following))


def query_count(reader, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = reader.get(path)
    assert response.status_code == 200, response.content
    return len(queries)


@pytest.fixture
def reader(api, org):
    return api.as_(org.engineer.user, "read")


# -- ladders ----------------------------------------------------------------------------------


def test_the_ladder_list_names_each_ladder_with_its_current_version(reader, dotnet_text):
    second_version(dotnet_text)

    response = reader.get("ladders/")

    assert response.status_code == 200, response.content
    [ladder] = response.json()["results"]
    assert ladder["slug"] == "dotnet"
    assert ladder["title"] == ".NET Engineering Ladder"
    assert ladder["current_version"] == 2
    assert response.json()["next"] is None


def test_a_ladder_is_read_by_its_slug(reader):
    response = reader.get("ladders/dotnet/")

    assert response.status_code == 200, response.content
    assert response.json()["title"] == ".NET Developer Career Ladder"
    assert response.json()["current_version"] == 1


def test_an_unknown_ladder_is_a_404_problem(reader):
    response = reader.get("ladders/no-such-ladder/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path",
    [
        "ladders/dotnet/",
        "ladders/dotnet/versions/",
        "ladders/dotnet/versions/1/",
        "ladders/dotnet/versions/1/levels/",
        "ladders/dotnet/versions/1/levels/MD1/",
        "ladders/dotnet/diff/?from=1&to=1",
    ],
)
def test_a_retired_ladder_is_gone_from_the_api_as_from_the_pages(api, org, path):
    ladder_retire(by=org.admin.user, ladder=Ladder.objects.get(slug="dotnet"))

    response = api.as_(org.admin.user).get(path)

    assert response.status_code == 404, response.content


def test_a_retired_ladder_is_not_listed(reader, org):
    ladder_import(source=ladder_source(["E1", "E2"]), source_name="small.md", slug="small")
    ladder_retire(by=org.admin.user, ladder=Ladder.objects.get(slug="dotnet"))

    response = reader.get("ladders/")

    assert [ladder["slug"] for ladder in response.json()["results"]] == ["small"]


def test_ladders_page_by_cursor_in_title_order(reader):
    for n in range(5):
        Ladder.objects.create(slug=f"extra-{n}", title=f"Zeta {4 - n}")

    pages = walk(reader, "ladders/", page_size=2)

    titles = [ladder["title"] for page in pages for ladder in page]
    assert [len(page) for page in pages] == [2, 2, 2]
    assert titles == [".NET Developer Career Ladder"] + [f"Zeta {n}" for n in range(5)]
    assert [ladder["current_version"] for page in pages for ladder in page][1:] == [None] * 5


# -- versions ---------------------------------------------------------------------------------


def test_versions_are_listed_newest_first_with_when_who_and_why(reader, org, dotnet_text):
    second_version(dotnet_text, imported_by=org.admin.user, note="PE1 moves to its own ladder.")

    response = reader.get("ladders/dotnet/versions/")

    assert response.status_code == 200, response.content
    newer, older = response.json()["results"]
    assert (newer["number"], older["number"]) == (2, 1)
    assert newer["imported_by"] == org.admin.user.get_username()
    assert newer["note"] == "PE1 moves to its own ladder."
    assert newer["source_name"] == "dotnet-v2.md"
    assert older["imported_by"] is None
    assert older["source_name"] == "ladders/dotnet.md"
    assert len(older["content_hash"]) == 64


def test_a_version_is_the_same_json_as_ladder_export_of_its_file(reader):
    response = reader.get("ladders/dotnet/versions/1/")

    assert response.status_code == 200, response.content
    assert response.json() == exported(DOTNET)


def test_each_version_answers_its_own_content(reader, dotnet_text):
    second_version(dotnet_text)

    first = reader.get("ladders/dotnet/versions/1/").json()
    second = reader.get("ladders/dotnet/versions/2/").json()

    assert first["title"] == ".NET Developer Career Ladder"
    assert second["title"] == ".NET Engineering Ladder"
    assert "PE1" in [level["code"] for level in first["levels"]]
    assert "PE1" not in [level["code"] for level in second["levels"]]


@pytest.mark.parametrize("number", ["2", "99"])
def test_a_version_that_does_not_exist_is_a_404(reader, number):
    assert reader.get(f"ladders/dotnet/versions/{number}/").status_code == 404


@pytest.mark.parametrize("number", ["0", "-1", "current", "1.5", "99999999999999999999"])
def test_a_version_number_that_cannot_be_one_is_a_422_naming_it(reader, number):
    response = reader.get(f"ladders/dotnet/versions/{number}/")

    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == ["path.number"]


# -- levels -----------------------------------------------------------------------------------


def test_a_versions_levels_are_listed_in_the_ladders_order(reader):
    response = reader.get("ladders/dotnet/versions/1/levels/")

    assert response.status_code == 200, response.content
    levels = response.json()["results"]
    assert [level["code"] for level in levels] == [
        "JR1", "JR2", "MD1", "MD2", "SR1", "SR2", "TL1", "SP1", "TL2", "PE1",
    ]  # fmt: skip
    assert levels[6] == {
        "ladder": "dotnet",
        "version": 1,
        "code": "TL1",
        "title": "Tech Lead",
        "number": 6,
        "track": "Tech Lead",
    }


def test_levels_page_by_cursor_following_next(reader):
    pages = walk(reader, "ladders/dotnet/versions/1/levels/", page_size=4)

    assert [len(page) for page in pages] == [4, 4, 2]
    codes = [level["code"] for page in pages for level in page]
    assert codes == [level["code"] for level in exported(DOTNET)["levels"]]


def test_a_level_holds_its_criteria_as_the_export_shows_them(reader):
    response = reader.get("ladders/dotnet/versions/1/levels/MD1/")

    assert response.status_code == 200, response.content
    level = response.json()
    [expected] = [item for item in exported(DOTNET)["levels"] if item["code"] == "MD1"]
    assert {key: level[key] for key in expected} == expected
    assert level["skills"] and level["responsibilities"] and level["soft_skills"]
    assert (level["ladder"], level["version"]) == ("dotnet", 1)
    assert level["previous_levels"] == ["JR2"]
    assert level["next_levels"] == ["MD2"]
    assert level["lateral_levels"] == []


def test_a_level_names_the_levels_beside_it_and_where_tracks_branch(reader):
    level = reader.get("ladders/dotnet/versions/1/levels/SR2/").json()

    assert level["lateral_levels"] == ["TL1"]
    assert "SP1" in level["next_levels"]


def test_a_level_code_is_read_in_any_case_and_answered_as_written(reader):
    response = reader.get("ladders/dotnet/versions/1/levels/md1/")

    assert response.status_code == 200, response.content
    assert response.json()["code"] == "MD1"


def test_a_level_code_with_dots_dashes_and_underscores_is_read(reader):
    ladder_import(source=ladder_source(["E1.a", "E-2_b"]), source_name="s.md", slug="small")

    listed = reader.get("ladders/small/versions/1/levels/").json()["results"]
    first = reader.get("ladders/small/versions/1/levels/E1.a/")
    second = reader.get("ladders/small/versions/1/levels/E-2_b/")

    assert [level["code"] for level in listed] == ["E1.a", "E-2_b"]
    assert first.status_code == second.status_code == 200
    assert first.json()["next_levels"] == ["E-2_b"]
    assert second.json()["responsibilities"] == ["Responsibilities of level 2."]


@pytest.mark.parametrize("code", ["XX9", "MD1x", "..", "%2E%2E"])
def test_a_level_that_is_not_in_the_version_is_a_404(reader, code):
    response = reader.get(f"ladders/dotnet/versions/1/levels/{code}/")

    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/problem+json"


def test_a_level_gone_from_a_later_version_is_still_read_in_the_earlier(reader, dotnet_text):
    second_version(dotnet_text)

    assert reader.get("ladders/dotnet/versions/1/levels/PE1/").status_code == 200
    assert reader.get("ladders/dotnet/versions/2/levels/PE1/").status_code == 404


# -- diff -------------------------------------------------------------------------------------


def test_the_diff_names_what_changed_between_two_versions(reader, dotnet_text):
    second_version(dotnet_text)

    response = reader.get("ladders/dotnet/diff/", **{"from": 1, "to": 2})

    assert response.status_code == 200, response.content
    diff = response.json()
    assert (diff["ladder"], diff["from_version"], diff["to_version"]) == ("dotnet", 1, 2)
    assert diff["facts"] == [
        {
            "what": "title",
            "before": ".NET Developer Career Ladder",
            "after": ".NET Engineering Ladder",
        }
    ]
    assert diff["added"] == []
    assert [(level["code"], level["version"]) for level in diff["removed"]] == [("PE1", 1)]
    [change] = diff["changed"]
    assert change["code"] == "JR1"
    assert change["facts"] == [{"what": "rating Team Contributor", "before": 2, "after": 3}]
    assert change["sections"] == [
        {
            "section": "Soft Skills and Collaboration",
            "added": [],
            "removed": [],
            "reworded": [
                {
                    "before": "Asks clear questions that show what they have already tried.",
                    "after": "Asks clear questions that show what they have tried so far.",
                }
            ],
        }
    ]


def test_the_diff_read_backwards_adds_what_was_removed(reader, dotnet_text):
    second_version(dotnet_text)

    diff = reader.get("ladders/dotnet/diff/", **{"from": 2, "to": 1}).json()

    assert [(level["code"], level["version"]) for level in diff["added"]] == [("PE1", 1)]
    assert diff["removed"] == []


def test_a_diff_of_the_ladders_own_facts_answers_them_as_json(reader):
    ladder_import(source=ladder_source(["E1", "E2"]), source_name="s.md", slug="small")
    changed = ladder_source(["E1", "E2"]).replace(
        "dimensions: [Craft, Impact, People]",
        "dimensions: [Craft, Impact, People]\nscale: {min: 0, max: 5}",
    )
    ladder_import(source=changed, source_name="s.md", slug="small")

    diff = reader.get("ladders/small/diff/", **{"from": 1, "to": 2}).json()

    assert diff["facts"] == [
        {"what": "scale", "before": {"min": 1, "max": 5}, "after": {"min": 0, "max": 5}}
    ]


def test_a_version_against_itself_has_no_change(reader):
    diff = reader.get("ladders/dotnet/diff/", **{"from": 1, "to": 1}).json()

    assert diff["facts"] == diff["added"] == diff["removed"] == diff["changed"] == []


def test_a_repeated_diff_reads_no_level_from_the_database(reader, dotnet_text):
    second_version(dotnet_text)
    first = reader.get("ladders/dotnet/diff/", **{"from": 1, "to": 2}).json()

    with CaptureQueriesContext(connection) as queries:
        again = reader.get("ladders/dotnet/diff/", **{"from": 1, "to": 2}).json()

    assert again == first
    assert not [q for q in queries if Level._meta.db_table in q["sql"]]


def test_a_diff_with_a_missing_version_is_a_404(reader):
    assert reader.get("ladders/dotnet/diff/", **{"from": 1, "to": 2}).status_code == 404


@pytest.mark.parametrize(
    "params, field",
    [
        ({"to": 1}, "query.from"),
        ({"from": 1}, "query.to"),
        ({"from": "one", "to": 1}, "query.from"),
        ({"from": 1, "to": 0}, "query.to"),
    ],
)
def test_a_diff_without_two_version_numbers_is_a_422_naming_the_one(reader, params, field):
    response = reader.get("ladders/dotnet/diff/", **params)

    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]


# -- cost -------------------------------------------------------------------------------------


def test_the_ladder_list_costs_the_same_queries_for_2_and_20_ladders(reader):
    Ladder.objects.create(slug="extra-0", title="Extra 0")
    reader.get("ladders/")
    two = query_count(reader, "ladders/")
    Ladder.objects.bulk_create(Ladder(slug=f"extra-{n}", title=f"Extra {n}") for n in range(1, 19))

    assert query_count(reader, "ladders/") == two
    assert len(reader.get("ladders/").json()["results"]) == 20


def test_the_version_list_costs_the_same_queries_for_2_and_20_versions(reader, org):
    ladder = Ladder.objects.get(slug="dotnet")

    def add(numbers):
        LadderVersion.objects.bulk_create(
            LadderVersion(
                ladder=ladder,
                number=n,
                source="",
                content_hash=f"{n:064d}",
                title="Extra",
                imported_by=org.admin.user,
            )
            for n in numbers
        )

    add([2])
    reader.get("ladders/dotnet/versions/")
    two = query_count(reader, "ladders/dotnet/versions/")
    add(range(3, 21))

    assert query_count(reader, "ladders/dotnet/versions/") == two
    assert len(reader.get("ladders/dotnet/versions/").json()["results"]) == 20


def test_the_level_list_costs_the_same_queries_for_2_and_20_levels(reader):
    ladder_import(source=ladder_source(["E1", "E2"]), source_name="s.md", slug="small")
    codes = [f"E{n}" for n in range(1, 21)]
    ladder_import(source=ladder_source(codes), source_name="s.md", slug="small")
    reader.get("ladders/small/versions/1/levels/")

    two = query_count(reader, "ladders/small/versions/1/levels/")

    assert query_count(reader, "ladders/small/versions/2/levels/") == two
    assert len(reader.get("ladders/small/versions/2/levels/").json()["results"]) == 20
