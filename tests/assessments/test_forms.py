"""The assessment form reads the page's own input names and takes only ASCII whole numbers."""

import pytest
from django.http import QueryDict

from ladder.assessments import services
from ladder.assessments.forms import AssessmentAnswersForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(org):
    return services.assessment_start(
        author=org.engineer, person=org.engineer, level=org.levels["MD2"], role="self"
    )


def posted(**fields) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def test_answers_are_read_by_dimension_and_criterion_with_blanks_as_nothing(draft):
    first, second = list(draft.criteria.all())[:2]
    rows = list(draft.ratings.all())
    form = AssessmentAnswersForm(
        posted(
            revision="3",
            summary="  as typed  ",
            **{
                f"rating-{rows[0].position}": "4",
                f"status-{first.criterion_id}": "meets",
                f"comment-{first.criterion_id}": " kept ",
                f"evidence-{first.criterion_id}": ["7", "", "9"],
            },
        ),
        assessment=draft,
    )

    assert form.is_valid()
    answers = form.answers()
    assert (answers["revision"], answers["summary"]) == (3, "  as typed  ")
    assert answers["ratings"] == {rows[0].dimension: 4, **{r.dimension: None for r in rows[1:]}}
    assert answers["criteria"][first.criterion_id] == services.CriterionInput(
        "meets", " kept ", [7, 9]
    )
    assert answers["criteria"][second.criterion_id] == services.CriterionInput("", "", [])


@pytest.mark.parametrize("value", ["²", "٣", "3.5", "three", "3\u200b"])
def test_a_rating_or_evidence_id_in_anything_but_ascii_digits_is_refused(draft, value):
    item = draft.criteria.first()
    position = draft.ratings.first().position

    assert not AssessmentAnswersForm(
        posted(**{f"rating-{position}": value}), assessment=draft
    ).is_valid()
    assert not AssessmentAnswersForm(
        posted(**{f"evidence-{item.criterion_id}": value}), assessment=draft
    ).is_valid()
    assert not AssessmentAnswersForm(posted(revision=value), assessment=draft).is_valid()


def test_a_nul_or_an_unknown_status_passes_the_form_for_the_service_to_name(draft):
    item = draft.criteria.first()
    form = AssessmentAnswersForm(
        posted(summary="a\x00b", **{f"status-{item.criterion_id}": "brilliant"}), assessment=draft
    )

    assert form.is_valid()
    assert form.answers()["summary"] == "a\x00b"
    assert form.answers()["criteria"][item.criterion_id].status == "brilliant"


def test_no_management_form_is_needed_and_no_count_is_taken_from_the_request(draft):
    data = posted(**{"ratings-TOTAL_FORMS": "5000", "criteria-TOTAL_FORMS": "0"})
    form = AssessmentAnswersForm(data, assessment=draft)

    assert form.is_valid()
    assert len(form.answers()["criteria"]) == draft.criteria.count()
    assert len(form.answers()["ratings"]) == draft.ratings.count()
