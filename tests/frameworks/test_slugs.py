"""Every value that ends up in a URL: a ladder's slug, a level's code, a team's slug. Hostile
values are refused with a clear message, or stored in a form whose pages render; never a 500."""

import re

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import resolve, reverse

from ladder.audit.models import AuditEvent
from ladder.frameworks.errors import LadderError
from ladder.frameworks.models import Ladder, LadderVersion
from ladder.frameworks.services import (
    ImportRefused,
    check_ladder_slug,
    ladder_import,
    slug_for_path,
)
from ladder.people.models import Team
from ladder.people.services import unique_team_slug

pytestmark = pytest.mark.django_db

HOSTILE_SLUGS = [
    "Dotnet 2025",
    "dotnet 2025",
    "dotnet/2025",
    "../dotnet",
    "dotnet.v2",
    "dotnet%202025",
    "dotnet_2025",
    "DOTNET",
    "日本",
    "straße",
    "dotnet\n",
    "dotnet\x1b[31m",
    "",
    "-dotnet",
    "dotnet-",
    "dot--net",
    "a" * 51,
    "a" * 100_000,
]

GOOD_SLUGS = ["x", "2025", "dotnet-2025", "a" * 50]


def small_ladder(first_code: str = "E1") -> str:
    """A valid two-level ladder whose first level has the code given."""
    parts = ["---", "dimensions: [Craft, Impact, People]", "---", "# Small ladder", ""]
    for n, code in enumerate([first_code, "E2"], start=1):
        parts += [f"## Engineer {n} ({code})", ""]
        for section in ["Responsibilities", "Skills and Criteria", "Soft Skills and Collaboration"]:
            parts += [f"### {section}:", f"- {section} of level {n}.", ""]
        parts += ["### Minimum Experience:", "- 12 months.", "", "### Next Actions:", "- Grow.", ""]
        parts += ["### Scenario:", f"- An engineer at level {n}.", ""]
        parts += ["### Competency Ratings:", "| Craft | Impact | People |", "| - | - | - |"]
        parts += [f"| {n} | 2 | 3 |", ""]
    return "\n".join(parts)


def ladder_pages(slug: str, code: str) -> list[str]:
    return [
        reverse("frameworks:overview", args=[slug]),
        reverse("frameworks:level", args=[slug, code]),
        reverse("frameworks:compare", args=[slug, code, "E2"]),
        reverse("frameworks:compare-form", args=[slug]) + f"?a={code}&b=E2",
        reverse("frameworks:versions", args=[slug]),
        reverse("frameworks:search", args=[slug]) + "?q=Grow",
        reverse("frameworks:print", args=[slug]),
        reverse("frameworks:download-md", args=[slug]),
        reverse("frameworks:download-json", args=[slug]),
    ]


def assert_renders(client, url):
    response = client.get(url, follow=True)
    assert response.status_code == 200, url


# -- ladder slugs ---------------------------------------------------------------------------


@pytest.mark.parametrize("slug", HOSTILE_SLUGS, ids=lambda s: repr(s[:20]))
def test_an_import_with_a_hostile_slug_is_refused_naming_the_slug_and_the_rule(client, slug):
    with pytest.raises(ImportRefused) as refused:
        ladder_import(source=small_ladder(), source_name="small.md", slug=slug)

    message = str(refused.value)
    assert repr(slug[:60] + ("…" if len(slug) > 60 else "")) in message
    assert "lowercase letters a-z, digits and single hyphens" in message
    assert "at most 50 characters" in message
    assert len(message) < 400
    assert not Ladder.objects.exists()
    assert_renders(client, "/")


@pytest.mark.parametrize("slug", GOOD_SLUGS, ids=lambda s: s[:20])
def test_every_page_of_a_ladder_with_a_valid_slug_renders(client, slug):
    ladder_import(source=small_ladder(), source_name="small.md", slug=slug)
    ladder_import(source=small_ladder(), source_name="other.md", slug="other")

    home = client.get("/").content.decode()

    assert f'href="/ladders/{slug}/"' in home
    for url in ladder_pages(slug, "E1"):
        assert_renders(client, url)


@pytest.mark.parametrize(
    "path",
    ["Dotnet 2025.md", "my_ladder.md", "日本.md", "Straße.md", "100%.md", "....md", "a" * 80],
)
def test_the_slug_taken_from_a_file_name_is_always_a_valid_one(path):
    slug = slug_for_path(f"ladders/{path}")

    check_ladder_slug(slug)  # raises if not


def test_a_refused_slug_suggests_a_valid_one():
    with pytest.raises(ImportRefused, match="'dotnet-2025' would do"):
        check_ladder_slug("Dotnet 2025")


# -- level codes ----------------------------------------------------------------------------

# The parser's rule for a code: a letter or digit, then letters, digits, '_', '.' and '-'.
ALLOWED_CODES = ["E.1", "E-1", "E_1", "1.2.3", "A..", "a", "Z9", "X" * 32]
HOSTILE_CODES = ["A B", "A/B", "日本", "", "A%20", ".A", "-A", "_A", "A?b", "A#1", "X" * 33]


@pytest.mark.parametrize("code", ALLOWED_CODES)
def test_every_code_the_parser_allows_reverses_resolves_and_renders(client, code):
    ladder_import(source=small_ladder(code), source_name="small.md", slug="small")
    url = reverse("frameworks:level", args=["small", code])

    assert resolve(url).kwargs == {"slug": "small", "code": code}
    assert f'href="{url}"' in client.get("/ladders/small/").content.decode()
    for page in ladder_pages("small", code):
        assert_renders(client, page)


@pytest.mark.parametrize("code", HOSTILE_CODES, ids=repr)
def test_a_hostile_level_code_is_refused_with_its_line_or_renders(client, code):
    try:
        ladder_import(source=small_ladder(code), source_name="small.md", slug="small")
    except LadderError as error:
        assert all(re.match(r"small\.md:\d+: ", str(line)) for line in error.errors)
        assert not LadderVersion.objects.exists()
        return
    for page in ladder_pages("small", code):
        assert_renders(client, page)


# -- team slugs -----------------------------------------------------------------------------

HOSTILE_TEAM_NAMES = [
    "日本",
    "ß",
    "Straße",
    "!!!",
    "a/b",
    "a b",
    "a.b",
    "100%",
    "..",
    "Core!",
    "Core?",
    "x" * 100,
    "x" * 99 + "!",
    # One character each, but NFKD spells them out: three letters a piece.
    "㎒" * 100,
    "㎒" * 99 + "!",
]


def test_every_team_name_makes_a_unique_slug_whose_page_renders(client, django_user_model):
    teams = [Team.objects.create(name=n, slug=unique_team_slug(n)) for n in HOSTILE_TEAM_NAMES]
    limit = Team._meta.get_field("slug").max_length
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))

    assert len({team.slug for team in teams}) == len(teams)
    for team in teams:
        assert re.fullmatch(r"[-a-zA-Z0-9_]+", team.slug) and len(team.slug) <= limit, team.slug
        assert client.get(reverse("people:team", args=[team.slug])).status_code == 200
    assert client.get("/teams/").status_code == 200


# -- slugs stored before they were checked --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_upgrading_repairs_slugs_stored_before_they_were_checked(client):
    before, after = (
        ("frameworks", "0002_ladder_retired_at"),
        ("frameworks", "0003_repair_ladder_slugs"),
    )
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps.get_model("frameworks", "Ladder")
    stored = ["Dotnet 2025", "dotnet", "Dotnet", "日本", "!!!", "my_ladder", "a/b", "ok-one"]
    for n, slug in enumerate(stored):
        old.objects.create(slug=slug, title=f"Ladder {n}")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([after])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    slugs = dict(Ladder.objects.values_list("title", "slug"))
    assert [slugs[f"Ladder {n}"] for n in range(len(stored))] == [
        "dotnet-2025",
        "dotnet",
        "dotnet-2",
        "ladder",
        "ladder-2",
        "my-ladder",
        "a-b",
        "ok-one",
    ]
    home = client.get("/").content.decode()
    for slug in slugs.values():
        assert f'href="/ladders/{slug}/"' in home
    repaired = AuditEvent.objects.filter(action="ladder.slug_repaired")
    assert sorted((e.before["slug"], e.after["slug"]) for e in repaired) == sorted(
        [("Dotnet 2025", "dotnet-2025"), ("Dotnet", "dotnet-2"), ("日本", "ladder"),
         ("!!!", "ladder-2"), ("my_ladder", "my-ladder"), ("a/b", "a-b")]
    )  # fmt: skip
