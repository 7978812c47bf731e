"""Many people's readiness, time in level and last assessment, read from the stored rows in SQL.

The people directory and the reports page filter, sort and count people by these without running
the rule: each is an annotation or a filter on a `Person` queryset, so a page of any organisation
is read in the same few queries. A person's verdict, for filters, sorts and counts, is the one
closest to a promotion over their next levels (a branch has several), as the reports page has
always sorted them; pages still show the verdict for each next level.

Stored rows are current (stored.py keeps them so); only time turns "eligible from" into "ready",
which `StoredReadiness.objects.as_of(today)` works out in SQL.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from ladder.frameworks.experience import add_months, months_between
from ladder.people.tenure import duration_words

from .models import StoredReadiness
from .readiness import Readiness, Reason, Verdict, format_date, is_stale

# Closest to a promotion first: the order a manager works through their reports in.
VERDICT_ORDER = (Verdict.READY, Verdict.ELIGIBLE_FROM, Verdict.NOT_YET, Verdict.NOT_ASSESSED)
# A verdict in a word or two, for filters, counts and the directory's column.
VERDICT_LABELS = {
    Verdict.READY: "Ready",
    Verdict.ELIGIBLE_FROM: "Eligible later",
    Verdict.NOT_YET: "Not yet",
    Verdict.NOT_ASSESSED: "Not assessed",
}
VERDICT_CHOICES = [(verdict.value, VERDICT_LABELS[verdict]) for verdict in VERDICT_ORDER]

# What a list of people sorts by; each ascending, and descending as "-verdict". Those with no
# value (no level, no next level, never assessed) come last either way.
SORTS = ("name", "level", "time", "verdict", "assessed")


def started_by(today: datetime.date, months: int) -> datetime.date:
    """The last start date with at least `months` whole months in level on `today`:
    `months_between(since, today) >= months` exactly when `since <= started_by(today, months)`."""
    return add_months(today, -months)


# -- annotations -------------------------------------------------------------------------------


def _rank():
    return Case(
        *[When(verdict_now=v.value, then=Value(i)) for i, v in enumerate(VERDICT_ORDER)],
        output_field=IntegerField(),
    )


def with_readiness(people: QuerySet, today: datetime.date) -> QuerySet:
    """`people` annotated, from the stored rows, with:

    - `readiness_rank`: the place in VERDICT_ORDER of their verdict closest to a promotion
      today (None without a next level);
    - `readiness_on`: for one eligible later, the first day they are, for ordering among them;
    - `level_code`, `level_title`, `level_number`: their current level, in the latest version;
    - `level_since`: the day their time in level counts from;
    - `last_assessed_on`: the day of their manager's latest shared assessment (None: never).
    """
    rows = StoredReadiness.objects.filter(person=OuterRef("pk")).as_of(today)
    rank = rows.annotate(rank=_rank()).order_by("rank").values("rank")[:1]
    eligible = (
        rows.filter(verdict_now=Verdict.ELIGIBLE_FROM.value)
        .order_by("eligible_from")
        .values("eligible_from")[:1]
    )
    return people.annotate(
        readiness_rank=Subquery(rank, output_field=IntegerField()),
        readiness_on=Case(
            When(
                readiness_rank=VERDICT_ORDER.index(Verdict.ELIGIBLE_FROM),
                then=Subquery(eligible, output_field=DateField()),
            ),
            default=None,
            output_field=DateField(),
        ),
        level_code=F("stored_standing__current__code"),
        level_title=F("stored_standing__current__title"),
        level_number=F("stored_standing__current__number"),
        level_since=F("stored_standing__since"),
        last_assessed_on=F("stored_standing__last_assessed_on"),
    )


# -- filters (on a queryset `with_readiness`) -----------------------------------------------------


def with_verdict(people: QuerySet, verdict: str) -> QuerySet:
    """Those whose verdict closest to a promotion is `verdict` today."""
    return people.filter(readiness_rank=VERDICT_ORDER.index(Verdict(verdict)))


def in_level_for(
    people: QuerySet,
    today: datetime.date,
    *,
    at_least: int | None = None,
    at_most: int | None = None,
) -> QuerySet:
    """Those with at least / at most so many whole months in their level today (those with no
    level are left out by either). A start still ahead counts as no time yet, as pages show it."""
    if at_least is not None:
        people = people.filter(level_since__lte=started_by(today, at_least))
    if at_most is not None:
        people = people.filter(level_since__gt=started_by(today, at_most + 1))
    return people


def assessed_before(people: QuerySet, day: datetime.date) -> QuerySet:
    """Those whose manager last shared an assessment of them before `day`."""
    return people.filter(last_assessed_on__lt=day)


def never_assessed(people: QuerySet) -> QuerySet:
    return people.filter(last_assessed_on__isnull=True)


def with_stale_verdict(people: QuerySet, today: datetime.date, months: int) -> QuerySet:
    """Those with a verdict resting on an assessment `months` old or more (readiness.is_stale)."""
    stale = StoredReadiness.objects.filter(assessed_on__lte=started_by(today, months))
    return people.filter(pk__in=stale.values("person_id"))


def ordered(people: QuerySet, sort: str, descending: bool = False) -> QuerySet:
    """`people` in the order of `sort` (one of SORTS), then by name; those without a value last."""
    if sort not in SORTS:
        raise ValueError(f"unknown sort {sort!r}: expected one of {', '.join(SORTS)}")
    if sort == "name":
        return people.order_by(*(("-name", "-pk") if descending else ("name", "pk")))
    fields = {
        "level": ["level_number", "level_code"],
        "verdict": ["readiness_rank", "readiness_on"],
        "assessed": ["last_assessed_on"],
        # More time in level is an earlier start.
        "time": ["-level_since"],
    }[sort]
    keys = []
    for field in fields:
        down = field.startswith("-") != descending
        expression = F(field.removeprefix("-"))
        keys.append(expression.desc(nulls_last=True) if down else expression.asc(nulls_last=True))
    return people.order_by(*keys, "name", "pk")


# -- counts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerdictCount:
    verdict: Verdict
    label: str
    count: int


@dataclass(frozen=True)
class VerdictCounts:
    """How many people stand at each verdict, closest to a promotion first, and how many have
    no next level (no level, or the top of their track)."""

    verdicts: tuple[VerdictCount, ...]
    without_next: int

    @property
    def total(self) -> int:
        return sum(one.count for one in self.verdicts) + self.without_next


def verdict_counts(people: QuerySet) -> VerdictCounts:
    """The counts of a queryset `with_readiness`: one query."""
    found = people.aggregate(
        **{
            verdict.value: Count("pk", filter=Q(readiness_rank=index))
            for index, verdict in enumerate(VERDICT_ORDER)
        },
        without_next=Count("pk", filter=Q(readiness_rank__isnull=True)),
    )
    return VerdictCounts(
        tuple(VerdictCount(v, VERDICT_LABELS[v], found[v.value]) for v in VERDICT_ORDER),
        found["without_next"],
    )


# -- what a page shows of each person ------------------------------------------------------------


@dataclass(frozen=True)
class TimeInLevel:
    since: datetime.date
    months: int

    @property
    def words(self) -> str:
        return duration_words(self.months)


def time_in_level(since: datetime.date | None, today: datetime.date) -> TimeInLevel | None:
    """Whole months in level today, as the person page counts them (none yet for a start ahead)."""
    if since is None:
        return None
    return TimeInLevel(since, max(0, months_between(since, today)))


@dataclass(frozen=True)
class StoredVerdict:
    """A person's stored readiness for one next level, as of today."""

    target_id: int
    target_code: str
    target_title: str
    verdict: Verdict
    eligible_from: datetime.date | None
    # The day the manager assessment it rests on was shared (None: not assessed against it).
    assessed_on: datetime.date | None
    stale: bool
    readiness: Readiness | None  # given when asked for (`reasons=True`)

    @property
    def words(self) -> str:
        """The verdict for the directory: "TL2: Ready", "SR1: Eligible from 5 Jan 2027"."""
        if self.verdict == Verdict.ELIGIBLE_FROM:
            return f"{self.target_code}: Eligible from {format_date(self.eligible_from)}"
        return f"{self.target_code}: {VERDICT_LABELS[self.verdict]}"


def _readiness(row: dict, verdict: Verdict, today: datetime.date) -> Readiness:
    """The rule's Readiness as far as a stored row gives it: enough for its summaries. Once the
    day has come, time in level is no longer a gap."""
    arrived = row["eligible_from"] is not None and row["eligible_from"] <= today
    gaps = tuple(
        Reason(gap["kind"], gap["subject"], False, gap["text"])
        for gap in row["gaps"]
        if not (arrived and gap["kind"] == "experience")
    )
    return Readiness(
        verdict,
        row["target_code"],
        gaps,
        row["eligible_from"],
        row["criteria_met"],
        row["criteria_counted"],
        None,
        None,
    )


def next_verdicts(
    people: Iterable | QuerySet,
    today: datetime.date,
    *,
    stale_months: int,
    reasons: bool = False,
) -> dict[int, list[StoredVerdict]]:
    """Each person's readiness for each of their next levels, the first next level first: one
    query. `people` is a page of people, or a whole queryset (read as a subquery, so a CSV of
    everyone sends no list of ids). With `reasons`, each carries a `Readiness` for its summary."""
    fields = [
        "person_id",
        "target_id",
        "target_code",
        "target__title",
        "verdict_now",
        "eligible_from",
        "assessed_on",
    ]
    if reasons:
        fields += ["gaps", "criteria_met", "criteria_counted"]
    if isinstance(people, QuerySet):
        people = people.values("pk")
    rows = (
        StoredReadiness.objects.as_of(today)
        .filter(person__in=people)
        .order_by("person_id", "position")
        .values(*fields)
    )
    result: dict[int, list[StoredVerdict]] = defaultdict(list)
    for row in rows:
        verdict = Verdict(row["verdict_now"])
        result[row["person_id"]].append(
            StoredVerdict(
                target_id=row["target_id"],
                target_code=row["target_code"],
                target_title=row["target__title"],
                verdict=verdict,
                eligible_from=row["eligible_from"],
                assessed_on=row["assessed_on"],
                stale=row["assessed_on"] is not None
                and is_stale(row["assessed_on"], today, stale_months),
                readiness=_readiness(row, verdict, today) if reasons else None,
            )
        )
    return result
