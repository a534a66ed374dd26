"""The ``openprobation`` command: one entry point for running and administering the service.

Each sub-command has ``--help``. Settings come from environment variables (see README "Configuration").
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

Handler = Callable[[argparse.Namespace], int]


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openprobation.settings")
    import django

    django.setup()


def _fail(message: str, code: int = 1) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from openprobation.core.db_roles import grant_runtime_role
    from openprobation.core.errors import ValidationFailed

    call_command("migrate", interactive=False, verbosity=args.verbosity)
    if settings.DB_RUNTIME_ROLE:
        try:
            grant_runtime_role(settings.DB_RUNTIME_ROLE)
        except ValidationFailed as exc:
            return _fail(f"OPENPROBATION_DB_RUNTIME_ROLE: {exc.errors[0].message}", 2)
        if args.verbosity:
            print(f"Granted the service's privileges to the runtime role {settings.DB_RUNTIME_ROLE}")
    return 0


def _date_option(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option's date (None when not given); ValueError with the message for the user otherwise."""
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise ValueError(f"{option} {value!r} is not a date: use YYYY-MM-DD") from None


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Walk the audit trail's hash chain; exit 1 naming the first broken event."""
    _setup_django()
    from openprobation.core.audit import audit_verify

    try:
        since = _date_option(args.since, "--from")
    except ValueError as exc:
        return _fail(str(exc), 2)
    expect = None
    if args.expect:
        position, _, recorded = args.expect.partition(":")
        if not position.isdigit() or len(recorded) != 64:
            return _fail("--expect takes POSITION:HASH, as a previous run printed them", 2)
        expect = (int(position), recorded)
    verdict = audit_verify(since=since, expect=expect)
    if verdict.broken is not None:
        print(f"BROKEN after {verdict.checked} good event(s): {verdict.broken.describe()}", file=sys.stderr)
        return 1
    print(f"OK: {verdict.checked} audit event(s) checked, the chain is unbroken")
    if verdict.head_seq:
        print(f"head: {verdict.head_seq}:{verdict.head_hash}  (keep it outside the database; check later with "
              "--expect)")
    return 0


def cmd_access_manager(args: argparse.Namespace) -> int:
    """Grant or withdraw the access-manager permission (managing restriction and exclusion lists)."""
    _setup_django()
    from openprobation.core.errors import NotFound
    from openprobation.organisation.services import staff_set_access_manager

    try:
        staff = staff_set_access_manager(username=args.user, grant=args.action == "grant")
    except NotFound as exc:
        return _fail(str(exc), 2)
    state = "is now an access manager" if staff.access_manager else "is no longer an access manager"
    print(f"{staff.name} ({args.user}) {state}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from openprobation.server import run_gunicorn

    print(f"OpenProbation is running at http://{args.host}:{args.port}/ (press Ctrl+C to stop)", flush=True)
    if settings.DEBUG:
        print("warning: OPENPROBATION_DEBUG is on; never use it for real cases", file=sys.stderr)
    run_gunicorn(host=args.host, port=args.port, workers=args.workers, threads=args.threads)
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    _setup_django()
    from decimal import Decimal

    from openprobation.core.errors import ValidationFailed
    from openprobation.organisation.services import staff_create

    password = None
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            return _fail("--password-stdin: standard input has no password on its first line", 2)
    elif not args.no_password:
        password = os.environ.get("OPENPROBATION_NEW_PASSWORD") or getpass.getpass("Password: ")
    try:
        staff = staff_create(
            username=args.username, password=None if args.no_password else password,
            first_name=args.first_name, last_name=args.last_name, grade=args.grade, role=args.role,
            team=args.team, code=args.code, contracted_hours=Decimal(str(args.hours)),
        )
    except ValidationFailed as exc:
        for e in exc.errors:
            print(f"error: {e.dotted}: {e.message}", file=sys.stderr)
        return 2
    print(f"Created {staff.name} ({args.username}), staff code {staff.code}, role {staff.role}")
    return 0


def cmd_set_password(args: argparse.Namespace) -> int:
    """Set someone's password (the admin site sets only one's own)."""
    _setup_django()
    from openprobation.core.errors import NotFound, ValidationFailed
    from openprobation.organisation.services import account_set_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = os.environ.get("OPENPROBATION_NEW_PASSWORD") or getpass.getpass("New password: ")
    if not password:
        return _fail("no password given", 2)
    try:
        account_set_password(username=args.user, password=password)
    except NotFound as exc:
        return _fail(str(exc), 2)
    except ValidationFailed as exc:
        for e in exc.errors:
            print(f"error: {e.dotted}: {e.message}", file=sys.stderr)
        return 2
    print(f"Password set for {args.user}")
    return 0


class _RefusePasswordOnCommandLine(argparse.Action):
    """``--password`` is refused: a command line is visible to every user of the machine (``ps``) and kept in
    shell history. The error names the alternatives and never repeats the value."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        raise argparse.ArgumentError(
            self,
            "is not accepted, because other users of the machine can see a command line: use --password-stdin "
            "(one line from standard input), the OPENPROBATION_NEW_PASSWORD environment variable, or answer the "
            "prompt",
        )


def _when(moment: dt.datetime | None, never: str = "never") -> str:
    """A moment in the service's time zone, to the minute."""
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M %Z") if moment is not None else never


def cmd_token_create(args: argparse.Namespace) -> int:
    _setup_django()
    from openprobation.core.errors import NotFound, ValidationFailed
    from openprobation.core.tokens import token_issue

    try:
        issued = token_issue(username=args.user, days=args.days)
    except NotFound as exc:
        return _fail(str(exc), 2)
    except ValidationFailed as exc:
        return _fail(("--days: " if args.days is not None else "") + exc.errors[0].message, 2)
    print(issued.token)
    print(f"Token {issued.id} ({issued.prefix}…) expires {_when(issued.expires_at)}. This is the only time it is "
          "shown: only its digest is kept.", file=sys.stderr)
    return 0


def cmd_token_list(args: argparse.Namespace) -> int:
    _setup_django()
    from openprobation.core.errors import NotFound
    from openprobation.core.tokens import token_list

    try:
        tokens = token_list(username=args.user, actor=None)
    except NotFound as exc:
        return _fail(str(exc), 2)
    if not tokens:
        print(f"{args.user} has no API tokens")
        return 0
    rows = [("ID", "PREFIX", "CREATED", "EXPIRES", "LAST USED", "STATUS")]
    rows += [(str(t.id), t.prefix, _when(t.created_at), _when(t.expires_at), _when(t.last_used_at), t.status)
             for t in tokens]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]))
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    """Exit 0 when the token is revoked, also when it already was (saying so); 2 when no token matches."""
    _setup_django()
    from openprobation.core.errors import NotFound
    from openprobation.core.tokens import token_revoke

    try:
        revocation = token_revoke(args.token, actor=None)
    except NotFound as exc:
        return _fail(str(exc), 2)
    what = f"Token {revocation.id} ({revocation.prefix}…) of {revocation.username}"
    if revocation.already_revoked:
        print(f"{what} was already revoked at {_when(revocation.revoked_at)}; nothing changed")
    else:
        print(f"{what} is revoked: it is refused from now on")
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    _setup_django()
    from django.core.management import call_command

    from openprobation.demo.loader import DemoOptions, demo_load

    if not args.no_migrate:
        call_command("migrate", interactive=False, verbosity=0)
    if args.people < 1:
        return _fail("--people must be at least 1", 2)
    result = demo_load(DemoOptions(people=args.people, seed=args.seed, reset=args.reset, progress=not args.quiet))
    print(result.summary())
    return 0 if result.ok else 1


def _stateless(source: str, run: Callable[[Any], Any]) -> int:
    """Read JSON from ``source`` (a file, or - for standard input), print ``run``'s result as JSON; a body that is
    not JSON or input ``run`` refuses prints the errors as JSON and exits 2 (the calculators and the signal scan)."""
    import json

    from openprobation.rules.calculators import NotJsonError, load_payload, reported_errors
    from openprobation.rules.predictors.base import CalculationInputError

    try:
        if source == "-":
            stdin = sys.stdin
            data: bytes | str = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
        else:
            with open(source, "rb") as file:
                data = file.read()
    except OSError as exc:
        return _fail(f"cannot read {source}: {exc.strerror}", 2)
    try:
        result = run(load_payload(data))
    except NotJsonError as exc:
        print(json.dumps({"errors": [{"field": "", "message": str(exc)}]}, indent=2))
        return 2
    except CalculationInputError as exc:
        print(json.dumps({"errors": reported_errors(exc.errors)}, indent=2))
        return 2
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def cmd_calc(args: argparse.Namespace) -> int:
    """Stateless: reads JSON, prints the result as JSON. Invalid input: the errors as JSON and exit code 2."""
    from openprobation.rules.calculators import calculate

    return _stateless(args.json, lambda payload: calculate(args.tool, payload))


def cmd_signals_scan(args: argparse.Namespace) -> int:
    """Stateless: reads {"text": ...} as JSON, prints {"signals": [...]}. Invalid input: the errors and exit 2."""
    from openprobation.rules.signal_requests import signals_request

    return _stateless(args.json, signals_request)


def cmd_signals_evaluate(args: argparse.Namespace) -> int:
    """Precision and recall per signal on labelled notes; exit 1 when a target is not met, 2 on a bad file."""
    from openprobation.rules.signal_evaluation import (
        SPLITS,
        LabelledNotesError,
        evaluate,
        evaluation_report,
        labelled_notes_read,
        shipped_notes,
    )

    try:
        if args.file:
            with open(args.file, encoding="utf-8") as file:
                notes = labelled_notes_read(file.read())
        else:
            notes = shipped_notes()
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}", 2)
    except (LabelledNotesError, UnicodeDecodeError) as exc:
        return _fail(f"{args.file or 'the labelled notes'}: {exc}", 2)
    overall = evaluate(notes)
    print(evaluation_report(overall, "All notes"))
    for split in SPLITS:
        part = [note for note in notes if note.split == split]
        if part and len(part) < len(notes):
            print()
            print(evaluation_report(evaluate(part), split.replace("_", "-").capitalize() + " notes"))
    if args.show_misses:
        texts = {note.id: note.text for note in notes}
        print()
        for label, pairs in (("missed", overall.misses), ("raised, not expected", overall.extras)):
            for note_id, signal in pairs:
                print(f"{label}: {signal} in {note_id}: {texts[note_id]}")
    return 1 if overall.shortfalls(_signal_targets()) else 0


def _signal_targets() -> dict[str, object]:
    from openprobation.rules.signal_policy import signal_policy

    return signal_policy().targets


def cmd_signals_batch(args: argparse.Namespace) -> int:
    """Read every contact note for warning signs (warningsigns.services.signals_scan_all): resumable, and prompting
    each signal once, for recent notes only."""
    _setup_django()
    from openprobation.core.audit import acting_as_job
    from openprobation.warningsigns.services import signals_scan_all

    if args.batch < 1:
        return _fail("--batch must be at least 1", 2)
    with acting_as_job("signals_scan"):
        if args.quiet:
            result = signals_scan_all(batch_size=args.batch, restart=args.restart)
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                          TimeElapsedColumn()) as bar:  # fmt: skip
                task = bar.add_task("Reading contact notes", total=None)

                def shown(progress: Any) -> None:
                    bar.update(task, total=progress.total, completed=progress.notes_read)

                result = signals_scan_all(batch_size=args.batch, restart=args.restart, progress=shown)
    unfinished = "" if result.finished else " Not finished."
    print(f"{result.notes_read:,} of {result.total:,} notes read; {result.notes_with_signals:,} with warning signs; "
          f"{result.prompted_notes:,} prompted (recent notes).{unfinished}")  # fmt: skip
    return 0


def cmd_recompute(args: argparse.Namespace) -> int:
    """Recalculate the risk tools of every open case (see openprobation.risk.recompute)."""
    _setup_django()
    from openprobation.risk.recompute import recompute

    try:
        as_of = _date_option(args.as_of, "--as-of")
    except ValueError as exc:
        return _fail(str(exc), 2)
    if args.batch < 1:
        return _fail("--batch must be at least 1", 2)
    if args.quiet:
        result = recompute(as_of=as_of, batch=args.batch, force=args.force)
    else:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()) as bar:
            task = bar.add_task("Recalculating open cases", total=None)
            result = recompute(
                as_of=as_of,
                batch=args.batch,
                force=args.force,
                progress=lambda n: bar.advance(task, n),
                total=lambda n: bar.update(task, total=n),
            )
    print(result.summary())
    return 0


def cmd_risk_facts_refresh(args: argparse.Namespace) -> int:
    """Work out again the risk facts and flags the quality report reads (see openprobation.risk.riskfacts)."""
    _setup_django()
    from openprobation.risk.riskfacts import refresh_command

    result = refresh_command(every=args.all)
    which = "every case's" if args.all else "the rows worked out under other policies:"
    print(f"Risk facts refreshed ({which} {result.written:,} rows written); policies {result.stamp}.")
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    """Run the background jobs: enqueue the periodic ones when due, run the queue (see openprobation.jobs.worker)."""
    _setup_django()
    from openprobation.jobs.schedule import job_schedule
    from openprobation.jobs.worker import Finished, run_worker
    from openprobation.notifications.backends import configuration_problem

    if not args.interval > 0:
        return _fail("--interval must be a number of seconds above 0", 2)
    try:
        job_schedule()
    except ValueError as exc:
        return _fail(str(exc), 2)
    if problem := configuration_problem():
        return _fail(problem, 2)

    def finished(done: Finished) -> None:
        print(f"{done.task}: {done.status.lower()}" + (f" {done.return_value}" if done.return_value else ""),
              flush=True)

    if not args.batch:
        print(f"Worker started (checking every {args.interval:g} s; Ctrl+C to stop)", flush=True)
    report = run_worker(batch=args.batch, schedule=not args.no_schedule, interval=args.interval,
                        on_finished=finished)
    if args.batch:
        print(f"Ran {len(report.finished)} job(s), {len(report.failed)} failed; enqueued by the schedule: "
              f"{', '.join(report.enqueued) or 'none'}")
    return 1 if report.failed else 0


def cmd_jobs_enqueue(args: argparse.Namespace) -> int:
    _setup_django()
    from openprobation.jobs.schedule import enqueue_now

    try:
        task_id = enqueue_now(args.job)
    except ValueError as exc:
        return _fail(str(exc), 2)
    print(f"Enqueued {args.job} (task {task_id}); `openprobation worker` runs it")
    return 0


def cmd_jobs_list(args: argparse.Namespace) -> int:
    _setup_django()
    from openprobation.jobs.schedule import job_schedule
    from openprobation.jobs.selectors import job_overview

    try:
        schedule = job_schedule()
    except ValueError as exc:
        return _fail(str(exc), 2)
    for row in job_overview(schedule):
        times = ", ".join(t.strftime("%H:%M") for t in row.times) or "off"
        last = (f"{row.last_status.lower()} at {_when(row.last_finished_at or row.last_enqueued_at)}"
                if row.last_status else "never run")
        print(f"{row.job:24} {times:14} last: {last}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="openprobation",
        description="OpenProbation: case management and public protection for probation.",
        epilog="Settings come from environment variables: DATABASE_URL, OPENPROBATION_SECRET_KEY, "
        "OPENPROBATION_DATA_DIR, OPENPROBATION_ALLOWED_HOSTS and others (see README).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("serve", help="run the web application and API with gunicorn",
                       description="Apply migrations, collect static files and serve the application with gunicorn.")
    p.add_argument("--host", default=os.environ.get("OPENPROBATION_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("OPENPROBATION_PORT", "8000")))
    p.add_argument("--workers", type=int, default=int(os.environ.get("OPENPROBATION_WORKERS", "2")))
    p.add_argument("--threads", type=int, default=int(os.environ.get("OPENPROBATION_THREADS", "4")))
    p.add_argument("--no-migrate", action="store_true", help="do not apply migrations before serving")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("worker", help="run the background jobs (reminders, escalations, nightly recalculation)",
                       description="Run the background jobs: enqueue each periodic job when its time in the schedule "
                       "comes (OPENPROBATION_SCHEDULE_*), and run the queued jobs, oldest first. Stop with Ctrl+C or "
                       "SIGTERM (a running job finishes first). Several workers may run against PostgreSQL.")
    p.add_argument("--batch", action="store_true",
                   help="enqueue what is due, run every queued job, then exit (for cron and tests); exit 1 if any "
                   "job failed")
    p.add_argument("--no-schedule", action="store_true", help="only run queued jobs; enqueue nothing by schedule")
    p.add_argument("--interval", type=float, default=5.0, metavar="SECONDS",
                   help="seconds to wait when the queue is empty (default 5)")
    p.set_defaults(handler=cmd_worker)

    p = sub.add_parser("jobs", help="list the background jobs or enqueue one now",
                       description="List the background jobs and their schedule, or enqueue one now.")
    jobs_sub = p.add_subparsers(dest="jobs_command", metavar="ACTION", required=True)
    jp = jobs_sub.add_parser("list", help="each job, its schedule and its last run",
                             description="Each background job, the times it runs (UK time) and its last run.")
    jp.set_defaults(handler=cmd_jobs_list)
    jp = jobs_sub.add_parser("enqueue", help="queue a job to run now", description="Queue JOB to run now, outside "
                             "its schedule; a running `openprobation worker` (or `worker --batch`) runs it.")
    jp.add_argument("job", metavar="JOB", help="nightly_recompute, overdue_escalations or appointment_reminders")
    jp.set_defaults(handler=cmd_jobs_enqueue)

    p = sub.add_parser("migrate", help="create or upgrade the database tables",
                       description="Apply every database migration (safe to run again).")
    p.add_argument("-v", "--verbosity", type=int, default=1, choices=[0, 1, 2, 3])
    p.set_defaults(handler=cmd_migrate)

    p = sub.add_parser("demo-data", help="load a deterministic demo caseload",
                       description="Build a believable demo service: regions, PDUs, teams, staff, people, "
                       "sentences, registrations, households and a year of contacts. The same --people and "
                       "--seed give the same data.")
    p.add_argument("--people", type=int, default=2500, help="number of people on probation (default 2500)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--reset", action="store_true", help="delete the existing case data first")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-migrate", action="store_true", help="do not apply migrations first")
    p.set_defaults(handler=cmd_demo_data)

    p = sub.add_parser("calc", help="run a risk-tool, workload, inspection-rating or recall-type calculator on JSON "
                       "input",
                       description="Calculate a risk tool from JSON input and print the result, with its "
                       "explanation, as JSON. On invalid input print {\"errors\": [...]} and exit with code 2. "
                       "Tools: ogrs3, snsv, osp-dc, osp-iic, rsr, ovp, ogp, tier (docs/risk-tools.md); "
                       "workload (docs/workload.md); rating (docs/quality.md); recall-type (docs/recall.md).")
    p.add_argument("tool", choices=["ogrs3", "snsv", "osp-dc", "osp-iic", "rsr", "ovp", "ogp", "tier", "workload",
                                    "rating", "recall-type"])
    p.add_argument("--json", required=True, metavar="FILE", help="input file, or - for standard input")
    p.set_defaults(handler=cmd_calc)

    p = sub.add_parser("signals", help="find warning signs in a note, or evaluate the rules on labelled notes",
                       description="Warning signs in contact notes and third-party reports (docs/signals.md).")
    signals_sub = p.add_subparsers(dest="signals_command", metavar="ACTION", required=True)
    sp = signals_sub.add_parser("scan", help="the warning signs in one note, as JSON",
                                description='Read {"text": "..."} as JSON and print {"signals": [...]}: each signal '
                                "with its severity, evidence, sentence and rule. On invalid input print "
                                '{"errors": [...]} and exit with code 2. Stateless: nothing is stored.')
    sp.add_argument("--json", required=True, metavar="FILE", help="input file, or - for standard input")
    sp.set_defaults(handler=cmd_signals_scan)
    sp = signals_sub.add_parser("evaluate", help="precision and recall of the rules on labelled notes",
                                description="Scan labelled notes and print precision and recall per signal and the "
                                "false-prompt rate on signal-free notes, for all notes and for the development and "
                                "held-out notes apart. Exit 1 when a target is not met, 2 when the file is bad.")
    sp.add_argument("--file", metavar="FILE",
                    help="labelled notes as JSON lines (id, split, text, expected); default: the shipped set")
    sp.add_argument("--show-misses", action="store_true", help="list each signal missed or raised unexpectedly")
    sp.set_defaults(handler=cmd_signals_evaluate)
    sp = signals_sub.add_parser("batch", help="read every contact note for warning signs (resumable)",
                                description="Read every contact note in the record for warning signs, in batches, "
                                "with a progress bar. Each batch's prompts and the cursor are stored together, so a "
                                "scan stopped part-way resumes where it stopped; a signal already prompted for a note "
                                "is not prompted again. Only notes from the last batch_prompt_days days (policy) "
                                "make prompts; older ones are counted. The job signals_scan runs the same.")
    sp.add_argument("--batch", type=int, default=2000, help="notes per transaction (default 2000)")
    sp.add_argument("--restart", action="store_true", help="start again from the first note")
    sp.add_argument("--quiet", action="store_true", help="no progress bar")
    sp.set_defaults(handler=cmd_signals_batch)

    p = sub.add_parser("recompute", help="recalculate the risk tools of every open case",
                       description="Recalculate OGRS3, RSR, OVP, OGP and the tier of every open case from the record, "
                       "a batch at a time (vectorised), storing a new calculation only where a result or policy "
                       "version changed. Cases whose record has not changed since the last run as at the same date "
                       "under the same policies are skipped. Safe to interrupt and run again.")
    p.add_argument("--batch", type=int, default=20000, help="cases per batch and transaction (default 20000)")
    p.add_argument("--force", action="store_true",
                   help="calculate every open case, including those unchanged since the last run")
    p.add_argument("--as-of", help="calculate as at this date, YYYY-MM-DD (default today)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=cmd_recompute)

    p = sub.add_parser("risk-facts", help="the risk facts and flags the quality report reads",
                       description="Each case's current risk facts and disagreement flags, kept by the services "
                       "that change them (docs/risk-tools.md, quality assurance report).")
    risk_facts_sub = p.add_subparsers(dest="risk_facts_command", required=True, metavar="COMMAND")
    rp = risk_facts_sub.add_parser("refresh", help="work the rows out again",
                                   description="Work out again the rows worked out under other policy versions (after "
                                   "a deployment that changes an allocation, quality or registration policy), or with "
                                   "--all every case's (after facts were changed outside the services: a bulk import, "
                                   "a fix in SQL). Safe to run at any time; only rows that change are written.")
    rp.add_argument("--all", action="store_true", help="every case, not only the rows under other policies")
    rp.set_defaults(handler=cmd_risk_facts_refresh)

    p = sub.add_parser("createuser", help="create a member of staff with a sign-in account",
                       description="Create a member of staff and their account. The password is asked for "
                       "unless given on standard input (--password-stdin) or in OPENPROBATION_NEW_PASSWORD.")
    p.add_argument("username")
    p.add_argument("--first-name", required=True)
    p.add_argument("--last-name", required=True)
    p.add_argument("--role", required=True,
                   choices=["practitioner", "spo", "head_of_service", "quality_assurance", "administrator"])
    p.add_argument("--grade", default="other", choices=["po", "pso", "pqip", "spo", "other"])
    p.add_argument("--team", help="team code (needed for practitioners, SPOs and heads of service)")
    p.add_argument("--code", help="staff code (generated when omitted)")
    p.add_argument("--hours", type=float, default=37.0, help="contracted hours per week (default 37)")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of standard input")
    how.add_argument("--no-password", action="store_true", help="create the account without a usable password")
    p.add_argument("--password", nargs="?", action=_RefusePasswordOnCommandLine, help=argparse.SUPPRESS)
    p.set_defaults(handler=cmd_createuser)

    p = sub.add_parser("audit", help="check the audit trail", description="Check the audit trail.")
    audit_sub = p.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    ap = audit_sub.add_parser("verify", help="walk the audit trail's hash chain and report the first break",
                              description="Recompute every audit event's hash and its link to the one before; "
                              "exit 0 and print the head of the chain when it is unbroken, or exit 1 naming the "
                              "first event that was changed, removed or reordered.")
    ap.add_argument("--from", dest="since", metavar="DATE",
                    help="start at the first event on or after DATE (YYYY-MM-DD), trusting the one before it")
    ap.add_argument("--expect", metavar="POSITION:HASH",
                    help="a head printed by an earlier run and kept outside the database: check the chain still "
                    "holds it (finds the newest events removed, or the chain rewritten)")
    ap.set_defaults(handler=cmd_audit_verify)

    p = sub.add_parser("set-password", help="set someone's password (audited)",
                       description="Set the password of USER: asked for, or one line from standard input "
                       "(--password-stdin), or OPENPROBATION_NEW_PASSWORD. The admin site sets only one's own "
                       "password, so that no administrator can sign in as someone else.")
    p.add_argument("user", metavar="USER")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.set_defaults(handler=cmd_set_password)

    p = sub.add_parser("access-manager", help="grant or withdraw the access-manager permission",
                       description="Access managers manage the restriction and exclusion lists of limited-access "
                       "cases. Only this command grants or withdraws the permission; each change is audited.")
    p.add_argument("action", choices=["grant", "withdraw"])
    p.add_argument("user", metavar="USER", help="the username")
    p.set_defaults(handler=cmd_access_manager)

    p = sub.add_parser("token", help="manage API tokens", description="Manage API tokens.")
    token_sub = p.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    tp = token_sub.add_parser("create", help="create an API token for a user and print it",
                              description="Create an API token for USER and print it once (the expiry goes to "
                              "standard error); only a digest is kept. It works until it expires or is revoked.")
    tp.add_argument("user", metavar="USER")
    tp.add_argument("--days", type=int, metavar="N",
                    help="expire after N days, 1 to 366 (default OPENPROBATION_API_TOKEN_DAYS, 90 unless set)")
    tp.set_defaults(handler=cmd_token_create)
    tp = token_sub.add_parser("list", help="list a user's API tokens and whether each still works",
                              description="List USER's API tokens, newest first: id, prefix, created, expires, "
                              "last used and status (active, expired or revoked). Tokens themselves are never shown.")
    tp.add_argument("user", metavar="USER")
    tp.set_defaults(handler=cmd_token_list)
    tp = token_sub.add_parser("revoke", help="revoke an API token so it is refused from now on",
                              description="Revoke an API token, given in full or by its id (from `token list`); "
                              "audited. Revoking a token that is already revoked says so and exits 0; an unknown "
                              "token exits 2.")
    tp.add_argument("token", metavar="TOKEN|ID")
    tp.set_defaults(handler=cmd_token_revoke)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    if handler is cmd_serve:
        return handler(args)
    # What an administrative command changes is audited as done from the command line by this operating-system
    # account (the server's own events stay "system").
    previous = os.environ.get("OPENPROBATION_COMMAND_LINE_USER")
    os.environ["OPENPROBATION_COMMAND_LINE_USER"] = _operator()
    try:
        return handler(args)
    finally:
        if previous is None:
            os.environ.pop("OPENPROBATION_COMMAND_LINE_USER", None)
        else:
            os.environ["OPENPROBATION_COMMAND_LINE_USER"] = previous


def _operator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"


if __name__ == "__main__":
    sys.exit(main())
