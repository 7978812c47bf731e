"""People pages keep a fixed number of queries however big the organisation grows."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ladder.assessments.models import Assessment, Evidence
from ladder.people.demo import demo_organisation_create
from ladder.people.models import Person

pytestmark = pytest.mark.django_db


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200, url
    return len(captured)


def page_queries(client, people: int) -> list[int]:
    # Authored assessments and evidence protect their authors: remove them first.
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
