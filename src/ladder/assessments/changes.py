"""What a new version of a ladder does to people's readiness: shown before the import (a dry run,
the upload page's preview), then kept with the version and told to each person and their manager.

Both compare the verdicts stored now, read as of today, with the new version's. Before the
import those are worked out by the rule with the parsed ladder standing in for the latest
version (`stored.work_out(..., replace=...)`); after it they are read back from the rows the
import stored, in its transaction. So the list a preview shows is the list the import keeps,
unless an input changed in between.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ladder.frameworks.ladder_data import Ladder as LadderData
from ladder.frameworks.models import Ladder, LadderVersion
from ladder.notifications.models import OutgoingMail
from ladder.notifications.services import (
    mail_queue_many,
    mail_send_on_commit,
    outgoing_mail,
    site_link,
)
from ladder.people.models import LevelAssignment, Person

from .models import ReadinessChange, StoredReadiness
from .readiness import Verdict
from .stored import BATCH_SIZE, WorkedOut, _chunks, readiness_refresh, work_out

# (person id, next level's code) -> (verdict as of the day, its date when "eligible from").
Verdicts = dict[tuple[int, str], tuple[str, datetime.date | None]]

# How many changes a preview lists; the counts above the list cover them all.
SHOWN = 500


def holders(ladder_id: int) -> list[int]:
    """Everyone who ever held a level of the ladder: whom a new version of it may move."""
    return list(
        LevelAssignment.objects.filter(level__version__ladder_id=ladder_id)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()
    )


def _seen(verdict: str, eligible_from: datetime.date | None) -> tuple[str, datetime.date | None]:
    # The date matters only to "eligible from": another verdict keeps one for its own reasons.
    return verdict, eligible_from if verdict == Verdict.ELIGIBLE_FROM else None


def stored_verdicts(ladder_id: int, today: datetime.date) -> Verdicts:
    """Every stored verdict for a next level on this ladder, read as of `today`: one query."""
    rows = (
        StoredReadiness.objects.as_of(today)
        .filter(target__version__ladder_id=ladder_id)
        .order_by()
        .values_list("person_id", "target_code", "verdict_now", "eligible_from")
    )
    return {(person, code): _seen(verdict, day) for person, code, verdict, day in rows}


def worked_verdicts(worked: Mapping[int, WorkedOut], ladder_id: int) -> Verdicts:
    """The verdicts `work_out` gave for next levels on this ladder."""
    return {
        (one.person_id, judged.target.code): _seen(
            judged.readiness.verdict.value, judged.readiness.eligible_from
        )
        for one in worked.values()
        for judged in one.judged
        if judged.target.ladder_id == ladder_id
    }


def changes_between(before: Verdicts, after: Verdicts) -> list[ReadinessChange]:
    """A change (not saved, with no version) for each person and next level whose verdict or
    eligible-from date differs, or that is a next level on one side only."""
    changes = []
    for person_id, code in sorted(before.keys() | after.keys()):
        old, new = before.get((person_id, code)), after.get((person_id, code))
        if old == new:
            continue
        changes.append(
            ReadinessChange(
                person_id=person_id,
                target_code=code,
                before_verdict=old[0] if old else "",
                before_eligible_from=old[1] if old else None,
                after_verdict=new[0] if new else "",
                after_eligible_from=new[1] if new else None,
            )
        )
    return changes


def _with_people(changes: list[ReadinessChange]) -> list[ReadinessChange]:
    """The changes with their person (and manager) read, by name: a query per BATCH_SIZE."""
    people: dict[int, Person] = {}
    for chunk in _chunks(sorted({change.person_id for change in changes}), BATCH_SIZE):
        people.update(Person.objects.select_related("manager").in_bulk(chunk))
    for change in changes:
        change.person = people[change.person_id]
    return sorted(changes, key=lambda c: (c.person.name.casefold(), c.person_id, c.target_code))


# -- before an import ------------------------------------------------------------------------


# Each side of a change as the counts name it, without dates.
_KINDS = {
    "": "not a next level",
    Verdict.READY: "Ready",
    Verdict.ELIGIBLE_FROM: "Eligible from a date",
    Verdict.NOT_YET: "Not yet",
    Verdict.NOT_ASSESSED: "Not assessed",
}


def _kinds(change: ReadinessChange) -> str:
    if change.before_verdict == change.after_verdict == Verdict.ELIGIBLE_FROM:
        return "Eligible from a date → from another date"
    return f"{_KINDS[change.before_verdict]} → {_KINDS[change.after_verdict]}"


@dataclass(frozen=True)
class ReadinessImpact:
    """Whose readiness a version of a ladder would change, and how (changes not saved)."""

    changes: list[ReadinessChange]

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def people(self) -> int:
        return len({change.person_id for change in self.changes})

    @property
    def shown(self) -> list[ReadinessChange]:
        return self.changes[:SHOWN]

    def counts(self) -> list[tuple[str, int]]:
        """("Ready → Eligible from a date", 3), most first."""
        counter = Counter(_kinds(change) for change in self.changes)
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))

    def lines(self) -> list[str]:
        """For the terminal: a heading, then a change a line."""
        if not self.changes:
            return ["Readiness: no one's verdict for a next level would change."]
        people = self.people
        lines = [
            f"Readiness that would change for {people} {'person' if people == 1 else 'people'}:"
        ]
        lines += [
            f"  {change.person.name} <{change.person.email}>, {change.target_code}: "
            f"{change.summary}"
            for change in self.changes
        ]
        return lines


def readiness_impact(
    *, ladder: Ladder, data: LadderData, today: datetime.date | None = None
) -> ReadinessImpact:
    """Whose verdicts `data`, imported as the next version of `ladder`, would change: the
    stored verdicts against the rule run with `data` in place of the latest version. Writes
    nothing; a fixed number of queries per BATCH_SIZE people."""
    today = today or timezone.localdate()
    before = stored_verdicts(ladder.pk, today)
    worked = work_out(holders(ladder.pk), today, replace={ladder.pk: data})
    after = worked_verdicts(worked, ladder.pk)
    return ReadinessImpact(_with_people(changes_between(before, after)))


def on_version_previewed(sender, *, ladder: Ladder, data: LadderData, today, **kwargs):
    return readiness_impact(ladder=ladder, data=data, today=today)


# -- with the import ----------------------------------------------------------------------


def on_version_imported(sender, *, version: LadderVersion, **kwargs) -> None:
    """Everyone who ever held a level of the ladder reads it in the new version now; whose
    verdict that moved is kept with the version, and told, in the import's transaction."""
    today = timezone.localdate()
    before = stored_verdicts(version.ladder_id, today)
    readiness_refresh(holders(version.ladder_id), today=today)
    changes = changes_between(before, stored_verdicts(version.ladder_id, today))
    for change in changes:
        change.version = version
    ReadinessChange.objects.bulk_create(changes, batch_size=1000)
    queue_readiness_changed(version, _with_people(changes))


def changes_of_version(version: LadderVersion, people: QuerySet[Person] | None = None):
    """The changes kept with a version, by person, of `people` only if given."""
    changes = ReadinessChange.objects.filter(version=version).select_related(
        "person", "person__manager"
    )
    if people is not None:
        changes = changes.filter(person__in=people)
    return changes.order_by("person__name", "person_id", "target_code")


# -- telling --------------------------------------------------------------------------------


def queue_readiness_changed(version: LadderVersion, changes: Iterable[ReadinessChange]) -> int:
    """One mail to each person whose readiness the version changed, and one to each of their
    managers listing their reports'; news, not a reminder, so sent whatever their choice of
    reminders. Queued in a few inserts and sent once the import commits."""
    by_person: dict[int, list[ReadinessChange]] = defaultdict(list)
    for change in changes:
        by_person[change.person_id].append(change)
    if not by_person:
        return 0
    ladder = version.ladder
    version_url = site_link(reverse("frameworks:version", args=[ladder.slug, version.number]))
    prefix = f"ladder-version:{version.pk}:readiness:"
    mails, by_manager = [], defaultdict(list)
    for person_changes in by_person.values():
        person = person_changes[0].person
        mails.append(
            outgoing_mail(
                key=f"{prefix}{person.pk}",
                kind=OutgoingMail.Kind.READINESS_CHANGED,
                to=person.email,
                subject=f"Version {version.number} of {ladder.title} changed your readiness",
                body=render_to_string(
                    "assessments/mail/readiness_changed.txt",
                    {
                        "person": person,
                        "changes": person_changes,
                        "version": version,
                        "ladder": ladder,
                        "url": site_link(reverse("people:person", args=[person.pk])),
                        "version_url": version_url,
                    },
                ),
            )
        )
        if person.manager is not None:
            by_manager[person.manager.pk].append((person, person_changes))
    for reports in by_manager.values():
        manager = reports[0][0].manager
        whom = f"{len(reports)} of your reports" if len(reports) > 1 else reports[0][0].name
        mails.append(
            outgoing_mail(
                key=f"{prefix}reports-of:{manager.pk}",
                kind=OutgoingMail.Kind.READINESS_CHANGED,
                to=manager.email,
                subject=(
                    f"Version {version.number} of {ladder.title} changed the readiness of {whom}"
                ),
                body=render_to_string(
                    "assessments/mail/readiness_changed_reports.txt",
                    {
                        "manager": manager,
                        "reports": reports,
                        "version": version,
                        "ladder": ladder,
                        "url": site_link(reverse("assessments:reports")),
                        "version_url": version_url,
                    },
                ),
            )
        )
    mail_queue_many(mails)
    mail_send_on_commit(
        list(
            OutgoingMail.objects.pending()
            .filter(key__startswith=prefix)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    )
    return len(mails)
