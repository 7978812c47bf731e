"""The Django admin follows the pages' rules for assessments: a draft is its author's alone."""

import pytest

from tests.assessments.test_flow import answers, start, submit

pytestmark = pytest.mark.django_db

SECRET = "Still making up my mind about this one."


def drafted_by_the_manager(client, org):
    draft = start(client, org.manager, org.engineer, "manager", org.levels["MD2"])
    first = draft.criteria.first()
    client.post(
        f"/assessments/{draft.pk}/",
        answers(draft, save="1", **{f"comment-{first.criterion_id}": SECRET}),
    )
    assert draft.criteria.filter(comment=SECRET).exists()
    draft.refresh_from_db()
    return draft


def test_an_admin_cannot_read_another_managers_draft_in_the_django_admin(client, org):
    draft = drafted_by_the_manager(client, org)
    client.force_login(org.admin.user)

    change = client.get(f"/admin/assessments/assessment/{draft.pk}/change/", follow=True)
    listing = client.get("/admin/assessments/assessment/")
    search = client.get("/admin/assessments/assessment/?q=Eve")

    assert SECRET not in change.content.decode()
    assert "doesn’t exist" in change.content.decode()
    assert client.get(f"/assessments/{draft.pk}/").status_code == 404  # as on the pages
    for response in (listing, search):
        assert response.status_code == 200
        assert f"/admin/assessments/assessment/{draft.pk}/change/" not in response.content.decode()


def test_once_submitted_the_admin_reads_it_as_the_pages_do(client, org):
    draft = drafted_by_the_manager(client, org)
    submit(client, draft)
    draft.refresh_from_db()
    assert draft.state == "submitted"
    client.force_login(org.admin.user)

    change = client.get(f"/admin/assessments/assessment/{draft.pk}/change/")

    assert change.status_code == 200
    assert client.get(f"/assessments/{draft.pk}/").status_code == 200
