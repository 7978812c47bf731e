"""People from CSV: every bad row reported, all or nothing, idempotent, previewed on the page."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ladder.audit.models import AuditEvent
from ladder.frameworks.services import ladder_import
from ladder.people.imports import people_csv, people_import
from ladder.people.models import MAX_DEPTH, LevelAssignment, PendingImport, Person, Team
from ladder.people.services import person_create, person_set_level
from tests.conftest import DOTNET, make_person, run_ladder

pytestmark = pytest.mark.django_db

HEADER = "email,name,manager_email,team,level_code,level_since\n"
GOOD = HEADER + (
    "eve@acme.test,Eve Engineer,mia@acme.test,Core,MD1,2023-03-01\n"
    "mia@acme.test,Mia Manager,sam@acme.test,Core,TL1,2021-06-01\n"  # manager after report
    "sam@acme.test,Sam Skip,,,PE1,2020-01-01\n"
)


def run(text, version, apply=True):
    return people_import(by=None, text=text, path="people.csv", version=version, apply=apply)


def snapshot():
    return (
        sorted(Person.objects.values_list("email", "name", "manager__email", "team__name", "path")),
        sorted(LevelAssignment.objects.values_list("person__email", "level__code", "start", "end")),
        Team.objects.count(),
    )


def test_a_valid_file_creates_people_their_tree_and_levels(dotnet_version):
    plan = run(GOOD, dotnet_version)

    assert plan.ok and plan.applied and len(plan.changes) == 3
    eve = Person.objects.get(email="eve@acme.test")
    assert [m.email for m in eve.manager_chain()] == ["mia@acme.test", "sam@acme.test"]
    assert eve.team.name == "Core"
    assignment = LevelAssignment.objects.get(person=eve)
    assert (assignment.level.code, assignment.start, assignment.reason) == (
        "MD1",
        datetime.date(2023, 3, 1),
        "hire",
    )
    assert AuditEvent.objects.filter(action="person.created").count() == 3


def test_reimporting_the_same_file_changes_nothing(dotnet_version):
    run(GOOD, dotnet_version)
    before, events = snapshot(), AuditEvent.objects.count()

    plan = run(GOOD, dotnet_version)

    assert plan.ok and plan.changes == [] and not plan.applied
    assert snapshot() == before
    assert AuditEvent.objects.count() == events


def test_a_new_level_closes_the_old_one_and_names_the_reason(dotnet_version):
    run(GOOD, dotnet_version)

    run(GOOD.replace("Core,MD1,2023-03-01", "Core,MD2,2024-09-01"), dotnet_version)

    history = list(LevelAssignment.objects.filter(person__email="eve@acme.test").order_by("start"))
    assert [(a.level.code, a.end, a.reason) for a in history] == [
        ("MD1", datetime.date(2024, 9, 1), "hire"),
        ("MD2", None, "promotion"),
    ]


@pytest.mark.parametrize(
    "row, message",
    [
        (
            "x@acme.test,X,,Core,ZZ9,2023-01-01",
            "people.csv:5: unknown level 'ZZ9': dotnet v1 has JR1,",
        ),
        (
            "x@acme.test,X,,Core,MD1,2023-02-30",
            "people.csv:5: bad date '2023-02-30' for level_since",
        ),
        (
            "x@acme.test,X,,Core,MD1,2099-01-01",
            "people.csv:5: level_since 2099-01-01 is in the future",
        ),
        (
            "x@acme.test,X,nobody@acme.test,Core,MD1,2023-01-01",
            "people.csv:5: unknown manager nobody@acme.test",
        ),
        (
            "EVE@acme.test,Eve Again,,Core,MD1,2023-01-01",
            "people.csv:5: duplicate email EVE@acme.test (first on line 2)",
        ),
        (
            "not-an-email,X,,Core,MD1,2023-01-01",
            "people.csv:5: 'not-an-email' is not an email address",
        ),
        ("x@acme.test,X,,Core", "people.csv:5: expected 6 columns, found 4"),
    ],
)
def test_each_bad_row_is_reported_with_its_line_and_nothing_is_written(
    dotnet_version, row, message
):
    plan = run(GOOD + row + "\n", dotnet_version)

    assert not plan.applied
    assert any(error.startswith(message) for error in plan.errors), plan.errors
    assert Person.objects.count() == 0


def test_a_cycle_in_the_manager_tree_is_refused(dotnet_version):
    text = (
        HEADER
        + "a@acme.test,A,b@acme.test,,,\nb@acme.test,B,c@acme.test,,,\nc@acme.test,C,a@acme.test,,,\n"
    )

    plan = run(text, dotnet_version)

    assert plan.errors == [
        "people.csv:2: a cycle in the manager tree: a@acme.test -> b@acme.test -> c@acme.test -> a@acme.test"
    ]
    assert Person.objects.count() == 0


def test_a_cycle_through_people_already_stored_is_refused(dotnet_version):
    run(GOOD, dotnet_version)
    before = snapshot()

    plan = run(HEADER + "sam@acme.test,Sam Skip,eve@acme.test,,PE1,2020-01-01\n", dotnet_version)

    assert plan.errors and "a cycle in the manager tree" in plan.errors[0]
    assert snapshot() == before


def test_every_bad_row_of_a_file_is_reported_at_once(dotnet_version):
    text = (
        GOOD
        + "a@acme.test,A,,Core,ZZ9,2023-01-01\nb@acme.test,B,,Core,MD1,soon\nc@acme.test,C,ghost@acme.test,,,\n"
    )

    plan = run(text, dotnet_version)

    assert [error.split(":")[1] for error in plan.errors] == ["5", "6", "7"]


def test_a_missing_header_is_an_error_on_line_one(dotnet_version):
    plan = run("eve@acme.test,Eve,,Core,MD1,2023-03-01\n", dotnet_version)

    assert plan.errors[0].startswith("people.csv:1: the header must name the columns")


def test_export_writes_back_a_file_that_reimports_to_no_change(dotnet_version):
    run(GOOD, dotnet_version)

    exported = people_csv()

    assert exported.splitlines()[0] == HEADER.strip()
    assert "eve@acme.test,Eve Engineer,mia@acme.test,Core,MD1,2023-03-01" in exported
    assert run(exported, dotnet_version).changes == []


def upload_file(client, org, content, name="people.csv"):
    """Preview a file on the import page, as the browser sends it."""
    data = content if isinstance(content, bytes) else content.encode()
    upload = SimpleUploadedFile(name, data, content_type="text/csv")
    return client.post(
        "/people/import/", {"ladder": org.levels["MD1"].version.ladder.pk, "file": upload}
    )


def apply_preview(client, org, preview):
    """Press "Apply" on a preview: the form names the file waiting on the server."""
    token = re.search(r'name="pending" value="([^"]+)"', preview.content.decode()).group(1)
    return client.post(
        "/people/import/",
        {"ladder": org.levels["MD1"].version.ladder.pk, "pending": token, "apply": "1"},
    )


def test_the_upload_page_previews_then_applies(client, org):
    client.force_login(org.admin.user)

    preview = upload_file(client, org, GOOD)

    html = preview.content.decode()
    assert "Preview: 3 changes to 3 people" in html
    assert not Person.objects.filter(email="eve@acme.test").exists()
    applied = apply_preview(client, org, preview)
    assert "3 changes applied to 3 people" in applied.content.decode()
    assert Person.objects.get(email="eve@acme.test").manager.email == "mia@acme.test"


def test_the_upload_page_lists_every_error_and_changes_nothing(client, org):
    client.force_login(org.admin.user)
    before = snapshot()
    bad = GOOD + "x@acme.test,X,,Core,ZZ9,2023-01-01\n"

    response = upload_file(client, org, bad)

    assert "people.csv:5: unknown level &#x27;ZZ9&#x27;" in response.content.decode()
    assert snapshot() == before


def test_import_people_through_the_cli_is_all_or_nothing_and_idempotent(tmp_path):
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    assert run_ladder("migrate", "-v0", env=env).returncode == 0
    assert run_ladder("import", "ladders/dotnet.md", env=env).returncode == 0
    good, bad = tmp_path / "people.csv", tmp_path / "bad.csv"
    good.write_text(GOOD)
    bad.write_text(GOOD + "x@acme.test,X,,Core,ZZ9,2023-01-01\n")

    refused = run_ladder("import-people", str(bad), env=env)
    first = run_ladder("import-people", str(good), env=env)
    again = run_ladder("import-people", str(good), env=env)
    exported = run_ladder("export-people", env=env)

    assert refused.returncode == 1
    assert f"{bad}:5: unknown level 'ZZ9'" in refused.stderr
    assert "1 error; nothing was written" in refused.stderr
    assert first.returncode == 0 and "applied 3 changes" in first.stdout
    assert "nothing to change" in again.stdout
    assert exported.stdout.count("\n") == 4


def test_a_team_written_in_another_case_is_no_change(dotnet_version):
    run(GOOD, dotnet_version)

    plan = run(GOOD.replace(",Core,", ",core,"), dotnet_version)

    assert plan.changes == [] and not plan.applied


def test_values_too_long_to_store_are_reported(dotnet_version):
    plan = run(GOOD + f"x@acme.test,{'N' * 201},,{'T' * 101},MD1,2023-01-01\n", dotnet_version)

    assert plan.errors == [
        "people.csv:5: name is longer than 200 characters",
        "people.csv:5: team is longer than 100 characters",
    ]
    assert Person.objects.count() == 0


def test_a_file_that_is_not_csv_is_reported_with_its_line(dotnet_version):
    plan = run(GOOD + "x@acme.test," + "y" * 200_000 + ",,,,\n", dotnet_version)

    assert plan.errors and plan.errors[0].startswith("people.csv:5: not readable as CSV")
    assert Person.objects.count() == 0


def test_a_corrected_start_keeps_the_history_from_overlapping(dotnet_version):
    run(GOOD, dotnet_version)
    run(GOOD.replace("Core,MD1,2023-03-01", "Core,MD2,2024-09-01"), dotnet_version)

    earlier = run(GOOD.replace("Core,MD1,2023-03-01", "Core,MD2,2024-06-01"), dotnet_version)
    too_early = run(GOOD.replace("Core,MD1,2023-03-01", "Core,MD2,2020-01-01"), dotnet_version)

    assert earlier.ok and earlier.applied
    history = list(LevelAssignment.objects.filter(person__email="eve@acme.test").order_by("start"))
    assert [(a.level.code, a.start, a.end) for a in history] == [
        ("MD1", datetime.date(2023, 3, 1), datetime.date(2024, 6, 1)),
        ("MD2", datetime.date(2024, 6, 1), None),
    ]
    assert "on or before the level before it" in too_early.errors[0]


def chain_file(depth, *, prefix="p", top_manager=""):
    """`depth` people, each managed by the row before; the first by `top_manager`."""
    rows = [
        f"{prefix}{i}@acme.test,P {i},{f'{prefix}{i - 1}@acme.test' if i else top_manager},,,"
        for i in range(depth)
    ]
    return HEADER + "\n".join(rows) + "\n"


def test_a_chain_at_the_depth_limit_keeps_every_path_whole(dotnet_version):
    plan = run(chain_file(MAX_DEPTH), dotnet_version)

    assert plan.ok and plan.applied
    bottom = Person.objects.get(email=f"p{MAX_DEPTH - 1}@acme.test")
    assert bottom.depth == MAX_DEPTH
    assert [m.email for m in bottom.manager_chain()] == [
        f"p{i}@acme.test" for i in reversed(range(MAX_DEPTH - 1))
    ]
    assert len(set(Person.objects.values_list("path", flat=True))) == MAX_DEPTH


def test_a_chain_past_the_depth_limit_is_refused_on_the_line_of_the_first_too_deep(
    dotnet_version,
):
    plan = run(chain_file(600), dotnet_version)

    line = MAX_DEPTH + 2  # the header, then one row per level
    assert plan.errors == [
        f"people.csv:{line}: p{MAX_DEPTH}@acme.test would be {MAX_DEPTH + 1} levels deep, past "
        f"the limit of {MAX_DEPTH} levels in the manager tree: p{MAX_DEPTH}@acme.test -> "
        f"p{MAX_DEPTH - 1}@acme.test -> p{MAX_DEPTH - 2}@acme.test -> p{MAX_DEPTH - 3}@acme.test"
        f" -> … {MAX_DEPTH + 1 - 8} more … -> p3@acme.test -> p2@acme.test -> p1@acme.test"
        " -> p0@acme.test"
    ]
    assert Person.objects.count() == 0


def test_moving_stored_people_past_the_depth_limit_is_blamed_on_the_row_that_moves_them(
    dotnet_version,
):
    run(chain_file(30, prefix="a") + chain_file(30, prefix="b")[len(HEADER) :], dotnet_version)
    before = snapshot()

    # b0 goes under a29: b29, not in the file, would be 60 levels deep; b20 is the first past.
    plan = run(HEADER + "b0@acme.test,P 0,a29@acme.test,,,\n", dotnet_version)

    assert len(plan.errors) == 1
    assert plan.errors[0].startswith(
        f"people.csv:2: b20@acme.test would be {MAX_DEPTH + 1} levels deep"
    )
    assert snapshot() == before


def test_teams_created_by_the_import_are_audited(dotnet_version):
    run(GOOD.replace("mia@acme.test,Core", "mia@acme.test,Platform"), dotnet_version)
    run(GOOD, dotnet_version)

    events = AuditEvent.objects.filter(action="team.created").order_by("id")
    assert [(e.target_type, e.before, e.after) for e in events] == [
        ("team", None, {"name": "Platform", "slug": "platform"}),
        ("team", None, {"name": "Core", "slug": "core"}),
    ]
    assert events[0].target_id == str(Team.objects.get(name="Platform").pk)


def test_a_file_larger_than_the_form_data_limit_previews_and_applies(client, org, settings):
    client.force_login(org.admin.user)
    long_name = "x" * 180
    rows = [
        f"person{i}@acme.test,Person {i} {long_name},,Core,MD1,2023-03-01" for i in range(14_000)
    ]
    text = HEADER + "\n".join(rows) + "\n"
    assert len(text.encode()) > 3_000_000 > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    preview = upload_file(client, org, text)
    applied = apply_preview(client, org, preview)

    assert applied.status_code == 200
    assert "14000 changes applied to 14000 people" in applied.content.decode()
    assert Person.objects.filter(email__startswith="person").count() == 14_000
    assert not PendingImport.objects.exists()


def test_another_admin_cannot_apply_your_previewed_file(client, org):
    other = make_person("Bo Admin", "bo@example.com", admin=True)
    client.force_login(org.admin.user)
    preview = upload_file(client, org, GOOD)

    client.force_login(other.user)
    refused = apply_preview(client, org, preview)

    assert "no longer waiting" in refused.content.decode()
    assert not Person.objects.filter(email="eve@acme.test").exists()
    client.force_login(org.admin.user)
    assert "3 changes applied" in apply_preview(client, org, preview).content.decode()


def test_an_expired_preview_is_refused_and_asks_for_the_file_again(client, org):
    client.force_login(org.admin.user)
    preview = upload_file(client, org, GOOD)
    PendingImport.objects.update(created_at=timezone.now() - PendingImport.LIFETIME)

    refused = apply_preview(client, org, preview)

    html = refused.content.decode()
    assert "This preview has expired" in html and "Upload the file again" in html
    assert not Person.objects.filter(email="eve@acme.test").exists()
    assert not PendingImport.objects.exists()


def test_an_applied_preview_cannot_be_applied_twice(client, org):
    client.force_login(org.admin.user)
    preview = upload_file(client, org, GOOD)
    apply_preview(client, org, preview)
    events = AuditEvent.objects.count()

    again = apply_preview(client, org, preview)

    assert "no longer waiting" in again.content.decode()
    assert AuditEvent.objects.count() == events


def test_expired_previews_are_deleted_when_a_file_is_uploaded(client, org):
    client.force_login(org.admin.user)
    stale = PendingImport.objects.create(
        uploaded_by=org.admin.user, text=GOOD, filename="old.csv", version=org.levels["MD1"].version
    )
    PendingImport.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - PendingImport.LIFETIME - datetime.timedelta(minutes=1)
    )

    upload_file(client, org, GOOD)

    assert list(PendingImport.objects.values_list("filename", flat=True)) == ["people.csv"]


def test_a_forged_preview_name_is_refused_with_a_message(client, org):
    client.force_login(org.admin.user)

    response = client.post(
        "/people/import/",
        {"ladder": org.levels["MD1"].version.ladder.pk, "pending": "x" * 300, "apply": "1"},
    )

    assert response.status_code == 200
    assert "This preview is no longer waiting" in response.content.decode()
    assert not Person.objects.filter(email="eve@acme.test").exists()


def test_applying_uses_the_ladder_version_the_file_was_previewed_against(client, org):
    other = ladder_import(
        source=DOTNET.read_text().replace("# .NET Developer Career Ladder", "# Other Ladder"),
        source_name="other.md",
        slug="other",
    ).version
    client.force_login(org.admin.user)
    preview = upload_file(client, org, GOOD)
    token = re.search(r'name="pending" value="([^"]+)"', preview.content.decode()).group(1)
    assert "checked against .NET Developer Career Ladder version 1" in preview.content.decode()

    # A forged form naming another ladder changes nothing about what was previewed.
    client.post("/people/import/", {"ladder": other.ladder.pk, "pending": token, "apply": "1"})

    assigned = LevelAssignment.objects.get(person__email="eve@acme.test")
    assert assigned.level.version == org.levels["MD1"].version != other


def test_an_expired_preview_is_deleted_when_another_is_applied(client, org):
    client.force_login(org.admin.user)
    stale = upload_file(client, org, GOOD)
    fresh = upload_file(client, org, GOOD.replace("Eve Engineer", "Eve E."))
    assert PendingImport.objects.count() == 2
    first = PendingImport.objects.order_by("pk").first()
    PendingImport.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - PendingImport.LIFETIME
    )

    apply_preview(client, org, fresh)

    # A file of people's names and addresses is not kept past its hour, whoever comes next.
    assert not PendingImport.objects.exists()
    assert "no longer waiting" in apply_preview(client, org, stale).content.decode()


# -- one rule for a level change, whichever way it comes in


def level_record(person):
    """A person's level history and the audit events of their level changes."""
    history = list(
        LevelAssignment.objects.filter(person=person)
        .order_by("start", "pk")
        .values_list("level__code", "start", "end", "reason")
    )
    events = list(
        AuditEvent.objects.filter(
            target_type="person", target_id=str(person.pk), action__startswith="level."
        )
        .order_by("pk")
        .values_list("action", "before", "after")
    )
    return history, events


LEVEL_STEPS = [
    ("MD1", datetime.date(2023, 3, 1)),  # a first level
    ("MD1", datetime.date(2023, 2, 1)),  # its start corrected, with nothing before it
    ("MD2", datetime.date(2024, 9, 1)),  # a promotion
    ("MD2", datetime.date(2024, 6, 1)),  # its start corrected: the level before ends that day
    ("MD2", datetime.date(2024, 6, 1)),  # the same again: no change
    ("SR1", datetime.date(2025, 1, 1)),  # a promotion again
]


def record_alike(org, version, steps):
    """Make each change to one person through the service and to another through a CSV file,
    checking after each that both have the same history and events; returns the file's."""
    by_service = person_create(by=org.admin.user, name="Ann Service", email="ann@acme.test")
    by_file = person_create(by=org.admin.user, name="Bob File", email="bob@acme.test")
    for step, (code, since) in enumerate(steps):
        person_set_level(by=org.admin.user, person=by_service, level=org.levels[code], since=since)
        plan = people_import(
            by=org.admin.user,
            text=HEADER + f"bob@acme.test,Bob File,,,{code},{since}\n",
            path="people.csv",
            version=version,
            apply=True,
        )

        assert plan.ok, plan.errors
        assert level_record(by_file) == level_record(by_service), f"step {step}: {code} {since}"
    return level_record(by_file)


def test_the_csv_and_the_service_record_a_level_change_alike(org, dotnet_version):
    history, events = record_alike(org, dotnet_version, LEVEL_STEPS)

    assert [(code, start, end) for code, start, end, _ in history] == [
        ("MD1", datetime.date(2023, 2, 1), datetime.date(2024, 6, 1)),
        ("MD2", datetime.date(2024, 6, 1), datetime.date(2025, 1, 1)),
        ("SR1", datetime.date(2025, 1, 1), None),
    ]
    assert [action for action, _, _ in events] == [
        "level.assigned",
        "level.corrected",
        "level.assigned",
        "level.corrected",
        "level.assigned",
    ]
    assert events[1][1:] == (
        {"level": "MD1", "since": "2023-03-01", "reason": "hire"},
        {"level": "MD1", "since": "2023-02-01", "reason": "hire"},
    )


def test_a_correction_after_a_level_held_for_no_time_is_recorded_alike(org, dotnet_version):
    history, _ = record_alike(
        org,
        dotnet_version,
        [
            ("JR1", datetime.date(2022, 1, 1)),
            ("JR2", datetime.date(2022, 6, 1)),
            ("MD1", datetime.date(2022, 6, 1)),  # JR2 is closed the day it started
            ("MD1", datetime.date(2022, 7, 1)),
        ],
    )

    # The level just before MD1 is JR2, so JR2 is the one that now ends later.
    assert [(code, start, end) for code, start, end, _ in history] == [
        ("JR1", datetime.date(2022, 1, 1), datetime.date(2022, 6, 1)),
        ("JR2", datetime.date(2022, 6, 1), datetime.date(2022, 7, 1)),
        ("MD1", datetime.date(2022, 7, 1), None),
    ]


def test_a_new_person_with_a_level_is_recorded_alike_by_the_csv_and_the_service(org):
    version = org.levels["MD1"].version
    by_service = person_create(
        by=org.admin.user,
        name="Ann Service",
        email="ann@acme.test",
        level=org.levels["MD1"],
        level_since=datetime.date(2023, 3, 1),
    )

    people_import(
        by=org.admin.user,
        text=HEADER + "bob@acme.test,Bob File,,,MD1,2023-03-01\n",
        path="people.csv",
        version=version,
        apply=True,
    )

    by_file = Person.objects.get(email="bob@acme.test")
    assert level_record(by_file) == level_record(by_service)
    history, events = level_record(by_file)
    assert history == [("MD1", datetime.date(2023, 3, 1), None, "hire")]
    assert events == [
        ("level.assigned", None, {"level": "MD1", "since": "2023-03-01", "reason": "hire"})
    ]


@pytest.mark.parametrize(
    "code, since, message",
    [
        ("MD2", datetime.date(2020, 1, 1), "before the current one (MD1, since 2023-03-01)"),
        ("MD1", datetime.date(2020, 1, 1), None),
    ],
    ids=["new level too early", "correction before the level before it"],
)
def test_a_level_change_refused_is_refused_alike_with_the_same_words(
    org, dotnet_version, code, since, message
):
    # Eve is at MD1 from 2023-03-01; for the correction case she was promoted from JR2 first.
    if message is None:
        LevelAssignment.objects.filter(person=org.engineer).update(start=datetime.date(2022, 1, 1))
        LevelAssignment.objects.filter(person=org.engineer).update(level=org.levels["JR2"])
        person_set_level(
            by=None, person=org.engineer, level=org.levels["MD1"], since=datetime.date(2023, 3, 1)
        )
    before = level_record(org.engineer)
    row = f"eve@example.com,Eve Engineer,mia@example.com,Core,{code},{since}\n"

    with pytest.raises(ValidationError) as refused:
        person_set_level(by=None, person=org.engineer, level=org.levels[code], since=since)
    plan = people_import(
        by=None, text=HEADER + row, path="people.csv", version=dotnet_version, apply=True
    )

    assert plan.errors == [f"people.csv:2: {refused.value.messages[0]}"]
    if message:
        assert message in refused.value.messages[0]
    assert level_record(org.engineer) == before
