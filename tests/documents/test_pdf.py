"""PDFs rendered from templates are real PDFs, read back as text; values are escaped; nothing is fetched by URL."""

from __future__ import annotations

import io
import logging

import pytest
from django.template import Context, Template
from pypdf import PdfReader

from openprobation.documents.pdf import html_to_pdf

DOCUMENT = Template(
    "{% extends 'documents/base.html' %}{% block content %}"
    "<h1>{{ title }}</h1><p class='prose'>{{ body }}</p>{% endblock %}"
)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def render(**context: object) -> bytes:
    return html_to_pdf(DOCUMENT.render(Context(context)))


def test_a_document_is_a_pdf_whose_text_reads_back() -> None:
    pdf = render(title="Breach report", body="Failed to attend on 3 March 2026.", footer="A123456 Jo Bloggs")
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert "Breach report" in text
    assert "Failed to attend on 3 March 2026." in text
    assert "OFFICIAL-SENSITIVE" in text  # the protective marking on every page
    assert "A123456 Jo Bloggs" in text  # the running footer
    assert "Page 1 of 1" in text


def test_values_from_the_record_are_text_never_markup() -> None:
    text = text_of(render(title="Report", body="<b>bold</b> & O'Brien's \"notes\"", footer="O'Brien"))
    assert "<b>bold</b> & O'Brien's \"notes\"" in text
    assert "&#x27;" not in text and "&amp;" not in text


def test_long_documents_number_their_pages() -> None:
    text = text_of(render(title="Long", body="\n".join(f"Line {n}" for n in range(200))))
    assert "Page 1 of " in text and "Line 199" in text
    assert int(text.split("Page 1 of ")[1].split()[0]) >= 3


@pytest.mark.parametrize(
    "markup",
    [
        "<img src='http://169.254.169.254/latest/meta-data/'>",
        "<link rel='stylesheet' href='http://example.invalid/x.css'>",
        "<img src='file:///etc/passwd'>",
    ],
    ids=["image over http", "style sheet over http", "local file"],
)
def test_nothing_is_loaded_by_url(markup: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="openprobation.documents.pdf"):
        out = html_to_pdf(f"<html><body><p>Before</p>{markup}<p>After</p></body></html>")
    assert "Before" in text_of(out) and "After" in text_of(out)
    refused = [r.getMessage() for r in caplog.records if r.name == "openprobation.documents.pdf"]
    assert len(refused) == 1 and refused[0].endswith("refused")
