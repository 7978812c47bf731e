"""The manager's path: the self-assessment beside the manager's form, a submission confirmed
before it is made, the criteria not met named, and the reports page that speaks to a manager."""

import datetime
import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladder.assessments.models import Assessment, CriterionAssessment, DimensionRating
from ladder.assessments.stored import readiness_refresh
from ladder.audit.models import AuditEvent
from ladder.people.models import LevelAssignment
from ladder.people.tree import rebuild_paths
from tests.assessments.test_flow import answers, start, submit
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response
    return html_lib.unescape(response.content.decode())


def beside_lines(html: str) -> dict[str, str]:
    """The self-assessment shown beside each answer, by the id it is described by, as text."""
    found = re.findall(r'<p class="beside" id="(own-[\w-]+)">(.*?)</p>', html, re.S)
    return {key: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text)).strip() for key, text in found}


def shared_self_assessment(client, org, level="MD2", **overrides):
    own = start(client, org.engineer, org.engineer, "self", org.levels[level])
    submit(client, own, **overrides)
    client.post(f"/assessments/{own.pk}/share/")
    return own


# -- the self-assessment beside the manager's form ---------------------------------------------


def test_the_managers_form_shows_the_shared_self_assessment_beside_each_answer(client, org):
    md2 = org.levels["MD2"]
    first, second = list(md2.criteria.order_by("position")[:2])
    shared_self_assessment(
        client,
        org,
        rating=4,
        **{
            f"status-{first.pk}": "developing",
            f"comment-{first.pk}": "Paired on two features this quarter.",
            f"status-{second.pk}": "not_applicable",
        },
    )
    review = start(client, org.manager, org.engineer, "manager", md2)

    html = page(client, f"/assessments/{review.pk}/")

    lines = beside_lines(html)
    assert len(lines) == md2.criteria.count() + md2.expected_ratings.count()
    assert lines[f"own-{first.pk}"] == (
        "Self-assessment: Developing “Paired on two features this quarter.”"
    )
    assert lines[f"own-{second.pk}"] == "Self-assessment: Not applicable"
    assert {lines[f"own-rating-{r.position}"] for r in review.ratings.all()} == {
        "Self-assessment: 4"
    }
    # Read out with the answer it stands beside, not only placed near it.
    assert f'aria-describedby="own-{first.pk}"' in html
    assert "Beside each rating and criterion: Eve Engineer's self-assessment against MD2" in html


def test_without_a_shared_self_assessment_the_managers_form_says_so_once(client, org):
    start(client, org.engineer, org.engineer, "self", org.levels["MD2"])  # a draft, not shared
    shared_self_assessment(client, org, level="MD1")  # shared, against another level
    review = start(client, org.manager, org.engineer, "manager", org.levels["MD2"])

    html = page(client, f"/assessments/{review.pk}/")

    assert html.count("Eve Engineer has not shared a self-assessment against MD2") == 1
    assert beside_lines(html) == {}


def test_a_self_assessment_form_shows_nothing_beside_its_answers(client, org):
    shared_self_assessment(client, org)
    again = start(client, org.engineer, org.engineer, "self", org.levels["MD1"])

    html = page(client, f"/assessments/{again.pk}/")

    assert beside_lines(html) == {}
    assert "has not shared a self-assessment" not in html


# -- submitting asks first ----------------------------------------------------------------------


def test_submit_saves_then_shows_the_answers_again_and_says_it_cannot_be_undone(client, org):
    review = start(client, org.manager, org.engineer, "manager", org.levels["MD2"])
    url = f"/assessments/{review.pk}/"

    asked = client.post(url, answers(review, status="developing", submit="1"))

    assert asked.status_code == 302 and asked.url == f"{url}?confirm=submit"
    review.refresh_from_db()
    assert review.state == "draft" and review.revision == 2  # saved, not submitted
    assert set(review.criteria.values_list("status", flat=True)) == {"developing"}
    html = page(client, asked.url)
    assert "Submit this assessment?" in html
    assert "Submitting cannot be undone" in html
    assert "<textarea" not in html  # the answers as they will be submitted, not a form
    assert html.count("Developing") >= review.criteria.count()
    assert re.search(r'name="revision" value="2"', html)
    assert 'name="confirm"' in html and "Submit, it cannot be undone" in html


def test_the_confirmations_button_submits_the_draft_and_records_it(client, org):
    review = start(client, org.manager, org.engineer, "manager", org.levels["MD2"])

    done = submit(client, review)

    assert done.status_code == 302 and done.url == f"/assessments/{review.pk}/"
    review.refresh_from_db()
    assert review.state == "submitted"
    assert AuditEvent.objects.filter(action="assessment.submitted").count() == 1
    html = page(client, done.url)
    assert "Submitted. It can no longer change" in html
    assert "Submit this assessment?" not in html


def test_a_draft_changed_after_the_confirmation_was_shown_is_not_submitted(client, org):
    review = start(client, org.manager, org.engineer, "manager", org.levels["MD2"])
    url = f"/assessments/{review.pk}/"
    client.post(url, answers(review, submit="1"))
    review.refresh_from_db()
    shown = review.revision
    client.post(url, answers(review, status="exceeds", save="1"))  # another tab saves meanwhile

    refused = client.post(url, {"revision": shown, "confirm": "1"}, follow=True)

    review.refresh_from_db()
    assert review.state == "draft"
    html = html_lib.unescape(refused.content.decode())
    assert "changed after it was shown to you for submitting" in html
    assert "Submit this assessment?" in html  # shown again, as it now stands
    assert not AuditEvent.objects.filter(action="assessment.submitted").exists()


def test_a_confirmation_without_a_revision_is_a_bad_request(client, org):
    review = start(client, org.manager, org.engineer, "manager", org.levels["MD2"])

    response = client.post(f"/assessments/{review.pk}/", {"confirm": "1"})

    assert response.status_code == 400
    review.refresh_from_db()
    assert review.state == "draft"


def test_a_draft_with_answers_missing_offers_no_button_to_submit_it(client, org):
    review = start(client, org.manager, org.engineer, "manager", org.levels["MD2"])

    html = page(client, f"/assessments/{review.pk}/?confirm=submit")

    assert "Still to give before submitting: a rating for Team Contributor" in html
    assert 'name="confirm"' not in html
    refused = client.post(
        f"/assessments/{review.pk}/", {"revision": review.revision, "confirm": "1"}, follow=True
    )
    assert "Not submitted. Before submitting, give" in html_lib.unescape(refused.content.decode())
    review.refresh_from_db()
    assert review.state == "draft"


def test_only_the_author_of_a_draft_is_asked_to_confirm(client, org):
    own = shared_self_assessment(client, org)
    client.force_login(org.manager.user)

    html = page(client, f"/assessments/{own.pk}/?confirm=submit")

    assert "Submit this assessment?" not in html and 'name="confirm"' not in html


# -- the readiness box names every criterion not met --------------------------------------------


def test_the_readiness_box_names_every_criterion_not_met_by_section(client, org):
    md2 = org.levels["MD2"]
    by_section = {
        section: list(md2.criteria.filter(section=section).order_by("position"))
        for section in ("responsibilities", "skills", "soft_skills")
    }
    developing = [by_section["responsibilities"][0], by_section["soft_skills"][1]]
    not_yet = by_section["skills"][2]
    review = start(client, org.manager, org.engineer, "manager", md2)
    submit(
        client,
        review,
        **{f"status-{c.pk}": "developing" for c in developing},
        **{f"status-{not_yet.pk}": "not_yet"},
    )
    client.post(f"/assessments/{review.pk}/share/")
    client.force_login(org.engineer.user)

    html = page(client, f"/people/{org.engineer.pk}/")

    (listed,) = re.findall(r'<ul class="not-met">(.*?)</ul>\s*</li>\s*</ul>', html, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", listed))
    assert "Not met yet (3):" in html
    assert text.index("Responsibilities") < text.index(developing[0].text)
    assert text.index("Skills and Criteria") < text.index(not_yet.text)
    assert text.index("Soft Skills and Collaboration") < text.index(developing[1].text)
    assert f"Developing {developing[0].text}" in text
    assert f"Not yet {not_yet.text}" in text
    met = by_section["skills"][0]
    assert met.text not in text


# -- the reports page ---------------------------------------------------------------------------


def report_names(html: str) -> list[str]:
    return re.findall(r'<th scope="rowgroup"[^>]*><a href="/people/\d+/">([^<]+)</a>', html)


def shared_manager_assessment(person, author, level, *, status="meets", shared_at=None):
    """A shared manager assessment written straight to the tables, meeting `level` everywhere."""
    shared_at = shared_at or timezone.now()
    assessment = Assessment.objects.create(
        person=person,
        level=level,
        author=author,
        role="manager",
        state="shared",
        submitted_at=shared_at,
        shared_at=shared_at,
    )
    CriterionAssessment.objects.bulk_create(
        CriterionAssessment(assessment=assessment, criterion=c, status=status)
        for c in level.criteria.all()
    )
    DimensionRating.objects.bulk_create(
        DimensionRating(
            assessment=assessment, position=r.position, dimension=r.dimension, rating=r.rating
        )
        for r in level.expected_ratings.all()
    )
    # Round the services, so the readiness the reports page reads is stored here.
    readiness_refresh([person.pk])
    return assessment


def test_a_report_not_assessed_shows_an_assess_button_that_starts_the_assessment(client, org):
    client.force_login(org.manager.user)

    html = page(client, "/reports/")

    assert "Not assessed against MD2 yet." in html
    assert "ask your manager" not in html
    form = re.search(
        rf'<form method="post" action="/people/{org.engineer.pk}/assessments/start/".*?</form>',
        html,
        re.S,
    ).group(0)
    assert 'name="role" value="manager"' in form
    assert f'name="manager-level" value="{org.levels["MD2"].pk}"' in form
    assert re.search(
        r"Assess<span class=\"visually-hidden\"> Eve Engineer against MD2</span>", form
    )
    started = client.post(
        f"/people/{org.engineer.pk}/assessments/start/",
        {"role": "manager", "manager-level": org.levels["MD2"].pk},
    )
    draft = Assessment.objects.get(person=org.engineer)
    assert started.url == f"/assessments/{draft.pk}/"
    assert (draft.role, draft.author, draft.level.code) == ("manager", org.manager, "MD2")


def test_every_next_level_of_a_report_is_shown_with_its_own_verdict(client, org):
    LevelAssignment.objects.filter(person=org.peer).update(level=org.levels["SR1"])
    shared_manager_assessment(org.peer, org.manager, org.levels["SR2"], status="developing")
    client.force_login(org.manager.user)

    html = page(client, "/reports/")

    peer = re.search(r'<tbody class="report">(?:(?!</tbody>).)*Pat Peer.*?</tbody>', html, re.S)
    rows = peer.group(0)
    assert rows.count("<tr>") == 2
    assert 'rowspan="2"' in rows
    assert "Not yet ready for SR2" in rows
    assert "Not assessed against TL1 yet." in rows


def test_each_verdict_shows_the_day_of_its_assessment_and_a_stale_one_says_so(
    client, org, settings
):
    settings.ASSESSMENT_STALE_MONTHS = 6
    today = timezone.localdate()
    old = timezone.now() - datetime.timedelta(days=7 * 31)
    shared_manager_assessment(org.engineer, org.manager, org.levels["MD2"], shared_at=old)
    shared_manager_assessment(org.peer, org.manager, org.levels["SR1"])
    client.force_login(org.manager.user)

    html = page(client, "/reports/")

    engineer, peer = (
        re.search(rf'<tbody class="report">(?:(?!</tbody>).)*{name}.*?</tbody>', html, re.S).group(
            0
        )
        for name in ("Eve Engineer", "Pat Peer")
    )
    old_day = timezone.localdate(old)
    assert f'<time datetime="{old_day:%Y-%m-%d}">' in engineer
    assert '<span class="tag stale">Stale</span>' in engineer
    assert "Assess again" in engineer  # an old verdict is worth renewing
    assert f'<time datetime="{today:%Y-%m-%d}">' in peer
    assert "Stale" not in peer and "Assess" not in peer
    assert "6 months old or more is marked stale" in html


def the_sort(client, sort):
    return page(client, f"/reports/?sort={sort}")


def test_reports_sort_by_level_time_in_level_and_verdict_with_the_order_announced(client, org):
    # Below the skip-level manager: Mia TL1 (2021), Eve MD1 (2023), Pat MD2 (2022),
    # Olga JR2 (2024) and Oscar with no level, who always comes last.
    shared_manager_assessment(org.peer, org.manager, org.levels["SR1"])  # Pat is ready for SR1
    client.force_login(org.skip.user)

    by_level = the_sort(client, "level")
    assert report_names(by_level) == [
        "Olga Outside", "Eve Engineer", "Pat Peer", "Mia Manager", "Oscar Other"
    ]  # fmt: skip
    assert report_names(the_sort(client, "-level")) == [
        "Mia Manager", "Pat Peer", "Eve Engineer", "Olga Outside", "Oscar Other"
    ]  # fmt: skip
    assert report_names(the_sort(client, "time")) == [
        "Olga Outside", "Eve Engineer", "Pat Peer", "Mia Manager", "Oscar Other"
    ]  # fmt: skip
    assert report_names(the_sort(client, "-time")) == [
        "Mia Manager", "Pat Peer", "Eve Engineer", "Olga Outside", "Oscar Other"
    ]  # fmt: skip
    assert report_names(the_sort(client, "verdict")) == [
        "Pat Peer", "Eve Engineer", "Mia Manager", "Olga Outside", "Oscar Other"
    ]  # fmt: skip
    assert report_names(the_sort(client, "-verdict")) == [
        "Eve Engineer", "Mia Manager", "Olga Outside", "Pat Peer", "Oscar Other"
    ]  # fmt: skip
    assert report_names(the_sort(client, "nonsense")) == sorted(report_names(by_level))

    heads = re.findall(r"<th scope=\"col\"([^>]*)><a href=\"([^\"]+)\">", by_level)
    assert heads == [
        ("", "?sort=name"),
        (' aria-sort="ascending"', "?sort=-level"),
        ("", "?sort=time"),
        ("", "?sort=verdict"),
    ]
    assert 'aria-sort="descending"' in the_sort(client, "-verdict")


def test_the_reports_page_keeps_its_sort_from_page_to_page(client, org):
    for index in range(51):
        make_person(f"Report {index:02}", f"r{index}@example.com", manager=org.manager, login=False)
    rebuild_paths()
    client.force_login(org.manager.user)

    html = page(client, "/reports/?sort=-name")

    assert report_names(html)[0] == "Report 50"
    assert 'href="?sort=-name&page=2"' in html


@pytest.mark.parametrize("sort", ["name", "verdict", "level", "-time"])
def test_the_reports_page_makes_as_many_queries_for_many_reports_as_for_few(
    client, org, sort, django_assert_max_num_queries
):
    sr1, sr2 = org.levels["SR1"], org.levels["SR2"]

    def add_reports(count):
        for _ in range(count):
            index = LevelAssignment.objects.count()
            person = make_person(
                f"Report {index}", f"report{index}@example.com", manager=org.manager, login=False
            )
            LevelAssignment.objects.create(
                person=person, level=sr1, start=datetime.date(2020, 1, 1), reason="hire"
            )
            shared_manager_assessment(person, org.manager, sr2)
        rebuild_paths()

    client.force_login(org.manager.user)
    add_reports(2)
    with CaptureQueriesContext(connection) as few:
        assert "Ready for SR2." in page(client, f"/reports/?sort={sort}")

    add_reports(10)
    with django_assert_max_num_queries(len(few)):
        html = page(client, f"/reports/?sort={sort}")
    assert html.count("Ready for SR2.") == 12
    assert html.count("Not assessed against TL1 yet.") == 12
