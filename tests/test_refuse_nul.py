"""A NUL character in any value sent to any page is refused with a 400, never stored or a 500."""

import pytest

from ladder.assessments.models import Assessment
from tests.assessments.test_flow import answers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/ladders/dotnet/search/?q=lead%00er",
        "/people/?name=%00",
        "/people/?team=%00",
        "/ladders/dotnet/compare/?a=TL1&b=TL2%00",
        "/ladders/dotnet/versions/?version=1%00",
        "/reports/?page=1%00",
        "/people/?%00=1",
    ],
)
def test_a_nul_in_the_query_string_is_a_400_on_any_page(client, org, url):
    client.force_login(org.admin.user)

    response = client.get(url)

    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_in_an_assessment_comment_is_a_400_and_the_draft_is_unchanged(client, org):
    client.force_login(org.engineer.user)
    client.post(
        f"/people/{org.engineer.pk}/assessments/start/",
        {"role": "self", "self-level": org.levels["MD2"].pk},
    )
    draft = Assessment.objects.get()
    first = draft.criteria.first()

    for field in (f"comment-{first.criterion_id}", "summary"):
        response = client.post(
            f"/assessments/{draft.pk}/", answers(draft, save="1", **{field: "before\x00after"})
        )
        assert response.status_code == 400
        assert field in response.content.decode()

    draft.refresh_from_db()
    assert draft.revision == 1 and draft.summary == ""
    assert not draft.criteria.exclude(comment="").exists()


def test_a_nul_in_a_sign_in_attempt_is_a_400(client, org):
    response = client.post("/accounts/login/", {"username": "eve@example.com\x00", "password": "x"})

    assert response.status_code == 400


def test_a_session_cookie_holding_a_nul_is_dropped_not_a_500(client, org):
    client.cookies["sessionid"] = "\x00abcdefghijklmnop"

    home = client.get("/")
    people = client.get("/people/")

    assert home.status_code == 200
    assert people.status_code == 302 and "/accounts/login/" in people["Location"]


def test_a_nul_in_a_header_or_the_address_is_a_400(client, org):
    sign_in = client.post(
        "/accounts/login/",
        {"username": "eve@example.com", "password": "wrong"},
        HTTP_USER_AGENT="probe\x00",
    )
    address = client.get("/ladders/dotnet/levels/TL2%00/")

    assert sign_in.status_code == 400 and "User-Agent" in sign_in.content.decode()
    assert address.status_code == 400
