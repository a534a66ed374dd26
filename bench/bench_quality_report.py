"""Benchmark the national risk quality report over real HTTP: ``GET /quality/risk/`` and the API's
``GET /api/v1/quality/risk-disagreements`` through gunicorn, over loopback, for quality assurance (the whole service)
and an SPO (their team).

Starts a throwaway PostgreSQL cluster, loads the demo caseload (``openprobation demo-data``, 250,000 people by
default; the load ends by working out every case's risk facts and their tally, decisions 0030 and 0032), vacuums
and analyses it, signs in the demo's `qa` and `spo` (a session cookie each, and an API token each), starts
``openprobation serve`` (2 workers x 4 threads) and drives it with wrk (Debian's package; installed when missing) at
a few connections, so the figures are latencies rather than a queue. wrk's Lua ``done`` hook prints the p50, p95
and p99 of each run. Measured in the same run, on the same server, first: the floor, a 404 under ``/api/v1/``
(routing, middleware and the problem response).

Target (issue 14, part 7): p95 under 100 ms for the report, page and API, for quality assurance.

    .venv/bin/python bench/bench_quality_report.py                          # 250,000 people
    .venv/bin/python bench/bench_quality_report.py --people 25000 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, demo_served, ensure_wrk, run_django, serving, wrk_run

RESULTS = ROOT / "bench" / "results" / "quality_report.md"
TARGET_P95_MS = 100.0
FLOOR = "floor: 404 under /api/v1/"


def sign_in(env: dict[str, str]) -> dict[str, dict[str, str]]:
    """A session cookie and an API token for the demo's `qa` and `spo`, and the SPO's team."""
    out = run_django(env, (
        "from django.conf import settings\n"
        "from django.contrib.auth import get_user_model\n"
        "from django.test import Client\n"
        "from openprobation.core.tokens import token_create\n"
        "for name in ('qa', 'spo'):\n"
        "    user = get_user_model().objects.get(username=name)\n"
        "    client = Client()\n"
        "    client.force_login(user)\n"
        "    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value\n"
        "    print(name, settings.SESSION_COOKIE_NAME, cookie, token_create(username=name))\n"
    )).splitlines()  # fmt: skip
    found = {}
    for line in out:
        name, cookie_name, cookie, token = line.split()
        found[name] = {"Cookie": f"{cookie_name}={cookie}", "Authorization": f"Bearer {token}"}
    return found


def report_sizes(env: dict[str, str]) -> dict[str, Any]:
    """How many rows the report lists for QA under the policy in force, and how many cases have a row of facts."""
    out = run_django(env, (
        "from django.contrib.auth import get_user_model\n"
        "from openprobation.risk.models import RiskFacts, RiskFactsTally\n"
        "from openprobation.risk.quality import risk_disagreements\n"
        "qa = get_user_model().objects.get(username='qa')\n"
        "page = risk_disagreements(actor=qa)\n"
        "t = page.counts.total\n"
        "print(RiskFacts.objects.count(), page.count, t.rsr, t.tier, t.allocation, t.unverified, t.cannot_check,\n"
        "      RiskFactsTally.objects.count())\n"
    )).split()  # fmt: skip
    keys = ("rows", "listed", "rsr", "tier", "allocation", "unverified", "cannot_check", "tally")
    return dict(zip(keys, map(int, out), strict=True))


def write(results: dict[str, dict[str, Any]], context: dict[str, Any]) -> None:
    floor = results[FLOOR]
    rows = [
        "| endpoint | reader | requests/s | p50 ms | p95 ms | p99 ms | p95 - floor p95 ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        endpoint, _, reader = name.partition(" as ")
        rows.append(f"| {endpoint} | {reader or '-'} | {r['rps']:,.0f} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} |"
                    f" {r['p99_ms']:.1f} | {r['p95_ms'] - floor['p95_ms']:.1f} |")  # fmt: skip
    sizes = context["sizes"]
    text = "\n".join([
        "# The national risk quality report over HTTP",
        "",
        f"Run {dt.date.today().isoformat()} by `bench/bench_quality_report.py`. Machine: {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {context['pg']} (throwaway cluster, fsync off), gunicorn with "
        f"{context['workers']} workers x {context['threads']} threads, wrk with {context['connections']} "
        f"connections for {context['seconds']} s per endpoint, on the same machine (the load generator shares the "
        f"CPUs); load average {context['load']} before the first run.",
        "",
        f"Data: the demo caseload of {context['people']:,} people, vacuumed and analysed after loading; "
        f"{sizes['rows']:,} rows of risk facts; the report for quality assurance (every case) under the policy in "
        f"force lists {sizes['listed']:,} rows (RSR {sizes['rsr']:,}, tier {sizes['tier']:,}, allocation "
        f"{sizes['allocation']:,}, against unverified rules {sizes['unverified']:,}, cannot check "
        f"{sizes['cannot_check']:,}); the tally the national counts are summed from holds {sizes['tally']:,} rows. "
        "The page and the API read page 1 (50 rows) with the counts by team and region.",
        "",
        *rows,
        "",
        f"Target: p95 under {TARGET_P95_MS:.0f} ms for the report (page and API) for quality assurance.",
        "",
    ])  # fmt: skip
    RESULTS.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from bench_demo_data import _postgres_version

    wrk = ensure_wrk()
    results: dict[str, dict[str, Any]] = {}
    with demo_served(args.people, args.seed) as (env, scratch):
        who = sign_in(env)
        sizes = report_sizes(env)
        print(f"report sizes: {sizes}", flush=True)
        load_average = " / ".join(f"{v:.2f}" for v in os.getloadavg())
        with serving(env, workers=args.workers, threads=args.threads) as base:
            api = "/api/v1/quality/risk-disagreements"
            runs = [
                (FLOOR, base + "/api/v1/no-such-endpoint", {}),
                ("GET /quality/risk/ as qa (every case)", base + "/quality/risk/", {"Cookie": who["qa"]["Cookie"]}),
                (f"GET {api} as qa (every case)", base + api, {"Authorization": who["qa"]["Authorization"]}),
                ("GET /quality/risk/ as spo (their team)", base + "/quality/risk/", {"Cookie": who["spo"]["Cookie"]}),
                (f"GET {api} as spo (their team)", base + api, {"Authorization": who["spo"]["Authorization"]}),
            ]
            for name, target, headers in runs:
                if name != FLOOR:  # signed in: the report itself, not a redirect to the sign-in page
                    request = urllib.request.Request(target, headers=headers)  # noqa: S310 (loopback, built here)
                    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                        if response.status != 200 or response.url != target:
                            raise SystemExit(f"{name}: {response.status} {response.url}")
                script = scratch / "run.lua"
                wrk_run(wrk, target, seconds=3, connections=args.connections, headers=headers, script=script)  # warm
                results[name] = r = wrk_run(wrk, target, seconds=args.seconds, connections=args.connections,
                                            headers=headers, script=script)  # fmt: skip
                print(f"{name}: {r['rps']:,.0f} requests/s, p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
                      f"p99 {r['p99_ms']:.1f} ms{', non-2xx ' + str(r['non_2xx']) if r['non_2xx'] else ''}",
                      flush=True)  # fmt: skip
    if not args.no_write:
        write(results, {"pg": _postgres_version(), "workers": args.workers, "threads": args.threads,
                        "connections": args.connections, "seconds": args.seconds, "people": args.people,
                        "sizes": sizes, "load": load_average})  # fmt: skip
        print(f"written {RESULTS.relative_to(ROOT)}")
    measured = [r for name, r in results.items() if name != FLOOR]
    floor_ok = results[FLOOR]["non_2xx"] == results[FLOOR]["requests"]  # the floor is a 404 by design
    ok = floor_ok and all(r["non_2xx"] == 0 for r in measured)
    ok = ok and all(r["p95_ms"] < TARGET_P95_MS for name, r in results.items() if "as qa" in name)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
