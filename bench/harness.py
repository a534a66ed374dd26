"""What the national-scale benchmarks share: a throwaway PostgreSQL cluster (``bench_demo_data.postgres``) holding
the demo caseload, read in process through Django or over real HTTP through ``openprobation serve`` and wrk, and
each script's ``main`` for the in-process page and API timings.

- ``load`` migrates and loads the demo caseload into the database ``env`` names;
- ``demo_database`` yields with Django set up in this process on a fresh demo caseload (the test client's settings);
- ``demo_served`` yields a fresh demo caseload, vacuumed and analysed, for a server started by ``serving``;
- ``wrk_run`` drives a URL with wrk and reads its p50, p95 and p99 from a Lua ``done`` hook;
- ``demo_child`` loads a demo caseload by the command line and runs a script's ``--child`` on it, in SQLite or
  PostgreSQL, returning the JSON the child prints last;
- ``measure_main`` is the ``main`` of a script that times requests in process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "openprobation.cli"]
SETTINGS = {"DJANGO_SETTINGS_MODULE": "openprobation.settings"}
TEST_CLIENT_ENV = {
    # The test client speaks plain HTTP to "testserver", and pages render without collected static files.
    "OPENPROBATION_HTTPS": "false",
    "OPENPROBATION_ALLOWED_HOSTS": "testserver",
    "OPENPROBATION_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
}
# wrk's Lua hook: the run's requests, its non-2xx responses, p50, p95, p99 (ms) and duration (s), on one line.
DONE_HOOK = """
done = function(summary, latency, requests)
  local codes = summary.errors.status
  io.write(string.format("RESULT %d %d %.3f %.3f %.3f %.3f\\n", summary.requests, codes,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    summary.duration / 1000000))
end
"""


def load(env: dict[str, str], people: int, seed: int) -> None:
    """Migrate the database ``env`` names and load the demo caseload of ``people`` into it."""
    subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*CLI, "demo-data", "--people", str(people), "--seed", str(seed), "--quiet", "--no-migrate"],
                   env=env, check=True, cwd=ROOT, capture_output=True)  # fmt: skip


def run_django(env: dict[str, str], code: str) -> str:
    """Run ``code`` in a fresh Python process with Django set up on ``env``'s database; what it printed."""
    return subprocess.run([sys.executable, "-c", "import django; django.setup()\n" + code], env={**env, **SETTINGS},
                          check=True, capture_output=True, text=True, cwd=ROOT).stdout  # fmt: skip


def vacuum_analyze(env: dict[str, str]) -> None:
    """VACUUM (ANALYZE) the freshly loaded database, as autovacuum will have done to a database in use: otherwise
    autovacuum works through the bulk load while the endpoints are measured, on the same CPUs."""
    run_django(env, "from django.db import connection\nconnection.cursor().execute('VACUUM (ANALYZE)')\n")


@contextlib.contextmanager
def demo_database(people: int, seed: int) -> Iterator[float]:
    """A throwaway PostgreSQL cluster holding the demo caseload of ``people``, with Django set up on it in this
    process: yields the seconds the load took; the connections are closed and the cluster removed afterwards."""
    from bench_demo_data import postgres

    with tempfile.TemporaryDirectory(prefix="openprobation-bench.") as data_dir, postgres() as url:
        env = {
            **os.environ,
            "OPENPROBATION_DATA_DIR": data_dir,
            "OPENPROBATION_DEMO": "true",
            "DATABASE_URL": url,
            **TEST_CLIENT_ENV,
        }
        started = time.perf_counter()
        load(env, people, seed)
        loaded = time.perf_counter() - started
        print(f"demo caseload of {people:,} loaded in {loaded:.0f} s", flush=True)
        os.environ.update(env)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
        import django

        django.setup()
        try:
            yield loaded
        finally:
            from django.db import connections

            connections.close_all()


@contextlib.contextmanager
def demo_served(people: int, seed: int) -> Iterator[tuple[dict[str, str], Path]]:
    """A throwaway PostgreSQL cluster holding the demo caseload of ``people``, vacuumed and analysed: yields the
    environment a server and helper processes run with, and a scratch directory."""
    from bench_demo_data import postgres

    with tempfile.TemporaryDirectory(prefix="openprobation-bench.") as data_dir, postgres() as url:
        env = {
            **os.environ, "OPENPROBATION_DATA_DIR": data_dir, "OPENPROBATION_DEMO": "true", "DATABASE_URL": url,
            "OPENPROBATION_HTTPS": "false", "OPENPROBATION_LOG_LEVEL": "WARNING",
        }  # fmt: skip
        started = time.perf_counter()
        load(env, people, seed)
        print(f"demo caseload of {people:,} loaded in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        vacuum_analyze(env)
        print(f"vacuumed and analysed in {time.perf_counter() - started:.0f} s", flush=True)
        yield env, Path(data_dir)


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


@contextlib.contextmanager
def serving(env: dict[str, str], *, workers: int, threads: int) -> Iterator[str]:
    """``openprobation serve`` on a free loopback port with the database ``env`` names: yields its base URL once it
    answers; stopped afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--workers", str(workers), "--threads", str(threads), "--no-migrate"],
        env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        _wait_for(base + "/api/v1/openapi.json", server, time.monotonic() + 120)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def ensure_wrk() -> str:
    """wrk (Debian's package), installed when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-q", "wrk"], check=True, capture_output=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})  # fmt: skip
    return shutil.which("wrk") or "wrk"


def wrk_run(wrk: str, url: str, *, seconds: int, connections: int, script: Path, lua: str = "", threads: int = 1,
            headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Drive ``url`` with wrk for ``seconds`` at ``connections``; ``lua`` (a request function, say) is written to
    ``script`` before the hook that reports the percentiles. Requests/s, p50, p95 and p99 in ms, non-2xx count."""
    script.write_text(lua + DONE_HOOK)
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", str(script)]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    found = re.search(r"RESULT (\d+) (\d+) ([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9.]+)", out)
    if found is None:
        raise SystemExit(f"wrk printed no result:\n{out}")
    requests, bad, p50, p95, p99, duration = found.groups()
    errors = re.search(r"Socket errors: (.*)", out)
    return {"requests": int(requests), "non_2xx": int(bad), "p50_ms": float(p50), "p95_ms": float(p95),
            "p99_ms": float(p99), "rps": int(requests) / float(duration),
            "socket_errors": errors.group(1) if errors else ""}  # fmt: skip


def demo_child(script: str, database: str, people: int, seed: int, child_args: Sequence[str]) -> dict[str, Any]:
    """Load the demo caseload of ``people`` by the command line into a fresh SQLite or PostgreSQL database, then run
    ``script --child child_args`` on it; the JSON object the child printed last, with the database and people."""
    from bench_demo_data import postgres

    def go(env: dict[str, str]) -> dict[str, Any]:
        subprocess.run([*CLI, "demo-data", "--people", str(people), "--seed", str(seed), "--quiet"], env=env,
                       check=True, capture_output=True)  # fmt: skip
        out = subprocess.run([sys.executable, script, "--child", *child_args], env=env, check=True,
                             capture_output=True, text=True).stdout  # fmt: skip
        return {"database": database, "people": people, **json.loads(out.strip().splitlines()[-1])}

    with tempfile.TemporaryDirectory(prefix="openprobation-bench-") as data_dir:
        env = {**os.environ, "OPENPROBATION_DATA_DIR": data_dir}
        env.pop("DATABASE_URL", None)
        if database == "postgresql":
            with postgres() as url:
                return go({**env, "DATABASE_URL": url})
        return go(env)


def actor_for(staff: Any) -> Any:
    """The staff member's sign-in account (made for the bench when the demo gave them none)."""
    from django.contrib.auth import get_user_model

    if staff.user_id is None:
        staff.user = get_user_model().objects.create(username=f"bench-{staff.code}".lower())
        staff.save(update_fields=["user"])
    return staff.user


def measure(name: str, run: Callable[[], Any], repeats: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run()  # warm-up: connection, caches, plans
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        run()
    reads = [q for q in ctx.captured_queries if (q["sql"] or "").lstrip().upper().startswith(("SELECT", "WITH"))]
    slowest = max(reads, key=lambda q: float(q["time"]))["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + slowest)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    indexes = sorted(set(re.findall(r"(?:Index|Bitmap Index) (?:Only )?Scan (?:Backward )?(?:using|on) (\w+)", plan)))
    return {
        "name": name,
        "median_ms": statistics.median(times),
        "p90_ms": sorted(times)[int(0.9 * len(times)) - 1],
        "queries": len(ctx.captured_queries),
        "indexes": indexes,
        "plan": plan,
    }


def request(client: Any, url: str) -> Callable[[], Any]:
    """One GET through the test client, refusing anything but 200 (a timing of an error page would mislead)."""

    def run() -> Any:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    return run


Measurements = tuple[list[dict[str, Any]], dict[str, Any]]


@contextlib.contextmanager
def loaded_database(url: str) -> Iterator[float]:
    """Django set up in this process on a database the demo caseload is already loaded in (yields 0 s of loading)."""
    os.environ.update({"DATABASE_URL": url, **TEST_CLIENT_ENV})
    os.environ.setdefault("OPENPROBATION_DATA_DIR", tempfile.mkdtemp(prefix="openprobation-bench."))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
    import django

    django.setup()
    yield 0.0


def measure_main(doc: str, run_measurements: Callable[[int], Measurements],
                 write: Callable[[list[dict[str, Any]], dict[str, Any], int, float, str], None], *,
                 results_file: Path, target_ms: float, repeats: int, prepare: Callable[[], None] | None = None,
                 judged: Callable[[dict[str, Any]], bool] = lambda r: True) -> int:  # fmt: skip
    """The ``main`` of a script that times pages and API requests in process on the demo caseload: parse
    ``--people``, ``--seed``, ``--repeats``, ``--no-write`` and ``--database-url`` (a database the demo is already
    loaded in); load (or not); ``prepare``; measure; print each request's median, p90, queries and indexes; write the
    results (unless ``--no-write``). Exit 1 when the median of any request ``judged`` is over ``target_ms``."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--people", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeats", type=int, default=repeats)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--database-url", help="measure a database the demo caseload is already loaded in")
    args = parser.parse_args()

    from bench_demo_data import _postgres_version

    database = loaded_database(args.database_url) if args.database_url else demo_database(args.people, args.seed)
    with database as loaded:
        if prepare is not None:
            prepare()
        results, context = run_measurements(args.repeats)
    for r in results:
        print(f"{r['name']}: median {r['median_ms']:.1f} ms, p90 {r['p90_ms']:.1f} ms, {r['queries']} queries, "
              f"indexes {', '.join(r['indexes']) or '(none)'}")  # fmt: skip
    if not args.no_write:
        write(results, context, args.people, loaded, _postgres_version())
        print(f"written {results_file.relative_to(ROOT)}")
    return 0 if all(r["median_ms"] < target_ms for r in results if judged(r)) else 1
