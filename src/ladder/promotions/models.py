"""Review cycles, the people in them, promotion cases and their decisions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from ladder.frameworks.models import Ladder, Level
from ladder.people.models import Person, Team


class ReviewCycleQuerySet(models.QuerySet):
    def running(self):
        """Cycles whose tasks are live: open or in calibration."""
        return self.filter(stage__in=[ReviewCycle.Stage.OPEN, ReviewCycle.Stage.CALIBRATION])


class ReviewCycle(models.Model):
    class Stage(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CALIBRATION = "calibration", "Calibration"
        CLOSED = "closed", "Closed"

    class Scope(models.TextChoices):
        EVERYONE = "everyone", "Everyone"
        TEAMS = "teams", "Chosen teams"
        SUBTREE = "subtree", "A manager's whole organisation"

    name = models.CharField(max_length=100, unique=True)
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.DRAFT)
    scope = models.CharField(max_length=20, choices=Scope.choices, default=Scope.EVERYONE)
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    # With scope "subtree": this manager and everyone below them.
    subtree_of = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    self_due = models.DateField("self-assessments due")
    manager_due = models.DateField("manager assessments due")
    calibration_on = models.DateField("calibration")
    effective_on = models.DateField("decisions effective")
    # Chosen by an admin per cycle: they see calibration and decide the cycle's cases.
    committee = models.ManyToManyField(Person, blank=True, related_name="committee_cycles")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = ReviewCycleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The round runs in this order: people assess themselves, then their managers do,
            # then the committee calibrates, then decisions take effect.
            models.CheckConstraint(
                condition=models.Q(self_due__lte=models.F("manager_due"))
                & models.Q(manager_due__lte=models.F("calibration_on"))
                & models.Q(calibration_on__lte=models.F("effective_on")),
                name="cycle_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(scope="subtree") | models.Q(subtree_of__isnull=False),
                name="cycle_subtree_has_a_manager",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_running(self) -> bool:
        return self.stage in (self.Stage.OPEN, self.Stage.CALIBRATION)


class CycleMemberQuerySet(models.QuerySet):
    def open_tasks_of(self, person: Person):
        return self.filter(person=person, cycle__stage=ReviewCycle.Stage.OPEN)


class CycleMember(models.Model):
    """A person in a cycle, and their task: a self-assessment and a manager assessment against
    `target`. Which assessments do the task is read from the assessments themselves: those of
    the person against the target's code, begun since the cycle opened."""

    cycle = models.ForeignKey(ReviewCycle, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cycle_memberships")
    # None when the person has no next level (the top of their track) or no level at all.
    target = models.ForeignKey(
        Level, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The person's manager when the cycle opened (or they were added): progress is per manager.
    manager = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(default=timezone.now)
    # True for someone an admin added after the cycle opened.
    added_late = models.BooleanField(default=False)

    objects = CycleMemberQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "person"], name="one_task_per_person_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.cycle}"


class PromotionCaseQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=PromotionCase.OPEN_STATES)

    def decided(self):
        return self.filter(state__in=PromotionCase.DECIDED_STATES)


class PromotionCase(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"
        DEFERRED = "deferred", "Deferred"

    OPEN_STATES = (State.DRAFT, State.SUBMITTED)
    DECIDED_STATES = (State.APPROVED, State.DECLINED, State.DEFERRED)

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="promotion_cases")
    # None for an off-cycle promotion.
    cycle = models.ForeignKey(
        ReviewCycle, null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    from_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    to_level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recommendation = models.TextField()
    # Required when the person was not ready when the case was opened: why promote anyway.
    justification = models.TextField(blank=True)
    # The readiness verdict when the case was opened ("ready", "not_yet", ...).
    verdict_at_opening = models.CharField(max_length=20, blank=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback = models.TextField(blank=True)
    # The day an approved promotion takes effect: the cycle's, or one given off-cycle.
    effective_on = models.DateField(null=True, blank=True)

    objects = PromotionCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open case per person: a second would race the first to the same level.
            models.UniqueConstraint(
                fields=["person"],
                condition=models.Q(state__in=["draft", "submitted"]),
                name="one_open_case_per_person",
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "submitted"])
                | (models.Q(decided_at__isnull=False) & ~models.Q(feedback="")),
                name="decided_case_has_feedback",
            ),
            models.CheckConstraint(
                condition=~models.Q(state="approved") | models.Q(effective_on__isnull=False),
                name="approved_case_has_effective_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.from_level.code} → {self.to_level.code}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def is_decided(self) -> bool:
        return self.state in self.DECIDED_STATES


class CaseNote(models.Model):
    """A skip-level manager's endorsement or comment on a case, before its decision."""

    class Kind(models.TextChoices):
        ENDORSEMENT = "endorsement", "Endorsement"
        COMMENT = "comment", "Comment"

    case = models.ForeignKey(PromotionCase, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} on {self.case}"
