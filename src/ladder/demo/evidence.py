"""Writing evidence: dated entries within each person's time in level, each tied to criteria of
their current or next level that its phrase speaks to, for a batch of people at a time."""

from __future__ import annotations

import datetime

from django.utils.text import slugify

from ladder.assessments.models import Evidence
from ladder.assessments.readiness import MONTH_NAMES
from ladder.frameworks.models import Criterion

from .activity import Activity, choose
from .bulk import BATCH_SIZE, insert
from .phrases import FEATURES, FIRST_NAMES, SERVICES, TEAM_NAMES, THINGS

# Share of people with evidence, and how many entries they have.
EVIDENCE_SHARE = 0.6
EVIDENCE_COUNTS = {1: 30, 2: 30, 3: 25, 4: 15}
LINK_SHARE_OF_EVIDENCE = 0.35


def write_evidence(activity: Activity, batch: range) -> None:
    rows = []
    for index in batch:
        entries = _plan_evidence(activity, index)
        if entries:
            activity.evidence[index] = entries
            rows += [entry for entry, _ in entries]
    Evidence.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    insert(
        Evidence.criteria.through,
        ["evidence", "criterion"],
        [
            (entry.pk, criterion.pk)
            for index in batch
            for entry, criteria in activity.evidence.get(index, ())
            for criterion in criteria
        ],
    )
    activity.counts["evidence"] += len(rows)


def _plan_evidence(activity: Activity, index: int) -> list[tuple[Evidence, list[Criterion]]]:
    """1-4 dated entries within the time in level, each tied to 1-2 criteria of the current or
    the next level that its phrase speaks to (a shared topic), added by the person or by their
    manager, once the manager had joined."""
    node, rng, today = activity.nodes[index], activity.rng, activity.today
    if not node.history or not (node.standout or rng.random() < EVIDENCE_SHARE):
        return []
    person = activity.saved[index]
    code, since = node.history[-1]
    info = activity.infos[code]
    count = choose(rng, EVIDENCE_COUNTS)
    if node.standout:
        count = max(count, 3)
    entries = []
    for _ in range(count):
        level = info.next if info.next is not None and rng.random() < 0.5 else info
        if not level.evidence:
            continue
        template, about = rng.choice(level.evidence)
        criteria = rng.sample(about, min(len(about), rng.choice((1, 1, 2))))
        day = since + datetime.timedelta(days=rng.randint(0, max(0, (today - since).days)))
        text, repository = _evidence_text(activity, template, day)
        link = ""
        if repository and rng.random() < LINK_SHARE_OF_EVIDENCE:
            number = rng.randint(120, 4800)
            link = f"https://github.com/example/{slugify(repository)}/pull/{number}"
        manager_hired = activity.hired(node.parent)
        by_manager = (
            rng.random() < 0.3
            and person.manager_id is not None
            and (manager_hired is None or manager_hired <= day)
        )
        entry = Evidence(
            person=person,
            added_by_id=person.manager_id if by_manager else person.pk,
            happened_on=day,
            text=text,
            link=link,
            created_at=activity.at(day + datetime.timedelta(days=rng.randint(0, 6))),
        )
        entries.append((entry, criteria))
    return entries


def _evidence_text(activity: Activity, template: str, day: datetime.date) -> tuple[str, str]:
    """The text, and the service it is about first (if any) for a link to a pull request."""
    rng = activity.rng
    service, other = rng.sample(SERVICES, 2)
    slow = rng.randint(300, 1500)
    slots = {
        "service": service,
        "other": other,
        "feature": rng.choice(FEATURES),
        "team": f"the {rng.choice(TEAM_NAMES)} team",
        "name": rng.choice(FIRST_NAMES),
        "thing": rng.choice(THINGS),
        "month": MONTH_NAMES[day.month - 1],
        "n": rng.randint(3, 40),
        "pct": rng.randint(15, 70),
        "slow": slow,
        "fast": slow * rng.randint(15, 60) // 100,
        "mins": rng.randint(6, 15),
        "cover": rng.randint(70, 92),
    }
    named = [(template.find("{" + slot + "}"), slot) for slot in ("service", "other")]
    first = min(((at, slot) for at, slot in named if at >= 0), default=None)
    return template.format(**slots), slots[first[1]] if first else ""
