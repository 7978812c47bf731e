"""The promotion case pages, for the whole cast: who sees what, and the round of a case."""

import datetime
import re
from pathlib import Path

import pytest
from django.utils import timezone

from ladder.audit.models import AuditEvent
from ladder.people.models import LevelAssignment, Person
from ladder.people.tree import rebuild_paths
from ladder.promotions import cases
from ladder.promotions.models import CaseNote, PromotionCase
from tests.promotions.test_cases import assessed, cycle, opened, ready, submitted

pytestmark = pytest.mark.django_db
__all__ = ["cycle", "ready"]  # fixtures

CHROMIUM = Path("/usr/bin/chromium")
CAST = ["engineer", "peer", "manager", "skip", "other_manager", "committee", "admin"]


def who_gets(client, org, url) -> dict[str, int]:
    """The status of a GET of `url` for anonymous and for each of the cast."""
    client.logout()
    statuses = {"anonymous": client.get(url).status_code}
    for name in CAST:
        client.force_login(getattr(org, name).user)
        statuses[name] = client.get(url).status_code
    return statuses


def allowed(*names, default=404):
    return {"anonymous": 302, **{name: 200 if name in names else default for name in CAST}}


def test_who_reaches_each_page_of_a_submitted_case(client, ready, cycle):
    case = submitted(ready)
    pk = case.pk

    chain = ("manager", "skip")
    assert who_gets(client, ready, f"/cases/{pk}/") == allowed(
        "engineer", *chain, "committee", "admin"
    )
    assert who_gets(client, ready, f"/people/{ready.engineer.pk}/cases/new/") == allowed(
        *chain, "admin"
    )
    assert who_gets(client, ready, f"/cases/{pk}/note/") == allowed(*chain)
    assert who_gets(client, ready, f"/cases/{pk}/decide/") == allowed("committee", "admin")
    # The person reads their packet once the case is decided, not before.
    assert who_gets(client, ready, f"/cases/{pk}/packet.pdf") == allowed(
        *chain, "committee", "admin"
    )
    assert who_gets(client, ready, f"/cycles/{cycle.pk}/cases.pdf") == allowed("committee", "admin")
    assert who_gets(client, ready, "/cases/") == allowed(*CAST)


def test_a_post_from_outside_the_scope_changes_nothing_and_answers_404(client, ready, cycle):
    case = submitted(ready)
    posts = [
        (f"/cases/{case.pk}/decide/", {"outcome": "approved", "feedback": "Yes."}),
        (f"/cases/{case.pk}/note/", {"kind": "comment", "text": "Hi"}),
        (f"/cases/{case.pk}/edit/", {"to_level": ready.levels["MD2"].pk, "recommendation": "x"}),
        (f"/cases/{case.pk}/submit/", {}),
        (f"/people/{ready.engineer.pk}/cases/new/", {"recommendation": "x"}),
    ]
    for name in ("engineer", "peer", "other_manager"):
        client.force_login(getattr(ready, name).user)
        for url, data in posts:
            assert client.post(url, data).status_code == 404, (name, url)

    case.refresh_from_db()
    assert case.state == "submitted" and case.recommendation.startswith("Eve has led")
    assert not CaseNote.objects.exists()


def test_who_reaches_the_edit_and_submit_pages_of_a_draft(client, ready, cycle):
    case = opened(ready)

    for action in ("edit", "submit"):
        assert who_gets(client, ready, f"/cases/{case.pk}/{action}/") == allowed(
            "manager", "skip", "admin"
        )


def test_the_case_list_shows_each_user_only_the_cases_in_their_scope(client, ready, cycle):
    submitted(ready)

    seen = {}
    for name in CAST:
        client.force_login(getattr(ready, name).user)
        seen[name] = "Eve Engineer" in client.get("/cases/").content.decode()

    assert seen == {
        "engineer": True,
        "peer": False,
        "manager": True,
        "skip": True,
        "other_manager": False,
        "committee": True,
        "admin": True,
    }


def test_the_person_sees_only_the_state_until_the_case_is_decided(client, ready, cycle):
    case = submitted(ready)
    client.force_login(ready.engineer.user)

    before = client.get(f"/cases/{case.pk}/").content.decode()
    assert "A promotion case for you is submitted" in before
    assert "Eve has led the payments rewrite." not in before

    cases.case_decide(by=ready.admin.user, case=case, outcome="declined", feedback="Lead a review.")
    after = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Eve has led the payments rewrite." in after and "Lead a review." in after
    assert client.get(f"/cases/{case.pk}/packet.pdf").status_code == 200


def test_a_manager_opens_a_case_for_someone_not_ready_only_with_a_justification(client, org):
    assessed(org, below=1)
    client.force_login(org.manager.user)
    url = f"/people/{org.engineer.pk}/cases/new/"

    page = client.get(url).content.decode()
    assert "Not yet ready for MD2: 1 gap." in page
    assert re.search(r'<textarea name="justification"[^>]*required', page)
    assert "is in no running review cycle: this is an off-cycle promotion" in page

    md2 = org.levels["MD2"].pk
    refused = client.post(url, {"to_level": md2, "recommendation": "Ship it."})
    assert refused.status_code == 400 and not PromotionCase.objects.exists()
    assert "This field is required." in refused.content.decode()

    done = client.post(
        url, {"to_level": md2, "recommendation": "Ship it.", "justification": "The work shows."}
    )
    case = PromotionCase.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/cases/{case.pk}/"
    page = client.get(done["Location"]).content.decode()
    assert 'Not ready for <span class="code">MD2</span> by the ladder\'s rules' in page
    assert "The work shows." in page and "Team Contributor is rated" in page


def test_the_case_form_offers_the_persons_running_cycle(client, ready, cycle):
    client.force_login(ready.manager.user)
    url = f"/people/{ready.engineer.pk}/cases/new/"

    assert "2026 round" in client.get(url).content.decode()
    client.post(
        url,
        {"to_level": ready.levels["MD2"].pk, "recommendation": "Ready.", "cycle": cycle.pk},
    )

    assert PromotionCase.objects.get().cycle == cycle


def test_the_case_form_offers_off_cycle_beside_the_running_cycle(client, ready, cycle):
    client.force_login(ready.manager.user)
    url = f"/people/{ready.engineer.pk}/cases/new/"
    fields = {"to_level": ready.levels["MD2"].pk, "recommendation": "Ready."}

    page = client.get(url).content.decode()
    assert re.search(
        rf'<option value="{cycle.pk}" selected>2026 round</option>\s*'
        r'<option value="off">Off-cycle \(decided by an admin, effective on a date given then\)',
        page,
    )
    unknown = client.post(url, {**fields, "cycle": "nowhere"})
    assert unknown.status_code == 400 and not PromotionCase.objects.exists()
    client.post(url, {**fields, "cycle": "off"})

    assert PromotionCase.objects.get().cycle is None


def test_the_case_form_tells_a_manager_not_assessed_in_the_managers_words(client, org):
    client.force_login(org.manager.user)

    page = client.get(f"/people/{org.engineer.pk}/cases/new/").content.decode()

    assert "Not assessed against MD2 yet.</p>" in page
    assert "is shared." not in page and "ask your manager" not in page


def test_a_second_case_is_refused_on_the_page_with_a_link_to_the_open_one(client, ready):
    case = opened(ready)
    client.force_login(ready.admin.user)

    page = client.get(f"/people/{ready.engineer.pk}/cases/new/").content.decode()

    assert "already has an open case" in page and f'href="/cases/{case.pk}/"' in page


def test_editing_then_submitting_after_a_confirmation(client, ready):
    case = opened(ready)
    client.force_login(ready.manager.user)

    client.post(
        f"/cases/{case.pk}/edit/",
        {"to_level": ready.levels["MD2"].pk, "recommendation": "Now longer."},
    )
    confirm = client.get(f"/cases/{case.pk}/submit/").content.decode()
    assert "It cannot be edited or taken back." in confirm
    client.post(f"/cases/{case.pk}/submit/")
    again = client.post(f"/cases/{case.pk}/submit/", follow=True).content.decode()

    case.refresh_from_db()
    assert (case.state, case.recommendation) == ("submitted", "Now longer.")
    assert "This case was already submitted on" in again
    edit = client.get(f"/cases/{case.pk}/edit/", follow=True).content.decode()
    assert "it can no longer change" in edit


def test_the_skip_level_endorses_from_the_case_page(client, ready):
    case = submitted(ready)
    client.force_login(ready.skip.user)

    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Endorse or comment" in page
    client.post(f"/cases/{case.pk}/note/", {"kind": "endorsement", "text": "Strongly."})
    empty = client.post(f"/cases/{case.pk}/note/", {"kind": "comment", "text": ""})

    assert empty.status_code == 400 and "Write the comment." in empty.content.decode()
    assert list(CaseNote.objects.values_list("kind", "text")) == [("endorsement", "Strongly.")]
    client.force_login(ready.manager.user)
    assert "Endorse or comment" not in client.get(f"/cases/{case.pk}/").content.decode()


def test_the_committee_approves_and_a_second_approval_gets_a_message_not_an_error(
    client, ready, cycle
):
    case = submitted(ready)
    client.force_login(ready.committee.user)
    url = f"/cases/{case.pk}/decide/"

    form = client.get(url).content.decode()
    assert "An approval takes effect on" in form and 'name="effective_on"' not in form
    decision = {"outcome": "approved", "feedback": "Well earned."}
    first = client.post(url, decision, follow=True).content.decode()
    assert "Approved: Eve Engineer is MD2 from" in first

    second = client.post(url, decision)
    shown = client.get(second["Location"]).content.decode()
    assert second.status_code == 302
    assert "This case was already decided: approved by Cora Committee on" in shown
    assert LevelAssignment.objects.filter(person=ready.engineer, reason="promotion").count() == 1
    assert AuditEvent.objects.filter(action="case.approved").count() == 1


def test_a_draft_cannot_be_decided_yet(client, ready):
    case = opened(ready)
    client.force_login(ready.admin.user)

    response = client.get(f"/cases/{case.pk}/decide/", follow=True)

    assert "This case is still a draft: it is decided once submitted." in response.content.decode()
    assert response.redirect_chain == [(f"/cases/{case.pk}/", 302)]


def test_an_off_cycle_decision_asks_the_admin_for_the_date(client, ready):
    case = submitted(ready)
    client.force_login(ready.admin.user)
    url = f"/cases/{case.pk}/decide/"

    assert 'name="effective_on"' in client.get(url).content.decode()
    refused = client.post(url, {"outcome": "approved", "feedback": "Yes."})
    assert refused.status_code == 400
    assert "An off-cycle promotion needs the date it takes effect." in refused.content.decode()
    missing = client.post(url, {"outcome": "declined", "feedback": ""})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()

    client.post(url, {"outcome": "approved", "feedback": "Yes.", "effective_on": "2026-02-01"})
    promotion = LevelAssignment.objects.get(person=ready.engineer, reason="promotion")
    assert promotion.start == datetime.date(2026, 2, 1)


def test_the_list_filters_by_state_and_cycle(client, ready, cycle):
    in_cycle = submitted(ready)
    assessed_peer = PromotionCase.objects.create(
        person=ready.peer,
        from_level=ready.levels["MD2"],
        to_level=ready.levels["SR1"],
        recommendation="Off-cycle.",
    )
    client.force_login(ready.admin.user)

    def names(query):
        html = client.get(f"/cases/?{query}").content.decode()
        return sorted(set(re.findall(r'href="/cases/(\d+)/"', html)))

    assert names("") == sorted([str(in_cycle.pk), str(assessed_peer.pk)])
    assert names("state=submitted") == [str(in_cycle.pk)]
    assert names(f"cycle={cycle.pk}") == [str(in_cycle.pk)]
    assert names("cycle=off") == [str(assessed_peer.pk)]
    assert names("state=approved") == []
    assert (
        f"/cycles/{cycle.pk}/cases.pdf" in client.get(f"/cases/?cycle={cycle.pk}").content.decode()
    )
    client.force_login(ready.manager.user)
    assert "cases.pdf" not in client.get(f"/cases/?cycle={cycle.pk}").content.decode()


def make_cases(org, count):
    """`count` people below the manager, each with a draft case."""
    start = Person.objects.count()
    for n in range(start, start + count):
        person = Person.objects.create(
            name=f"Person {n}", email=f"p{n}@example.com", manager=org.manager, team=org.core
        )
        LevelAssignment.objects.create(
            person=person, level=org.levels["MD1"], start=datetime.date(2022, 1, 1), reason="hire"
        )
        PromotionCase.objects.create(
            person=person,
            from_level=org.levels["MD1"],
            to_level=org.levels["MD2"],
            recommendation="Yes.",
        )
    rebuild_paths()


@pytest.mark.parametrize("name", ["manager", "admin"])
def test_the_case_list_costs_the_same_queries_for_few_or_many_cases(
    client, org, django_assert_max_num_queries, name
):
    client.force_login(getattr(org, name).user)
    make_cases(org, 3)
    with django_assert_max_num_queries(99) as few:
        client.get("/cases/")
    make_cases(org, 30)

    with django_assert_max_num_queries(len(few)) as many:
        page = client.get("/cases/").content.decode()

    assert "33 cases" in page and len(many) == len(few)


def test_a_decided_case_tells_the_decision_and_the_date(client, ready, cycle):
    case = submitted(ready)
    cases.case_decide(by=ready.committee.user, case=case, outcome="approved", feedback="Yes.")
    client.force_login(ready.manager.user)

    page = client.get(f"/cases/{case.pk}/").content.decode()

    effective = cycle.effective_on
    assert "Decision: approved" in page
    assert f"takes effect {effective.day} {effective:%B} {effective.year}" in page
    assert "Decide" not in re.sub(r"Decision: approved", "", page.split("<main")[1])
    assert timezone.localdate() < effective
