"""The pagination partial shows the first and last pages, two either side of the current one and the ellipses,
worked out from the numbers shown (``page_links``): the same links, in the same order, as visiting every page
number in the template did, for short and long reports and every position in them."""

from __future__ import annotations

import re

import pytest
from django.core.paginator import Paginator
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory

from openprobation.web.templatetags.web_format import page_links

# The loop the partial had: every page number visited, each tested in the template.
EVERY_PAGE = """{% load web_format %}
{% for number in page.paginator.page_range %}
{% if number == page.number %}
<li class="govuk-pagination__item govuk-pagination__item--current"><a class="govuk-link govuk-pagination__link" href="{% query_with page=number %}{% if fragment %}#{{ fragment }}{% endif %}" aria-label="Page {{ number }}" aria-current="page">{{ number }}</a></li>
{% elif number == 1 or number == page.paginator.num_pages or number|add:"-2" <= page.number and number|add:"2" >= page.number %}
<li class="govuk-pagination__item"><a class="govuk-link govuk-pagination__link" href="{% query_with page=number %}{% if fragment %}#{{ fragment }}{% endif %}" aria-label="Page {{ number }}">{{ number }}</a></li>
{% elif number == 2 or number == page.paginator.num_pages|add:"-1" %}
<li class="govuk-pagination__item govuk-pagination__item--ellipses">&ctdot;</li>
{% endif %}
{% endfor %}"""  # noqa: E501


def items(html: str) -> list[str]:
    """The list items, whitespace aside."""
    return [re.sub(r"\s+", " ", item) for item in re.findall(r"<li .*?</li>", html, flags=re.S)]


CASES = [(pages, current) for pages in (2, 3, 5, 6, 7, 8, 9, 892) for current in sorted({1, 2, 3, 4, 5, pages - 2,
         pages - 1, pages, pages // 2} & set(range(1, pages + 1)))]  # fmt: skip


@pytest.mark.parametrize(("pages", "current"), CASES, ids=[f"{p}_pages_at_{c}" for p, c in CASES])
def test_the_partial_shows_what_visiting_every_page_showed(pages, current):
    page = Paginator(range(pages * 50), 50).get_page(current)
    request = RequestFactory().get("/quality/risk/", {"policy": "2021-unified", "page": current})
    context = {"page": page, "request": request, "fragment": "cases"}
    expected = items(Template(EVERY_PAGE).render(Context(context)))
    shown = items(render_to_string("web/partials/pagination.html", context))
    assert shown == expected and len(expected) <= 9


@pytest.mark.parametrize(
    ("pages", "current", "links"),
    [
        (1, 1, [(1, "current")]),
        (7, 4, [(1, "link"), (2, "link"), (3, "link"), (4, "current"), (5, "link"), (6, "link"), (7, "link")]),
        (8, 4, [(1, "link"), (2, "link"), (3, "link"), (4, "current"), (5, "link"), (6, "link"), (7, "ellipsis"),
                (8, "link")]),
        (892, 1, [(1, "current"), (2, "link"), (3, "link"), (891, "ellipsis"), (892, "link")]),
    ],
    ids=["one_page", "seven_pages_all_shown", "eight_pages_one_ellipsis", "national_report_first_page"],
)
def test_page_links(pages, current, links):
    assert page_links(Paginator(range(pages * 50), 50).get_page(current)) == links
