"""The ratings and readiness facts of many shared assessments at once, for pages about everyone
in a review cycle: what `ratings.by_dimension()` and `facts_of` give for one assessment, for
thousands, read as bare values rather than model instances.

A shared assessment never changes (an adjustment is a new record) and neither do the criteria of
a ladder version, so what is read of one is kept in this process and read from the database
again only for assessments not seen before. An entry is keyed by the assessment's id *and* the
moment it was created: an id that comes back with other content (a database restored from a
backup, a test's rolled-back rows) makes a new key, never the old entry. So nothing here is ever
invalidated, and every process holds the same values as every other. Only shared assessments
may be asked for: a draft still changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from ladder.frameworks.models import Criterion

from .models import Assessment, CriterionAssessment, DimensionRating
from .readiness import AssessmentFacts, CriterionRating, Status

# A shared assessment as these caches know it: its id, and when it was created as the database
# spells it (`shared_key_fields`: text, as turning 17,000 values into datetimes costs more than
# all the rest of the key's use).
SharedKey = tuple[int, str]
Ratings = dict[str, int | None]

# Up to this many missing assessments are read by id; more, through the caller's query (an IN
# list of 10,000 ids is slower than the join, and SQLite caps the parameters of a statement).
BY_ID_LIMIT = 500
# A bound on what a long-lived process keeps: past it a cache starts again. A cycle of 10,000
# people holds some 17,000 shared assessments.
MAX_ENTRIES = 200_000

_ratings: dict[SharedKey, Ratings] = {}
_facts: dict[SharedKey, AssessmentFacts] = {}


def shared_key_fields() -> tuple[Cast]:
    """What to read beside an assessment's id for its key: `values_list("pk",
    *shared_key_fields())`."""
    return (Cast("created_at", output_field=CharField()),)


def ratings_of_shared(
    keys: Iterable[SharedKey], *, among: QuerySet[Assessment]
) -> dict[int, Ratings]:
    """Each assessment's ratings by dimension, by id. `among` is a query of assessments that
    holds at least these: with many to read, one join through it beats a list of ids."""
    keys = list(keys)
    missing = {key[0]: key for key in keys if key not in _ratings}
    if missing:
        fresh: dict[int, Ratings] = {pk: {} for pk in missing}
        rows = _restricted(DimensionRating.objects.order_by("position"), missing, among)
        for assessment_id, dimension, rating in rows.values_list(
            "assessment_id", "dimension", "rating"
        ):
            if assessment_id in fresh:
                fresh[assessment_id][dimension] = rating
        _keep(_ratings, {missing[pk]: value for pk, value in fresh.items()})
    return {key[0]: _ratings[key] for key in keys}


def facts_of_shared(
    keys: Iterable[SharedKey], *, among: QuerySet[Assessment], ladder_ids: Iterable[int]
) -> dict[int, AssessmentFacts]:
    """Each assessment's facts as the readiness rule reads them (`facts_of`: the ratings, and the
    rated criteria in the ladder's order), by id. The criteria are those of the ladders given:
    their wording is read once for all, and one CriterionRating serves every equal pair."""
    keys = list(keys)
    ratings = ratings_of_shared(keys, among=among)
    missing = {key[0]: key for key in keys if key not in _facts}
    if missing:
        wording = {
            pk: (position, section, text)
            for pk, position, section, text in Criterion.objects.filter(
                level__version__ladder_id__in=set(ladder_ids)
            ).values_list("pk", "position", "section", "text")
        }
        rated: dict[int, list[tuple[int, CriterionRating]]] = {pk: [] for pk in missing}
        shared: dict[tuple[int, str], CriterionRating] = {}
        rows = _restricted(
            CriterionAssessment.objects.exclude(status="").order_by(), missing, among
        )
        for assessment_id, criterion_id, status in rows.values_list(
            "assessment_id", "criterion_id", "status"
        ):
            if assessment_id not in rated:
                continue
            rating = shared.get((criterion_id, status))
            if rating is None:
                _, section, text = wording[criterion_id]
                rating = shared[(criterion_id, status)] = CriterionRating(
                    section, text, Status(status)
                )
            rated[assessment_id].append((wording[criterion_id][0], rating))
        _keep(
            _facts,
            {
                key: AssessmentFacts(
                    ratings[pk], tuple(rating for _, rating in sorted(rated[pk], key=_position))
                )
                for pk, key in missing.items()
            },
        )
    return {key[0]: _facts[key] for key in keys}


def forget() -> None:
    """Empty the caches: for a benchmark's cold run, never needed for correctness."""
    _ratings.clear()
    _facts.clear()


def _position(item: tuple[int, CriterionRating]) -> int:
    return item[0]


def _restricted(rows: QuerySet, missing: Mapping[int, SharedKey], among: QuerySet[Assessment]):
    if len(missing) <= BY_ID_LIMIT:
        return rows.filter(assessment_id__in=list(missing))
    return rows.filter(assessment__in=among.order_by().values("pk"))


def _keep(cache: dict, fresh: Mapping[SharedKey, object]) -> None:
    if len(cache) + len(fresh) > MAX_ENTRIES:
        cache.clear()
    cache.update(fresh)
