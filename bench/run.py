"""`make bench`: build the benchmark database, serve it with gunicorn, drive a bounded load against the
public pages, and write bench/results/<UTC timestamp>.json with tables of the figures against the targets
of issue 17.

Three modes, each on a freshly started server (so no mode inherits another's cache), each page group in turn:

1. realistic: every request asks for a random URL of its group (bench/urls.py);
2. realistic with the writer: the same, while bench/writer.py makes one public change every 2 seconds
   through the services; each group's throughput is compared with mode 1's ("a write's cost to readers");
3. cache warm: one URL for each page, again and again, as the benchmark used to measure.

    python -m bench.run                                   # 5,000 engagements, 10 s a group, 4 connections
    python -m bench.run --engagements 500 --seconds 3     # a quick run
    DATABASE_URL=postgresql://…/engage_bench python -m bench.run [--scale city]
    python -m bench.run --skip-build                      # measure the database the last run built
"""

from __future__ import annotations

import argparse
import contextlib
import json
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

from bench import report as summing
from bench.build import (
    BENCH_DIR,
    UnsafeDatabase,
    add_scale_arguments,
    build,
    builder_app,
    check_safe,
    normalise_url,
    scale_from,
)
from bench.load import drive
from bench.urls import STATIC_ASSET, Group, Vocabulary, load_vocabulary, realistic_groups, same_url_groups
from engage.extensions import db

REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
WORKERS = 2
# Sync workers, as docs/deployment.md runs the service: one request at a time per process, behind a proxy
# that buffers slow clients. The pages are CPU-bound (templates, JSON) with short database calls, so threads
# in a worker would mostly wait for the same interpreter lock.
WORKER_CLASS = "sync"
DEFAULT_SECONDS = 10


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
               "--bind", f"127.0.0.1:{port}", "--chdir", str(REPO), "--error-logfile", "-", "bench.wsgi:make_app()"]
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


# The writer ---------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def writing(database_url: str, out: Path, *, interval: float, seed: int, gate: Path) -> Iterator[Path]:
    """bench/writer.py in a process of its own on the benchmark's database, making one public change every
    `interval` seconds while `gate` exists, until the block ends; what it did is then in `out`."""
    environment = {**server_environment(database_url, "http://127.0.0.1"), "BENCH_COUNT_QUERIES": ""}
    out.unlink(missing_ok=True)
    log = out.with_suffix(".log")
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "bench.writer", "--interval", str(interval), "--seed", str(seed), "--out", str(out),
             "--gate", str(gate)],
            cwd=REPO, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield out
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # it finishes the change under way, then writes `out`
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def read_writer_log(out: Path) -> dict[str, Any]:
    try:
        return json.loads(out.read_text())
    except (OSError, ValueError):
        log = out.with_suffix(".log")
        return {"writes": 0, "failed_writes": 1, "made": {}, "failed": {"writer": 1}, "skipped": {},
                "failures": [f"The writer stopped without saying what it did:\n{_tail(log, 10)}"]}


# The run -------------------------------------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build the benchmark database, serve it with gunicorn and "
                                                 "measure the public pages. DATABASE_URL selects PostgreSQL.")
    add_scale_arguments(parser)
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                        help=f"load on each page group in each mode, in seconds (default {DEFAULT_SECONDS:g})")
    parser.add_argument("--connections", type=int, default=4, help="concurrent connections (default 4)")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers (default {WORKERS})")
    parser.add_argument("--writer-interval", type=float, default=2.0,
                        help="seconds between the writer's public changes (default 2)")
    parser.add_argument("--skip-build", action="store_true", help="measure the database as the last build left it")
    parser.add_argument("--no-page-cache", dest="page_cache", action="store_false",
                        help="serve with the page cache off: what every page costs to build")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def _stop_on_signal(signum: int, _frame: Any) -> None:
    # Unwinds through `serve` and `writing`, which stop gunicorn and the writer: a killed run leaves nothing behind.
    raise SystemExit(128 + signum)


def measure_mode(database_url: str, groups: list[Group], vocabulary: Vocabulary | None, args: argparse.Namespace,
                 log: Path, seed: str) -> dict[str, Any]:
    """Each group in turn on a freshly started server; the workers' memory at the end."""
    measured = []
    with serve(database_url, log, workers=args.workers, page_cache=args.page_cache) as server:
        for group in groups:
            print(f"  {group.name}", flush=True)
            measured.append((group, _drive(server, group, vocabulary, args, seed)))
        rss = _worker_rss(server)
    return _mode(measured, rss)


def measure_with_and_without_writer(database_url: str, vocabulary: Vocabulary, args: argparse.Namespace, base: Path
                                    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The realistic workload alone and with the writer, side by side: two servers started together, and for each
    group first a run on one with the writer held, then a run on the other while it writes. Measured in the same
    minute, the two differ by the writes, not by what else the machine was doing in between; each server's cache
    has seen the same kinds of pages before. Returns both modes and what the writer did."""
    alone_measured, busy_measured = [], []
    gate = Path(f"{base}.writer.gate")
    gate.unlink(missing_ok=True)
    with (serve(database_url, Path(f"{base}.realistic.server.log"), workers=args.workers,
                page_cache=args.page_cache) as alone,
          serve(database_url, Path(f"{base}.writer.server.log"), workers=args.workers,
                page_cache=args.page_cache) as busy,
          writing(database_url, Path(f"{base}.writer.json"), interval=args.writer_interval, seed=args.seed,
                  gate=gate) as out):
        for group in realistic_groups():
            print(f"  {group.name}: alone, then with the writer", flush=True)
            alone_measured.append((group, _drive(alone, group, vocabulary, args, f"{args.seed}/realistic")))
            gate.touch()
            try:
                busy_measured.append((group, _drive(busy, group, vocabulary, args, f"{args.seed}/writer")))
            finally:
                gate.unlink(missing_ok=True)
        alone_rss, busy_rss = _worker_rss(alone), _worker_rss(busy)
    writer = {"interval_seconds": args.writer_interval, **read_writer_log(out)}
    return _mode(alone_measured, alone_rss), _mode(busy_measured, busy_rss), writer


def _drive(server: Server, group: Group, vocabulary: Vocabulary | None, args: argparse.Namespace, seed: str):
    return drive(server.base_url, group, seconds=args.seconds, connections=args.connections, vocabulary=vocabulary,
                 seed=f"{seed}/{group.name}")


def _worker_rss(server: Server) -> list[float]:
    return [mb for mb in (resident_mb(pid) for pid in server.worker_pids()) if mb is not None]


def _mode(measured: list, rss: list[float]) -> dict[str, Any]:
    static = next((m for g, m in measured if g.path == STATIC_ASSET or g.name == "static asset"), None)
    return {"groups": [summing.assess(group, measurement, static) for group, measurement in measured],
            "memory": summing.memory(rss)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _stop_on_signal)
    database_url = normalise_url(os.environ.get("DATABASE_URL"))
    try:
        check_safe(database_url)
        scale = scale_from(args, database_url)
    except (UnsafeDatabase, ValueError) as refusal:
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
        built = build(database_url, scale)
        report["build"] = {"scale": built.scale.as_dict(), "seconds": built.seconds, "rows": built.rows}
        print(f"Built in {built.seconds['total']} s ({built.seconds['fill']} s filling).", flush=True)
    report["database"] = database_info(database_url)
    reader = builder_app(database_url)
    vocabulary = load_vocabulary(reader)
    with reader.app_context():
        db.engine.dispose()  # the load's processes are forked from this one: they must not share its connections
    report["vocabulary"] = {"public_engagements": len(vocabulary.slugs), "earlier_versions": len(vocabulary.versions),
                            "organisations": len(vocabulary.organisations), "themes": len(vocabulary.themes),
                            "areas": len(vocabulary.areas), "years": vocabulary.years,
                            "search_words": len(vocabulary.words),
                            "report_card_span": [vocabulary.first_day.isoformat(), vocabulary.last_day.isoformat()]}
    report["server"] = {"workers": args.workers, "worker_class": WORKER_CLASS, "bind": "127.0.0.1",
                        "page_cache": args.page_cache}
    report["load"] = {"seconds_per_group": args.seconds, "connections": args.connections, "seed": args.seed,
                      "writer_interval_seconds": args.writer_interval}
    args.results_dir.mkdir(parents=True, exist_ok=True)
    base = args.results_dir / stamp
    modes: dict[str, Any] = {}
    print(f"Realistic workload, alone and with the writer (one public change every {args.writer_interval:g} s):",
          flush=True)
    modes[summing.REALISTIC], modes[summing.WITH_WRITER], report["writer"] = measure_with_and_without_writer(
        database_url, vocabulary, args, base)
    print("Cache warm (the same URL again and again):", flush=True)
    modes[summing.CACHE_WARM] = measure_mode(database_url, same_url_groups(vocabulary), vocabulary, args,
                                             Path(f"{base}.warm.server.log"), seed=f"{args.seed}/warm")
    report["modes"] = modes
    report["writer_costs"] = summing.writer_costs(modes[summing.REALISTIC]["groups"],
                                                  modes[summing.WITH_WRITER]["groups"])
    report["targets"] = summing.targets(modes[summing.WITH_WRITER]["groups"], report["writer_costs"],
                                        modes[summing.WITH_WRITER]["memory"])
    report["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    path = Path(f"{base}.json")
    path.write_text(json.dumps(report, indent=2) + "\n")
    database = report["database"]
    print(f"\n{database['kind']} {database['version']}, {database['rows']['engagements']:,} engagements, "
          f"{database['rows']['activities']:,} activities, {database['rows']['insights']:,} insights; "
          f"{args.connections} connections, {args.seconds:g} s a group, {args.workers} {WORKER_CLASS} workers, "
          f"{os.cpu_count()} CPUs, page cache {'on' if args.page_cache else 'off'}\n")
    print(summing.summary(report))
    print(f"\nResults: {path.relative_to(REPO) if path.is_relative_to(REPO) else path}")
    # Errors (not missed targets) fail the run: a page that does not answer 200 measures nothing, and a run whose
    # writer failed did not measure what it says.
    failed = [r for mode in modes.values() for r in summing.errors_in(mode["groups"])]
    return 1 if failed or report["writer"].get("failed_writes") else 0


if __name__ == "__main__":
    sys.exit(main())
