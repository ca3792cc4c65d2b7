"""`make bench`: build the benchmark database, serve it with gunicorn, drive a bounded load against the
public pages, and write bench/results/<UTC timestamp>.json with a table of the figures against the targets
of the performance issue.

    python -m bench.run                                   # 5,000 engagements, 20 s a URL, 4 connections
    python -m bench.run --engagements 500 --seconds 5     # a quick run
    DATABASE_URL=postgresql://…/engage_bench python -m bench.run
    python -m bench.run --skip-build                      # measure the database the last run built
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, func, make_url, select, text
from sqlalchemy.pool import NullPool

from bench.build import (
    BENCH_DIR,
    UnsafeDatabase,
    add_scale_arguments,
    build,
    check_safe,
    normalise_url,
    scale_from,
)
from bench.load import Measurement, drive

REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
STATIC_ASSET = "/assets/main.css"
WORKERS = 2
# Sync workers, as docs/deployment.md runs the service: one request at a time per process, behind a proxy
# that buffers slow clients. The pages are CPU-bound (templates, JSON) with short database calls, so threads
# in a worker would mostly wait for the same interpreter lock.
WORKER_CLASS = "sync"
MEMORY_TARGET_MB = 200
ENGAGEMENT_SEARCH = "mental health"
INSIGHT_SEARCH = "relationships"
FILTER_THEME = "having-services-that-meet-needs"
FILTER_AREA = "rochdale"
PER_PAGE = 20


@dataclass(frozen=True)
class Target:
    """A URL to measure and what it should reach: a share of the static asset's throughput, or a p95."""

    name: str
    path: str
    min_share_of_static: float | None = None
    max_p95_ms: float | None = None
    optional: bool = False  # missing (404) is reported, not an error: the page may not be built yet

    def describe(self) -> str:
        if self.min_share_of_static is not None:
            return f">= {self.min_share_of_static:.0%} of static"
        if self.max_p95_ms is not None:
            return f"p95 < {self.max_p95_ms:.0f} ms"
        return "baseline"


def targets_for(database_url: str) -> list[Target]:
    """The URLs of issue 8, filled in with real slugs and page numbers from the benchmark database."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            slug = _typical_completed_slug(connection)
            public = connection.scalar(text("SELECT COUNT(*) FROM search_documents WHERE kind = 'engagement'")) or 0
    finally:
        engine.dispose()
    last_page = max(1, math.ceil(public / PER_PAGE))
    return [
        Target("static asset", STATIC_ASSET),
        Target("home", "/", max_p95_ms=50),
        Target("engagements", "/engagements", max_p95_ms=50),
        Target("engagements, last page", f"/engagements?page={last_page}", max_p95_ms=50),
        Target("search", f"/engagements?q={ENGAGEMENT_SEARCH.replace(' ', '+')}", max_p95_ms=150),
        Target("filtered list", f"/engagements?theme={FILTER_THEME}&area={FILTER_AREA}", max_p95_ms=50),
        Target("engagement page", f"/engagements/{slug}", min_share_of_static=0.5),
        Target("API list", "/api/v1/engagements", max_p95_ms=50),
        Target("API record", f"/api/v1/engagements/{slug}", min_share_of_static=0.5),
        Target("insight search", f"/insights?q={INSIGHT_SEARCH}", max_p95_ms=150),
        Target("report card", "/report-card", max_p95_ms=150, optional=True),
        Target("Atom feed", "/feed.atom", max_p95_ms=50),
    ]


def _typical_completed_slug(connection) -> str:
    """The completed, published engagement with the median amount of activity: neither the smallest record
    nor the largest."""
    rows = connection.execute(text(
        "SELECT e.slug, (SELECT COUNT(*) FROM activities AS a WHERE a.engagement_id = e.id) AS n "
        "FROM engagements AS e WHERE e.current_step = 'completed' AND NOT e.held_back "
        "AND EXISTS (SELECT 1 FROM published_versions AS v WHERE v.engagement_id = e.id) ORDER BY n, e.id"
    )).all()
    if not rows:
        raise SystemExit("The benchmark database has no published engagement: build it first.")
    return rows[len(rows) // 2].slug


# The server -------------------------------------------------------------------------------------------------

@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        with contextlib.suppress(OSError):
            return [int(pid) for pid in children.read_text().split()]
        return []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, base_url: str, *, page_cache: bool = True) -> dict[str, str]:
    """Production settings, with a fresh secret key, on the benchmark's database; no scheduler in the web
    processes; the query counter of bench/wsgi.py on; the page cache as production has it, unless turned off
    to measure what each page costs to build."""
    return {**os.environ, "ENGAGE_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url, "BASE_URL": base_url, "SCHEDULER_IN_APP": "0",
            "SESSION_COOKIE_SECURE": "1", "BENCH_COUNT_QUERIES": "1", "PYTHONUNBUFFERED": "1",
            "PAGE_CACHE_ENABLED": "1" if page_cache else "0"}


@contextlib.contextmanager
def serve(database_url: str, log: Path, *, workers: int = WORKERS, page_cache: bool = True) -> Iterator[Server]:
    """gunicorn on 127.0.0.1 at a free port, until the block ends, however it ends."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", WORKER_CLASS,
               "--bind", f"127.0.0.1:{port}", "--chdir", str(REPO), "--error-logfile", "-", "bench.wsgi:app"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as output:
        environment = server_environment(database_url, base_url, page_cache=page_cache)
        process = subprocess.Popen(command, cwd=REPO, env=environment,  # noqa: S603
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, base_url, log)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        _stop(process)


def _wait_until_healthy(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"gunicorn stopped before it was ready:\n{_tail(server.log)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within {timeout:.0f} s:\n{_tail(server.log)}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()  # gunicorn's master stops its workers gracefully on SIGTERM
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def _tail(path: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text().splitlines()[-lines:])
    return ""


def resident_mb(pid: int) -> float | None:
    """A process's resident memory (VmRSS), in MB."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return None


# What is recorded ---------------------------------------------------------------------------------------------

def database_info(database_url: str) -> dict[str, Any]:
    parsed = make_url(database_url)
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if parsed.get_backend_name() == "sqlite":
                version = connection.scalar(text("SELECT sqlite_version()"))
            else:
                version = connection.scalar(text("SHOW server_version"))
            rows = {table: connection.scalar(select(func.count()).select_from(text(table)))
                    for table in ("organisations", "users", "engagements", "activities", "activity_reach", "insights",
                                  "published_versions", "search_documents")}
    finally:
        engine.dispose()
    return {"kind": parsed.get_backend_name(), "version": version,
            "url": parsed.render_as_string(hide_password=True), "rows": rows}


def machine_info() -> dict[str, Any]:
    return {"cpu_count": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "machine": platform.machine(), "load_average_at_start": list(os.getloadavg())}


def git_commit() -> str | None:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,  # noqa: S607
                              check=True).stdout.strip()
    return None


def assess(target: Target, measurement: Measurement, static: Measurement | None) -> dict[str, Any]:
    """A URL's figures with its target, whether it is met, and its throughput as a share of the static
    asset's."""
    missing = target.optional and measurement.statuses.get("404", 0) == measurement.requests
    share = (measurement.requests_per_second / static.requests_per_second
             if static and static.requests_per_second else None)
    if missing:
        met: bool | None = None
    elif measurement.errors:
        met = False
    elif target.min_share_of_static is not None:
        met = share is not None and share >= target.min_share_of_static
    elif target.max_p95_ms is not None:
        met = measurement.p95_ms is not None and measurement.p95_ms < target.max_p95_ms
    else:
        met = None
    return {"name": target.name, **measurement.as_dict(),
            "share_of_static": None if share is None else round(share, 3), "target": target.describe(),
            "met": met, "missing": missing}


def table(results: list[dict[str, Any]], memory: dict[str, Any]) -> str:
    header = ["URL", "req/s", "of static", "p50 ms", "p95 ms", "queries", "bytes", "errors", "target", "met"]
    rows = [header]
    for r in results:
        rows.append([r["name"], _num(r["requests_per_second"]), _share(r["share_of_static"]), _num(r["p50_ms"]),
                     _num(r["p95_ms"]), _num(r["mean_queries"]), _num(r["mean_bytes"]), str(r["errors"]),
                     r["target"], "missing" if r["missing"] else {True: "yes", False: "NO", None: "-"}[r["met"]]])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i in (0, 8, 9) else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    worker_rss = ", ".join(f"{mb:.0f} MB" for mb in memory["worker_rss_mb"]) or "unknown"
    met = {True: "yes", False: "NO", None: "-"}[memory["met"]]
    lines.append(f"\nMemory per worker at the end: {worker_rss} (target < {MEMORY_TARGET_MB} MB: {met})")
    for r in results:
        if r["missing"]:
            lines.append(f"{r['name']} ({r['path']}) is missing: 404.")
        elif r["errors"]:
            lines.append(f"{r['name']} ({r['path']}): {r['errors']} errors, {r['statuses']}; {r['error_samples'][:1]}")
    return "\n".join(lines)


def _num(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if isinstance(value, int) or value >= 100 else f"{value:,.1f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


# The run -------------------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build the benchmark database, serve it with gunicorn and "
                                                 "measure the public pages. DATABASE_URL selects PostgreSQL.")
    add_scale_arguments(parser)
    parser.add_argument("--seconds", type=float, default=20, help="load on each URL, in seconds (default 20)")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS})")
    parser.add_argument("--skip-build", action="store_true", help="measure the database as the last build left it")
    parser.add_argument("--no-page-cache", dest="page_cache", action="store_false",
                        help="serve with the page cache off: what every page costs to build")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def _stop_on_signal(signum: int, _frame: Any) -> None:
    # Unwinds through `serve`, which stops gunicorn: a killed run leaves no server behind.
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    database_url = normalise_url(os.environ.get("DATABASE_URL"))
    try:
        check_safe(database_url)
    except UnsafeDatabase as refusal:
        raise SystemExit(f"Refused: {refusal}") from None
    if not (REPO / "engage" / "static" / "main.css").exists():
        raise SystemExit("engage/static/main.css is missing: run `make assets` first (make bench does).")
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    report: dict[str, Any] = {"started_at": started.isoformat(timespec="seconds"), "commit": git_commit(),
                              "machine": machine_info()}
    shown_url = make_url(database_url).render_as_string(hide_password=True)
    if args.skip_build:
        report["build"] = None
    else:
        print(f"Building {shown_url} ...", flush=True)
        built = build(database_url, scale_from(args))
        report["build"] = {"scale": built.scale.as_dict(), "seconds": built.seconds, "rows": built.rows}
        print(f"Built in {built.seconds['total']} s ({built.seconds['fill']} s filling).", flush=True)
    report["database"] = database_info(database_url)
    targets = targets_for(database_url)
    report["server"] = {"workers": args.workers, "worker_class": WORKER_CLASS, "bind": "127.0.0.1",
                        "page_cache": args.page_cache}
    report["load"] = {"seconds_per_url": args.seconds, "connections": args.connections}
    measurements: list[tuple[Target, Measurement]] = []
    with serve(database_url, args.results_dir / f"{stamp}.server.log", workers=args.workers,
               page_cache=args.page_cache) as server:
        for target in targets:
            print(f"  {target.name}: {target.path}", flush=True)
            measurements.append((target, drive(server.base_url, target.path, seconds=args.seconds,
                                               connections=args.connections)))
        rss = [mb for mb in (resident_mb(pid) for pid in server.worker_pids()) if mb is not None]
    static = next((m for t, m in measurements if t.path == STATIC_ASSET), None)
    results = [assess(target, measurement, static) for target, measurement in measurements]
    memory = {"worker_rss_mb": rss, "target_mb": MEMORY_TARGET_MB,
              "met": (max(rss) < MEMORY_TARGET_MB) if rss else None}
    report.update(urls=results, memory=memory, finished_at=datetime.now(UTC).isoformat(timespec="seconds"))
    args.results_dir.mkdir(parents=True, exist_ok=True)
    path = args.results_dir / f"{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    database = report["database"]
    print(f"\n{database['kind']} {database['version']}, {database['rows']['engagements']:,} engagements, "
          f"{database['rows']['activities']:,} activities, {database['rows']['insights']:,} insights; "
          f"{args.connections} connections, {args.seconds:g} s a URL, {args.workers} {WORKER_CLASS} workers, "
          f"{os.cpu_count()} CPUs, page cache {'on' if args.page_cache else 'off'}\n")
    print(table(results, memory))
    print(f"\nResults: {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    # Errors (not missed targets) fail the run: a page that does not answer 200 measures nothing.
    return 1 if any(r["errors"] and not r["missing"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
