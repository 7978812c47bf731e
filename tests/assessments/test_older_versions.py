"""Ratings recorded under an earlier ladder version keep rendering after the ladder changes."""

import re

import pytest

from ladder.assessments.models import Assessment, DimensionRating
from ladder.frameworks.services import ladder_import
from tests.assessments.test_flow import start, submit
from tests.conftest import DOTNET

pytestmark = pytest.mark.django_db


def narrowed(text: str, top: int) -> str:
    """The bundled ladder on a 1-to-`top` scale, its higher expected ratings lowered to `top`."""
    text = text.replace("scale: {min: 1, max: 5}", f"scale: {{min: 1, max: {top}}}")

    def lower(row: re.Match) -> str:
        return re.sub(r"\d+", lambda n: str(min(int(n[0]), top)), row[0])

    return re.sub(r"^\|(?: *\d+ *\|)+ *$", lower, text, flags=re.MULTILINE)


@pytest.fixture
def shared_with_top_ratings(client, org):
    """The engineer's manager and self assessments against MD2, shared, rating every dimension 5."""
    for author, role in [(org.engineer, "self"), (org.manager, "manager")]:
        assessment = start(client, author, org.engineer, role, org.levels["MD2"])
        submit(client, assessment, rating=5)
        client.post(f"/assessments/{assessment.pk}/share/")
    assert set(DimensionRating.objects.values_list("rating", flat=True)) == {5}
    return org


@pytest.mark.parametrize("top", [4, 3])
def test_a_narrower_scale_in_a_new_version_leaves_every_page_showing_the_old_ratings(
    client, shared_with_top_ratings, top
):
    org = shared_with_top_ratings
    result = ladder_import(
        source=narrowed(DOTNET.read_text(), top), source_name="narrow.md", slug="dotnet"
    )
    assert (result.version.number, result.version.scale_max) == (2, top)
    review = Assessment.objects.get(role="manager")

    for who in (org.engineer, org.manager, org.admin):
        client.force_login(who.user)
        person_page = client.get(f"/people/{org.engineer.pk}/")
        assert person_page.status_code == 200, who
        html = person_page.content.decode()
        assert "Manager rating rates People Management 5, outside this chart" in html
        assert f"1–{top} scale: drawn on the outer ring." in html
        for url in (
            f"/assessments/{review.pk}/",
            f"/people/{org.engineer.pk}/assessments/",
            f"/people/{org.engineer.pk}/assessments/side-by-side/",
            f"/people/{org.engineer.pk}/plan/",
        ):
            assert client.get(url).status_code == 200, (who, url)
    client.force_login(org.manager.user)
    assert client.get("/reports/").status_code == 200
