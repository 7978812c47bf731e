"""The assessment loop through the pages: start, draft, submit, share, readiness, plan."""

import datetime
import re

import pytest

from ladder.assessments.models import Assessment, GrowthItem, GrowthPlan
from ladder.audit.models import AuditEvent
from ladder.frameworks.services import ladder_import

pytestmark = pytest.mark.django_db


def start(client, who, person, role, level):
    client.force_login(who.user)
    response = client.post(
        f"/people/{person.pk}/assessments/start/", {"role": role, f"{role}-level": level.pk}
    )
    assert response.status_code == 302, response.content
    return Assessment.objects.latest("id")


def answers(assessment, status="meets", rating=None, **overrides):
    data = {"revision": assessment.revision, "summary": "A fair picture."}
    for r in assessment.ratings.all():
        expected = assessment.level.expected_ratings.get(dimension=r.dimension).rating
        data[f"rating-{r.position}"] = rating if rating is not None else expected
    for item in assessment.criteria.all():
        data[f"status-{item.criterion_id}"] = status
        data[f"comment-{item.criterion_id}"] = ""
    data.update(overrides)
    return data


def submit(client, assessment, status="meets", rating=None, **overrides):
    """Submit as the page does: the answers with Submit, which saves them and shows them again
    to confirm, then the confirmation's own button. Returns the second response."""
    url = f"/assessments/{assessment.pk}/"
    asked = client.post(url, answers(assessment, status, rating, submit="1", **overrides))
    assert asked.status_code == 302 and asked.url == f"{url}?confirm=submit", asked
    assessment.refresh_from_db()
    return client.post(url, {"revision": assessment.revision, "confirm": "1"})


def test_an_engineer_self_assesses_against_their_next_level(client, org):
    assessment = start(client, org.engineer, org.engineer, "self", org.levels["MD2"])

    assert (assessment.role, assessment.state, assessment.level.code) == ("self", "draft", "MD2")
    assert assessment.criteria.count() == len(org.levels["MD2"].criteria.all())
    saved = client.post(f"/assessments/{assessment.pk}/", answers(assessment, save="1"))
    assert saved.status_code == 302
    assessment.refresh_from_db()
    assert assessment.revision == 2 and assessment.state == "draft"


def test_a_level_that_is_not_current_or_next_is_refused(client, org):
    client.force_login(org.engineer.user)

    client.post(
        f"/people/{org.engineer.pk}/assessments/start/",
        {"role": "self", "self-level": org.levels["PE1"].pk},
    )

    assert not Assessment.objects.exists()


def test_a_stale_draft_save_is_refused_with_a_clear_message_and_keeps_the_typing(client, org):
    assessment = start(client, org.engineer, org.engineer, "self", org.levels["MD2"])
    first_tab = answers(assessment, save="1")
    second_tab = answers(assessment, save="1", summary="From the second tab.")
    client.post(f"/assessments/{assessment.pk}/", first_tab)

    response = client.post(f"/assessments/{assessment.pk}/", second_tab)

    assert response.status_code == 409
    html = response.content.decode()
    assert "saved elsewhere (another tab or window)" in html
    assert "From the second tab." in html
    assessment.refresh_from_db()
    assert assessment.summary == "A fair picture." and assessment.revision == 2


def test_submitting_needs_every_answer_and_then_freezes_the_assessment(client, org):
    assessment = start(client, org.engineer, org.engineer, "self", org.levels["MD2"])
    incomplete = answers(assessment, submit="1")
    incomplete.pop(next(k for k in incomplete if k.startswith("status-")))

    refused = client.post(f"/assessments/{assessment.pk}/", incomplete, follow=True)
    assert (
        "Draft saved, not submitted. Before submitting, give a status for 1 criteria"
        in refused.content.decode()
    )
    assessment.refresh_from_db()
    assert assessment.state == "draft" and assessment.revision == 2  # what was typed is kept
    assert assessment.criteria.exclude(status="").count() == assessment.criteria.count() - 1

    assessment.refresh_from_db()
    submit(client, assessment)
    assessment.refresh_from_db()
    assert assessment.state == "submitted"
    again = client.post(
        f"/assessments/{assessment.pk}/",
        answers(assessment, status="exceeds", save="1"),
        follow=True,
    )
    assert "already submitted; it can no longer change" in again.content.decode()
    assert set(assessment.criteria.values_list("status", flat=True)) == {"meets"}
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == 1


def test_who_sees_an_assessment_follows_its_state(client, org):
    own = start(client, org.engineer, org.engineer, "self", org.levels["MD2"])
    url = f"/assessments/{own.pk}/"
    client.force_login(org.manager.user)
    assert client.get(url).status_code == 404  # a draft is the author's alone

    client.force_login(org.engineer.user)
    submit(client, own)
    client.force_login(org.manager.user)
    assert client.get(url).status_code == 404  # submitted, not yet shared

    client.force_login(org.engineer.user)
    client.post(f"/assessments/{own.pk}/share/")
    for who, expected in [
        (org.manager, 200),
        (org.skip, 200),
        (org.peer, 404),
        (org.other_manager, 404),
        (org.admin, 200),
    ]:
        client.force_login(who.user)
        assert client.get(url).status_code == expected, who


def test_a_manager_assessment_reaches_the_engineer_only_once_shared(client, org):
    review = start(client, org.manager, org.engineer, "manager", org.levels["MD2"])
    url = f"/assessments/{review.pk}/"
    submit(client, review)

    client.force_login(org.engineer.user)
    assert client.get(url).status_code == 404
    client.force_login(org.skip.user)
    assert client.get(url).status_code == 200

    client.force_login(org.manager.user)
    client.post(f"/assessments/{review.pk}/share/")
    client.force_login(org.engineer.user)
    assert client.get(url).status_code == 200


def test_only_managers_in_the_chain_write_manager_assessments(client, org):
    for who in (org.peer, org.other_manager, org.engineer):
        client.force_login(who.user)
        response = client.post(
            f"/people/{org.engineer.pk}/assessments/start/",
            {"role": "manager", "manager-level": org.levels["MD2"].pk},
        )
        assert response.status_code == 404, who
    assert not Assessment.objects.exists()


def share_both(client, org, status="meets", rating=None):
    for author, role in [(org.engineer, "self"), (org.manager, "manager")]:
        assessment = start(client, author, org.engineer, role, org.levels["MD2"])
        submit(client, assessment, status=status, rating=rating)
        client.post(f"/assessments/{assessment.pk}/share/")


def test_the_person_page_shows_the_verdict_chart_and_side_by_side(client, org):
    share_both(client, org)
    client.force_login(org.engineer.user)

    html = client.get(f"/people/{org.engineer.pk}/").content.decode()
    side = client.get(f"/people/{org.engineer.pk}/assessments/side-by-side/").content.decode()

    assert "Ready for MD2." in html  # MD1 since March 2023, twelve months needed
    assert html.count('class="radar-shape ') == 4
    assert "Self rating" in html and "Manager rating" in html
    assert "0 differences" in side


def test_side_by_side_highlights_where_self_and_manager_differ(client, org):
    own = start(client, org.engineer, org.engineer, "self", org.levels["MD2"])
    submit(client, own, status="exceeds")
    client.post(f"/assessments/{own.pk}/share/")
    review = start(client, org.manager, org.engineer, "manager", org.levels["MD2"])
    submit(client, review, status="meets")
    client.post(f"/assessments/{review.pk}/share/")
    client.force_login(org.engineer.user)

    html = client.get(f"/people/{org.engineer.pk}/assessments/side-by-side/").content.decode()

    criteria = org.levels["MD2"].criteria.count()
    assert f"{criteria} differences" in html
    assert html.count('class="differs"') == criteria


def test_gaps_become_a_growth_plan_that_keeps_edited_items(client, org):
    share_both(client, org, status="developing")
    client.force_login(org.engineer.user)

    client.post(f"/people/{org.engineer.pk}/plan/generate/")
    plan = GrowthPlan.objects.get(person=org.engineer)
    kinds = set(plan.items.values_list("kind", flat=True))
    assert {"criterion", "responsibility", "next_action"} <= kinds
    item = plan.items.filter(kind="next_action").first()
    client.post(
        f"/people/{org.engineer.pk}/plan/items/{item.pk}/",
        {
            f"item-{item.pk}-owner": org.manager.pk,
            f"item-{item.pk}-due": "2027-01-31",
            f"item-{item.pk}-state": "done",
        },
    )
    client.post(f"/people/{org.engineer.pk}/plan/generate/")

    kept = GrowthItem.objects.get(plan=plan, kind="next_action", closes=item.closes)
    assert (kept.state, kept.owner, kept.due) == ("done", org.manager, datetime.date(2027, 1, 31))
    html = client.get(f"/people/{org.engineer.pk}/plan/").content.decode()
    assert 'aria-valuenow="' in html and f"1 of {plan.items.count()} items done" in html
    # A date input shows its value only in ISO form, whatever the site's language.
    assert re.search(r'<input type="date"[^>]*value="2027-01-31"', html)


def test_a_peer_can_neither_read_nor_edit_the_plan_or_evidence(client, org):
    client.force_login(org.peer.user)

    assert client.get(f"/people/{org.engineer.pk}/plan/").status_code == 404
    assert client.post(f"/people/{org.engineer.pk}/plan/generate/").status_code == 404
    assert client.get(f"/people/{org.engineer.pk}/evidence/").status_code == 404


def test_evidence_is_added_by_the_person_or_a_manager_and_shown_in_the_form(client, org):
    criterion = org.levels["MD2"].criteria.first()
    client.force_login(org.manager.user)
    response = client.post(
        f"/people/{org.engineer.pk}/evidence/",
        {
            "happened_on": "2026-05-04",
            "text": "Led the outage review.",
            "link": "https://example.com/r/1",
            "criteria": [criterion.pk],
        },
    )
    assert response.status_code == 302

    assessment = start(client, org.engineer, org.engineer, "self", org.levels["MD2"])
    html = client.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "Led the outage review." in html
    assert f'name="evidence-{criterion.pk}"' in html


def test_a_later_ladder_import_does_not_change_a_submitted_assessment(client, org, dotnet_text):
    share_both(client, org)
    review = Assessment.objects.get(role="manager")
    before = sorted(review.criteria.values_list("criterion__text", "status"))

    ladder_import(
        source=dotnet_text.replace(
            "## Mid-level Developer II (MD2)", "## Mid-level Developer Two (MD2)"
        ),
        source_name="dotnet.md",
        slug="dotnet",
    )

    review.refresh_from_db()
    assert review.level.title == "Mid-level Developer II"
    assert sorted(review.criteria.values_list("criterion__text", "status")) == before


def test_a_manager_sees_each_reports_verdict(client, org):
    share_both(client, org, rating=1)
    client.force_login(org.manager.user)

    html = client.get("/reports/").content.decode()

    assert "Eve Engineer" in html and "Pat Peer" in html
    assert "Not yet ready for MD2" in html
    assert "Not assessed against SR1 yet" in html


def test_a_rating_that_is_not_a_number_is_a_bad_request(client, org):
    assessment = start(client, org.engineer, org.engineer, "self", org.levels["MD2"])
    data = answers(assessment, save="1")
    data["rating-0"] = "²"

    response = client.post(f"/assessments/{assessment.pk}/", data)

    assert response.status_code == 400
    assessment.refresh_from_db()
    assert assessment.revision == 1


def test_the_assessment_page_makes_as_many_queries_with_evidence_everywhere(client, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ladder.assessments.models import Evidence

    assessment = start(client, org.engineer, org.engineer, "self", org.levels["MD2"])
    url = f"/assessments/{assessment.pk}/"

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def link_evidence(items):
        data = answers(assessment, save="1")
        for item in items:
            entry = Evidence.objects.create(
                person=org.engineer,
                added_by=org.engineer,
                happened_on=datetime.date(2026, 1, 5),
                text="Did it.",
            )
            entry.criteria.add(item.criterion)
            data[f"evidence-{item.criterion_id}"] = [entry.pk]
        client.post(url, data)
        assessment.refresh_from_db()

    items = list(assessment.criteria.all())
    link_evidence(items[:1])
    one = queries()
    link_evidence(items)

    assert assessment.criteria.filter(evidence__isnull=False).distinct().count() == len(items)
    assert queries() == one


def test_a_new_ladder_version_reaches_people_already_on_it(client, org, dotnet_text):
    from ladder.frameworks.models import Level
    from ladder.frameworks.parse import parse

    marker = f"- {parse(dotnet_text).level('MD2').skills[-1]}\n"
    assert dotnet_text.count(marker) == 1
    ladder_import(
        source=dotnet_text.replace(
            marker, marker + "- Writes clear design notes before building.\n"
        ),
        source_name="dotnet.md",
        slug="dotnet",
    )

    assessment = start(
        client, org.engineer, org.engineer, "self", Level.objects.get(code="MD2", version__number=2)
    )

    assert assessment.level.version.number == 2
    assert assessment.criteria.filter(
        criterion__text="Writes clear design notes before building."
    ).exists()
