"""Promotion packets as PDF (WeasyPrint): the packet page's own template, with the print rules of
the site's stylesheet, one case to a document or a whole cycle's cases with a page break
between them.

WeasyPrint would fetch whatever a document points at, from anywhere. Its fetcher here serves
the app's own static files from disk and refuses everything else, so making a PDF never
reaches the network or reads a file outside the static folders.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.templatetags.static import static
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .packet import Packet


class _BrowserOnlyCss(logging.Filter):
    """site.css is written for browsers: WeasyPrint warns of every rule it does not take (SVG
    fills, sticky positions, screen-width media queries) on every PDF, which tells nothing
    about the packet. Those warnings are dropped; a refused fetch and anything else still show."""

    NOISE = (
        "Ignored `",
        "Invalid media type",
        "Expected a media type",
        "Invalid or unsupported selector",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and record.msg.startswith(self.NOISE))


logging.getLogger("weasyprint").addFilter(_BrowserOnlyCss())


def base_url() -> str:
    """Links in a PDF point at the site itself."""
    return f"{settings.SITE_URL}/"


class StaticFilesOnly(URLFetcher):
    """Serves the app's static files from disk; refuses any other address."""

    def fetch(self, url, headers=None):
        path = static_file(url)
        if path is None:
            raise ValueError(f"not one of the app's static files, so not fetched: {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def static_file(url: str) -> Path | None:
    """The file on disk of a static URL of this site, or None for any other URL."""
    prefix = urljoin(base_url(), static(""))
    if not url.startswith(prefix):
        return None
    name = unquote(urlsplit(url).path[len(urlsplit(prefix).path) :])
    if not name or posixpath.normpath(name) != name or name.startswith(("/", "..")):
        return None
    try:
        found = finders.find(name)
    except SuspiciousFileOperation:
        return None
    return Path(found) if found else None


def packets_html(packets: list[Packet], *, title: str) -> str:
    return render_to_string("promotions/packet_pdf.html", {"packets": packets, "title": title})


def packets_document(packets: list[Packet], *, title: str):
    """The laid-out WeasyPrint document (its `pages` tell how many)."""
    html = HTML(
        string=packets_html(packets, title=title),
        base_url=base_url(),
        url_fetcher=StaticFilesOnly(),
        media_type="print",
    )
    return html.render()


def packets_pdf(packets: list[Packet], *, title: str) -> bytes:
    return packets_document(packets, title=title).write_pdf()
