"""Who may see the insights pages, and about whom: admins the whole organisation, managers
everyone below them in the tree; anyone else finds nothing there (404), as on every page a
person may not see.

Pages count over several models (people, stored standings and readiness, level history,
promotion cases), so the scope is also given as a `Q` on whatever path leads to the person:
a join on the person's indexed tree path, rather than `IN (subquery)` over a whole subtree.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from ladder.people.models import Person
from ladder.people.permissions import is_admin, person_of


@dataclass(frozen=True)
class Scope:
    """The people an insights page counts: `manager` None means the whole organisation."""

    manager: Person | None

    @property
    def is_admin(self) -> bool:
        return self.manager is None

    @property
    def people(self) -> QuerySet[Person]:
        if self.manager is None:
            return Person.objects.all()
        return Person.objects.reports_of(self.manager)

    def q(self, person: str = "") -> Q:
        """The scope as a filter on a model whose path to Person is `person` ("" for Person
        itself, "person__" for a model with a `person` key)."""
        if self.manager is None:
            return Q()
        return Q(**{f"{person}path__startswith": self.manager.path}) & ~Q(
            **{f"{person}pk": self.manager.pk}
        )

    @property
    def label(self) -> str:
        """Whom the page counts, for its headings: "the whole organisation"."""
        if self.manager is None:
            return "the whole organisation"
        return f"everyone below {self.manager.name}"

    def contains(self, person: Person) -> bool:
        return self.manager is None or person.is_report_of(self.manager)


def scope_of(request) -> Scope:
    """The scope of the signed-in user, or Http404 for one who manages no one and is no admin.

    Two small queries at most (the person, whether anyone reports to them)."""
    user = request.user
    if is_admin(user):
        return Scope(manager=None)
    me = person_of(user)
    if me is None or not me.has_reports():
        raise Http404("Not found")
    return Scope(manager=me)
