"""A new ladder version keeps whose readiness it changed, shows it on the version's page to those
who may see it, and tells each person and their manager; admins upload a version on a page that
previews the same list first."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments.changes import readiness_impact
from ladder.assessments.ladder_upload import MAX_BYTES
from ladder.assessments.models import (
    PendingLadderVersion,
    ReadinessChange,
    StoredReadiness,
)
from ladder.assessments.stored import readiness_differences, readiness_refresh
from ladder.frameworks.models import Ladder, LadderVersion
from ladder.frameworks.parse import parse
from ladder.frameworks.services import ladder_import
from ladder.notifications.models import OutgoingMail
from ladder.people.models import LevelAssignment, Person
from ladder.people.tree import rebuild_paths
from tests.conftest import DOTNET, make_person
from tests.frameworks.test_import_impact import changed_ladder
from tests.promotions.test_cases import shared

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOTE = "MD1 takes longer; the Tech Lead track ends at TL1."


@pytest.fixture
def assessed(org):
    """The engineer ready for MD2; the peer not yet ready for SR1, one short in a rating."""
    shared(org.manager, org.engineer, org.levels["MD2"], "manager")
    shared(org.manager, org.peer, org.levels["SR1"], "manager", below=1)
    return org


def import_v2(note=NOTE, text=None):
    return ladder_import(
        source=text or changed_ladder(DOTNET.read_text()),
        source_name="dotnet-v2.md",
        slug="dotnet",
        note=note,
    ).version


def kept(version) -> list[tuple]:
    return [
        (c.person.email, c.target_code, c.summary)
        for c in ReadinessChange.objects.filter(version=version).select_related("person")
    ]


EXPECTED = [
    ("eve@example.com", "MD2", "Ready → Eligible from 1 March 2032"),
    ("mia@example.com", "SP1", "Not assessed (new next level SP1)"),
    ("mia@example.com", "TL2", "Not assessed → no longer a next level"),
    ("pat@example.com", "SR1", "Not yet → Ready"),
]


# -- kept with the version ---------------------------------------------------------------------


def test_an_import_keeps_each_verdict_it_changed_in_its_transaction(assessed):
    version = import_v2()

    assert kept(version) == EXPECTED
    peer = ReadinessChange.objects.get(version=version, person=assessed.peer)
    assert (peer.before_verdict, peer.after_verdict) == ("not_yet", "ready")
    assert (peer.before_eligible_from, peer.after_eligible_from) == (None, None)
    # What is kept says how the stored verdicts moved, and they match the rule.
    assert readiness_differences() == []
    row = StoredReadiness.objects.get(person=assessed.engineer)
    assert (row.verdict, row.eligible_from) == ("eligible_from", datetime.date(2032, 3, 1))


def test_the_preview_lists_what_the_import_then_keeps(assessed):
    ladder = Ladder.objects.get(slug="dotnet")
    impact = readiness_impact(
        ladder=ladder, data=parse(changed_ladder(DOTNET.read_text()), path="v2.md")
    )

    assert [(c.person.email, c.target_code, c.summary) for c in impact.changes] == EXPECTED
    assert (impact.people, dict(impact.counts())) == (
        3,
        {
            "Ready → Eligible from a date": 1,
            "Not yet → Ready": 1,
            "Not assessed → not a next level": 1,
            "not a next level → Not assessed": 1,
        },
    )
    assert not ReadinessChange.objects.exists()
    assert kept(import_v2()) == EXPECTED


def test_a_date_that_moves_is_a_change_and_one_passed_reads_ready(org):
    # Just promoted to MD2 and meeting SR1: eligible once MD2's year is over.
    since = TODAY - datetime.timedelta(days=30)
    LevelAssignment.objects.filter(person=org.peer).update(start=since)
    readiness_refresh([org.peer.pk])
    shared(org.manager, org.peer, org.levels["SR1"], "manager")
    row = StoredReadiness.objects.get(person=org.peer)
    assert row.verdict == "eligible_from"
    text = DOTNET.read_text().replace(
        "1 or more years of practical experience in MD2",
        "2 or more years of practical experience in MD2",
    )

    version = import_v2(text=text)

    [change] = ReadinessChange.objects.filter(version=version)
    assert change.before_eligible_from == row.eligible_from
    assert change.after_eligible_from.year == row.eligible_from.year + 1
    assert change.summary.startswith("Eligible from ") and " → Eligible from " in change.summary


def test_an_import_that_moves_nobody_keeps_nothing_and_mails_nobody(assessed):
    text = DOTNET.read_text().replace("Has owned a production", "Owned a production")

    version = import_v2(text=text)

    assert version.number == 2
    assert not ReadinessChange.objects.exists()
    assert not OutgoingMail.objects.filter(kind="readiness_changed").exists()


def test_a_rolled_back_import_keeps_no_change_and_queues_no_mail(assessed):
    with pytest.raises(RuntimeError), transaction.atomic():
        import_v2()
        assert ReadinessChange.objects.exists()
        raise RuntimeError("the request failed after the import")

    assert not ReadinessChange.objects.exists()
    assert not OutgoingMail.objects.filter(kind="readiness_changed").exists()


# -- told by mail ------------------------------------------------------------------------------


def test_each_person_and_their_manager_are_told_once_the_import_commits(
    assessed, mailoutbox, django_capture_on_commit_callbacks
):
    # News, not a reminder: sent whatever their choice of reminders.
    Person.objects.filter(pk=assessed.engineer.pk).update(wants_reminders=False)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        version = import_v2()
        assert mailoutbox == []

    assert len(callbacks) >= 1
    sent = {mail.to[0]: mail for mail in mailoutbox}
    # Eve, Pat and Mia about themselves; Mia about Eve and Pat; Sam about Mia.
    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "eve@example.com",
        "mia@example.com",
        "mia@example.com",
        "pat@example.com",
        "sam@example.com",
    ]
    assert OutgoingMail.objects.filter(kind="readiness_changed", sent_at__isnull=False).count() == 5
    eve = sent["eve@example.com"]
    assert eve.subject == "Version 2 of .NET Developer Career Ladder changed your readiness"
    assert "- MD2: Ready → Eligible from 1 March 2032" in eve.body
    assert NOTE in eve.body
    assert f"http://127.0.0.1:8000/people/{assessed.engineer.pk}/" in eve.body
    assert "http://127.0.0.1:8000/ladders/dotnet/versions/2/" in eve.body
    [digest] = [m for m in mailoutbox if m.to == ["mia@example.com"] and "reports" in m.subject]
    assert digest.subject == (
        "Version 2 of .NET Developer Career Ladder changed the readiness of 2 of your reports"
    )
    assert "Eve Engineer\n- MD2: Ready → Eligible from 1 March 2032" in digest.body
    assert "Pat Peer\n- SR1: Not yet → Ready" in digest.body
    [skip] = [m for m in mailoutbox if m.to == ["sam@example.com"]]
    assert skip.subject.endswith("changed the readiness of Mia Manager")
    assert "- TL2: Not assessed → no longer a next level" in skip.body
    assert version.number == 2


def test_the_mails_are_queued_with_the_import_and_not_twice(assessed):
    version = import_v2()

    keys = set(OutgoingMail.objects.filter(kind="readiness_changed").values_list("key", flat=True))
    assert len(keys) == 5
    assert all(key.startswith(f"ladder-version:{version.pk}:readiness:") for key in keys)


# -- the version's page ------------------------------------------------------------------------


def page_of(client, user, number=2):
    if user is not None:
        client.force_login(user)
    response = client.get(f"/ladders/dotnet/versions/{number}/")
    assert response.status_code == 200
    return response


def names_listed(response) -> set[str]:
    text = response.content.decode()
    if "readiness-change-table" not in text:
        return set()
    table = text[text.index("readiness-change-table") :]
    table = table[: table.index("</table>")]
    return set(re.findall(r'<th scope="row"><a href="/people/\d+/">([^<]+)</a>', table))


def test_the_version_page_shows_its_note_and_what_changed(assessed, client):
    import_v2()

    response = page_of(client, None)

    text = response.content.decode()
    assert "<h1>Version 2 of .NET Developer Career Ladder</h1>" in text
    assert NOTE in text
    assert "Levels removed" in text and "TL2" in text
    assert set(re.split(r",\s*", response["Cache-Control"])) >= {"private", "no-store"}


def test_an_admin_sees_every_change_and_each_manager_their_own_and_their_reports(assessed, client):
    import_v2()
    everyone = {"Eve Engineer", "Mia Manager", "Pat Peer"}

    assert names_listed(page_of(client, None)) == set()
    assert names_listed(page_of(client, assessed.admin.user)) == everyone
    assert names_listed(page_of(client, assessed.skip.user)) == everyone
    assert names_listed(page_of(client, assessed.manager.user)) == everyone
    assert names_listed(page_of(client, assessed.engineer.user)) == {"Eve Engineer"}
    response = page_of(client, assessed.other_manager.user)
    assert names_listed(response) == set()
    assert "This version changed no verdict for a next level of you or" in response.content.decode()


def test_the_admin_sees_the_changes_as_words_and_badges(assessed, client):
    import_v2()

    text = page_of(client, assessed.admin.user).content.decode()

    assert "4 verdicts for a next level changed, of 3 people" in text
    assert '<span class="verdict verdict-eligible_from">Eligible from 1 March 2032</span>' in text
    assert "(new next level SP1)" in text and "No longer a next level" in text


def test_the_history_links_each_version_and_shows_its_note(assessed, client):
    import_v2()
    client.force_login(assessed.admin.user)

    text = client.get("/ladders/dotnet/versions/").content.decode()

    assert '<a href="/ladders/dotnet/versions/2/">v2</a>' in text
    assert NOTE in text
    assert 'href="/ladders/dotnet/versions/new/"' in text
    client.force_login(assessed.manager.user)
    assert (
        'href="/ladders/dotnet/versions/new/"'
        not in client.get("/ladders/dotnet/versions/").content.decode()
    )


def test_version_zero_and_one_beyond_the_latest_are_not_found(assessed, client):
    assert client.get("/ladders/dotnet/versions/0/").status_code == 404
    assert client.get("/ladders/dotnet/versions/2/").status_code == 404
    assert "The first version" in client.get("/ladders/dotnet/versions/1/").content.decode()


def test_the_version_page_reads_the_same_queries_for_few_changes_and_many(assessed, client):
    org = assessed

    def queries():
        client.force_login(org.admin.user)
        number = LadderVersion.objects.count()
        # Once to fill the version's cache entries, which an import may or may not have made.
        page_of(client, None, number=number)
        with CaptureQueriesContext(connection) as captured:
            page_of(client, None, number=number)
        return len(captured)

    text = DOTNET.read_text()
    import_v2(text=text.replace("1 or more years of practical experience in MD1", "9 years in MD1"))
    assert ReadinessChange.objects.count() == 1
    few = queries()
    for n in range(60):
        person = make_person(f"Extra {n:02}", f"extra{n}@example.com", manager=org.manager)
        LevelAssignment.objects.create(
            person=person, level=org.levels["TL1"], start=datetime.date(2020, 1, 1)
        )
    rebuild_paths()
    readiness_refresh(None)
    import_v2(text=changed_ladder(text))
    assert ReadinessChange.objects.filter(version__number=3).count() > 120

    assert queries() == few


# -- the upload page -----------------------------------------------------------------------


URL = "/ladders/dotnet/versions/new/"


def upload(client, data: bytes | str, note=NOTE, name="dotnet-v2.md"):
    if isinstance(data, str):
        data = data.encode()
    return client.post(URL, {"file": SimpleUploadedFile(name, data), "note": note})


def test_an_admin_previews_a_version_then_imports_it_with_its_note(assessed, client):
    client.force_login(assessed.admin.user)
    assert client.get(URL).status_code == 200

    preview = upload(client, changed_ladder(DOTNET.read_text()))

    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Preview of version 2" in text and NOTE in text
    assert "Levels removed" in text
    assert "4 verdicts for a next level would change, of 3 people" in text
    assert "Ready → Eligible from a date: 1" in text
    assert '<span class="verdict verdict-eligible_from">Eligible from 1 March 2032</span>' in text
    assert LadderVersion.objects.count() == 1 and not ReadinessChange.objects.exists()
    pending = PendingLadderVersion.objects.get()
    assert (pending.note, pending.base.number) == (NOTE, 1)
    assert f'name="pending" value="{pending.token}"' in text

    done = client.post(URL, {"pending": pending.token}, follow=True)

    assert done.redirect_chain == [("/ladders/dotnet/versions/2/", 302)]
    version = LadderVersion.objects.get(number=2)
    assert (version.note, version.imported_by, version.source_name) == (
        NOTE,
        assessed.admin.user,
        "dotnet-v2.md",
    )
    assert kept(version) == EXPECTED
    assert "It changed the readiness of 3 people; they and their managers" in done.content.decode()
    assert not PendingLadderVersion.objects.exists()
    # A second click finds nothing left to import.
    again = client.post(URL, {"pending": pending.token})
    assert again.status_code == 400 and "no longer waiting" in again.content.decode()
    assert LadderVersion.objects.count() == 2


def refused(response, *words):
    assert response.status_code == 400
    text = response.content.decode()
    alert = text[text.index('role="alert"') :]
    for word in words:
        assert word in alert, word
    assert LadderVersion.objects.count() == 1
    assert not PendingLadderVersion.objects.exists()
    assert not ReadinessChange.objects.exists()


def test_a_file_that_is_not_utf8_is_refused_saying_where(assessed, client):
    client.force_login(assessed.admin.user)
    data = DOTNET.read_text().encode().replace(b"# .NET", b"# \xff.NET")

    refused(upload(client, data), "not UTF-8", "0xFF on line 26")


def test_a_file_with_errors_lists_each_with_its_line(assessed, client):
    client.force_login(assessed.admin.user)
    text = DOTNET.read_text().replace("## Principal Engineer (PE1)", "## Oops (MD1)")

    refused(
        upload(client, text, name="broken.md"), "error", "broken.md:", "duplicate level code MD1"
    )


def test_a_file_too_large_is_refused(assessed, client):
    client.force_login(assessed.admin.user)

    refused(upload(client, b"x" * (MAX_BYTES + 1)), "a ladder file may have at most 1,048,576")


def test_the_content_of_the_latest_version_is_refused(assessed, client):
    client.force_login(assessed.admin.user)

    refused(upload(client, DOTNET.read_text()), "has the content of version 1", "nothing to import")


def test_no_file_is_refused(assessed, client):
    client.force_login(assessed.admin.user)

    refused(client.post(URL, {"note": NOTE}), "Choose a ladder file")


@pytest.mark.parametrize(
    ("note", "words"),
    [("x" * 2001, "The note is 2001 characters long"), ("bad\x1bnote", "U+001B")],
)
def test_a_bad_note_is_refused(assessed, client, note, words):
    client.force_login(assessed.admin.user)

    refused(upload(client, changed_ladder(DOTNET.read_text()), note=note), words)


def test_a_retired_ladder_takes_no_version(assessed, client):
    client.force_login(assessed.admin.user)
    Ladder.objects.filter(slug="dotnet").update(retired_at=timezone.now())

    shown = client.get(URL)
    assert "is retired: no version can be added to it" in shown.content.decode()
    refused(upload(client, changed_ladder(DOTNET.read_text())), "is retired")


def test_a_preview_is_imported_only_by_its_admin_and_in_its_time(assessed, client):
    other = make_person("Alex Admin", "alex@example.com", admin=True)
    client.force_login(assessed.admin.user)
    upload(client, changed_ladder(DOTNET.read_text()))
    pending = PendingLadderVersion.objects.get()

    client.force_login(other.user)
    response = client.post(URL, {"pending": pending.token})
    assert response.status_code == 400 and "no longer waiting" in response.content.decode()

    PendingLadderVersion.objects.update(created_at=timezone.now() - PendingLadderVersion.LIFETIME)
    client.force_login(assessed.admin.user)
    response = client.post(URL, {"pending": pending.token})
    assert response.status_code == 400 and "has expired" in response.content.decode()
    assert LadderVersion.objects.count() == 1


def test_a_preview_overtaken_by_another_import_is_not_imported(assessed, client):
    client.force_login(assessed.admin.user)
    upload(client, changed_ladder(DOTNET.read_text()))
    pending = PendingLadderVersion.objects.get()
    import_v2(text=DOTNET.read_text().replace("Has owned a production", "Owned a production"))

    response = client.post(URL, {"pending": pending.token})

    assert response.status_code == 400
    assert "Version 2 of .NET Developer Career Ladder was imported after your preview" in (
        response.content.decode()
    )
    assert LadderVersion.objects.count() == 2


def test_only_admins_reach_the_upload_page(assessed, client):
    assert client.get(URL).status_code == 302
    for person in (assessed.engineer, assessed.manager, assessed.skip):
        client.force_login(person.user)
        assert client.get(URL).status_code == 404
        assert upload(client, changed_ladder(DOTNET.read_text())).status_code == 404
    assert not PendingLadderVersion.objects.exists()
