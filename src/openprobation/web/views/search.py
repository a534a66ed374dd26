"""Finding a case by CRN or name, among the cases the user may see."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openprobation.people import selectors as people_selectors
from openprobation.web.errors import staff_page

MAX_RESULTS = 50


@staff_page
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").replace("\x00", "").strip()[: people_selectors.MAX_SEARCH_LENGTH]
    results = people_selectors.people_search(actor=request.user, query=query, limit=MAX_RESULTS) if query else []
    return render(
        request,
        "web/search.html",
        {"query": query, "results": results, "searched": bool(query), "limit": MAX_RESULTS, "nav": "search"},
    )
