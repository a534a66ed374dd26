"""Benchmark the API's read path under load: ``GET /api/v1/people/{crn}`` through gunicorn, over loopback.

Starts a throwaway PostgreSQL cluster, loads the demo caseload (``openprobation demo-data``, 250,000 people by
default), gives the demo practitioner `po` an API token, starts ``openprobation serve`` (2 workers, as production
defaults) and drives it with wrk (Debian's package; installed when missing) at 16 connections, cycling through the
cases `po` may see. Measured in the same run, on the same server:

- the floor: a 404 under ``/api/v1/`` (routing, middleware and the problem response, no token check, no query);
- ``GET /api/v1/people/{crn}`` (token, access rule, person, limited-access check, serialisation);
- ``GET /api/v1/openapi.json`` (built once per process and cached).

Targets (the issue that asked for them): at least 800 requests/s, p99 under 50 ms, and at least 0.25x the floor.

    .venv/bin/python bench/bench_api_read.py                          # 250,000 people
    .venv/bin/python bench/bench_api_read.py --people 25000 --no-write
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, demo_served, ensure_wrk, run_django, serving, wrk_run

RESULTS = ROOT / "bench" / "results" / "api_read.md"
TARGET_RPS, TARGET_P99_MS, TARGET_RATIO = 800.0, 50.0, 0.25
LUA = """
local crns = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", "/api/v1/people/" .. crns[(i %% #crns) + 1], {["Authorization"] = "Bearer %s"})
end
"""


def setup_token_and_cases(env: dict[str, str]) -> tuple[str, list[str]]:
    out = run_django(env, (
        "from openprobation.core.tokens import token_create\n"
        "from openprobation.organisation.models import Staff\n"
        "from openprobation.people.selectors import people_list\n"
        "po = Staff.objects.get(user__username='po')\n"
        "print(token_create(username='po'))\n"
        "print(' '.join(people_list(actor=po.user).values_list('crn', flat=True)[:500]))\n"
    )).splitlines()  # fmt: skip
    return out[0].strip(), out[1].split()


def write(results: dict[str, dict[str, Any]], context: dict[str, Any]) -> None:
    rows = [
        "| endpoint | requests/s | p50 ms | p99 ms | x floor |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    floor = results["floor: 404 under /api/v1/"]["rps"]
    for name, r in results.items():
        rows.append(f"| {name} | {r['rps']:,.0f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['rps'] / floor:.2f} |")
    text = "\n".join([
        "# API read path under load",
        "",
        f"Run {dt.date.today().isoformat()} by `bench/bench_api_read.py`. Machine: {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {context['pg']} (throwaway cluster, fsync off), gunicorn with "
        f"{context['workers']} workers x {context['threads']} threads, wrk with {context['connections']} connections "
        f"for {context['seconds']} s per endpoint, on the same machine (the load generator shares the CPUs).",
        "",
        f"Data: the demo caseload of {context['people']:,} people, vacuumed and analysed after loading; the "
        f"practitioner `po` reads {context['cases']} of the cases their team holds, in turn, with an API token.",
        "",
        *rows,
        "",
        f"Targets: at least {TARGET_RPS:.0f} requests/s, p99 under {TARGET_P99_MS:.0f} ms, at least "
        f"{TARGET_RATIO}x the floor for `GET /api/v1/people/{{crn}}`.",
        "",
    ])
    RESULTS.write_text(text)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()

    from bench_demo_data import _postgres_version

    wrk = ensure_wrk()
    results: dict[str, dict[str, Any]] = {}
    with demo_served(args.people, args.seed) as (env, scratch):
        token, crns = setup_token_and_cases(env)
        people_lua = LUA % (", ".join(f'"{c}"' for c in crns), token)
        with serving(env, workers=args.workers, threads=args.threads) as base:
            runs = [
                ("floor: 404 under /api/v1/", base + "/api/v1/no-such-endpoint", ""),
                ("GET /api/v1/people/{crn}", base + "/api/v1/people/", people_lua),
                ("GET /api/v1/openapi.json", base + "/api/v1/openapi.json", ""),
            ]
            for name, target, lua in runs:
                options = {"seconds": 3, "connections": args.connections, "script": scratch / "run.lua", "lua": lua,
                           "threads": 2}  # fmt: skip
                wrk_run(wrk, target, **options)  # warm up
                results[name] = r = wrk_run(wrk, target, **{**options, "seconds": args.seconds})
                print(f"{name}: {r['rps']:,.0f} requests/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms"
                      f"{', non-2xx ' + str(r['non_2xx']) if r['non_2xx'] else ''}", flush=True)  # fmt: skip
    floor = results["floor: 404 under /api/v1/"]["rps"]
    person = results["GET /api/v1/people/{crn}"]
    ratio = person["rps"] / floor
    print(f"GET /api/v1/people/{{crn}} is {ratio:.2f}x the floor")
    if not args.no_write:
        write(results, {"pg": _postgres_version(), "workers": args.workers, "threads": args.threads,
                        "connections": args.connections, "seconds": args.seconds, "people": args.people,
                        "cases": len(crns)})
        print(f"written {RESULTS.relative_to(ROOT)}")
    ok = person["rps"] >= TARGET_RPS and person["p99_ms"] < TARGET_P99_MS and ratio >= TARGET_RATIO
    ok = ok and person["non_2xx"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
