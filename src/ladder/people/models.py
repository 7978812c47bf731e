"""People, teams and level history. A person's current level and time in it are derived from
the history, never stored twice."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from ladder.frameworks.models import Level
from ladder.frameworks.words import fold

from .emails import CanonicalEmailField


class TeamQuerySet(models.QuerySet):
    def by_name(self) -> dict[str, Team]:
        """Every team by its name in lower case: a file names a team in whatever case."""
        return {team.name.lower(): team for team in self}

    def matching(self, text: str):
        """The teams whose name holds `text` whatever its case and accents ("equipe" finds
        "Équipe Paris"), or whose slug is `text`, as links to a team's people write it.

        Names are folded as the ladder search folds words, in Python: one query of the teams'
        names and keys, only when a page is filtered by team.
        """
        text = text.strip()
        wanted = fold(text)
        keys = [
            pk
            for pk, name, slug in self.values_list("pk", "name", "slug")
            if slug == text.lower() or wanted in fold(name)
        ]
        return self.filter(pk__in=keys)


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# How deep the manager tree may go: a person and up to 49 managers above them, deeper than any
# organisation needs. The longest path of that depth, every key a 19-digit bigint ("/" and 20
# characters a level), must fit `Person.path` and its index (PostgreSQL refuses a btree entry
# over about 2,700 bytes); tree.py refuses anything deeper wherever the tree changes.
MAX_DEPTH = 50
LONGEST_PATH = 1 + MAX_DEPTH * (len(str(2**63 - 1)) + 1)


def path_below(manager_path: str | None, pk: int) -> str:
    """The tree path of person `pk` under a manager with `manager_path` (None: at the top)."""
    return f"{manager_path or '/'}{pk}/"


class PersonQuerySet(models.QuerySet):
    def reports_of(self, manager: Person):
        """Everyone below `manager` in the tree, directly or through others: one query."""
        return self.filter(path__startswith=manager.path).exclude(pk=manager.pk)

    def with_level_history(self):
        """Prefetch each person's whole history as `history` (one query), for time in level."""
        return self.prefetch_related(
            models.Prefetch(
                "level_history",
                queryset=LevelAssignment.objects.select_related("level"),
                to_attr="history",
            )
        )

    def with_current_level(self):
        """Prefetch each person's open level assignment as `current_assignments` (one query)."""
        return self.prefetch_related(
            models.Prefetch(
                "level_history",
                queryset=LevelAssignment.objects.filter(end__isnull=True).select_related("level"),
                to_attr="current_assignments",
            )
        )


class Person(models.Model):
    name = models.CharField(max_length=200)
    email = CanonicalEmailField(max_length=254)
    manager = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reports"
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    # Materialised path of primary keys from the top of the tree, "/1/7/42/": a person's whole
    # chain of reports is one indexed prefix query. Kept by services.py and tree.py, which refuse
    # a tree deeper than MAX_DEPTH, so a path is never longer than LONGEST_PATH.
    path = models.CharField(max_length=2000, db_index=True, default="/", editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Reminders of due assessments; each person may turn them off. News of a decision about
    # them is always sent.
    wants_reminders = models.BooleanField(default=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [
            # One person per address, however it is spelt: the field stores only the canonical
            # spelling, which sign-in and imports match exactly.
            models.UniqueConstraint(fields=["email"], name="unique_person_email"),
            models.CheckConstraint(
                condition=models.Q(manager__isnull=True) | ~models.Q(manager=models.F("id")),
                name="person_not_own_manager",
            ),
        ]
        indexes = [
            # The directory's page of 50 in its default order: read in order from this index
            # rather than sorting everyone, so a page costs the same in any organisation.
            models.Index(fields=["name", "id"], name="person_name_order"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        """1 at the top of the tree, 2 for their reports, and so on."""
        return self.path.count("/") - 1

    def chain_ids(self) -> list[int]:
        """Primary keys of the managers above, nearest first."""
        return [int(part) for part in reversed(self.path.strip("/").split("/")[:-1]) if part]

    def manager_chain(self) -> list[Person]:
        """The managers above, nearest first, in one query."""
        ids = self.chain_ids()
        by_id = Person.objects.in_bulk(ids)
        return [by_id[pk] for pk in ids if pk in by_id]

    def is_report_of(self, manager: Person) -> bool:
        return self.pk != manager.pk and self.path.startswith(manager.path)

    def has_reports(self) -> bool:
        # The nav asks it of the signed-in person on every page, twice: `person_of` reads it
        # with them (as `reports_exist`), and an instance asks the database once at most.
        if not hasattr(self, "reports_exist"):
            self.reports_exist = self.reports.exists()
        return self.reports_exist

    @property
    def current_assignment(self) -> LevelAssignment | None:
        """Needs `with_current_level()` on the queryset; no query of its own."""
        assignments = getattr(self, "current_assignments", None)
        if assignments is None:
            raise AttributeError("load people with PersonQuerySet.with_current_level()")
        return assignments[0] if assignments else None


class LevelAssignmentQuerySet(models.QuerySet):
    def history_of(self, person: Person) -> list[LevelAssignment]:
        """The person's whole level history, latest first, with each level and its version:
        what the person page shows and what their standing is worked out from."""
        return list(
            self.filter(person=person).select_related("level__version").order_by("-start", "-pk")
        )

    def levels_before(self) -> dict[tuple[int, datetime.date], LevelAssignment]:
        """The closed assignments, each by (person, the day it ended): the level before the one
        that started that day, whose end a corrected start moves along.

        Of two ending the same day (a level held for no time at all), the later start is the
        one just before.
        """
        closed = self.filter(end__isnull=False).order_by("person", "start", "pk")
        return {(a.person_id, a.end): a for a in closed}


class LevelAssignment(models.Model):
    class Reason(models.TextChoices):
        HIRE = "hire", "Hire"
        PROMOTION = "promotion", "Promotion"
        TRACK_CHANGE = "track_change", "Track change"
        CORRECTION = "correction", "Correction"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="level_history")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = LevelAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["person", "start"]
        constraints = [
            # The current level is the one open assignment: never two at once.
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(end__isnull=True), name="one_current_level"
            ),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="assignment_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.level.code} from {self.start}"


def _pending_import_token() -> str:
    return secrets.token_urlsafe(32)


class PendingImportQuerySet(models.QuerySet):
    def expired(self, now: datetime.datetime | None = None):
        return self.filter(created_at__lte=(now or timezone.now()) - PendingImport.LIFETIME)


class PendingImport(models.Model):
    """A people CSV previewed on the import page, waiting for its admin to apply it.

    The file stays in the database between preview and apply: sent back in the form it would
    pass Django's limit on form data, and the app may run as several processes or machines, so
    neither one process's memory nor its disk would find it again. Only the admin who uploaded
    it may apply it, within `LIFETIME`; applying deletes it, and expired ones are deleted as new
    ones arrive.
    """

    LIFETIME = datetime.timedelta(hours=1)

    token = models.CharField(max_length=64, unique=True, default=_pending_import_token)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=255)
    # The ladder version the preview was checked against: applying uses it, whatever the form.
    version = models.ForeignKey(
        "frameworks.LadderVersion", on_delete=models.CASCADE, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = PendingImportQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.filename} by {self.uploaded_by_id}"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.created_at <= (now or timezone.now()) - self.LIFETIME
