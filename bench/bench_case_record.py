"""Benchmark the case-record pages and API at national scale: caseload, case page, search, team counts, API lists,
the risk QA report.

Starts a throwaway PostgreSQL cluster, loads the 250,000-person demo caseload (``openprobation demo-data``), then
requests each page and API list the way a user does (Django's test client: URL routing, access rules, queries and
template rendering included) and reports the median and p90 time, the number of queries (fixed per page: no N+1)
and the indexes the slowest query uses (EXPLAIN ANALYZE). Target: under 300 ms per page.

    .venv/bin/python bench/bench_case_record.py                     # 250,000 people (about 2 minutes)
    .venv/bin/python bench/bench_case_record.py --people 10000 --no-write
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, measure, measure_main, request

RESULTS = ROOT / "bench" / "results" / "case_record.md"
TARGET_MS = 300.0


def run_measurements(repeats: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from openprobation.core.tokens import token_create
    from openprobation.organisation.models import Staff
    from openprobation.people.models import Person

    users = get_user_model().objects
    po = Staff.objects.get(user__username="po")
    spo = Staff.objects.get(user__username="spo")
    case = Person.objects.filter(practitioner=po).order_by("crn").first()
    assert case is not None
    surname = case.last_name

    def client_for(username: str) -> Any:
        client = Client()
        client.force_login(users.get(username=username))
        return client

    po_client, spo_client, qa_client = client_for("po"), client_for("spo"), client_for("qa")
    qa_token = token_create(username="qa")
    api_client = Client(headers={"Authorization": f"Bearer {qa_token}"})
    context = {"case": case.crn, "caseload": Person.objects.filter(practitioner=po).count(), "team": spo.team.code,
               "people": Person.objects.count()}
    checks = [
        ("practitioner's caseload (sorted by RoSH)", request(po_client, "/caseload/?sort=rosh&order=desc")),
        ("case overview", request(po_client, f"/case/{case.crn}/")),
        ("case activity log (contacts)", request(po_client, f"/case/{case.crn}/activity/")),
        ("case risk section", request(po_client, f"/case/{case.crn}/risk/")),
        ("search by date of birth (QA)", request(qa_client, f"/search/?q={case.date_of_birth:%d/%m/%Y}")),
        ("record-a-contact form", request(po_client, f"/case/{case.crn}/contacts/new/")),
        ("search by surname (QA: every case)", request(qa_client, f"/search/?q={surname}")),
        ("search by CRN (QA)", request(qa_client, f"/search/?q={case.crn}")),
        ("SPO's team caseload counts", request(spo_client, f"/team/{spo.team.code}/")),
        ("API: people list page 1 with count (QA: every case)", request(api_client, "/api/v1/people?page_size=50")),
        ("API: people list of one team", request(api_client, f"/api/v1/people?team={spo.team.code}")),
        ("API: a case's contacts", request(api_client, f"/api/v1/people/{case.crn}/contacts")),
        ("risk QA report page (QA: every case)", request(qa_client, "/quality/risk/")),
        ("risk QA report page (SPO: own team)", request(spo_client, "/quality/risk/")),
        ("API: risk disagreements page 1 (QA)", request(api_client, "/api/v1/quality/risk-disagreements")),
    ]
    return [measure(name, run, repeats) for name, run in checks], context


def write(results: list[dict[str, Any]], context: dict[str, Any], people: int, load_seconds: float, pg: str
          ) -> None:
    import platform

    lines = [
        "# Case record at national scale: page and API timings",
        "",
        "Measured with `python bench/bench_case_record.py`.",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {pg} (throwaway cluster, fsync off).",
        "",
        f"Data: the demo caseload of {context['people']:,} people (loaded in {load_seconds:.0f} s). Pages for the"
        f" demo practitioner `po` ({context['caseload']} cases; case {context['case']}), the SPO of team"
        f" {context['team']}, and quality assurance (`qa`, who may see every case). Each figure is the median of"
        f" repeated requests after a warm-up, through Django's test client (routing, access rules, queries and"
        f" template rendering included); target under {TARGET_MS:.0f} ms.",
        "",
        "| request | median ms | p90 ms | queries | indexes used (slowest query) | within target |",
        "| --- | ---: | ---: | ---: | --- | --- |",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['median_ms']:.1f} | {r['p90_ms']:.1f} | {r['queries']} | "
            f"{', '.join(r['indexes']) or '(sequential)'} | {'yes' if r['median_ms'] < TARGET_MS else 'NO'} |"
        )
    for r in results:
        lines += ["", f"## EXPLAIN ANALYZE of the slowest query: {r['name']}", "", "```", r["plan"], "```"]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")


def main() -> int:
    return measure_main(__doc__ or "", run_measurements, write, results_file=RESULTS, target_ms=TARGET_MS, repeats=15)


if __name__ == "__main__":
    raise SystemExit(main())
