"""Review cycles: creating one, moving it forward, who is in it, late joiners, targets, and the
cycle pages with their rights."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments.models import Assessment
from ladder.audit.models import AuditEvent
from ladder.notifications.models import OutgoingMail
from ladder.people.models import LevelAssignment, Person
from ladder.people.tree import rebuild_paths
from ladder.promotions.cycles import (
    cycle_add_person,
    cycle_advance,
    cycle_create,
    cycle_set_committee,
    cycle_update,
    member_set_target,
)
from ladder.promotions.models import CycleMember, ReviewCycle
from tests.assessments.test_repeated_requests import in_threads, postgresql_only
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

Stage = ReviewCycle.Stage
TODAY = timezone.localdate()


def dates(start: datetime.date = TODAY, gap: int = 14) -> dict:
    """The four dates of a cycle, in order, `gap` days apart from `start` on."""
    names = ["self_due", "manager_due", "calibration_on", "effective_on"]
    return {name: start + datetime.timedelta(days=gap * (n + 1)) for n, name in enumerate(names)}


# Every due date passed: whatever is not done is overdue.
PAST_DATES = dates(TODAY - datetime.timedelta(days=70))


def make_cycle(org, *, name="2026 round", scope="everyone", opened=True, **details) -> ReviewCycle:
    cycle = cycle_create(
        by=org.admin.user,
        name=name,
        ladder=org.levels["MD1"].version.ladder,
        scope=scope,
        **{**dates(), **details},
    )
    if opened:
        cycle = cycle_advance(by=org.admin.user, cycle=cycle)
    return cycle


def add_person(org, name, email, code, *, manager=None, team=None) -> Person:
    person = make_person(name, email, manager=manager or org.manager, team=team or org.core)
    LevelAssignment.objects.create(
        person=person, level=org.levels[code], start=datetime.date(2022, 1, 1), reason="hire"
    )
    rebuild_paths()
    person.refresh_from_db()
    return person


def members(cycle) -> dict[str, CycleMember]:
    return {m.person.email: m for m in cycle.members.select_related("person", "target", "manager")}


def assessed(person, author, level, role, state, **extra) -> Assessment:
    """An assessment as the assessment pages leave it, made directly for a task's state."""
    now = timezone.now()
    return Assessment.objects.create(
        person=person,
        author=author,
        level=level,
        role=role,
        state=state,
        submitted_at=now if state != "draft" else None,
        shared_at=now if state == "shared" else None,
        **extra,
    )


def actions(target) -> list[str]:
    return list(
        AuditEvent.objects.filter(
            target_type=target._meta.model_name, target_id=str(target.pk)
        ).values_list("action", flat=True)
    )


# -- creating and changing a cycle ------------------------------------------------------------


def test_a_new_cycle_is_a_draft_with_its_committee_and_its_creation_is_audited(org):
    cycle = make_cycle(org, opened=False, committee=[org.skip])

    assert cycle.stage == Stage.DRAFT and cycle.opened_at is None
    assert list(cycle.committee.all()) == [org.skip]
    event = AuditEvent.objects.get(action="cycle.created")
    assert event.actor == org.admin.user
    assert event.after["committee"] == ["sam@example.com"] and event.after["stage"] == "draft"
    assert not cycle.members.exists()


def test_dates_out_of_order_are_refused_under_the_date_that_comes_too_early(org):
    wrong = {**dates(), "calibration_on": dates()["manager_due"] - datetime.timedelta(days=1)}

    with pytest.raises(ValidationError) as refused:
        make_cycle(org, opened=False, **wrong)

    assert list(refused.value.message_dict) == ["calibration_on"]
    assert "comes before manager assessments due" in refused.value.message_dict["calibration_on"][0]
    assert not ReviewCycle.objects.exists()


def test_a_subtree_cycle_needs_a_manager_and_a_teams_cycle_needs_teams(org):
    with pytest.raises(ValidationError) as subtree:
        make_cycle(org, opened=False, scope="subtree")
    with pytest.raises(ValidationError) as teams:
        make_cycle(org, opened=False, scope="teams", teams=[])

    assert "Name the manager" in subtree.value.message_dict["subtree_of"][0]
    assert "at least one team" in teams.value.message_dict["teams"][0]


def test_a_cycle_name_is_taken_whatever_its_case(org):
    make_cycle(org, opened=False, name="2026 Round")

    with pytest.raises(ValidationError) as refused:
        make_cycle(org, opened=False, name="2026 round")

    assert 'A cycle named "2026 round" exists already' in refused.value.message_dict["name"][0]


def test_a_draft_changes_whole_and_the_change_is_audited(org):
    cycle = make_cycle(org, opened=False)

    cycle_update(
        by=org.admin.user, cycle=cycle, name="Spring", ladder=cycle.ladder, scope="teams",
        teams=[org.core], subtree_of=None, committee=[org.skip], **dates(gap=7),
    )  # fmt: skip

    cycle.refresh_from_db()
    assert cycle.name == "Spring" and list(cycle.teams.all()) == [org.core]
    event = AuditEvent.objects.get(action="cycle.changed")
    assert event.before["scope"] == "everyone" and event.after["teams"] == ["Core"]


def test_once_open_only_the_committee_changes_and_never_once_closed(org):
    cycle = make_cycle(org)

    with pytest.raises(ValidationError, match="only a draft can change"):
        cycle_update(
            by=org.admin.user, cycle=cycle, name="Other", ladder=cycle.ladder,
            scope="everyone", **dates(),
        )  # fmt: skip
    cycle_set_committee(by=org.admin.user, cycle=cycle, committee=[org.other_manager])
    assert list(cycle.committee.all()) == [org.other_manager]
    assert "cycle.committee_changed" in actions(cycle)

    for _ in range(2):
        cycle = cycle_advance(by=org.admin.user, cycle=cycle)
    with pytest.raises(ValidationError, match="closed"):
        cycle_set_committee(by=org.admin.user, cycle=cycle, committee=[])


# -- moving forward ---------------------------------------------------------------------------


def test_a_cycle_moves_forward_one_stage_at_a_time_each_move_audited(org):
    cycle = make_cycle(org, opened=False)

    stages = []
    for _ in range(3):
        cycle = cycle_advance(by=org.admin.user, cycle=cycle)
        stages.append(cycle.stage)

    assert stages == [Stage.OPEN, Stage.CALIBRATION, Stage.CLOSED]
    assert cycle.opened_at is not None and cycle.closed_at is not None
    assert actions(cycle) == ["cycle.closed", "cycle.calibration", "cycle.opened", "cycle.created"]
    with pytest.raises(ValidationError, match="closed: a cycle only moves forward"):
        cycle_advance(by=org.admin.user, cycle=cycle)


def test_a_second_click_on_open_is_told_the_cycle_is_open_already_and_nothing_moves(org):
    cycle = make_cycle(org, opened=False)
    cycle_advance(by=org.admin.user, cycle=cycle, to_stage="open")

    with pytest.raises(ValidationError, match="is open already: nothing changed"):
        cycle_advance(by=org.admin.user, cycle=cycle, to_stage="open")

    cycle.refresh_from_db()
    assert cycle.stage == Stage.OPEN
    assert actions(cycle).count("cycle.opened") == 1
    assert cycle.members.count() == 4


def test_a_stage_cannot_be_skipped(org):
    cycle = make_cycle(org, opened=False)

    with pytest.raises(ValidationError, match="one stage at a time, to open next"):
        cycle_advance(by=org.admin.user, cycle=cycle, to_stage="closed")

    cycle.refresh_from_db()
    assert cycle.stage == Stage.DRAFT


# -- who is in it ----------------------------------------------------------------------------


def test_opening_gives_everyone_with_a_next_level_a_task_against_the_first_one(org):
    cycle = make_cycle(org)

    tasks = members(cycle)
    # skip, other_manager and admin have no level: nothing to assess them against.
    assert set(tasks) == {
        "eve@example.com",
        "pat@example.com",
        "mia@example.com",
        "olga@example.com",
    }
    assert {email: m.target.code for email, m in tasks.items()} == {
        "eve@example.com": "MD2",
        "pat@example.com": "SR1",
        "mia@example.com": "TL2",
        "olga@example.com": "MD1",
    }
    assert tasks["eve@example.com"].manager == org.manager
    assert tasks["mia@example.com"].manager == org.skip
    assert not any(m.added_late for m in tasks.values())


def test_opening_records_each_task_and_queues_a_mail_to_each_person(org):
    cycle = make_cycle(org)

    opened = AuditEvent.objects.get(action="cycle.opened")
    added = AuditEvent.objects.filter(action="cycle.person_added")
    assert opened.before == {"stage": "draft"} and opened.after == {"stage": "open", "members": 4}
    assert sorted(e.after["target"] for e in added) == ["MD1", "MD2", "SR1", "TL2"]
    mails = OutgoingMail.objects.filter(kind="cycle_opened")
    assert sorted(mails.values_list("to", flat=True)) == sorted(members(cycle))
    assert cycle.name in mails.first().subject


def test_someone_at_the_top_of_their_track_has_no_task(org):
    add_person(org, "Pia Principal", "pia@example.com", "PE1")

    cycle = make_cycle(org)

    assert "pia@example.com" not in members(cycle)


def test_someone_who_may_branch_is_assessed_against_their_own_track_first(org):
    add_person(org, "Sid Senior", "sid@example.com", "SR1")

    cycle = make_cycle(org)

    assert members(cycle)["sid@example.com"].target.code == "SR2"


def test_a_teams_cycle_takes_in_the_chosen_teams_members_only(org):
    cycle = make_cycle(org, scope="teams", teams=[org.other])

    assert set(members(cycle)) == {"olga@example.com"}


def test_a_subtree_cycle_takes_in_the_manager_and_everyone_below_them(org):
    mine = make_cycle(org, name="Mia's", scope="subtree", subtree_of=org.manager)
    skips = make_cycle(org, name="Sam's", scope="subtree", subtree_of=org.skip)

    assert set(members(mine)) == {"mia@example.com", "eve@example.com", "pat@example.com"}
    assert set(members(skips)) == {
        "mia@example.com", "eve@example.com", "pat@example.com", "olga@example.com",
    }  # fmt: skip


def test_people_who_join_after_opening_are_not_in_it_until_an_admin_adds_them(org):
    cycle = make_cycle(org)
    late = add_person(org, "Lea Late", "lea@example.com", "JR2")
    assert "lea@example.com" not in members(cycle)

    member = cycle_add_person(by=org.admin.user, cycle=cycle, person=late)

    assert member.added_late and member.target.code == "MD1" and member.manager == org.manager
    assert "cycle.person_added" in actions(member)
    assert OutgoingMail.objects.filter(to="lea@example.com", kind="cycle_opened").exists()


@pytest.mark.parametrize(
    ("who", "stage", "message"),
    [
        ("engineer", "open", "is in 2026 round already"),
        ("skip", "open", "not at a level of"),
        ("pia", "open", "the top of their track"),
        ("lea", "draft", "once it is open"),
        ("lea", "closed", "once it is open"),
    ],
)
def test_adding_someone_is_refused_with_the_reason(org, who, stage, message):
    people = {
        "engineer": org.engineer,
        "skip": org.skip,
        "pia": add_person(org, "Pia Principal", "pia@example.com", "PE1"),
        "lea": add_person(org, "Lea Late", "lea@example.com", "JR2"),
    }
    cycle = make_cycle(org, opened=stage != "draft")
    if stage == "closed":
        for _ in range(2):
            cycle = cycle_advance(by=org.admin.user, cycle=cycle)
    before = CycleMember.objects.count()

    with pytest.raises(ValidationError, match=message):
        cycle_add_person(by=org.admin.user, cycle=cycle, person=people[who])

    assert CycleMember.objects.count() == before


def test_opening_costs_as_many_queries_for_many_people_as_for_few(org):
    def opening_queries(size: int) -> int:
        Person.objects.bulk_create(
            Person(name=f"Report {size}-{n}", email=f"r{size}-{n}@example.com", manager=org.manager)
            for n in range(size)
        )
        rebuild_paths()
        LevelAssignment.objects.bulk_create(
            LevelAssignment(
                person=p, level=org.levels["JR2"], start=datetime.date(2024, 1, 1), reason="hire"
            )
            for p in Person.objects.filter(email__startswith=f"r{size}-")
        )
        cycle = make_cycle(org, name=f"Round {size}", opened=False)
        with CaptureQueriesContext(connection) as captured:
            cycle_advance(by=org.admin.user, cycle=cycle)
        assert cycle.members.count() >= size
        return len(captured)

    # Inside one batch of the bulk inserts (SQLite takes fewer rows in one than PostgreSQL).
    assert opening_queries(5) == opening_queries(80)


# -- targets ---------------------------------------------------------------------------------


def test_the_target_may_be_any_next_level_and_the_change_is_audited(org):
    sid = add_person(org, "Sid Senior", "sid@example.com", "SR1")
    cycle = make_cycle(org)
    member = members(cycle)["sid@example.com"]

    member_set_target(by_user=sid.user, member=member, level=org.levels["TL1"])

    member.refresh_from_db()
    assert member.target.code == "TL1"
    event = AuditEvent.objects.get(action="cycle.target_changed")
    assert (event.before, event.after, event.actor) == (
        {"target": "SR2"},
        {"target": "TL1"},
        sid.user,
    )


def test_a_level_that_is_not_a_next_level_is_refused_naming_the_choices(org):
    sid = add_person(org, "Sid Senior", "sid@example.com", "SR1")
    cycle = make_cycle(org)

    with pytest.raises(
        ValidationError, match="SP1 is not a next level of Sid Senior: choose one of SR2, TL1"
    ):
        member_set_target(
            by_user=sid.user, member=members(cycle)[sid.email], level=org.levels["SP1"]
        )


def test_the_target_is_fixed_once_the_managers_assessment_is_submitted(org):
    sid = add_person(org, "Sid Senior", "sid@example.com", "SR1")
    cycle = make_cycle(org)
    assessed(sid, org.manager, org.levels["SR2"], "manager", "submitted")

    with pytest.raises(ValidationError, match="is submitted: the target is fixed"):
        member_set_target(
            by_user=sid.user, member=members(cycle)[sid.email], level=org.levels["TL1"]
        )

    assert members(cycle)[sid.email].target.code == "SR2"


def test_a_draft_manager_assessment_leaves_the_target_open(org):
    sid = add_person(org, "Sid Senior", "sid@example.com", "SR1")
    cycle = make_cycle(org)
    assessed(sid, org.manager, org.levels["SR2"], "manager", "draft")

    member_set_target(
        by_user=org.manager.user, member=members(cycle)[sid.email], level=org.levels["TL1"]
    )

    assert members(cycle)[sid.email].target.code == "TL1"


def test_targets_are_fixed_once_calibration_starts(org):
    sid = add_person(org, "Sid Senior", "sid@example.com", "SR1")
    cycle = cycle_advance(by=org.admin.user, cycle=make_cycle(org))

    with pytest.raises(ValidationError, match="targets change only while it is open"):
        member_set_target(
            by_user=sid.user, member=members(cycle)[sid.email], level=org.levels["TL1"]
        )


# -- the pages -------------------------------------------------------------------------------

CAST = ["engineer", "peer", "manager", "skip", "other_manager", "outsider", "admin"]


def status(client, user, url, method="get", **data) -> int:
    client.force_login(user)
    return getattr(client, method)(url, data).status_code


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", 200),
        ("committee", 200),
        ("manager", 200),
        ("skip", 200),
        ("other_manager", 200),
        ("engineer", 404),
        ("peer", 404),
        ("outsider", 404),
    ],
)
def test_an_open_cycle_and_the_list_answer_as_each_ones_rights_say(client, org, who, expected):
    committee = make_person("Cora Committee", "cora@example.com")
    cycle = make_cycle(org, committee=[committee])
    user = committee.user if who == "committee" else getattr(org, who).user

    assert status(client, user, "/cycles/") == expected
    assert status(client, user, f"/cycles/{cycle.pk}/") == expected
    assert status(client, user, f"/cycles/{cycle.pk}/progress/") == expected


def test_a_draft_is_the_admins_alone(client, org):
    committee = make_person("Cora Committee", "cora@example.com")
    cycle = make_cycle(org, opened=False, committee=[committee])

    for user in (org.manager.user, org.skip.user, committee.user):
        assert status(client, user, "/cycles/") == 404
        assert status(client, user, f"/cycles/{cycle.pk}/") == 404
    assert status(client, org.admin.user, f"/cycles/{cycle.pk}/") == 200
    assert cycle.name in client.get("/cycles/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    cycle = make_cycle(org)

    for url in ("/cycles/", f"/cycles/{cycle.pk}/", f"/cycles/{cycle.pk}/progress/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_admin_with_no_cycle_yet_sees_an_empty_list_with_the_new_button(client, org):
    client.force_login(org.admin.user)

    page = client.get("/cycles/").content.decode()

    assert "No cycles yet" in page and 'href="/cycles/new/"' in page


@pytest.mark.parametrize("who", [w for w in CAST if w != "admin"])
def test_only_admins_create_edit_move_and_add(client, org, who):
    cycle = make_cycle(org)
    user = getattr(org, who).user

    assert status(client, user, "/cycles/new/") == 404
    assert status(client, user, "/cycles/new/", "post", name="Mine") == 404
    assert status(client, user, f"/cycles/{cycle.pk}/edit/") == 404
    assert status(client, user, f"/cycles/{cycle.pk}/advance/", "post", to="calibration") == 404
    assert status(client, user, f"/cycles/{cycle.pk}/people/", "post", email="x@example.com") == 404
    cycle.refresh_from_db()
    assert cycle.stage == Stage.OPEN


def form_data(**changes) -> dict:
    data = {
        "name": "Autumn round",
        "scope": "teams",
        "teams": "core\nOther",
        "subtree_of": "",
        "committee": "SAM@example.com, oscar@example.com",
        **{name: day.isoformat() for name, day in dates().items()},
    }
    return {**data, **changes}


def test_an_admin_creates_a_cycle_naming_teams_and_committee_by_typing(client, org):
    client.force_login(org.admin.user)

    response = client.post(
        "/cycles/new/", {**form_data(), "ladder": org.levels["MD1"].version.ladder_id}
    )

    cycle = ReviewCycle.objects.get(name="Autumn round")
    assert response.status_code == 302 and response["Location"] == f"/cycles/{cycle.pk}/"
    assert set(cycle.teams.all()) == {org.core, org.other}
    assert set(cycle.committee.all()) == {org.skip, org.other_manager}


def test_the_form_names_unknown_teams_and_emails_and_dates_out_of_order(client, org):
    client.force_login(org.admin.user)
    ladder = org.levels["MD1"].version.ladder_id
    late = (TODAY + datetime.timedelta(days=1)).isoformat()

    page = client.post(
        "/cycles/new/",
        {**form_data(teams="Core\nGhosts", committee="nobody@example.com"), "ladder": ladder},
    ).content.decode()
    dated = client.post(
        "/cycles/new/", {**form_data(effective_on=late), "ladder": ladder}
    ).content.decode()

    assert "No team is named Ghosts." in page and "No one has the email nobody@example.com." in page
    assert "The decisions effective date" in dated and "comes before calibration" in dated
    assert not ReviewCycle.objects.exists()


def test_the_forward_button_opens_the_cycle_and_a_second_click_is_told_so(client, org):
    cycle = make_cycle(org, opened=False)
    client.force_login(org.admin.user)
    page = client.get(f"/cycles/{cycle.pk}/").content.decode()
    assert 'name="to" value="open"' in page and "It cannot be undone." in page

    first = client.post(f"/cycles/{cycle.pk}/advance/", {"to": "open"}, follow=True)
    second = client.post(f"/cycles/{cycle.pk}/advance/", {"to": "open"}, follow=True)

    assert "2026 round is now open. 4 people have a task." in first.content.decode()
    assert "2026 round is open already: nothing changed." in second.content.decode()
    cycle.refresh_from_db()
    assert cycle.stage == Stage.OPEN


def test_editing_an_open_cycle_offers_only_its_committee(client, org):
    cycle = make_cycle(org)
    client.force_login(org.admin.user)

    page = client.get(f"/cycles/{cycle.pk}/edit/").content.decode()
    client.post(f"/cycles/{cycle.pk}/edit/", {"committee": "sam@example.com"})

    assert 'name="committee"' in page and 'name="name"' not in page
    cycle.refresh_from_db()
    assert cycle.name == "2026 round" and list(cycle.committee.all()) == [org.skip]


def test_an_admin_adds_a_late_joiner_from_the_cycle_page(client, org):
    cycle = make_cycle(org)
    add_person(org, "Lea Late", "lea@example.com", "JR2")
    client.force_login(org.admin.user)

    added = client.post(f"/cycles/{cycle.pk}/people/", {"email": "LEA@example.com"}, follow=True)
    again = client.post(f"/cycles/{cycle.pk}/people/", {"email": "lea@example.com"}, follow=True)
    unknown = client.post(f"/cycles/{cycle.pk}/people/", {"email": "who@example.com"}, follow=True)

    assert "Lea Late is in 2026 round, against MD1." in added.content.decode()
    assert "is in 2026 round already" in again.content.decode()
    assert "No one has the email who@example.com." in unknown.content.decode()
    assert "1 added after it opened" in again.content.decode()


def test_a_manager_sees_the_number_of_people_below_them_on_the_cycle_page(client, org):
    cycle = make_cycle(org)
    client.force_login(org.manager.user)

    page = client.get(f"/cycles/{cycle.pk}/").content.decode()

    assert "2 people below you in this cycle" in page
    assert "advance" not in page and "Edit" not in page


def test_the_nav_shows_cycles_to_those_who_may_see_one(client, org):
    make_cycle(org)

    def nav(user) -> bool:
        client.force_login(user)
        return 'href="/cycles/"' in client.get("/").content.decode()

    assert nav(org.admin.user) and nav(org.manager.user) and nav(org.skip.user)
    assert not nav(org.engineer.user) and not nav(org.outsider.user)


def test_the_django_admin_lists_cycles_members_and_cases_read_only(client, org):
    cycle = make_cycle(org)
    member = cycle.members.first()
    client.force_login(org.admin.user)

    for url in (
        "/admin/promotions/reviewcycle/",
        f"/admin/promotions/reviewcycle/{cycle.pk}/change/",
        "/admin/promotions/cyclemember/",
        f"/admin/promotions/cyclemember/{member.pk}/change/",
        "/admin/promotions/promotioncase/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/admin/promotions/reviewcycle/add/" not in response.content.decode()
        assert 'name="_save"' not in response.content.decode()
    assert client.get("/admin/promotions/reviewcycle/add/").status_code == 403
    client.force_login(org.manager.user)
    assert client.get("/admin/promotions/reviewcycle/").status_code == 302  # not staff


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_clicks_on_open_open_it_once(org):
    cycle = make_cycle(org, opened=False)
    clients = [Client(), Client()]
    for c in clients:
        c.force_login(org.admin.user)
    url = f"/cycles/{cycle.pk}/advance/"

    responses = in_threads(*(lambda c=c: c.post(url, {"to": "open"}, follow=True) for c in clients))

    pages = [r.content.decode() for r in responses]
    assert any("is now open" in p for p in pages) and any("open already" in p for p in pages)
    cycle.refresh_from_db()
    assert cycle.stage == Stage.OPEN and cycle.members.count() == 4
    assert AuditEvent.objects.filter(action="cycle.opened").count() == 1


def test_the_drafts_form_sent_after_the_cycle_opened_changes_nothing_and_says_why(client, org):
    cycle = make_cycle(org, opened=False)
    client.force_login(org.admin.user)
    data = {**form_data(scope="everyone"), "ladder": cycle.ladder_id, "name": "Renamed"}
    cycle_advance(by=org.admin.user, cycle=cycle)

    page = client.post(f"/cycles/{cycle.pk}/edit/", data, follow=True).content.decode()

    assert "2026 round opened meanwhile: only its committee can change." in page
    cycle.refresh_from_db()
    assert cycle.name == "2026 round" and not cycle.committee.exists()
