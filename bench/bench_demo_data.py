"""Benchmark ``openprobation demo-data`` on SQLite and PostgreSQL and record the figures.

Each run gets a fresh, empty database: a new SQLite file in a temporary data directory, or a throwaway PostgreSQL
cluster (scripts/pg_up.sh when the repository has it, otherwise the same recipe inline). Migrations run first and
are not timed; then the command loads the demo and reports its own time and row count, which this script
collects into bench/results/demo_data.md.

    .venv/bin/python bench/bench_demo_data.py                      # 2,500 and 250,000 people, both databases
    .venv/bin/python bench/bench_demo_data.py --people 2500 --databases sqlite --no-write
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "openprobation.cli"]
RESULTS = ROOT / "bench" / "results" / "demo_data.md"
LOADED = re.compile(r"loaded \(seed \d+, as of [0-9-]+\) in [0-9.]+ s: ([0-9,]+) rows, ([0-9,]+) rows/s")
CASES = re.compile(r"cases: ([0-9,]+) people, ([0-9,]+) events, ([0-9,]+) contacts")
STEPS = re.compile(r"^  steps: (.*)$", re.MULTILINE)  # where the load's time went, step by step


@dataclass(frozen=True)
class Run:
    database: str
    people: int
    seconds: float
    wall_seconds: float
    rows: int
    contacts: int
    floor_seconds: float | None = None  # PostgreSQL: restoring the same rows with COPY (see copy_restore_seconds)
    steps: str = ""  # the load's own timing of its steps ("cases 148.6 s, recompute 35.3 s, ...")

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.floor_seconds if self.floor_seconds else None

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


@contextmanager
def postgres() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for one run; yields its DATABASE_URL."""
    script = ROOT / "scripts" / "pg_up.sh"
    if script.exists():
        out = subprocess.run(["bash", str(script)], check=True, capture_output=True, text=True).stdout
        env = dict(re.findall(r"(\w+)=(\S+)", out))
        try:
            yield env["DATABASE_URL"]
        finally:
            subprocess.run(["bash", str(ROOT / "scripts" / "pg_down.sh")], env={**os.environ, **env}, check=False)
        return
    yield from _postgres_inline()


def _postgres_inline() -> Iterator[str]:
    """The stack notes' recipe, for a checkout without scripts/pg_up.sh."""
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bins:
        raise SystemExit("PostgreSQL server binaries not found (apt-get install -y postgresql)")
    pgbin = bins[-1]
    root = Path(tempfile.mkdtemp(prefix="openprobation-bench-pg."))
    root.chmod(0o755)
    (root / "data").mkdir()
    (root / "sock").mkdir()
    run_as: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        for sub in ("data", "sock"):
            shutil.chown(root / sub, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*run_as, str(pgbin / "initdb"), "-D", str(root / "data"), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True, cwd=root)
    options = (f"-p {port} -k {root / 'sock'} -c listen_addresses=127.0.0.1 -c fsync=off "
               "-c synchronous_commit=off -c full_page_writes=off")
    subprocess.run([*run_as, str(pgbin / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "server.log"),
                    "-w", "-t", "30", "-o", options, "start"], check=True, capture_output=True, cwd=root)
    try:
        yield f"postgres://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*run_as, str(pgbin / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "-w", "stop"],
                       check=False, capture_output=True, cwd=root)
        shutil.rmtree(root, ignore_errors=True)


def run_once(database: str, people: int, seed: int) -> Run:
    """Migrate a fresh database, then time one demo load."""
    with tempfile.TemporaryDirectory(prefix="openprobation-bench.") as data_dir:
        env = {**os.environ, "OPENPROBATION_DATA_DIR": data_dir, "OPENPROBATION_DEMO": "true"}
        env.pop("DATABASE_URL", None)
        with postgres() if database == "postgresql" else _nothing() as url:
            if url:
                env["DATABASE_URL"] = url
            subprocess.run([*CLI, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
            started = time.perf_counter()
            out = subprocess.run([*CLI, "demo-data", "--people", str(people), "--seed", str(seed), "--quiet",
                                  "--no-migrate"], env=env, check=True, capture_output=True, text=True,
                                 cwd=ROOT).stdout
            wall = time.perf_counter() - started
            floor = copy_restore_seconds(url, env) if url else None
    loaded, cases = LOADED.search(out), CASES.search(out)
    if not loaded or not cases:
        raise SystemExit(f"Could not read the demo-data summary:\n{out}")
    rows, rate = (int(loaded.group(i).replace(",", "")) for i in (1, 2))
    steps = STEPS.search(out)
    # Seconds from the printed rate, which is more precise than the printed seconds for short loads.
    return Run(database=database, people=people, seconds=rows / rate, wall_seconds=wall, rows=rows,
               contacts=int(cases.group(3).replace(",", "")), floor_seconds=floor,
               steps=steps.group(1) if steps else "")


def copy_restore_seconds(url: str, env: dict[str, str]) -> float:
    """The floor for a load on PostgreSQL: the same rows restored with COPY, measured in the same cluster.

    A second database is migrated (not timed), the loaded rows of every table the load wrote are read out in
    PostgreSQL's binary COPY format (not timed), then, timed: in one transaction, the foreign keys of those tables
    are dropped, every table is filled with one COPY, the keys are added back (one validating scan each, as a
    restore does) and the transaction commits. Indexes are in place throughout, as they are for the load. The
    transaction has the memory for maintenance the load gives its index builds and key checks
    (``demo.bulk.MAINTENANCE_MEMORY``), so the keys are checked the same way in both.
    """
    import psycopg

    from openprobation.demo.bulk import MAINTENANCE_MEMORY

    base = url.rpartition("/")[0]
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS floor")
        admin.execute("CREATE DATABASE floor")
    floor_url = f"{base}/floor"
    subprocess.run([*CLI, "migrate", "-v", "0"], env={**env, "DATABASE_URL": floor_url}, check=True, cwd=ROOT)
    with psycopg.connect(url) as source, psycopg.connect(floor_url) as target:
        tables = [row[0] for row in target.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY 1")]
        def has_rows(connection: psycopg.Connection[Any], table: str) -> bool:
            query = f'SELECT EXISTS (SELECT 1 FROM "{table}")'  # noqa: S608 (a table name from the catalogue)
            return bool(connection.execute(query).fetchone() == (True,))

        # The audit trail (one event for a load) is left out: the database links its events itself and refuses
        # rows that arrive already linked.
        filled = [t for t in tables if t != "core_auditevent" and not has_rows(target, t) and has_rows(source, t)]
        data: dict[str, list[bytes]] = {}
        for table in filled:
            chunks: list[bytes] = []
            with source.cursor().copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as out:
                chunks.extend(bytes(chunk) for chunk in out)
            data[table] = chunks
        keys = target.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)", [filled]).fetchall()
        target.commit()
        started = time.perf_counter()
        with target.transaction():
            target.execute("SELECT set_config('maintenance_work_mem', %s, true)", [MAINTENANCE_MEMORY])
            for table, name, _definition in keys:
                target.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for table in filled:
                with target.cursor().copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as into:
                    for chunk in data[table]:
                        into.write(chunk)
            target.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while trigger events are queued
            for table, name, definition in keys:
                target.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        return time.perf_counter() - started


@contextmanager
def _nothing() -> Iterator[str]:
    yield ""


def _postgres_version() -> str:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not bins:
        return "unknown"
    return subprocess.run([str(bins[-1] / "postgres"), "--version"], capture_output=True, text=True).stdout.strip()


def write_results(runs: list[Run], command: str) -> None:
    lines = [
        "# Demo data load: timings",
        "",
        f"Measured {dt.date.today().isoformat()} with `{command}`.",
        f"Machine: {os.cpu_count()} CPUs, Python {platform.python_version()}, {_postgres_version()} "
        "(throwaway cluster, fsync off), SQLite " + _sqlite_version() + ".",
        "",
        "Seconds are the command's own load time (everything after migrations: organisation, accounts, cases, "
        "foreign-key checks, sequences, commit); wall is the whole process including Django start-up.",
        "",
        "The floor (PostgreSQL) is the same rows restored with COPY into a freshly migrated database in the same "
        "cluster: foreign keys dropped, one COPY a table, keys added back, commit (`copy_restore_seconds`). Target: "
        "the load within 2x the floor.",
        "",
        "| database | people | contacts | rows | seconds | wall seconds | rows/s | floor seconds | x floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in runs:
        floor = f"{r.floor_seconds:.2f} | {r.ratio:.2f}" if r.floor_seconds and r.ratio else "- | -"
        lines.append(f"| {r.database} | {r.people:,} | {r.contacts:,} | {r.rows:,} | {r.seconds:.2f} | "
                     f"{r.wall_seconds:.1f} | {r.rows_per_second:,.0f} | {floor} |")
    lines += ["", "Steps of each load (the load's own timing):", ""]
    lines += [f"- {r.database}, {r.people:,} people: {r.steps}" for r in runs if r.steps]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("\n".join(lines) + "\n")


def _sqlite_version() -> str:
    import sqlite3

    return sqlite3.sqlite_version


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[2_500, 250_000],
                        help="people counts to load (default 2500 250000)")
    parser.add_argument("--databases", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help=f"do not write {RESULTS.relative_to(ROOT)}")
    args = parser.parse_args()
    runs = []
    for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
        if database not in ("sqlite", "postgresql"):
            parser.error(f"unknown database {database!r}")
        for people in args.people:
            run = run_once(database, people, args.seed)
            runs.append(run)
            floor = f"  floor {run.floor_seconds:.2f} s, {run.ratio:.2f}x" if run.floor_seconds and run.ratio else ""
            print(f"{run.database:<10} {run.people:>9,} people  {run.rows:>11,} rows  {run.seconds:7.2f} s  "
                  f"(wall {run.wall_seconds:.1f} s)  {run.rows_per_second:>9,.0f} rows/s{floor}", flush=True)
            if run.steps:
                print(f"  steps: {run.steps}", flush=True)
    if not args.no_write:
        command = "python bench/bench_demo_data.py " + " ".join(sys.argv[1:])
        write_results(runs, command.strip())
        print(f"Wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
