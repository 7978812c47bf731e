"""Evidence, assessments against a level, and growth plans."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils import timezone

from ladder.frameworks.ladder_data import MAX_CODE_LENGTH
from ladder.frameworks.models import Criterion, Ladder, LadderVersion, Level, ratings_by_dimension
from ladder.people.models import Person

from .readiness import Status as RuleStatus
from .readiness import Verdict as RuleVerdict
from .readiness import format_date


def current_cycle(today=None) -> str:
    """Assessment cycles are half-years: "2026 H2"."""
    today = today or timezone.localdate()
    return f"{today.year} H{1 if today.month <= 6 else 2}"


class Evidence(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="evidence")
    added_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    happened_on = models.DateField()
    text = models.TextField()
    link = models.URLField(blank=True, max_length=500)
    criteria = models.ManyToManyField(Criterion, related_name="evidence")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-happened_on", "-id"]
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return f"{self.happened_on}: {self.text[:60]}"


class AssessmentQuerySet(models.QuerySet):
    def for_person(self, person):
        return self.filter(person=person)

    def shared(self):
        return self.filter(state=Assessment.State.SHARED)

    def by_managers(self):
        return self.filter(role=Assessment.Role.MANAGER)

    def by_self(self):
        return self.filter(role=Assessment.Role.SELF)

    def latest_first(self):
        return self.order_by("-shared_at", "-submitted_at", "-created_at", "-id")

    def drafts_of_cycle(self, cycle: str | None = None):
        return self.filter(state=Assessment.State.DRAFT, cycle=cycle or current_cycle())


class Assessment(models.Model):
    class Role(models.TextChoices):
        SELF = "self", "Self-assessment"
        MANAGER = "manager", "Manager assessment"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        SHARED = "shared", "Shared"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    # A level row belongs to one ladder version, so the assessment keeps the wording it was
    # made against: later imports add new rows and never touch these.
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="authored_assessments"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    cycle = models.CharField(max_length=20, default=current_cycle)
    summary = models.TextField(blank=True)
    # Bumped on every save of the draft: a save from a stale form is refused, not merged.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    # A calibration adjustment is a new shared record that readiness reads from then on; the
    # manager's original stays as it was, and this points back to it.
    adjusts = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="adjustments"
    )
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adjustment_reason = models.TextField(blank=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A self-assessment is written by the person; a manager's never is.
            models.CheckConstraint(
                condition=(models.Q(role="self") & models.Q(author=models.F("person")))
                | (models.Q(role="manager") & ~models.Q(author=models.F("person"))),
                name="assessment_author_matches_role",
            ),
            models.CheckConstraint(
                condition=models.Q(state="draft") | models.Q(submitted_at__isnull=False),
                name="assessment_submitted_has_a_date",
            ),
            # Starting the same assessment twice (a double-click) opens one draft, not two.
            # An adjustment says why it was made.
            models.CheckConstraint(
                condition=models.Q(adjusts__isnull=True) | ~models.Q(adjustment_reason=""),
                name="assessment_adjustment_has_a_reason",
            ),
            models.UniqueConstraint(
                fields=["author", "person", "level", "cycle"],
                condition=models.Q(state="draft"),
                name="one_draft_per_author_person_level_cycle",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_role_display()} of {self.person} against {self.level.code} ({self.cycle})"
        )

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT


# The readiness rule's own statuses (readiness.Status), with the labels forms and pages show.
Status = models.TextChoices(
    "Status",
    [
        (status.name, (status.value, status.value.replace("_", " ").capitalize()))
        for status in RuleStatus
    ],
)


class CriterionAssessmentQuerySet(models.QuerySet):
    # Read through a prefetch (`assessment.criteria.by_criterion()`), these cost no query.
    def by_criterion(self) -> dict[int, CriterionAssessment]:
        return {item.criterion_id: item for item in self}

    def statuses(self) -> dict[int, str]:
        return {item.criterion_id: item.status for item in self}


class CriterionAssessment(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="criteria")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    comment = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, blank=True, related_name="+")

    objects = CriterionAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="one_rating_per_criterion"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.get_status_display() or 'unrated'}"


class DimensionRatingQuerySet(models.QuerySet):
    def by_dimension(self) -> dict[str, int | None]:
        # Read through a prefetch (`assessment.ratings.by_dimension()`), this costs no query.
        return ratings_by_dimension(self)


class DimensionRating(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    position = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=100)
    rating = models.SmallIntegerField(null=True, blank=True)

    objects = DimensionRatingQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "dimension"], name="one_rating_per_dimension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.rating}"


class GrowthPlan(models.Model):
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="growth_plan")
    target = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    generated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Growth plan of {self.person}"

    def progress(self) -> PlanProgress:
        """How many items are done; reads `items` as prefetched, if they were."""
        states = [item.state for item in self.items.all()]
        return PlanProgress(done=states.count(GrowthItem.State.DONE), total=len(states))


@dataclass(frozen=True)
class PlanProgress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class GrowthItem(models.Model):
    class Kind(models.TextChoices):
        DIMENSION = "dimension", "Dimension"
        CRITERION = "criterion", "Criterion"
        RESPONSIBILITY = "responsibility", "Responsibility"
        EXPERIENCE = "experience", "Time in level"
        NEXT_ACTION = "next_action", "Next action"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    plan = models.ForeignKey(GrowthPlan, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the item closes: a dimension name, a criterion's or next action's text.
    closes = models.TextField()
    title = models.TextField()
    owner = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    # Set once a person changes the item: regenerating the plan keeps it as they left it.
    edited = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "closes"], name="one_item_per_gap")
        ]

    def __str__(self) -> str:
        return self.title


# -- readiness as last worked out ----------------------------------------------------------------
#
# Written by `stored.readiness_refresh` in the transaction of every change to what readiness reads
# (a shared assessment, a level, a ladder version), so pages about many people read a row rather
# than run the rule for each. Time alone turns "eligible from" into "ready": that is derived when
# read (`verdict_on`, `StoredReadinessQuerySet.as_of`), so nothing has to run each night.


class StoredStanding(models.Model):
    """A person's level and time in it, and when their manager last shared an assessment."""

    person = models.OneToOneField(
        Person, primary_key=True, on_delete=models.CASCADE, related_name="stored_standing"
    )
    # Read in the latest version of its ladder, as `standings_of` reads it.
    current = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    since = models.DateField(null=True, blank=True)
    # Months the current level asks for before the next (None: no minimum, or no level).
    months_required = models.PositiveSmallIntegerField(null=True, blank=True)
    last_assessed_on = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Standing of {self.person_id}"


class StoredReadinessQuerySet(models.QuerySet):
    def as_of(self, today):
        """Annotated with `verdict_now`: the verdict on `today`, so SQL can count and filter it."""
        return self.annotate(
            verdict_now=models.Case(
                models.When(
                    verdict=RuleVerdict.ELIGIBLE_FROM,
                    eligible_from__lte=today,
                    then=models.Value(RuleVerdict.READY.value),
                ),
                default=models.F("verdict"),
                output_field=models.CharField(),
            )
        )


class StoredReadiness(models.Model):
    """A person's readiness for one of their next levels, as the rule last gave it."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="stored_readiness")
    # The next level's row in the latest version of its ladder.
    target = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    target_code = models.CharField(max_length=50)
    # The first next level comes first: a branch has several.
    position = models.PositiveSmallIntegerField(default=0)
    verdict = models.CharField(max_length=20, choices=[(v.value, v.value) for v in RuleVerdict])
    eligible_from = models.DateField(null=True, blank=True)
    criteria_met = models.PositiveIntegerField(default=0)
    criteria_counted = models.PositiveIntegerField(default=0)
    # The gaps as the rule names them: [{"kind", "subject", "text"}], and the criteria not met
    # as [{"section", "text"}]: what a summary of the organisation's gaps counts.
    gaps = models.JSONField(default=list)
    criteria_not_met = models.JSONField(default=list)
    # The shared manager assessment the verdict rests on, and the day it was shared.
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessed_on = models.DateField(null=True, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = StoredReadinessQuerySet.as_manager()

    class Meta:
        ordering = ["person", "position"]
        constraints = [
            models.UniqueConstraint(fields=["person", "target"], name="one_readiness_per_target")
        ]
        indexes = [models.Index(fields=["verdict", "eligible_from"])]

    def __str__(self) -> str:
        return f"{self.person_id} for {self.target_code}: {self.verdict}"

    def verdict_on(self, today) -> RuleVerdict:
        """The verdict on `today`: "eligible from" a day passed is "ready"."""
        verdict = RuleVerdict(self.verdict)
        if (
            verdict == RuleVerdict.ELIGIBLE_FROM
            and self.eligible_from
            and self.eligible_from <= today
        ):
            return RuleVerdict.READY
        return verdict


def verdict_words(verdict: str, eligible_from: datetime.date | None) -> str:
    """A verdict in a few words, as a list of changes shows it: "Eligible from 5 January 2027"."""
    if verdict == RuleVerdict.ELIGIBLE_FROM:
        return f"Eligible from {format_date(eligible_from)}"
    return {
        RuleVerdict.READY: "Ready",
        RuleVerdict.NOT_YET: "Not yet",
        RuleVerdict.NOT_ASSESSED: "Not assessed",
    }[RuleVerdict(verdict)]


class ReadinessChange(models.Model):
    """How a new version of a ladder moved one person's readiness for one next level: the
    verdict as read on the day of the import, before it and after it. Kept with the version
    (changes.py); a dry run makes the same rows without saving them."""

    version = models.ForeignKey(LadderVersion, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="readiness_changes")
    target_code = models.CharField(max_length=MAX_CODE_LENGTH)
    # Blank before: the level became a next level with this version; blank after: it no longer
    # is one (the person's level or the next one left the ladder, or a track changed).
    before_verdict = models.CharField(max_length=20, blank=True)
    before_eligible_from = models.DateField(null=True, blank=True)
    after_verdict = models.CharField(max_length=20, blank=True)
    after_eligible_from = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["version", "person__name", "person", "target_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "person", "target_code"], name="one_change_per_target"
            ),
            # A row says what moved: a verdict on at least one side.
            models.CheckConstraint(
                condition=~models.Q(before_verdict="", after_verdict=""),
                name="readiness_change_has_a_verdict",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} for {self.target_code}: {self.summary}"

    @property
    def before(self) -> str:
        return verdict_words(self.before_verdict, self.before_eligible_from)

    @property
    def after(self) -> str:
        return verdict_words(self.after_verdict, self.after_eligible_from)

    @property
    def summary(self) -> str:
        """ "Ready → Eligible from 5 January 2027", "Not assessed (new next level SR2)"."""
        if not self.before_verdict:
            return f"{self.after} (new next level {self.target_code})"
        if not self.after_verdict:
            return f"{self.before} → no longer a next level"
        return f"{self.before} → {self.after}"


def _pending_version_token() -> str:
    return secrets.token_urlsafe(32)


class PendingLadderVersionQuerySet(models.QuerySet):
    def expired(self, now: datetime.datetime | None = None):
        return self.filter(created_at__lte=(now or timezone.now()) - PendingLadderVersion.LIFETIME)


class PendingLadderVersion(models.Model):
    """A ladder file previewed on the upload page, waiting for its admin to import it.

    The source waits in the database, as a previewed people CSV does (people.PendingImport):
    sent back through the form it could be changed after its preview, and the app may run as
    several processes, so no one process's memory or disk would find it again. Only its
    uploader may import it, within `LIFETIME`, and only while `base` is still the ladder's
    latest version, so that what was previewed is what is imported.
    """

    LIFETIME = datetime.timedelta(hours=1)

    token = models.CharField(max_length=64, unique=True, default=_pending_version_token)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    ladder = models.ForeignKey(Ladder, on_delete=models.CASCADE, related_name="+")
    # The ladder's latest version when previewed: the preview's diff and readiness are against it.
    base = models.ForeignKey(LadderVersion, on_delete=models.CASCADE, related_name="+")
    source_name = models.CharField(max_length=255)
    source = models.TextField()
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = PendingLadderVersionQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.source_name} for {self.ladder_id} by {self.uploaded_by_id}"

    def is_expired(self, now: datetime.datetime | None = None) -> bool:
        return self.created_at <= (now or timezone.now()) - self.LIFETIME
