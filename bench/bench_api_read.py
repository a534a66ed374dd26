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
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
CLI = [sys.executable, "-m", "openprobation.cli"]
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


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") or "wrk"


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk_run(wrk: str, url: str, *, seconds: int, connections: int, script: Path | None = None,
            headers: dict[str, str] | None = None) -> dict[str, Any]:
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))  # type: ignore[union-attr]
    latencies = dict(re.findall(r"\s(50|75|90|99)%\s+([0-9.]+(?:us|ms|s))", out))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50_ms": _ms(latencies["50"]), "p99_ms": _ms(latencies["99"]),
            "non_2xx": int(non_2xx.group(1)) if non_2xx else 0, "socket_errors": errors.group(1) if errors else ""}


def _wait_for(url: str, server: subprocess.Popen[str], deadline: float) -> None:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 (a loopback http URL we built)
                return
        except urllib.error.HTTPError:
            return
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.5)


def vacuum_analyze(env: dict[str, str]) -> None:
    """VACUUM (ANALYZE) the freshly loaded database, as autovacuum will have done to a database in use: otherwise
    autovacuum works through the bulk load while the endpoints are measured, on the same CPUs."""
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "connection.cursor().execute('VACUUM (ANALYZE)')\n"
    )
    subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "openprobation.settings"},
                   check=True, capture_output=True, text=True, cwd=ROOT)


def setup_token_and_cases(env: dict[str, str]) -> tuple[str, list[str]]:
    code = (
        "import django; django.setup()\n"
        "from openprobation.core.tokens import token_create\n"
        "from openprobation.organisation.models import Staff\n"
        "from openprobation.people.selectors import people_list\n"
        "po = Staff.objects.get(user__username='po')\n"
        "print(token_create(username='po'))\n"
        "print(' '.join(people_list(actor=po.user).values_list('crn', flat=True)[:500]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "openprobation.settings"},
                         check=True, capture_output=True, text=True, cwd=ROOT).stdout.splitlines()
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

    from bench_demo_data import _postgres_version, postgres
    from bench_work_queues import load

    wrk = ensure_wrk()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="openprobation-bench.") as data_dir, postgres() as url:
        env = {
            **os.environ, "OPENPROBATION_DATA_DIR": data_dir, "OPENPROBATION_DEMO": "true", "DATABASE_URL": url,
            "OPENPROBATION_HTTPS": "false", "OPENPROBATION_LOG_LEVEL": "WARNING",
        }
        started = time.perf_counter()
        load(env, args.people, args.seed)
        print(f"demo caseload of {args.people:,} loaded in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        vacuum_analyze(env)
        print(f"vacuumed and analysed in {time.perf_counter() - started:.0f} s", flush=True)
        token, crns = setup_token_and_cases(env)
        script = Path(data_dir) / "people.lua"
        script.write_text(LUA % (", ".join(f'"{c}"' for c in crns), token))
        server = subprocess.Popen(
            [*CLI, "serve", "--port", str(port), "--workers", str(args.workers), "--threads", str(args.threads),
             "--no-migrate"], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        try:
            _wait_for(base + "/api/v1/openapi.json", server, time.monotonic() + 120)
            runs = [
                ("floor: 404 under /api/v1/", base + "/api/v1/no-such-endpoint", None, None),
                ("GET /api/v1/people/{crn}", base + "/api/v1/people/", script, None),
                ("GET /api/v1/openapi.json", base + "/api/v1/openapi.json", None, None),
            ]
            for name, target, lua, headers in runs:
                wrk_run(wrk, target, seconds=3, connections=args.connections, script=lua, headers=headers)  # warm up
                results[name] = wrk_run(wrk, target, seconds=args.seconds, connections=args.connections, script=lua,
                                        headers=headers)
                r = results[name]
                print(f"{name}: {r['rps']:,.0f} requests/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms"
                      f"{', non-2xx ' + str(r['non_2xx']) if r['non_2xx'] else ''}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=30)
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
