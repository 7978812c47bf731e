"""API: people, their level history, teams, and readiness one person at a time or many.

Who sees whom is the pages' rule (`ladder.people.permissions`): admins everyone, anyone else
themself and everyone below them in the manager tree. Lists read the stored standing and
readiness that the directory and the reports page read (`assessments.people_readiness`), so a
page of any organisation costs the same few queries; one person's readiness runs the rule as
their page does, with every reason.
"""

import datetime
from typing import Annotated

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Q
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as SchemaError
from ninja.pagination import paginate
from pydantic import StringConstraints

from ladder.assessments.people_readiness import (
    VERDICT_ORDER,
    StoredVerdict,
    next_verdicts,
    time_in_level,
    with_readiness,
    with_verdict,
)
from ladder.assessments.readiness import Readiness, Verdict
from ladder.assessments.selectors import NextVerdict, readiness_of_every_next, standing_of
from ladder.frameworks.ladder_data import MAX_CODE_LENGTH, MAX_NAME_LENGTH
from ladder.frameworks.models import Level
from ladder.frameworks.version_cache import version_data
from ladder.people.models import LevelAssignment, Person, Team
from ladder.people.permissions import (
    get_visible_person,
    get_visible_team,
    is_admin,
    person_of,
    visible_people,
    visible_team_members,
)

from .pagination import Cursor
from .schemas import LevelRef, PersonRef, TeamRef, level_ref

router = Router(tags=["people"])

# The largest key a database here stores (a bigint): a larger one names no one, and is refused
# as input rather than sent to the database.
MAX_ID = 2**63 - 1
BY_NAME = ("name", "id")


def _text(max_length: int):
    # NUL never gets this far: ladder.middleware refuses it in any part of a request (400).
    return Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)
    ]


PersonId = Annotated[int, Field(ge=1, le=MAX_ID)]
TeamSlug = _text(100)
LevelCode = _text(MAX_CODE_LENGTH)
TrackName = _text(MAX_NAME_LENGTH)


# -- shapes -------------------------------------------------------------------------------------


class PersonOut(Schema):
    """A person as the directory and their page show them. The level is their current one,
    read in the latest version of its ladder, as readiness reads it."""

    id: int
    name: str
    email: str
    team: TeamRef | None
    manager: PersonRef | None
    level: LevelRef | None
    level_since: datetime.date | None = Field(
        description="The day time in the current level counts from."
    )
    track: str | None

    @staticmethod
    def resolve_level(person) -> dict | None:
        return level_ref(_current_level(person))

    @staticmethod
    def resolve_level_since(person) -> datetime.date | None:
        standing = _standing(person)
        return standing.since if standing else None

    @staticmethod
    def resolve_track(person) -> str | None:
        level = _current_level(person)
        return level.track if level else None


class LevelHistoryOut(Schema):
    """One row of a person's level history: the level, from when, until when, and why."""

    id: int
    level: LevelRef
    start: datetime.date
    end: datetime.date | None = Field(description="None while it is the current level.")
    reason: LevelAssignment.Reason
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_level(assignment) -> dict:
        return level_ref(assignment.level)


class TeamOut(Schema):
    slug: str
    name: str
    members: int = Field(description="How many of its members you may see.")

    @staticmethod
    def resolve_members(team) -> int:
        return team.seen


class CriterionOut(Schema):
    section: str = Field(description="responsibilities, skills or soft_skills.")
    heading: str = Field(description="The section's heading in the ladder.")
    text: str
    status: str = Field(description="As the manager rated it: not_yet or developing.")


class ReasonOut(Schema):
    """One reason behind a verdict, met or a gap, as a whole sentence naming the figures."""

    kind: str = Field(description="dimension, criteria, responsibility or experience.")
    subject: str
    met: bool
    text: str
    not_met: list[CriterionOut] = Field(
        description="On the criteria share: every counted criterion not met, by name."
    )


class RatingOut(Schema):
    dimension: str
    expected: int = Field(description="The rating the next level expects.")
    rating: int | None = Field(description="The manager's rating (None: not rated).")
    met: bool


class AssessmentRef(Schema):
    id: int
    author: PersonRef
    shared_at: datetime.datetime


class NextLevelReadiness(Schema):
    """Readiness for one next level, worked out by the rule as the person page does."""

    target: LevelRef
    verdict: Verdict
    summary: str
    eligible_from: datetime.date | None
    criteria_met: int
    criteria_counted: int
    months_in_level: int | None
    months_required: int | None = Field(
        description="The current level's Minimum Experience in months (None: no minimum)."
    )
    ratings: list[RatingOut]
    reasons: list[ReasonOut]
    assessment: AssessmentRef | None = Field(
        description="The shared manager assessment the verdict rests on."
    )
    stale: bool = Field(description="Whether that assessment is old enough to be doubted.")


class PersonReadiness(Schema):
    person: PersonRef
    level: LevelRef | None
    level_since: datetime.date | None
    months_in_level: int | None
    next_levels: list[NextLevelReadiness] = Field(
        description="Each next level, the first first (a branch has several); none at the top."
    )


class GapOut(Schema):
    kind: str
    subject: str
    text: str


class StoredNextOut(Schema):
    """Stored readiness for one next level: the verdict and its gaps, as of today."""

    target: LevelRef
    verdict: Verdict
    summary: str
    eligible_from: datetime.date | None
    criteria_met: int
    criteria_counted: int
    assessed_on: datetime.date | None
    stale: bool
    gaps: list[GapOut]


class ReadinessRow(Schema):
    person: PersonRef
    team: TeamRef | None
    level: LevelRef | None
    level_since: datetime.date | None
    months_in_level: int | None
    months_required: int | None
    last_assessed_on: datetime.date | None
    verdict: Verdict | None = Field(
        description="Their verdict closest to a promotion (None: no next level)."
    )
    next_levels: list[StoredNextOut]


class PeopleFilters(Schema):
    team: TeamSlug | None = Field(None, description="A team's slug: its members only.")
    level: LevelCode | None = Field(None, description="A level code: those at it now.")
    track: TrackName | None = Field(None, description="A track: those on it now.")
    under: PersonId | None = Field(
        None, description="A person's id: everyone below them in the manager tree."
    )
    verdict: Verdict | None = Field(
        None, description="Those whose verdict closest to a promotion is this one today."
    )


class ReadinessFilters(Schema):
    under: PersonId | None = Field(
        None,
        description="A person's id: everyone below them. By default your reports "
        "(for an admin, everyone).",
    )
    verdict: Verdict | None = Field(
        None, description="Those whose verdict closest to a promotion is this one today."
    )


# -- reading ------------------------------------------------------------------------------------


def _standing(person):
    """The person's stored standing, read with them (`_people`), or None when they have none."""
    try:
        return person.stored_standing
    except ObjectDoesNotExist:
        return None


def _current_level(person) -> Level | None:
    standing = _standing(person)
    return standing.current if standing else None


def _people(people):
    """`people` with everything a PersonOut shows, read in the same query; not the ladder's
    file, which every row would otherwise carry (34 KB each for the bundled ladder)."""
    return people.select_related(
        "team", "manager", "stored_standing__current__version__ladder"
    ).defer("stored_standing__current__version__source")


def _seen_by(user):
    """Everyone whose page the user may open: admins everyone; anyone else themself and
    everyone below them (`visible_people`), as `may_view_person` allows."""
    if is_admin(user):
        return Person.objects.all()
    me = person_of(user)
    if me is None:
        return Person.objects.none()
    return visible_people(user) | Person.objects.filter(pk=me.pk)


def _root(user, pk: int) -> Person:
    """The person `under=` names, when the user may see them; a 422 naming the filter otherwise,
    the same whether they do not exist or may not be seen."""
    try:
        return get_visible_person(user, pk)
    except Http404:
        reason = f"No person you may see has the id {pk}."
        raise SchemaError([{"loc": ("query", "under"), "msg": reason}]) from None


# -- people -------------------------------------------------------------------------------------


@router.get("/people/", response=list[PersonOut], summary="List people")
@paginate(Cursor, ordering=BY_NAME)
def people_list(request, filters: Query[PeopleFilters]):
    """The people the token's owner may see (themself and everyone below them; an admin
    everyone), by name and then id. Filters combine: a team's members, those at a level or on
    a track now, everyone below a person, or those whose verdict closest to a promotion is the
    one named (read from the stored readiness, as the directory reads it). One query a page."""
    people = _seen_by(request.user)
    if filters.under is not None:
        people = people.reports_of(_root(request.user, filters.under))
    if filters.team is not None:
        people = people.filter(team__slug=filters.team)
    if filters.level is not None:
        people = people.filter(stored_standing__current__code=filters.level)
    if filters.track is not None:
        people = people.filter(stored_standing__current__track=filters.track)
    if filters.verdict is not None:
        people = with_verdict(with_readiness(people, timezone.localdate()), filters.verdict)
    return _people(people)


@router.get("/people/{pk}/", response=PersonOut, summary="Read a person")
def person_detail(request, pk: PersonId):
    """One person, as the list shows them; 404 for anyone the owner may not see."""
    person = get_visible_person(request.user, pk)
    return _people(Person.objects.filter(pk=person.pk)).get()


@router.get("/people/{pk}/levels/", response=list[LevelHistoryOut], summary="List level history")
@paginate(Cursor, ordering=("-start", "-id"))
def person_levels(request, pk: PersonId):
    """A person's level history, latest first, as their page shows it: each level with its
    start, its end and the reason (hire, promotion, track change, correction)."""
    person = get_visible_person(request.user, pk)
    return (
        LevelAssignment.objects.filter(person=person)
        .select_related("level__version__ladder")
        .defer("level__version__source")
    )


# -- teams --------------------------------------------------------------------------------------


def _teams(user):
    """The teams the user may see, each with how many of its members they see: an admin every
    team; anyone else those with a member they see (`get_visible_team`'s rule). One query."""
    if is_admin(user):
        return Team.objects.annotate(seen=Count("members"))
    seen = _seen_by(user).values("pk")
    return Team.objects.annotate(seen=Count("members", filter=Q(members__in=seen))).filter(
        seen__gt=0
    )


@router.get("/teams/", response=list[TeamOut], summary="List teams")
@paginate(Cursor, ordering=BY_NAME)
def team_list(request):
    """The teams the token's owner may see, by name: an admin every team, anyone else the
    teams of the people they see. One query a page."""
    return _teams(request.user)


@router.get("/teams/{slug}/", response=TeamOut, summary="Read a team")
def team_detail(request, slug: TeamSlug):
    """One team and how many of its members the owner may see; list them with
    `GET /people/?team=<slug>`."""
    team = get_visible_team(request.user, slug)
    team.seen = visible_team_members(request.user, team).count()
    return team


# -- readiness ----------------------------------------------------------------------------------


def _ratings(verdict: NextVerdict) -> list[dict]:
    """Each dimension the next level expects a rating in, beside the manager's rating and
    whether it is enough, as the rule's dimension reasons judged it."""
    target = verdict.target
    expected = version_data(target.version).level(target.code).ratings
    given = verdict.assessment.ratings.by_dimension() if verdict.assessment else {}
    met = {r.subject: r.met for r in verdict.readiness.reasons if r.kind == "dimension"}
    return [
        {
            "dimension": dimension,
            "expected": rating,
            "rating": given.get(dimension),
            "met": met.get(dimension, False),
        }
        for dimension, rating in expected.items()
    ]


def _reasons(readiness: Readiness) -> list[dict]:
    return [
        {
            "kind": reason.kind,
            "subject": reason.subject,
            "met": reason.met,
            "text": reason.text,
            "not_met": [
                {
                    "section": group.section,
                    "heading": group.heading,
                    "text": criterion.text,
                    "status": criterion.status.value,
                }
                for group in reason.not_met_by_section()
                for criterion in group.criteria
            ],
        }
        for reason in readiness.reasons
    ]


def _next_level(verdict: NextVerdict, refs: dict[int, Level]) -> dict:
    readiness, assessment = verdict.readiness, verdict.assessment
    return {
        "target": level_ref(refs[verdict.target.pk]),
        "verdict": readiness.verdict,
        "summary": readiness.summary,
        "eligible_from": readiness.eligible_from,
        "criteria_met": readiness.criteria_met,
        "criteria_counted": readiness.criteria_counted,
        "months_in_level": readiness.months_in_level,
        "months_required": readiness.months_required,
        "ratings": _ratings(verdict),
        "reasons": _reasons(readiness),
        "assessment": {
            "id": assessment.pk,
            "author": assessment.author,
            "shared_at": assessment.shared_at,
        }
        if assessment
        else None,
        "stale": verdict.stale,
    }


@router.get(
    "/people/{pk}/readiness/", response=PersonReadiness, summary="Read a person's readiness"
)
def person_readiness(request, pk: PersonId):
    """Readiness for each next level as the person page works it out today: the verdict, the
    ratings beside what the level expects, the criteria met, time in level against Minimum
    Experience, and every reason, met or not. Run by the rule, not read from the stored copy."""
    person = get_visible_person(request.user, pk)
    today = timezone.localdate()
    standing = standing_of(person, today, ladder_of=version_data)
    verdicts = readiness_of_every_next(
        [person], {person.pk: standing}, today, ladder_of=version_data
    )[person.pk]
    # Every level named, with its ladder, in one query.
    refs = Level.objects.select_related("version__ladder").in_bulk(
        [level.pk for level in standing.assessable_levels()]
    )
    tenure = time_in_level(standing.since, today)
    return {
        "person": person,
        "level": level_ref(refs.get(standing.current.pk)) if standing.current else None,
        "level_since": standing.since,
        "months_in_level": tenure.months if tenure else None,
        "next_levels": [_next_level(verdict, refs) for verdict in verdicts],
    }


class ReadinessCursor(Cursor):
    """The cursor of a list whose page is completed once read: `complete(results)` turns the
    page's people into its rows with what one more query or two gives for the whole page."""

    def __init__(self, *, complete, **kwargs):
        super().__init__(**kwargs)
        self.complete = complete

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page[self.items_attribute] = self.complete(page[self.items_attribute])
        return page


def _stored_next(verdict: StoredVerdict, refs: dict[int, Level]) -> dict:
    readiness = verdict.readiness
    return {
        "target": level_ref(refs[verdict.target_id]),
        "verdict": verdict.verdict,
        "summary": readiness.manager_summary,
        "eligible_from": verdict.eligible_from,
        "criteria_met": readiness.criteria_met,
        "criteria_counted": readiness.criteria_counted,
        "assessed_on": verdict.assessed_on,
        "stale": verdict.stale,
        "gaps": [
            {"kind": gap.kind, "subject": gap.subject, "text": gap.text} for gap in readiness.gaps
        ],
    }


def _readiness_rows(people: list[Person]) -> list[dict]:
    """A page of people (`with_readiness`, `_people`) as rows, with the stored readiness for
    each next level: two queries for the whole page."""
    today = timezone.localdate()
    stored = next_verdicts(
        people, today, stale_months=settings.ASSESSMENT_STALE_MONTHS, reasons=True
    )
    targets = {verdict.target_id for verdicts in stored.values() for verdict in verdicts}
    refs = Level.objects.select_related("version__ladder").in_bulk(targets) if targets else {}
    rows = []
    for person in people:
        standing = _standing(person)
        tenure = time_in_level(person.level_since, today)
        rank = person.readiness_rank
        rows.append(
            {
                "person": person,
                "team": person.team,
                "level": level_ref(_current_level(person)),
                "level_since": person.level_since,
                "months_in_level": tenure.months if tenure else None,
                "months_required": standing.months_required if standing else None,
                "last_assessed_on": person.last_assessed_on,
                "verdict": VERDICT_ORDER[rank] if rank is not None else None,
                "next_levels": [_stored_next(v, refs) for v in stored.get(person.pk, [])],
            }
        )
    return rows


@router.get("/readiness/", response=list[ReadinessRow], summary="List readiness of many")
@paginate(ReadinessCursor, ordering=BY_NAME, complete=_readiness_rows)
def readiness_list(request, filters: Query[ReadinessFilters]):
    """The stored readiness of everyone below a person (by default the owner's reports; for an
    admin, everyone), by name, as the reports page reads it: each person's verdict for every
    next level with its gaps. Three queries a page, however many people."""
    user = request.user
    if filters.under is not None:
        people = Person.objects.reports_of(_root(user, filters.under))
    elif is_admin(user):
        people = Person.objects.all()
    else:
        me = person_of(user)
        people = Person.objects.reports_of(me) if me else Person.objects.none()
    people = with_readiness(people, timezone.localdate())
    if filters.verdict is not None:
        people = with_verdict(people, filters.verdict)
    return _people(people)
