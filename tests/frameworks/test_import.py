"""Importing ladder files into the database: versions, idempotence and atomicity."""

import pytest

from ladder.audit.models import AuditEvent
from ladder.frameworks.errors import LadderError
from ladder.frameworks.models import Criterion, ExpectedRating, Ladder, LadderVersion, Level
from ladder.frameworks.services import (
    ImportRefused,
    ladder_import,
    ladder_restore,
    ladder_retire,
)

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


# -- retiring -------------------------------------------------------------------------------


def test_a_retired_ladder_keeps_every_version_and_level(dotnet_text, django_user_model):
    import_text(dotnet_text)
    ladder = Ladder.objects.get()
    before = table_counts()
    hr = django_user_model.objects.create_superuser("hr", password="x")

    assert ladder_retire(by=hr, ladder=ladder) is True

    assert ladder.retired_at is not None
    assert table_counts() == before
    assert not Ladder.objects.active().exists()


def test_retiring_and_restoring_are_audited_and_doing_either_twice_changes_nothing(
    dotnet_text, django_user_model
):
    ladder = import_text(dotnet_text).version.ladder
    hr = django_user_model.objects.create_superuser("hr", password="x")

    assert ladder_retire(by=hr, ladder=ladder) is True
    assert ladder_retire(by=hr, ladder=ladder) is False
    assert ladder_restore(by=None, ladder=ladder) is True
    assert ladder_restore(by=None, ladder=ladder) is False

    ladder.refresh_from_db()
    assert ladder.retired_at is None
    events = AuditEvent.objects.filter(target_type="ladder").exclude(action="ladder.imported")
    assert [(e.action, e.actor_label) for e in events.order_by("id")] == [
        ("ladder.retired", "hr"),
        ("ladder.restored", "command line"),
    ]
    retired, restored = events.order_by("id")
    assert retired.before == {"retired_at": None} and retired.after["retired_at"]
    assert restored.before == retired.after and restored.after == {"retired_at": None}


def test_importing_to_a_retired_ladder_is_refused_naming_the_undo(dotnet_text):
    ladder = import_text(dotnet_text).version.ladder
    ladder_retire(by=None, ladder=ladder)
    before = table_counts()

    with pytest.raises(ImportRefused) as refused:
        import_text(dotnet_text.replace("Leading multiple teams", "Leading several teams"))

    assert "ladder 'dotnet' is retired" in str(refused.value)
    assert "ladder retire --undo dotnet" in str(refused.value)
    assert table_counts() == before


def test_a_restored_ladder_takes_new_versions_again(dotnet_text):
    ladder = import_text(dotnet_text).version.ladder
    ladder_retire(by=None, ladder=ladder)
    ladder_restore(by=None, ladder=ladder)

    result = import_text(dotnet_text.replace("Leading multiple teams", "Leading several teams"))

    assert result.created and result.version.number == 2


@pytest.mark.parametrize(
    "name",
    ["ladders/" + "deep/" * 100 + "dotnet.md", "ladders/\udcffdotnet.md", "x" * 300 + ".md"],
)
def test_a_source_name_the_database_could_not_keep_is_stored_readably(db, dotnet_text, name):
    version = ladder_import(source=dotnet_text, source_name=name, slug="dotnet").version

    version.refresh_from_db()
    assert len(version.source_name) <= 255
    assert version.source_name.endswith("dotnet.md") or version.source_name.endswith("x.md")
    assert version.source_name.encode("utf-8")
