"""Render a Django template to a PDF (WeasyPrint), fetching nothing from outside the document.

A document is HTML built from the record with Django's auto-escaping, then laid out by WeasyPrint with the print
styles in ``documents/base.html``. Every URL the layout engine would fetch (images, style sheets, fonts named by URL)
is refused: what is in a document is what the template wrote, never something a value in the record points at.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NoReturn

from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

log = logging.getLogger(__name__)


class ExternalResourceRefused(ValueError):
    """A document tried to load something by URL."""


class _NoFetching(URLFetcher):
    """WeasyPrint's fetcher, refusing every URL: the resource is left out and a warning logged."""

    def fetch(self, url: str, headers: Any = None) -> NoReturn:
        log.warning("a document asked to load %r: refused", url[:200])
        raise ExternalResourceRefused(f"documents load nothing by URL (asked for {url[:80]!r})")


def render_html(template_name: str, context: Mapping[str, Any]) -> str:
    """The document's HTML, as the PDF will lay it out."""
    return render_to_string(template_name, dict(context))


def render_pdf(template_name: str, context: Mapping[str, Any]) -> bytes:
    """The PDF of ``template_name`` (which should extend ``documents/base.html``) filled with ``context``."""
    return html_to_pdf(render_html(template_name, context), name=template_name)


def html_to_pdf(html: str, *, name: str = "document") -> bytes:
    """Lay out ``html`` as a PDF, loading nothing by URL."""
    pdf = HTML(string=html, url_fetcher=_NoFetching(), base_url=None).write_pdf()
    if pdf is None:  # pragma: no cover - write_pdf returns bytes when no target is given
        raise RuntimeError("WeasyPrint returned no PDF")
    log.info("rendered %s (%d bytes)", name, len(pdf))
    return bytes(pdf)
