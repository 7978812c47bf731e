"""People services: the tree, email uniqueness, time in level, roles, sign-in, the audit log."""

import datetime

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import RequestFactory

from ladder.audit.models import AuditEvent
from ladder.frameworks.experience import months_between
from ladder.people.models import (
    LONGEST_PATH,
    MAX_DEPTH,
    LevelAssignment,
    Person,
)
from ladder.people.services import person_create, person_set_admin, person_set_level, person_update
from ladder.people.tenure import level_tenure
from ladder.people.tree import rebuild_paths

pytestmark = pytest.mark.django_db


def test_a_manager_below_a_person_is_refused_as_their_manager(org):
    with pytest.raises(ValidationError, match="would make a cycle"):
        person_update(
            by=None,
            person=org.skip,
            name="Sam Skip",
            email="sam@example.com",
            manager=org.engineer,
            team=None,
        )

    org.skip.refresh_from_db()
    assert org.skip.manager is None


def test_moving_a_manager_moves_their_whole_chain(org):
    person_update(
        by=org.admin.user,
        person=org.manager,
        name="Mia Manager",
        email="mia@example.com",
        manager=org.other_manager,
        team=org.core,
    )

    org.engineer.refresh_from_db()
    assert [m.name for m in org.engineer.manager_chain()] == [
        "Mia Manager",
        "Oscar Other",
        "Sam Skip",
    ]
    event = AuditEvent.objects.get(action="person.updated")
    assert (event.before["manager"], event.after["manager"]) == (
        "sam@example.com",
        "oscar@example.com",
    )
    assert event.actor_label == "ada@example.com"


def test_email_is_unique_whatever_its_case(org):
    with pytest.raises(ValidationError, match="already has the email"):
        person_create(by=None, name="Eve Again", email="EVE@example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="Eve Again", email="Eve@Example.com")


def test_time_in_level_counts_whole_months_and_ignores_a_date_correction(org):
    first = person_set_level(
        by=None, person=org.peer, level=org.levels["SR1"], since=datetime.date(2025, 1, 15)
    )
    person_set_level(
        by=None, person=org.peer, level=org.levels["SR1"], since=datetime.date(2025, 1, 10)
    )

    history = list(LevelAssignment.objects.filter(person=org.peer).select_related("level"))
    tenure = level_tenure(history, datetime.date(2026, 1, 9))

    assert tenure.assignment.pk == first.pk
    assert tenure.since == datetime.date(2025, 1, 10)
    assert tenure.months == 11
    assert level_tenure(history, datetime.date(2026, 1, 10)).months == 12
    assert [e.action for e in AuditEvent.objects.filter(target_type="person").order_by("id")] == [
        "level.assigned",
        "level.corrected",
    ]


def test_months_between_counts_a_month_only_once_its_day_is_reached():
    assert months_between(datetime.date(2025, 1, 31), datetime.date(2025, 2, 28)) == 0
    assert months_between(datetime.date(2025, 1, 31), datetime.date(2025, 3, 31)) == 2


def test_a_new_level_cannot_start_before_the_current_one(org):
    with pytest.raises(ValidationError, match="before the current one"):
        person_set_level(
            by=None, person=org.engineer, level=org.levels["MD2"], since=datetime.date(2020, 1, 1)
        )


def test_making_someone_admin_is_recorded(org):
    person_set_admin(by=org.admin.user, person=org.manager, admin=True)

    org.manager.user.refresh_from_db()
    assert org.manager.user.is_superuser and org.manager.user.is_staff
    event = AuditEvent.objects.get(action="role.changed")
    assert (event.before, event.after) == ({"admin": False}, {"admin": True})


def test_the_audit_log_is_append_only(org):
    person_set_level(
        by=None, person=org.peer, level=org.levels["SR1"], since=datetime.date(2025, 1, 1)
    )
    recorded = AuditEvent.objects.get(action="level.assigned")

    with pytest.raises(TypeError):
        recorded.save()
    with pytest.raises(TypeError):
        recorded.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()


def test_sign_in_is_by_email_whatever_its_case(org):
    request = RequestFactory().post("/accounts/login/")

    assert (
        authenticate(request=request, username="EVE@Example.com", password="correct horse")
        == org.engineer.user
    )
    assert authenticate(request=request, username="eve@example.com", password="wrong") is None


def test_repeated_failed_sign_ins_are_throttled(client, org):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "eve@example.com", "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "eve@example.com", "password": "correct horse"}
    )

    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_changing_the_case_of_the_email_does_not_earn_more_attempts(client, org):
    for spelling in [
        "eve@example.com",
        "EVE@example.com",
        " Eve@Example.com",
        "eve@EXAMPLE.com",
        "Eve@example.com",
    ]:
        client.post("/accounts/login/", {"username": spelling, "password": "wrong"})

    response = client.post(
        "/accounts/login/", {"username": "EvE@example.com", "password": "correct horse"}
    )

    assert response.status_code == 429


def test_a_former_manager_can_no_longer_finish_their_assessment(client, org):
    from ladder.assessments.models import Assessment
    from ladder.people.services import person_update

    client.force_login(org.manager.user)
    client.post(
        f"/people/{org.engineer.pk}/assessments/start/",
        {"role": "manager", "manager-level": org.levels["MD2"].pk},
    )
    draft = Assessment.objects.get()
    person_update(
        by=None,
        person=org.engineer,
        name="Eve Engineer",
        email="eve@example.com",
        manager=org.other_manager,
        team=org.core,
    )

    assert client.get(f"/assessments/{draft.pk}/").status_code == 200  # still theirs to read
    response = client.post(f"/assessments/{draft.pk}/", {"revision": draft.revision, "submit": "1"})

    assert response.status_code == 404
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_the_sign_in_page_signs_in_with_email_and_password(client, org):
    response = client.post(
        "/accounts/login/", {"username": "mia@example.com", "password": "correct horse"}
    )

    assert response.status_code == 302
    assert client.get("/people/").status_code == 200


def test_the_person_page_shows_level_time_history_and_chain(client, org):
    client.force_login(org.manager.user)

    html = client.get(f"/people/{org.engineer.pk}/").content.decode()

    assert "Eve Engineer" in html and "MD1" in html and "Mid-level Developer I" in html
    assert "since 1 Mar 2023" in html
    assert html.index("Mia Manager") < html.index("Sam Skip")
    assert "Hire" in html


def test_time_in_level_reads_the_same_on_the_directory_and_the_person_page(client, org):
    # A correction that kept the code: the time counts from the first start.
    first = LevelAssignment.objects.get(person=org.engineer)
    first.end = datetime.date(2024, 1, 1)
    first.save()
    LevelAssignment.objects.create(
        person=org.engineer,
        level=org.levels["MD1"],
        start=datetime.date(2024, 1, 1),
        reason="correction",
    )
    client.force_login(org.manager.user)

    person_page = client.get(f"/people/{org.engineer.pk}/").context["tenure"]
    listed = {p.name: p.tenure for p in client.get("/people/").context["page"].object_list}

    assert listed["Eve Engineer"].since == person_page.since == datetime.date(2023, 3, 1)


def test_correcting_a_start_moves_the_end_of_the_level_before(org):
    person_set_level(
        by=None, person=org.engineer, level=org.levels["MD2"], since=datetime.date(2024, 6, 1)
    )

    person_set_level(
        by=None, person=org.engineer, level=org.levels["MD2"], since=datetime.date(2024, 5, 1)
    )

    history = list(LevelAssignment.objects.filter(person=org.engineer).order_by("start"))
    assert [(a.level.code, a.start, a.end) for a in history] == [
        ("MD1", datetime.date(2023, 3, 1), datetime.date(2024, 5, 1)),
        ("MD2", datetime.date(2024, 5, 1), None),
    ]
    with pytest.raises(ValidationError, match="on or before the level before it"):
        person_set_level(
            by=None, person=org.engineer, level=org.levels["MD2"], since=datetime.date(2020, 1, 1)
        )


def test_rebuilding_paths_refuses_a_cycle_rather_than_looping(org):
    Person.objects.filter(pk=org.skip.pk).update(manager=org.engineer)

    with pytest.raises(ValueError, match="cycle"):
        rebuild_paths()


# -- the depth of the manager tree


def chain_of(depth, *, under=None, prefix="c"):
    """`depth` people, each the manager of the next, the first under `under`; bottom last."""
    people = []
    for i in range(depth):
        manager = people[-1] if people else under
        people.append(
            person_create(by=None, name=f"C {i}", email=f"{prefix}{i}@example.com", manager=manager)
        )
    return people


def test_the_longest_path_the_depth_limit_allows_is_stored_whole(org):
    # Every key as long as a bigint can be: 19 digits.
    longest = "/" + "".join(f"{10**18 + i}/" for i in range(MAX_DEPTH))
    assert len(longest) == LONGEST_PATH <= Person._meta.get_field("path").max_length

    Person.objects.filter(pk=org.engineer.pk).update(path=longest)

    org.engineer.refresh_from_db()
    assert org.engineer.path == longest and org.engineer.depth == MAX_DEPTH


def test_a_person_cannot_be_created_below_the_depth_limit(db):
    bottom = chain_of(MAX_DEPTH)[-1]

    with pytest.raises(ValidationError, match=f"would be {MAX_DEPTH + 1} levels deep"):
        person_create(by=None, name="Too Deep", email="deep@example.com", manager=bottom)

    assert not Person.objects.filter(email="deep@example.com").exists()


def test_moving_a_manager_counts_the_deepest_person_below_them(db):
    upper = chain_of(30, prefix="u")
    lower = chain_of(21, prefix="l")
    top = lower[0]

    def move_under(manager):
        person_update(
            by=None, person=top, name=top.name, email=top.email, manager=manager, team=None
        )

    with pytest.raises(ValidationError) as refused:
        move_under(upper[-1])
    move_under(upper[-2])

    assert refused.value.messages == [
        "l0@example.com, with the 20 levels below them, cannot report to u29@example.com: the "
        f"deepest would be {MAX_DEPTH + 1} levels deep, past the limit of {MAX_DEPTH} levels in "
        "the manager tree."
    ]

    lower[-1].refresh_from_db()
    assert lower[-1].depth == MAX_DEPTH
    assert lower[-1].manager_chain()[-1] == upper[0]


def test_rebuilding_paths_refuses_a_tree_deeper_than_the_limit_rather_than_cutting_it(db):
    people = chain_of(MAX_DEPTH)
    extra = Person.objects.create(name="Extra", email="extra@example.com", manager=people[-1])
    paths = dict(Person.objects.values_list("pk", "path"))

    with pytest.raises(ValueError, match=f"person {extra.pk} would be {MAX_DEPTH + 1} levels deep"):
        rebuild_paths()

    assert dict(Person.objects.values_list("pk", "path")) == {**paths, extra.pk: "/"}


# -- what a name may hold


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\r", "\u202e", "\u2067", "\u200b", "\u2028"])
def test_a_name_with_a_control_character_is_refused_when_creating_or_editing(org, char):
    name = f"Eve{char}[31mEngineer"

    with pytest.raises(ValidationError, match=f"U\\+{ord(char):04X}"):
        person_create(by=None, name=name, email="new@example.com")
    with pytest.raises(ValidationError, match="a control character"):
        person_update(
            by=None,
            person=org.engineer,
            name=name,
            email="eve@example.com",
            manager=org.manager,
            team=org.core,
        )

    org.engineer.refresh_from_db()
    assert org.engineer.name == "Eve Engineer"
    assert not Person.objects.filter(email="new@example.com").exists()


def test_names_with_joiners_accents_and_other_scripts_are_kept(db):
    names = ["Zoë Ångström", "مهر\u200cناز", "👩\u200d💻 Dev", "O'Brien-Smith", "李小龍"]

    for i, name in enumerate(names):
        person_create(by=None, name=name, email=f"n{i}@example.com")

    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(names)


def test_a_new_address_moves_the_login_with_it(org):
    person_update(
        by=org.admin.user,
        person=org.engineer,
        name="Eve Engineer",
        email="Evelyn@Example.com",
        manager=org.manager,
        team=org.core,
    )

    user = get_user_model().objects.get(pk=org.engineer.user.pk)
    assert (user.username, user.email) == ("evelyn@example.com", "evelyn@example.com")
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="evelyn@example.com", password="correct horse") == user
    assert authenticate(request, username="eve@example.com", password="correct horse") is None


def test_an_address_a_stray_login_holds_is_refused_and_nothing_moves(org):
    get_user_model().objects.create_user("stray@example.com", "stray@example.com", "x")

    with pytest.raises(ValidationError, match="A login named stray@example.com exists already"):
        person_update(
            by=org.admin.user,
            person=org.engineer,
            name="Eve Engineer",
            email="stray@example.com",
            manager=org.manager,
            team=org.core,
        )

    org.engineer.refresh_from_db()
    assert org.engineer.email == org.engineer.user.email == "eve@example.com"


def test_an_address_too_long_for_a_login_name_moves_the_address_and_keeps_the_name(org):
    address = "e" * 190 + "@example.com"

    person_update(
        by=org.admin.user,
        person=org.engineer,
        name="Eve Engineer",
        email=address,
        manager=org.manager,
        team=org.core,
    )

    user = get_user_model().objects.get(pk=org.engineer.user.pk)
    assert (user.username, user.email) == ("eve@example.com", address)
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username=address, password="correct horse") == user
