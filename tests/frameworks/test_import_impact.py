"""`ladder import --dry-run` says what a changed ladder would change and whose readiness it would
move, and how, writing nothing; `--note` keeps why a version was made."""

import datetime
import io
import re

import pytest
from django.core.management import call_command

from ladder.assessments.models import ReadinessChange, StoredReadiness
from ladder.assessments.stored import readiness_differences
from ladder.audit.models import AuditEvent
from ladder.frameworks.models import Ladder, LadderVersion, Level
from ladder.frameworks.parse import parse
from ladder.frameworks.services import (
    MAX_NOTE_LENGTH,
    ImportRefused,
    ladder_import,
    ladder_import_preview,
)
from ladder.notifications.models import OutgoingMail
from tests.conftest import DOTNET
from tests.promotions.test_cases import shared

pytestmark = pytest.mark.django_db


def changed_ladder(text: str) -> str:
    """The bundled ladder with three changes that move three people of the cast:

    - MD1 asks for nine years in it, not one: the engineer (MD1 since March 2023, assessed as
      meeting MD2) waits until March 2032;
    - SR1 expects one less in its first dimension: the peer, rated one below it, is ready;
    - TL2 is gone: the Tech Lead track ends at TL1, so the manager (TL1) goes to every level
      at 7, SP1, instead.
    """
    text = text.replace(
        "1 or more years of practical experience in MD1",
        "9 or more years of practical experience in MD1",
    )
    start = text.index("## Senior Developer I (SR1)")
    row = text.index("| 5 ", text.index("### Competency Ratings:", start))
    text = text[:row] + "| 4 " + text[row + 3 :]
    start = text.index("## Tech Lead (TL2)")
    end = text.index("\n## ", start + 1)
    text = text[:start] + text[end + 1 :]
    return text.replace("  TL2: {number: 7, track: Tech Lead}\n", "")


@pytest.fixture
def v2(tmp_path):
    text = changed_ladder(DOTNET.read_text())
    data = parse(text, path="dotnet-v2.md")
    assert data.level("MD1").minimum_experience.months == 108
    assert "TL2" not in {level.code for level in data.levels}
    path = tmp_path / "dotnet-v2.md"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def assessed(org):
    """The engineer ready for MD2; the peer not yet ready for SR1, one short in a rating."""
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")
    shared(org.manager, org.peer, org.levels["SR1"], "manager", below=1)
    verdicts = dict(StoredReadiness.objects.values_list("person__email", "verdict"))
    assert verdicts["eve@example.com"] == "ready"
    assert verdicts["pat@example.com"] == "not_yet"
    return org


def ladder_command(*args: str) -> tuple[str, str, int]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exit:
        code = exit.code
    return out.getvalue(), err.getvalue(), code


def written() -> list[int]:
    """A count of every table a dry run must leave alone."""
    return [
        LadderVersion.objects.count(),
        Level.objects.count(),
        StoredReadiness.objects.count(),
        ReadinessChange.objects.count(),
        OutgoingMail.objects.count(),
        AuditEvent.objects.count(),
    ]


def test_a_dry_run_lists_whose_readiness_would_change_and_how(assessed, v2):
    out, err, code = ladder_command(str(v2), "--slug", "dotnet", "--dry-run")

    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        f"dotnet: would import version 2 from {v2} (9 levels); dry run, nothing was written."
    )
    assert "Changes since version 1:" in out
    assert "  - level TL2 (Tech Lead)" in out
    assert "      minimum experience (months): 12 -> 108" in out
    impact = out[out.index("Readiness that would change") :]
    assert impact.splitlines() == [
        "Readiness that would change for 3 people:",
        "  Eve Engineer <eve@example.com>, MD2: Ready → Eligible from 1 March 2032",
        "  Mia Manager <mia@example.com>, SP1: Not assessed (new next level SP1)",
        "  Mia Manager <mia@example.com>, TL2: Not assessed → no longer a next level",
        "  Pat Peer <pat@example.com>, SR1: Not yet → Ready",
    ]


def test_a_dry_run_writes_nothing(assessed, v2):
    before = written()

    ladder_command(str(v2), "--slug", "dotnet", "--dry-run", "--note", "Longer in MD1.")

    assert written() == before
    assert LadderVersion.objects.get().number == 1
    assert readiness_differences() == []


def test_the_import_then_keeps_the_changes_the_dry_run_listed(assessed, v2):
    out, _, _ = ladder_command(str(v2), "--slug", "dotnet", "--dry-run")
    listed = out[out.index("Readiness that would change") :].splitlines()[1:]

    out, err, code = ladder_command(str(v2), "--slug", "dotnet", "--note", "MD1 takes longer.")

    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"dotnet: imported version 2 from {v2} (9 levels)."
    version = LadderVersion.objects.get(number=2)
    assert version.note == "MD1 takes longer."
    kept = [
        f"  {c.person.name} <{c.person.email}>, {c.target_code}: {c.summary}"
        for c in ReadinessChange.objects.filter(version=version).select_related("person")
    ]
    assert kept == listed
    engineer = ReadinessChange.objects.get(person=assessed.engineer)
    assert (engineer.before_verdict, engineer.after_verdict) == ("ready", "eligible_from")
    assert engineer.after_eligible_from == datetime.date(2032, 3, 1)


def test_without_assessments_only_the_next_levels_that_come_and_go_are_listed(org, v2):
    out, _, code = ladder_command(str(v2), "--slug", "dotnet", "--dry-run")

    assert code == 0
    # Not assessed stays not assessed, whatever the time in level asks: only the manager's
    # next levels change.
    assert out[out.index("Readiness that would change") :].splitlines() == [
        "Readiness that would change for 1 person:",
        "  Mia Manager <mia@example.com>, SP1: Not assessed (new next level SP1)",
        "  Mia Manager <mia@example.com>, TL2: Not assessed → no longer a next level",
    ]


def test_a_dry_run_of_the_latest_content_says_there_is_nothing_to_import(dotnet_version):
    out, _, code = ladder_command(str(DOTNET), "--slug", "dotnet", "--dry-run")

    assert code == 0
    assert out == f"dotnet: {DOTNET} has the content of version 1; nothing to import.\n"


def test_a_dry_run_of_a_new_ladder_says_it_moves_nobody(dotnet_version, v2):
    out, _, code = ladder_command(str(v2), "--slug", "dotnet-next", "--dry-run")

    assert code == 0
    assert out.splitlines() == [
        f"dotnet-next: would import version 1 from {v2} (9 levels); dry run, nothing was written.",
        "A new ladder: nobody holds its levels, so nobody's readiness moves.",
    ]
    assert not Ladder.objects.filter(slug="dotnet-next").exists()


def test_a_dry_run_moving_nobody_says_so(assessed, tmp_path):
    path = tmp_path / "reworded.md"
    path.write_text(DOTNET.read_text().replace("Has owned a production", "Owned a production"))

    out, _, code = ladder_command(str(path), "--slug", "dotnet", "--dry-run")

    assert code == 0
    assert "    ~ Minimum Experience: 'Has owned a production" in out
    assert out.splitlines()[-1] == "Readiness: no one's verdict for a next level would change."


def test_a_dry_run_is_refused_as_the_import_would_be(dotnet_version, v2, tmp_path):
    Ladder.objects.filter(slug="dotnet").update(retired_at=datetime.datetime.now(datetime.UTC))
    _, err, code = ladder_command(str(v2), "--slug", "dotnet", "--dry-run")
    assert code == 1
    assert "ladder 'dotnet' is retired" in err and "nothing was imported" in err

    broken = tmp_path / "broken.md"
    broken.write_text(DOTNET.read_text().replace("## Principal Engineer (PE1)", "## Oops (MD1)"))
    _, err, code = ladder_command(str(broken), "--slug", "other", "--dry-run")
    assert code == 1
    assert f"{broken}:" in err and "duplicate level code MD1" in err


def test_a_version_keeps_its_note_without_surrounding_blanks(dotnet_text):
    ladder_import(source=dotnet_text, source_name="a.md", slug="dotnet")

    version = ladder_import(
        source=changed_ladder(dotnet_text),
        source_name="b.md",
        slug="dotnet",
        note="  TL2 leaves the ladder.\n\nMD1 takes longer.\n",
    ).version

    assert version.note == "TL2 leaves the ladder.\n\nMD1 takes longer."


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("x" * (MAX_NOTE_LENGTH + 1), f"the note is {MAX_NOTE_LENGTH + 1} characters long"),
        ("Ratings \x1b[31mred", "the note contains U+001B, a control character: remove it"),
        ("NUL\x00", "the note contains U+0000, a control character"),
        ("over\u202ebidi", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    ],
)
def test_a_note_breaking_the_rule_of_written_text_is_refused_and_nothing_written(
    dotnet_text, note, message
):
    ladder_import(source=dotnet_text, source_name="a.md", slug="dotnet")
    before = written()

    with pytest.raises(ImportRefused, match=re.escape(message)):
        ladder_import(
            source=changed_ladder(dotnet_text), source_name="b.md", slug="dotnet", note=note
        )
    with pytest.raises(ImportRefused):
        ladder_import_preview(
            source=changed_ladder(dotnet_text), source_name="b.md", slug="dotnet", note=note
        )

    assert written() == before


def test_a_bad_note_on_the_command_line_says_what_is_wrong(dotnet_version, v2):
    _, err, code = ladder_command(str(v2), "--slug", "dotnet", "--note", "x" * 2001)

    assert code == 1
    assert err.splitlines() == [
        f"{v2}: the note is 2001 characters long; a version's note has at most 2000",
        "nothing was imported",
    ]
    assert LadderVersion.objects.count() == 1


def test_an_unchanged_import_prints_what_it_always_printed(dotnet_version):
    out, err, code = ladder_command(str(DOTNET), "--slug", "dotnet", "--note", "Again.")

    assert (code, err) == (0, "")
    assert out == f"dotnet: {DOTNET} has the content of version 1; nothing to import.\n"
    assert LadderVersion.objects.get().note == ""
