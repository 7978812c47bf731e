"""People pages keep a fixed number of queries however big the organisation grows."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments.models import Assessment, Evidence
from ladder.demo.organisation import demo_organisation_create
from ladder.people.models import LevelAssignment, Person
from ladder.promotions.models import PromotionCase, ReviewCycle

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    # Once first, so that what is kept per ladder version is kept, as on a running site.
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def page_queries(client, people: int) -> list[int]:
    # Cases, cycles, authored assessments and evidence protect their people: remove them first.
    PromotionCase.objects.all().delete()
    ReviewCycle.objects.all().delete()
    Assessment.objects.all().delete()
    Evidence.objects.all().delete()
    Person.objects.all().update(manager=None)
    Person.objects.all().delete()
    get_user_model().objects.all().delete()
    demo_organisation_create(people=people, seed=1)
    admin = Person.objects.get(email="admin@example.com")
    engineer = Person.objects.get(email="engineer@example.com")
    client.force_login(admin.user)
    counts = [
        queries(client, "/people/"),
        queries(client, "/people/?level=MD1&track=Developer"),
        queries(client, f"/people/{engineer.pk}/"),
        queries(client, f"/teams/{engineer.team.slug}/"),
        queries(client, "/audit/"),
        queries(client, f"/people/{engineer.pk}/plan/"),
        queries(client, f"/people/{engineer.pk}/evidence/"),
        queries(client, f"/people/{engineer.pk}/assessments/"),
    ]
    client.force_login(Person.objects.get(email="manager@example.com").user)
    return counts + [queries(client, "/reports/"), queries(client, f"/people/{engineer.pk}/")]


def test_people_pages_make_as_many_queries_for_400_people_as_for_40(client):
    # The demo gives the manager more reports, each with assessments, in the bigger one.
    assert page_queries(client, 40) == page_queries(client, 400)


def test_a_large_team_is_shown_a_page_of_members_at_a_time(client, org):
    for n in range(118):
        Person.objects.create(name=f"Member {n:03}", email=f"m{n}@example.com", team=org.core)
    client.force_login(org.admin.user)

    first = client.get(f"/teams/{org.core.slug}/").content.decode()
    last = client.get(f"/teams/{org.core.slug}/?page=3").content.decode()

    total = org.core.members.count()
    assert total == 121
    assert f"{total} members" in first and f"{total} members" in last
    assert first.count("<tr>") - 1 == 50 and last.count("<tr>") - 1 == total - 100
    assert 'href="?page=2" rel="next"' in first and "Page 3 of 3" in last


def test_a_manager_with_many_direct_reports_shows_them_a_page_at_a_time(client, org):
    for n in range(40):
        Person.objects.create(name=f"Report {n:02}", email=f"r{n}@example.com", manager=org.skip)
    client.force_login(org.admin.user)

    first = client.get(f"/people/{org.skip.pk}/?target=SR1").content.decode()
    second = client.get(f"/people/{org.skip.pk}/?target=SR1&reports=2").content.decode()

    assert 'Reports <span class="muted">(42)</span>' in first
    # Mia Manager and Oscar Other come first by name, then 23 of the 40 added on page one.
    assert "Mia Manager" in first and "Oscar Other" in first
    assert first.count("Report ") == 23 and second.count("Report ") == 40 - 23
    # The link to the next page keeps what else the page was asked for.
    assert 'href="?target=SR1&amp;reports=2" rel="next"' in first


def test_admins_see_people_not_yet_placed_as_new_and_can_list_them(client, org):
    # Sam (top of the tree) has neither manager nor level, but joined long ago: placed as he
    # is. Ada, an admin, joined today, but waits for neither. Nina joined today as single
    # sign-on creates people.
    Person.objects.exclude(pk=org.admin.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=31)
    )
    newcomer = Person.objects.create(name="Nina New", email="nina@example.com")
    client.force_login(org.admin.user)

    page = client.get("/people/").content.decode()

    assert "1 person who joined has no manager or level yet." in page
    assert 'Nina New</a> <span class="tag tag-new">new</span>' in page
    assert page.count("tag-new") == 1
    listed = client.get("/people/", {"new": "on"}).context["page"].object_list
    assert [p.pk for p in listed] == [newcomer.pk]
    LevelAssignment.objects.create(
        person=newcomer, level=org.levels["MD1"], start=datetime.date.today(), reason="hire"
    )
    assert "tag-new" not in client.get("/people/").content.decode()
    client.force_login(org.skip.user)
    assert "no manager or level yet" not in client.get("/people/").content.decode()
