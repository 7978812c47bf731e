"""Packets as PDF: the page's content, one case a document or a whole cycle, nothing fetched
from the network.

Neither pypdf nor pdftotext is installed here, so a PDF's text is read from WeasyPrint's own
layout of the same document: the text boxes of each page, in order.
"""

import re
import zlib

import pytest
from django.conf import settings

from ladder.promotions import cases, pdf, permissions
from ladder.promotions.packet import packet_of
from tests.promotions.test_cases import assessed, cycle, opened, ready, submitted

pytestmark = pytest.mark.django_db
__all__ = ["cycle", "ready"]  # fixtures


def page_texts(document) -> list[str]:
    """Each page's text: its text boxes in order, with single spaces between words."""
    return [
        " ".join(
            " ".join(
                box.text for box in page._page_box.descendants() if getattr(box, "text", None)
            ).split()
        )
        for page in document.pages
    ]


def pages_in(content: bytes) -> int:
    """How many page objects a PDF holds. WeasyPrint keeps its objects in compressed object
    streams, so each stream is inflated and read."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", content, re.DOTALL)
    found = 0
    for stream in streams:
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            continue
        found += len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", text))
    return found


def document_of(org, *case_list):
    packets = [packet_of(permissions.get_visible_case(org.admin.user, c.pk)) for c in case_list]
    return pdf.packets_document(packets, title="Test")


def test_the_packet_pdf_is_a_pdf_of_the_case_with_the_pages_content(client, ready):
    case = submitted(ready)
    cases.case_note_add(by_person=ready.skip, case=case, kind="comment", text="Ready indeed.")
    client.force_login(ready.manager.user)

    response = client.get(f"/cases/{case.pk}/packet.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    document = document_of(ready, case)
    assert pages_in(response.content) == len(document.pages) >= 2
    assert f'filename="case-{case.pk}-eve-engineer.pdf"' in response["Content-Disposition"]
    text = " ".join(page_texts(document))
    for words in (
        "Promotion case: Eve Engineer",
        "Recommendation",
        "Eve has led the payments rewrite.",
        "Ready for MD2.",
        "Ratings per dimension",
        "Skills and Criteria",
        "Level history",
        "Ready indeed.",
    ):
        assert words in text, words


def test_a_case_for_someone_not_ready_puts_the_gaps_and_justification_on_the_first_page(org):
    assessed(org, below=1)
    case = opened(org, justification="The migration speaks for itself.")

    first = page_texts(document_of(org, case))[0]

    assert "Not ready for MD2 by the ladder's rules" in first
    assert "The migration speaks for itself." in first
    assert first.index("Justification") < first.index("Recommendation")


def test_the_cycle_pdf_holds_every_case_each_from_a_new_page(client, ready, cycle):
    first = submitted(ready)
    second = cases.case_open(
        by=ready.manager.user,
        person=ready.peer,
        to_level=ready.levels["SR1"],
        recommendation="Pat runs the platform.",
        justification="Never assessed against SR1, but the platform shows it.",
    )
    client.force_login(ready.committee.user)

    response = client.get(f"/cycles/{cycle.pk}/cases.pdf")

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert 'filename="cases-2026-round.pdf"' in response["Content-Disposition"]
    # Ordered by name, as the download is.
    document = document_of(ready, first, second)
    assert pages_in(response.content) == len(document.pages)
    pages = page_texts(document)
    starts = [n for n, text in enumerate(pages) if text.startswith("Promotion case:")]
    assert [pages[n].split(",")[0] for n in starts] == [
        "Promotion case: Eve Engineer",
        "Promotion case: Pat Peer",
    ]
    assert starts[0] == 0 and len(pages) > starts[1] > starts[0]


def test_a_committee_member_with_a_case_of_their_own_gets_the_others_only(client, ready, cycle):
    submitted(ready)
    cycle.committee.add(ready.engineer)
    client.force_login(ready.engineer.user)

    found = permissions.readable_cases_of_cycle(ready.engineer.user, cycle)

    assert not found.exists()
    assert client.get(f"/cycles/{cycle.pk}/cases.pdf").status_code == 200


def test_the_fetcher_serves_the_apps_static_files_and_refuses_everything_else():
    fetcher = pdf.StaticFilesOnly()
    css = fetcher.fetch(f"{settings.SITE_URL}/static/ladder/site.css")
    assert b"/* Promotion cases */" in css.read() and css.content_type == "text/css"

    for url in (
        "https://example.com/static/ladder/site.css",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        f"{settings.SITE_URL}/static/../settings.py",
        f"{settings.SITE_URL}/static/%2e%2e/settings.py",
        f"{settings.SITE_URL}/people/1/",
        "data:text/css,body{}",
    ):
        with pytest.raises(ValueError, match="not fetched"):
            fetcher.fetch(url)


def test_making_a_pdf_fetches_only_the_stylesheet_and_never_the_network(ready, monkeypatch):
    evidence_link = "https://example.com/design-doc"
    case = opened(ready)
    fetched = []
    serve = pdf.StaticFilesOnly.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return serve(self, url, headers)

    monkeypatch.setattr(pdf.StaticFilesOnly, "fetch", spy)

    def no_network(*args, **kwargs):
        raise AssertionError("the network was reached")

    monkeypatch.setattr("urllib.request.OpenerDirector.open", no_network)
    monkeypatch.setattr("socket.create_connection", no_network)
    html = pdf.packets_html([packet_of(case)], title="Test") + f'<img src="{evidence_link}">'
    pdf.HTML(string=html, base_url=pdf.base_url(), url_fetcher=pdf.StaticFilesOnly()).render()

    assert fetched == [f"{settings.SITE_URL}/static/ladder/site.css", evidence_link]
