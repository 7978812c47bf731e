"""Importing ladder files into the database: versions, idempotence and atomicity."""

import pytest

from ladder.frameworks.format import LadderError
from ladder.frameworks.models import Criterion, ExpectedRating, Ladder, LadderVersion, Level
from ladder.frameworks.services import ladder_import

pytestmark = pytest.mark.django_db


def import_text(text, slug="dotnet"):
    return ladder_import(source=text, source_name="dotnet.md", slug=slug)


def table_counts():
    return [m.objects.count() for m in (Ladder, LadderVersion, Level, Criterion, ExpectedRating)]


def test_importing_the_bundled_ladder_stores_every_level_criterion_and_rating(dotnet_text):
    result = import_text(dotnet_text)

    assert result.created and result.diff is None
    version = result.version
    assert (version.number, version.ladder.title) == (1, ".NET Developer Career Ladder")
    assert version.source == dotnet_text
    assert version.levels.count() == 10
    tl2 = version.levels.get(code="TL2")
    assert (tl2.number, tl2.track, tl2.minimum_experience_months) == (7, "Tech Lead", 12)
    assert tl2.criteria.count() == 18
    assert tl2.criteria.filter(section=Criterion.Section.RESPONSIBILITIES).count() == 9
    assert {r.dimension: r.rating for r in tl2.expected_ratings.all()} == {
        "Team Contributor": 3,
        "Technical Leadership": 5,
        "People Management": 3,
    }
    assert version.levels.get(code="PE1").minimum_experience_months is None


def test_reimporting_the_same_content_is_a_no_op(dotnet_text):
    import_text(dotnet_text)
    before = table_counts()

    result = import_text(dotnet_text.replace("\n", "\r\n").replace("\n- ", "\n* "))

    assert not result.created
    assert result.version.number == 1
    assert table_counts() == before


def test_a_changed_file_makes_a_new_version_and_keeps_the_old_one(dotnet_text):
    import_text(dotnet_text)
    changed_text = dotnet_text.replace("| 3                | 5 ", "| 4                | 5 ")

    result = import_text(changed_text)

    assert result.created and result.version.number == 2
    assert [c.code for c in result.diff.changed] == ["TL2"]
    assert ("rating Team Contributor", 3, 4) in result.diff.changed[0].facts
    old, new = LadderVersion.objects.order_by("number")
    assert old.source == dotnet_text and new.source == changed_text
    rating = ExpectedRating.objects.get(
        level__version=old, level__code="TL2", dimension="Team Contributor"
    )
    assert rating.rating == 3


def test_a_file_with_errors_changes_nothing(dotnet_text):
    import_text(dotnet_text)
    before = table_counts()
    broken = dotnet_text.replace("## Principal Engineer (PE1)", "## Principal Engineer (SP1)")

    with pytest.raises(LadderError) as caught:
        import_text(broken)

    assert "duplicate level code SP1" in str(caught.value)
    assert table_counts() == before
    assert LadderVersion.objects.get().source == dotnet_text


def test_a_failure_while_writing_rolls_back_the_whole_version(dotnet_text, monkeypatch):
    import_text(dotnet_text)
    before = table_counts()

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ExpectedRating.objects, "bulk_create", fail)
    with pytest.raises(RuntimeError):
        import_text(dotnet_text.replace("Leading multiple teams", "Leading several teams"))

    assert table_counts() == before


def test_a_version_reverted_to_earlier_content_is_a_new_version(dotnet_text):
    changed = dotnet_text.replace("Leading multiple teams", "Leading several teams")
    for text in (dotnet_text, changed, dotnet_text):
        import_text(text)

    assert list(LadderVersion.objects.values_list("number", flat=True)) == [1, 2, 3]


def test_each_ladder_keeps_its_own_version_numbers(dotnet_text, seed_text):
    import_text(dotnet_text, slug="dotnet")
    result = import_text(seed_text, slug="tech-leads")

    assert result.version.number == 1
    assert Ladder.objects.count() == 2
