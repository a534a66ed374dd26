"""The start page for each role, and My caseload: the signed-in practitioner's cases, sortable by each column on
the server."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from openprobation.caseload import selectors as caseload_selectors
from openprobation.organisation.choices import Role
from openprobation.people.access import staff_for
from openprobation.web.errors import staff_page
from openprobation.workitems import selectors as workitem_selectors

COLUMNS = (
    ("name", "Name"),
    ("crn", "CRN"),
    ("tier", "Tier"),
    ("rosh", "RoSH"),
    ("next_appointment", "Next appointment"),
    ("sentence_end", "Sentence end"),
)


@dataclass(frozen=True)
class SortableHeader:
    key: str
    label: str
    aria_sort: str  # "ascending", "descending" or "none"
    href: str


def sortable_headers(current: str, descending: bool) -> list[SortableHeader]:
    """Each column's header: the sorted one links to the opposite order, the others to ascending."""
    headers = []
    for key, label in COLUMNS:
        if key == current:
            aria = "descending" if descending else "ascending"
            order = "asc" if descending else "desc"
        else:
            aria, order = "none", "asc"
        headers.append(SortableHeader(key, label, aria, "?" + urlencode({"sort": key, "order": order})))
    return headers


def landing_url(staff: Any) -> str:
    """Where each role starts: a practitioner's caseload, an SPO's team queue, a head of service's teams (the PDU),
    quality assurance's search (with the reports in the menu), an administrator's administration."""
    if staff is None:
        return reverse("web:caseload")
    if staff.role == Role.SPO and staff.team is not None:
        return reverse("web:team-queue", args=[staff.team.code])
    return reverse(LANDING.get(staff.role, "web:caseload"))


LANDING = {
    Role.HEAD_OF_SERVICE: "web:team",
    Role.QUALITY_ASSURANCE: "web:search",
    Role.ADMINISTRATOR: "admin:index",
}


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    return redirect(landing_url(staff_for(request.user)))


@staff_page
def caseload(request: HttpRequest) -> HttpResponse:
    sort = request.GET.get("sort", "name")
    if sort not in dict(COLUMNS):
        sort = "name"
    descending = request.GET.get("order") == "desc"
    rows = caseload_selectors.caseload_rows(actor=request.user, sort=sort, descending=descending)
    crns = [row.crn for row in rows]
    return render(
        request,
        "web/caseload.html",
        {"rows": rows, "headers": sortable_headers(sort, descending), "nav": "caseload",
         "clocks": workitem_selectors.running_clocks(crns=crns)},
    )
