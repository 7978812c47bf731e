"""An organisation of any size for the insights pages, built through the services."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ladder.assessments.models import StoredReadiness
from ladder.people.services import person_create
from tests.promotions.test_cases import shared

TODAY = timezone.localdate()
CODES = ["JR1", "JR2", "MD1", "MD2", "SR1", "SR2", "TL1", "SP1", "TL2", "PE1"]


def grow(org, count: int, *, first: int = 0) -> list:
    """`count` more people, half below Mia in Core and half below Oscar in Other, at every
    level in turn, in level from this month to five years ago; every third assessed by their
    manager against their first next level, meeting it or not."""
    people = []
    for number in range(first, first + count):
        mine = number % 2 == 1
        manager = org.manager if mine else org.other_manager
        person = person_create(
            by=org.admin.user,
            name=f"Person {number:03d}",
            email=f"person{number}@example.com",
            manager=manager,
            team=org.core if mine else org.other,
            level=org.levels[CODES[number % len(CODES)]],
            level_since=TODAY - datetime.timedelta(days=31 * (number % 60)),
        )
        target = StoredReadiness.objects.filter(person=person, position=0).first()
        if target is not None and number % 3 == 0:
            status = "meets" if number % 2 == 0 else "developing"
            shared(manager, person, target.target, "manager", status=status)
        people.append(person)
    return people
