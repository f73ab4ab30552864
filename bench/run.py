"""`python -m bench.run`: seed (if needed), serve the app with gunicorn, load each target with
wrk for a fixed number of requests, print the table and write it as JSON under bench-results/.

Server: gunicorn with the same workers for every target (default 2 sync workers, one per core:
the app is CPU-bound Python, so threads would only share the GIL; sync workers are what a
deployment behind a buffering proxy runs). wrk uses 4 connections, so a request is always waiting
for each worker, on ONE thread: a thread that stops at its share leaves connections open that a
sync worker would sit on while another thread still runs. Latencies include the wait for a free
worker. wrk's Lua response() hook (needed to stop at a count and check every status) costs it
some CPU on the same 2 cores: the same per request for every target. Exit status: 0 when the benchmark ran, whether or not targets
were met (it prints those it missed); 1 when a page answered with a wrong status or the run
could not be made.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from bench import report
from bench.browser import Answer, BenchError, Browser
from bench.targets import Target, target_makers

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
MANIFEST = RESULTS / "seed-manifest.json"
LOAD_SCRIPT = Path(__file__).resolve().parent / "load.lua"
WRK = shutil.which("wrk") or "/usr/bin/wrk"
THREAD_DONE = "BENCH-THREAD-DONE"  # printed by load.lua when a thread has had its share


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{RESULTS / 'bench.sqlite3'}"


def database_kind(url: str) -> str:
    return "sqlite" if url.startswith("sqlite") else "postgresql"


def engine_url(url: str) -> str:
    """The URL as SQLAlchemy needs it (psycopg 3 for PostgreSQL), as groups/config.py reads it."""
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg://" + url.removeprefix(plain)
    return url


def manifest_matches(manifest: dict, url: str) -> bool:
    """The manifest was written for this database, and the database still holds its data."""
    if engine_url(manifest.get("database_url", "")) != engine_url(url):
        return False
    engine = sa.create_engine(engine_url(url))
    try:
        with engine.connect() as connection:
            found = connection.execute(
                sa.text('SELECT id FROM "group" WHERE slug = :slug'),
                {"slug": manifest["group_slug"]},
            ).first()
    except sa.exc.SQLAlchemyError:
        return False
    finally:
        engine.dispose()
    return found is not None


def load_manifest(path: Path, url: str, *, skip_seed: bool, scale: str | None) -> dict:
    if skip_seed:
        if not path.exists():
            raise BenchError(f"--skip-seed, but there is no manifest at {path}.")
        return json.loads(path.read_text())
    if path.exists() and manifest_matches(json.loads(path.read_text()), url):
        print(f"Using the seeded database ({url}).", flush=True)
        return json.loads(path.read_text())
    command = [sys.executable, "-m", "bench.seed", "--database-url", url, "--manifest", str(path)]
    if scale:
        command += ["--scale", scale]
    print(f"Seeding {url} ...", flush=True)
    subprocess.run(command, cwd=ROOT, check=True)
    return json.loads(path.read_text())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(url: str) -> dict:
    """Production-like settings the server runs with. SQLite can't run as CIRCLES_ENV=production
    (the app refuses it), so only PostgreSQL does; both get a fixed SECRET_KEY, rate limits
    off (the load comes from one address), and mail written to a folder instead of sent."""
    environment = {
        key: value for key, value in os.environ.items() if key not in ("CIRCLES_ENV", "FLASK_ENV")
    }
    environment.update(
        DATABASE_URL=url,
        SECRET_KEY=secrets.token_hex(32),
        RATELIMIT_ENABLED="false",
        MAIL_SERVER="",
        MAIL_OUTBOX_DIR=str(RESULTS / "outbox"),
    )
    if database_kind(url) == "postgresql":
        environment["CIRCLES_ENV"] = "production"
    return environment


def start_server(url: str, port: int, workers: int, worker_class: str, log: Path):
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "bench.wsgi:app", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", worker_class,
        "--log-level", "warning", "--timeout", "120",
    ]  # fmt: skip
    with log.open("w") as output:
        server = subprocess.Popen(
            command, cwd=ROOT, env=server_environment(url), stdout=output, stderr=output
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}; see {log}.")
        try:
            if Browser(port).request("GET", "/bench/bare").status == 200:
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise BenchError(f"gunicorn did not answer within 60 seconds; see {log}.")


def check(answer: Answer, target: Target, what: str) -> int | None:
    if answer.status not in target.accepted:
        raise BenchError(
            f"{target.name}: {what} answered {answer.status}, expected {target.accepted}."
        )
    return answer.sql_queries


def precheck(browser: Browser, target: Target, warmup: int) -> int | None:
    """One request of each kind with Python: the status must be right; returns the most SQL
    statements any of them ran. GET targets are also warmed up (templates, connections) in
    every worker before they are timed."""
    counts = []
    for method, path, form in target.requests:
        answer = browser.request(method, path, form=form, headers=target.headers)
        counts.append(check(answer, target, f"{method} {path}"))
    if all(method == "GET" for method, _path, _form in target.requests):
        for _ in range(warmup):
            browser.request("GET", target.requests[0][1], headers=target.headers)
    known = [count for count in counts if count is not None]
    return max(known) if known else None


def run_wrk(port: int, target: Target, requests: int, connections: int) -> report.WrkResult:
    """Load ``target`` with ``requests`` requests (at most 10 minutes: a slower target reports
    fewer requests)."""
    threads = 1  # see the module's docstring
    if target.sequential:
        connections = 1
    command = [
        WRK, "-t", str(threads), "-c", str(connections), "-d", "600s", "--timeout", "30s",
        "-s", str(LOAD_SCRIPT),
    ]  # fmt: skip
    for name, value in target.headers.items():
        command += ["-H", f"{name}: {value}"]
    command += [
        f"http://127.0.0.1:{port}/",
        "--",
        str(requests),
        ",".join(map(str, target.accepted)),
    ]
    for method, path, form in target.requests:
        command += [method, path, urlencode(form or {})]
    return report.parse_wrk_output(_run_until_threads_done(command, threads))


def _run_until_threads_done(command: list[str], threads: int) -> str:
    """Run wrk and interrupt it as soon as every thread has had its share of the responses
    (wrk itself would wait out the whole duration); returns what it printed."""
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    output, done = [], 0
    for line in wrk.stdout:
        output.append(line)
        if line.startswith(THREAD_DONE):
            done += 1
            if done == threads:
                wrk.send_signal(signal.SIGINT)
    errors = wrk.stderr.read()
    if wrk.wait() != 0:
        raise BenchError(f"wrk failed ({wrk.returncode}): {errors.strip()}")
    return "".join(output)


def sqlite_ratios(counts: dict | None) -> dict[str, float] | None:
    """The ratios of the latest SQLite run, if it was on data of the same size (the same number
    of organisations, venues, groups and people: RSVPs and meetings vary a little with the day
    the data was seeded on)."""
    latest = RESULTS / "latest-sqlite.json"
    if not latest.exists():
        return None
    document = json.loads(latest.read_text())
    sized_by = ("organisation", "venue", "group", "user")
    theirs, ours = document.get("counts") or {}, counts or {}
    if any(theirs.get(table) != ours.get(table) for table in sized_by):
        return None
    return {row["target"]: row["ratio"] for row in document["rows"] if row["ratio"] is not None}


def measure(args, manifest: dict, url: str) -> list[report.Row]:
    port = free_port()
    server = start_server(url, port, args.workers, args.worker_class, RESULTS / "gunicorn.log")
    try:
        makers = target_makers(manifest, port, engine_url(url))
        rows, bare_runs = [], []
        for make in [*makers, makers[0]]:  # the bare route again last
            target = make()
            print(f"  {target.name} ...", flush=True)
            queries = target.queries
            if queries is None:
                queries = precheck(target.browser, target, args.warmup)
            result = run_wrk(port, target, args.requests, args.connections)
            if target.after:
                target.after()
            if target.name == report.BARE:
                bare_runs.append((result, queries))
                if len(bare_runs) == 1:
                    continue
                result = report.bare_floor(bare_runs[0][0], bare_runs[1][0])
            rows.append(report.make_row(target.name, result, queries, target.query_limit))
        rows.insert(0, rows.pop())  # the bare row first
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)


def write_results(rows: list[report.Row], manifest: dict, url: str, args) -> Path:
    kind = database_kind(url)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    document = {
        "database": kind,
        "measured_at": stamp,
        "seed_seconds": manifest.get("seconds"),
        "counts": manifest.get("counts"),
        "server": f"gunicorn, {args.workers} {args.worker_class} workers",
        "load": f"wrk, {args.connections} connections, {args.requests} requests per target",
        "bare": "the faster of two runs, one first and one last",
        "table": report.format_table(rows),
        "rows": report.rows_as_json(rows),
    }
    text = json.dumps(document, indent=2)
    path = RESULTS / f"bench-{kind}-{stamp}.json"
    path.write_text(text)
    (RESULTS / f"latest-{kind}.json").write_text(text)
    return path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000, help="requests per target")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (every target)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--warmup", type=int, default=10, help="untimed requests per GET target")
    parser.add_argument("--skip-seed", action="store_true", help="use the manifest as it is")
    parser.add_argument("--scale", help="passed to bench.seed when it has to seed")
    parser.add_argument(
        "--manifest", type=Path, help="seed manifest to use (default: per database kind)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    RESULTS.mkdir(exist_ok=True)
    try:
        url = database_url()
        # One manifest per database kind, so a PostgreSQL run doesn't make SQLite seed again.
        manifest_path = args.manifest or (
            MANIFEST.with_name("seed-manifest-postgresql.json")
            if database_kind(url) == "postgresql"
            else MANIFEST
        )
        manifest = load_manifest(manifest_path, url, skip_seed=args.skip_seed, scale=args.scale)
        url = manifest["database_url"] if args.skip_seed else url
        kind = database_kind(url)
        print(f"Benchmark on {kind}: {args.requests} requests per target.", flush=True)
        rows = measure(args, manifest, url)
    except (BenchError, subprocess.CalledProcessError) as error:
        print(f"make bench: {error}", file=sys.stderr)
        return 1
    report.judge(rows, sqlite_ratios(manifest.get("counts")) if kind == "postgresql" else None)
    print()
    print(
        f"Database: {kind}; seeded in {manifest.get('seconds')} s; counts {manifest.get('counts')}"
    )
    print(report.format_table(rows))
    print(f"\nWritten to {write_results(rows, manifest, url, args)}")
    for row in rows:
        if row.missed:
            print(f"Missed: {row.target}: {'; '.join(row.missed)}")
    failed = [row for row in rows if row.errors]
    for row in failed:
        print(f"FAILED: {row.target}: {row.error_detail}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
