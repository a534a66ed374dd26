"""Team caseloads: for senior probation officers, heads of service, quality assurance and administrators."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openprobation.allocation import selectors as allocation_selectors
from openprobation.organisation import selectors as organisation_selectors
from openprobation.organisation.choices import Role
from openprobation.people import access_lists
from openprobation.people import selectors as people_selectors
from openprobation.people.access import TEAM_VIEWERS, has_role, require_role
from openprobation.rules.workload.policy import workload_policy
from openprobation.web.errors import staff_page
from openprobation.workitems import selectors as workitem_selectors
from openprobation.workload import selectors as workload_selectors


@staff_page
def teams(request: HttpRequest) -> HttpResponse:
    require_role(request.user, *TEAM_VIEWERS)
    summaries = []
    for team in organisation_selectors.teams_for_actor(actor=request.user):
        counts = people_selectors.team_caseload_counts(actor=request.user, team=team)
        summaries.append({"team": team, "staff": len(counts), "cases": sum(c.cases for c in counts)})
    return render(request, "web/teams.html", {"summaries": summaries, "nav": "team"})


@staff_page
def team(request: HttpRequest, code: str) -> HttpResponse:
    require_role(request.user, *TEAM_VIEWERS)
    found = organisation_selectors.team_get_for_actor(actor=request.user, code=code)
    counts = people_selectors.team_caseload_counts(actor=request.user, team=found)
    # The team's manager (and the head of service over it) sees every change to its cases' access lists.
    manages = has_role(request.user, Role.SPO, Role.HEAD_OF_SERVICE)
    trend = workload_selectors.team_trend(team=found)
    threshold = workload_policy().overload_percent
    return render(
        request,
        "web/team.html",
        {"team": found, "counts": counts, "total": sum(c.cases for c in counts), "nav": "team",
         "access_changes": access_lists.access_changes_for_team(actor=request.user, team=found) if manages else [],
         "workloads": workload_selectors.team_workloads(team=found),
         "clocks": workitem_selectors.team_running_clocks(actor=request.user, team=found),
         "threshold": threshold, "trend": trend, "trend_width": max(20, len(trend) * 20),
         "threshold_y": workload_selectors.CHART_TOP - threshold,
         "case_mix": workload_selectors.team_case_mix(actor=request.user, team=found),
         "alerts": workload_selectors.team_overload_alerts(team=found),
         "unallocated": allocation_selectors.unallocated_count(actor=request.user, team=found)},
    )
