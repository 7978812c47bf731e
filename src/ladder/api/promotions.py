"""API: the promotion round. Review cycles, their progress, promotion cases and decisions,
through the permission getters and services of the pages (ladder.promotions), so a token sees
and does what its owner would on the cycle and case pages, and nothing more."""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import ValidationError as SchemaError
from ninja.pagination import paginate

from ladder import collector
from ladder.frameworks.ladder_data import MAX_CODE_LENGTH
from ladder.frameworks.models import Ladder, Level
from ladder.people.models import Person
from ladder.promotions import cases, cycles, permissions
from ladder.promotions.cycle_forms import MAX_NAMES, ProgressFilter, people_by_email, teams_by_name
from ladder.promotions.cycles import NEXT_STAGE
from ladder.promotions.models import CycleMember, PromotionCase, ReviewCycle
from ladder.promotions.packet import Packet, packet_of
from ladder.promotions.selectors import cycle_progress, member_counts, members_of

from . import schemas
from .pagination import Cursor
from .problems import Conflict
from .schemas import LevelRef, PersonRef, TeamRef, level_ref

router = Router(tags=["promotions"])

# The largest key the database's integer columns hold: a larger id in a path or a filter is
# refused as input (422), never sent to PostgreSQL, which would fail on it.
MAX_ID = 2**31 - 1
Id = Path[int, {"ge": 1, "le": MAX_ID}]

# The days a cycle or a decision may name. The level a decision writes starts on its day, and
# readiness counts months on from there: a day near the end of the calendar would carry that
# count past what a date can hold.
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)
Day = Annotated[
    schemas.Day,
    Field(ge=FIRST_DAY, le=LAST_DAY, description="A day from 1900-01-01 to 2999-12-31."),
]

StageName = Literal["draft", "open", "calibration", "closed"]
ScopeName = Literal["everyone", "teams", "subtree"]
CaseStateName = Literal["draft", "submitted", "approved", "declined", "deferred"]
OutcomeName = Literal["approved", "declined", "deferred"]
ProgressName = Literal["not_started", "draft", "submitted", "shared"]
VerdictName = Literal["ready", "not_yet", "eligible_from", "not_assessed"]

CASE_RELATIONS = (
    "person__team",
    "cycle",
    "from_level__version__ladder",
    "to_level__version__ladder",
)


# -- review cycles --------------------------------------------------------------------------------


class CycleLadder(Schema):
    slug: str
    title: str


class CycleRef(Schema):
    id: int
    name: str


class CycleSummary(Schema):
    id: int
    name: str
    ladder: CycleLadder
    stage: StageName
    self_due: datetime.date
    manager_due: datetime.date
    calibration_on: datetime.date
    effective_on: datetime.date
    created_at: datetime.datetime
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None


class CycleCommitteeMember(Schema):
    id: int
    name: str
    email: str


class CyclePeople(Schema):
    total: int = Field(description="People in the cycle (below the viewer, for a manager).")
    late: int = Field(description="Of them, people added after the cycle opened.")


class CycleDetail(CycleSummary):
    scope: ScopeName
    teams: list[TeamRef]
    subtree_of: PersonRef | None
    committee: list[CycleCommitteeMember]
    whole: bool = Field(description="True when the viewer sees the whole cycle, not their part.")
    people: CyclePeople | None = Field(description="Null while the cycle is a draft.")
    may_calibrate: bool
    next_stage: StageName | None = Field(
        description="The stage an admin may move the cycle to next; null for anyone else."
    )


def _cycle_detail(user, cycle: ReviewCycle) -> dict:
    """What the cycle page shows of a cycle, for the viewer's part of it."""
    within = permissions.get_cycle_scope(user, cycle)
    may_manage = permissions.may_manage_cycles(user)
    people = None
    if cycle.stage != ReviewCycle.Stage.DRAFT:
        people = member_counts(cycle, within=within)
    return {
        "id": cycle.pk,
        "name": cycle.name,
        "ladder": cycle.ladder,
        "stage": cycle.stage,
        "scope": cycle.scope,
        "teams": list(cycle.teams.order_by("name")),
        "subtree_of": cycle.subtree_of,
        "committee": list(cycle.committee.all()),
        "self_due": cycle.self_due,
        "manager_due": cycle.manager_due,
        "calibration_on": cycle.calibration_on,
        "effective_on": cycle.effective_on,
        "created_at": cycle.created_at,
        "opened_at": cycle.opened_at,
        "closed_at": cycle.closed_at,
        "whole": within is None,
        "people": people,
        "may_calibrate": permissions.may_calibrate(user, cycle),
        "next_stage": NEXT_STAGE.get(cycle.stage) if may_manage else None,
    }


@router.get("/cycles/", response=list[CycleSummary], summary="Review cycles")
@paginate(Cursor, ordering=("-created_at", "-id"))
def cycle_list(request):
    """The review cycles the token's owner may see, newest first: all of them for an admin; for
    others the cycles past their draft whose committee they sit on or in which they manage
    someone. Someone who may see no cycle at all gets 404, as the cycles page answers them."""
    return permissions.get_visible_cycles(request.user).select_related("ladder")


@router.get("/cycles/{pk}/", response=CycleDetail, summary="A review cycle")
def cycle_detail(request, pk: Id):
    """A cycle as its page shows it: stage, scope, dates, committee, and how many people it
    holds. A manager who is not on the committee sees the count of their own organisation."""
    cycle = permissions.get_visible_cycle(request.user, pk)
    return _cycle_detail(request.user, cycle)


class CycleProgressCounts(Schema):
    not_started: int
    draft: int
    submitted: int
    shared: int


class CycleTally(Schema):
    people: int
    overdue: int
    self_assessments: CycleProgressCounts
    manager_assessments: CycleProgressCounts


class CycleProgressPerson(Schema):
    id: int
    name: str
    email: str


class CycleProgressMember(CycleProgressPerson):
    team: str | None


class CycleTarget(Schema):
    code: str
    title: str


class CycleManagerProgress(Schema):
    manager: CycleProgressPerson | None = Field(
        description="The manager people had when they joined the cycle; null for no manager."
    )
    tally: CycleTally


class CycleOverdueTask(Schema):
    person: CycleProgressMember
    manager: CycleProgressPerson | None
    target: CycleTarget | None
    self_assessment: ProgressName
    manager_assessment: ProgressName
    self_overdue: bool
    manager_overdue: bool


class CycleProgress(Schema):
    cycle: CycleRef
    whole: bool = Field(description="True when the figures are the whole cycle's.")
    today: datetime.date = Field(description="The day lateness is judged on.")
    total: CycleTally
    managers: list[CycleManagerProgress]
    overdue: list[CycleOverdueTask]


def _person(ref) -> dict | None:
    return None if ref is None else {"id": ref.pk, "name": ref.name, "email": ref.email}


def _overdue(row) -> dict:
    member = row.member
    person = member.person
    return {
        "person": {**_person(person), "team": person.team_name or None},
        "manager": _person(member.manager),
        "target": None
        if member.target is None
        else {"code": member.target.code, "title": member.target.title},
        "self_assessment": row.self_progress.value,
        "manager_assessment": row.manager_progress.value,
        "self_overdue": row.self_overdue,
        "manager_overdue": row.manager_overdue,
    }


def _progress_filters(data: dict, within) -> ProgressFilter:
    """The progress page's filters; one that names no one in the viewer's part is a 422."""
    filters = ProgressFilter(data, within=within)
    if not filters.is_valid():
        raise SchemaError(
            [
                {"loc": ("query", field), "msg": " ".join(messages)}
                for field, messages in filters.errors.items()
            ]
        )
    return filters


@router.get("/cycles/{pk}/progress/", response=CycleProgress, summary="Progress of a cycle")
@collector.paused()
def cycle_progress_of(
    request,
    pk: Id,
    team: str | None = Query(None, max_length=100, description="A team, by name."),
    manager: str | None = Query(
        None, max_length=254, description="Only the people below this manager, by email."
    ),
):
    """The figures of the progress page: per manager, how many self and manager assessments
    are not started, drafts, submitted and shared, and who is late. A manager not on the
    committee sees only the people below them, as on the page; the filters find only people
    of the viewer's part."""
    cycle = permissions.get_visible_cycle(request.user, pk)
    within = permissions.get_cycle_scope(request.user, cycle)
    filters = _progress_filters({"team": team or "", "manager": manager or ""}, within)
    members = filters.apply(members_of(cycle, within=within))
    today = timezone.localdate()
    result = cycle_progress(cycle, members, today)
    return {
        "cycle": cycle,
        "whole": within is None,
        "today": today,
        "total": result.total,
        "managers": [
            {"manager": _person(row.manager), "tally": row.tally} for row in result.managers
        ],
        "overdue": [_overdue(row) for row in result.overdue],
    }


# -- managing cycles (admins, with a token of the admin scope) ------------------------------------


class CycleCreate(Schema):
    name: str = Field(max_length=100)
    ladder: str = Field(max_length=50, description="The ladder, by slug.")
    scope: ScopeName = Field(
        description="Who is in it: everyone at a level of the ladder, the members of chosen "
        "teams, or a manager's whole organisation."
    )
    teams: list[Annotated[str, Field(max_length=100)]] = Field(
        [], max_length=MAX_NAMES, description='For "teams": the teams, by name.'
    )
    subtree_of: str | None = Field(
        None, max_length=254, description='For "subtree": the manager, by email.'
    )
    self_due: Day
    manager_due: Day
    calibration_on: Day
    effective_on: Day
    committee: list[Annotated[str, Field(max_length=254)]] = Field(
        [], max_length=MAX_NAMES, description="The people who calibrate and decide, by email."
    )


def _named(field: str, find, text: str):
    """What a list of names finds (cycle_forms' lookups), its refusal put under `field`."""
    try:
        return find(text)
    except ValidationError as refused:
        raise ValidationError({field: refused.messages}) from None


def _manager_named(email: str | None) -> Person | None:
    if not email or not email.strip():
        return None
    people = _named("subtree_of", people_by_email, email)
    if len(people) != 1:
        raise ValidationError({"subtree_of": "Give one manager's email."})
    return people[0]


@router.post("/cycles/", response={201: CycleDetail}, summary="Create a review cycle")
def cycle_create(request, body: CycleCreate):
    """Create a cycle as a draft, as the new cycle page does: an admin's, with a token of the
    `admin` scope. Nothing happens to anyone until it is opened. A refusal names the field:
    an unknown ladder, team or person; then, all at once, a taken name and dates out of the
    round's order."""
    permissions.require_cycle_manager(request.user)
    ladder = Ladder.objects.active().filter(slug=body.ladder).first()
    if ladder is None:
        raise ValidationError({"ladder": f"No ladder in use has the slug {body.ladder!r}."})
    cycle = cycles.cycle_create(
        by=request.user,
        name=body.name,
        ladder=ladder,
        scope=body.scope,
        teams=_named("teams", teams_by_name, "\n".join(body.teams)),
        subtree_of=_manager_named(body.subtree_of),
        self_due=body.self_due,
        manager_due=body.manager_due,
        calibration_on=body.calibration_on,
        effective_on=body.effective_on,
        committee=_named("committee", people_by_email, "\n".join(body.committee)),
    )
    return Status(
        201, _cycle_detail(request.user, permissions.get_visible_cycle(request.user, cycle.pk))
    )


class CycleAdvance(Schema):
    to: Literal["open", "calibration", "closed"] = Field(
        description="The stage the cycle moves to: the one after its own. Opening gives each "
        "person in scope a task and emails them."
    )


@router.post("/cycles/{pk}/advance/", response=CycleDetail, summary="Move a cycle on")
def cycle_advance(request, pk: Id, body: CycleAdvance):
    """Move a cycle one stage forward (draft, open, calibration, closed), as the cycle page's
    button does: an admin's, with a token of the `admin` scope. Saying the stage it moves to
    makes a repeated request harmless: a cycle already there, or further on, is a 409 naming
    its stage, and nothing changes."""
    cycle = permissions.get_cycle_for_managing(request.user, pk)
    try:
        cycles.cycle_advance(by=request.user, cycle=cycle, to_stage=body.to)
    except ValidationError as refused:
        stage = ReviewCycle.objects.filter(pk=cycle.pk).values_list("stage", flat=True).first()
        raise Conflict(" ".join(refused.messages), stage=stage) from None
    return _cycle_detail(request.user, permissions.get_visible_cycle(request.user, cycle.pk))


# -- promotion cases ------------------------------------------------------------------------------


class CasePerson(Schema):
    id: int
    name: str
    team: TeamRef | None


class CaseSummary(Schema):
    id: int
    person: CasePerson
    from_level: LevelRef
    to_level: LevelRef
    cycle: CycleRef | None = Field(description="Null for an off-cycle promotion.")
    state: CaseStateName
    created_at: datetime.datetime
    submitted_at: datetime.datetime | None
    decided_at: datetime.datetime | None

    @staticmethod
    def resolve_from_level(case) -> dict:
        return level_ref(case.from_level)

    @staticmethod
    def resolve_to_level(case) -> dict:
        return level_ref(case.to_level)


class CaseReason(Schema):
    kind: str = Field(description='"dimension", "criteria", "responsibility" or "experience".')
    subject: str
    met: bool
    text: str


class CaseReadiness(Schema):
    as_of: datetime.date = Field(description="Today for an open case; the decision's day after.")
    verdict: VerdictName
    summary: str
    eligible_from: datetime.date | None
    criteria_met: int
    criteria_counted: int
    months_in_level: int | None
    months_required: int | None
    reasons: list[CaseReason]


class CaseRating(Schema):
    dimension: str
    expected: int | None
    manager: int | None
    own: int | None


class CaseNoteItem(Schema):
    kind: Literal["endorsement", "comment"]
    author: PersonRef
    text: str
    created_at: datetime.datetime


class CaseDecision(Schema):
    outcome: OutcomeName
    feedback: str
    decided_at: datetime.datetime
    decided_by: str | None = Field(description="Who decided, by name.")
    effective_on: datetime.date | None = Field(description="For an approval: the new level's day.")


class CasePacket(Schema):
    opened_by: str | None = Field(description="Who opened the case, by name.")
    verdict_at_opening: str
    recommendation: str
    justification: str
    readiness: CaseReadiness
    ratings: list[CaseRating]
    manager_assessment: int | None = Field(description="The shared manager assessment's id.")
    self_assessment: int | None = Field(description="The self-assessment it rests on, by id.")
    notes: list[CaseNoteItem]
    decision: CaseDecision | None


class CaseActions(Schema):
    edit: bool = Field(description="The viewer may change and submit this draft.")
    note: bool = Field(description="The viewer may endorse or comment (a skip-level manager).")
    decide: bool = Field(description="The viewer may decide it now (committee or admin).")


class CaseDetail(CaseSummary):
    packet: CasePacket | None = Field(
        description="The recommendation, readiness and the rest of the packet; null for the "
        "person themself until the case is decided, as on the case page."
    )
    actions: CaseActions


def _name_of(user) -> str | None:
    if user is None:
        return None
    person = getattr(user, "person", None)
    return person.name if person is not None else user.get_username()


def _readiness(packet: Packet) -> dict:
    readiness = packet.readiness
    return {
        "as_of": packet.as_of,
        "verdict": str(readiness.verdict),
        "summary": packet.summary,
        "eligible_from": readiness.eligible_from,
        "criteria_met": readiness.criteria_met,
        "criteria_counted": readiness.criteria_counted,
        "months_in_level": readiness.months_in_level,
        "months_required": readiness.months_required,
        "reasons": readiness.reasons,
    }


def _packet(case: PromotionCase) -> dict:
    """The case page's packet, in the parts a program reads: what the case says, readiness
    with every reason, the ratings beside the level's, the notes and the decision."""
    packet = packet_of(case)
    decision = None
    if case.is_decided:
        decision = {
            "outcome": case.state,
            "feedback": case.feedback,
            "decided_at": case.decided_at,
            "decided_by": _name_of(case.decided_by),
            "effective_on": case.effective_on,
        }
    return {
        "opened_by": _name_of(case.opened_by),
        "verdict_at_opening": case.verdict_at_opening,
        "recommendation": case.recommendation,
        "justification": case.justification,
        "readiness": _readiness(packet),
        "ratings": packet.ratings,
        "manager_assessment": packet.manager_assessment.pk if packet.manager_assessment else None,
        "self_assessment": packet.self_assessment.pk if packet.self_assessment else None,
        "notes": [
            {"kind": n.kind, "author": n.author, "text": n.text, "created_at": n.created_at}
            for n in packet.notes
        ],
        "decision": decision,
    }


def _case_detail(user, pk: int) -> PromotionCase:
    """The case as its page shows it to `user`, read through the page's getter: the case with
    its `packet` (None where the user may not read it) and the `actions` the user may take."""
    case = permissions.get_visible_case(user, pk)
    case = PromotionCase.objects.select_related(
        *CASE_RELATIONS, "person__manager", "opened_by__person", "decided_by__person"
    ).get(pk=case.pk)
    case.packet = _packet(case) if permissions.may_read_case(user, case) else None
    case.actions = {
        "edit": permissions.may_edit_case(user, case),
        "note": permissions.may_note_case(user, case),
        "decide": permissions.may_decide_case(user, case),
    }
    return case


class CaseFilters(Schema):
    state: CaseStateName | None = None
    cycle: int | None = Field(None, ge=1, le=MAX_ID, description="Cases of this cycle, by id.")
    off_cycle: bool = Field(False, description="Only off-cycle cases.")
    person: int | None = Field(None, ge=1, le=MAX_ID, description="Cases of this person, by id.")


@router.get("/cases/", response=list[CaseSummary], summary="Promotion cases")
@paginate(Cursor, ordering=("-created_at", "-id"))
def case_list(request, filters: Query[CaseFilters]):
    """The promotion cases the token's owner may find, newest first, as the cases page lists
    them: an admin all; anyone else their own, those of the people below them, and those of
    the cycles whose committee they sit on. Filter by state, cycle (or off-cycle) and person."""
    if filters.off_cycle and filters.cycle is not None:
        raise SchemaError(
            [{"loc": ("query", "off_cycle"), "msg": "Give a cycle or off_cycle, not both."}]
        )
    found = permissions.visible_cases(request.user)
    if filters.state:
        found = found.filter(state=filters.state)
    if filters.off_cycle:
        found = found.filter(cycle__isnull=True)
    elif filters.cycle is not None:
        found = found.filter(cycle_id=filters.cycle)
    if filters.person is not None:
        found = found.filter(person_id=filters.person)
    return found.select_related(*CASE_RELATIONS)


@router.get("/cases/{pk}/", response=CaseDetail, summary="A promotion case")
def case_detail(request, pk: Id):
    """A case as its page shows it: its state for everyone who may see it; the packet
    (recommendation, justification, readiness with every reason, ratings, notes and the
    decision) for those who may read it: the person themself only once it is decided."""
    return _case_detail(request.user, pk)


class CaseOpen(Schema):
    to_level: str = Field(
        max_length=MAX_CODE_LENGTH, description="One of the person's next levels, by code."
    )
    recommendation: str = Field(description="Why promote this person now.")
    justification: str = Field(
        "", description="Required when the person is not ready for the level: why anyway."
    )
    cycle: schemas.Whole | None = Field(
        None,
        ge=1,
        le=MAX_ID,
        description="A running cycle the person is in; by default the latest they are in.",
    )
    off_cycle: bool = Field(False, description="An off-cycle promotion, decided by an admin.")


def _level_by_code(code: str) -> Level:
    """A level of that code: the service judges whether it is one of the person's next
    levels (by code, in their ladder's latest version) and says which ones are."""
    level = Level.objects.filter(code=code).order_by("-version__number", "-pk").first()
    if level is None:
        raise ValidationError({"to_level": f"No level has the code {code!r}."})
    return level


def _running_cycle_for(person, pk: int | None):
    """The cycle the case form would offer: a running cycle the person is in."""
    if pk is None:
        return None
    member = (
        CycleMember.objects.filter(
            person=person, cycle_id=pk, cycle__in=ReviewCycle.objects.running()
        )
        .select_related("cycle")
        .first()
    )
    if member is None:
        raise ValidationError(
            {"cycle": f"{person.name} is in no running review cycle with the id {pk}."}
        )
    return member.cycle


@router.post(
    "/people/{pk}/cases/",
    response={201: CaseDetail},
    summary="Open a promotion case",
)
def case_open(request, pk: Id, body: CaseOpen):
    """Open a draft case for one of the token owner's reports (any person, for an admin), to
    one of their next levels, as the case form does. Without a cycle it belongs to the running
    cycle the person is in; with `off_cycle` an admin decides it. A person not ready for the
    level needs a justification; a second open case is refused."""
    person = permissions.get_person_for_case(request.user, pk)
    level = _level_by_code(body.to_level)
    case = cases.case_open(
        by=request.user,
        person=person,
        to_level=level,
        recommendation=body.recommendation,
        justification=body.justification,
        cycle=_running_cycle_for(person, body.cycle),
        off_cycle=body.off_cycle,
    )
    return Status(201, _case_detail(request.user, case.pk))


def _refused_by_state(case: PromotionCase, refused: ValidationError, wanted: str) -> None:
    """A service's refusal made because the case is no longer (or not yet) in the state
    `wanted` is a 409 with the case's state; anything else stays the 422 it is."""
    state = PromotionCase.objects.filter(pk=case.pk).values_list("state", flat=True).first()
    if isinstance(refused, cases.CaseAlreadyDecided) or state != wanted:
        raise Conflict(" ".join(refused.messages), state=state) from None
    raise refused


@router.post("/cases/{pk}/submit/", response=CaseDetail, summary="Submit a case for decision")
def case_submit(request, pk: Id):
    """Send a draft for decision, as its manager or an admin. Readiness is judged again: if it
    has fallen since the case was opened, the case must say why promote anyway (422). A case
    already submitted or decided is a 409 naming its state."""
    case = permissions.get_case_for_editing(request.user, pk)
    try:
        cases.case_submit(by=request.user, case=case)
    except ValidationError as refused:
        _refused_by_state(case, refused, PromotionCase.State.DRAFT)
    return _case_detail(request.user, case.pk)


class CaseDecide(Schema):
    outcome: OutcomeName
    feedback: str = Field(description="The person and their manager read it. Required.")
    effective_on: Day | None = Field(
        None,
        description="For an off-cycle approval: the day the new level starts. A cycle's "
        "decisions take effect on its date: leave it out.",
    )


@router.post("/cases/{pk}/decision/", response=CaseDetail, summary="Decide a case")
def case_decide(request, pk: Id, body: CaseDecide):
    """Approve, decline or defer a submitted case, as the cycle's committee or an admin, with
    feedback. An approval writes the new level into the person's history from the effective
    date; a decline turns each line of the feedback into a growth-plan item. A case decided
    already (or still a draft) is a 409 naming its state; nothing changes."""
    case = permissions.get_case_for_deciding(request.user, pk)
    try:
        cases.case_decide(
            by=request.user,
            case=case,
            outcome=body.outcome,
            feedback=body.feedback,
            effective_on=body.effective_on,
        )
    except ValidationError as refused:
        _refused_by_state(case, refused, PromotionCase.State.SUBMITTED)
    return _case_detail(request.user, case.pk)
