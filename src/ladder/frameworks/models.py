"""Ladders in the database: every imported version kept whole, its levels and criteria as rows."""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

from .ladder_data import CRITERIA_SECTIONS, MAX_CODE_LENGTH, MAX_NAME_LENGTH, MAX_TITLE_LENGTH


def ratings_by_dimension(rows) -> dict[str, int | None]:
    """Rating rows (a level's expected ratings, an assessment's) as dimension -> rating."""
    return {row.dimension: row.rating for row in rows}


class LadderQuerySet(models.QuerySet):
    def active(self):
        return self.filter(retired_at__isnull=True)


class Ladder(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)
    # A retired ladder leaves the pages but keeps its versions: people's level history and
    # assessments still point at its levels.
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = LadderQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def latest_version(self) -> "LadderVersion | None":
        return self.versions.order_by("-number").first()


class LadderVersionQuerySet(models.QuerySet):
    def latest_first(self):
        return self.order_by("-number")


class LadderVersion(models.Model):
    ladder = models.ForeignKey(Ladder, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    # The imported file exactly as it was: the source of truth for this version.
    source = models.TextField()
    source_name = models.CharField(max_length=255, blank=True)
    # SHA-256 of the canonical form, so a re-import that only changes layout is not a new version.
    content_hash = models.CharField(max_length=64)
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    dimensions = models.JSONField(default=list)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    rules = models.JSONField(default=dict)
    # The front matter's synonyms in their order, as [term, [synonym, ...]] pairs: PostgreSQL's
    # jsonb keeps no order of an object's keys. [["EF", ["Entity Framework", "EF Core"]]]
    synonyms = models.JSONField(default=list, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why this version was made, as whoever imported it said (services.check_version_note).
    note = models.TextField(blank=True)

    objects = LadderVersionQuerySet.as_manager()

    class Meta:
        ordering = ["ladder", "number"]
        constraints = [
            # Version numbers are the public history of a ladder: never two of one number.
            models.UniqueConstraint(fields=["ladder", "number"], name="unique_version_number"),
            models.CheckConstraint(
                condition=models.Q(scale_min__lt=models.F("scale_max")), name="scale_is_a_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ladder.slug} v{self.number}"


class LevelQuerySet(models.QuerySet):
    def by_code(self) -> dict[str, "Level"]:
        return {level.code: level for level in self}


class Level(models.Model):
    version = models.ForeignKey(LadderVersion, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=MAX_CODE_LENGTH)
    title = models.CharField(max_length=MAX_TITLE_LENGTH)
    number = models.SmallIntegerField()
    track = models.CharField(max_length=MAX_NAME_LENGTH)
    minimum_experience_months = models.PositiveSmallIntegerField(null=True, blank=True)
    minimum_experience_text = models.JSONField(default=list)
    next_actions = models.JSONField(default=list)
    scenario = models.JSONField(default=list)

    objects = LevelQuerySet.as_manager()

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_level_code"),
            models.UniqueConstraint(fields=["version", "position"], name="unique_level_position"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class Criterion(models.Model):
    # The ladder's criterion sections (ladder_data.CRITERIA_SECTIONS), as choices:
    # Section.SKILLS == "skills", labelled "Skills and Criteria".
    Section = models.TextChoices(
        "Section", [(field.upper(), (field, name)) for field, name in CRITERIA_SECTIONS.items()]
    )

    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="criteria")
    section = models.CharField(max_length=20, choices=Section.choices)
    position = models.PositiveSmallIntegerField()
    text = models.TextField()

    class Meta:
        ordering = ["level", "position"]
        verbose_name_plural = "criteria"
        constraints = [
            # Position runs across the level's three sections, in the ladder's order.
            models.UniqueConstraint(fields=["level", "position"], name="unique_criterion_position"),
        ]

    def __str__(self) -> str:
        return self.text


class ExpectedRatingQuerySet(models.QuerySet):
    def by_dimension(self) -> dict[str, int]:
        # Read through a prefetch (`level.expected_ratings.by_dimension()`), this costs no query.
        return ratings_by_dimension(self)


class ExpectedRating(models.Model):
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="expected_ratings")
    position = models.PositiveSmallIntegerField()
    dimension = models.CharField(max_length=MAX_NAME_LENGTH)
    rating = models.SmallIntegerField()

    objects = ExpectedRatingQuerySet.as_manager()

    class Meta:
        ordering = ["level", "position"]
        constraints = [
            models.UniqueConstraint(fields=["level", "dimension"], name="unique_expected_rating"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}: {self.rating}"


class SearchLine(models.Model):
    """One searched line of a version (a criterion, a next action, a scenario line), indexed.

    Written with the version (search.index_version) and never changed. `words` holds the line's
    words as the search folds them (words.py); the database's full-text index covers it. On
    SQLite that is an FTS5 table, frameworks_searchline_fts, kept by triggers on this table
    (migration 0004): a migration that makes Django rebuild this table on SQLite must create
    them again. On PostgreSQL it is `vector`, with a GIN index made by the same migration.
    """

    version = models.ForeignKey(
        LadderVersion, on_delete=models.CASCADE, related_name="search_lines"
    )
    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="+")
    # The Level field the line is in (search.SEARCHED_SECTIONS), and its place there.
    section = models.CharField(max_length=20)
    position = models.PositiveIntegerField()
    words = models.TextField()
    vector = SearchVectorField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["level", "section", "position"], name="unique_search_line"
            ),
        ]

    def __str__(self) -> str:
        return self.words
