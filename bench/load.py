"""A small, bounded load driver: for one page group, a fixed number of concurrent connections each sending GET
requests one after another for a fixed time, measuring what came back. Each request asks for the group's one
URL, or for a new URL the group makes from the benchmark's vocabulary (bench/urls.py), each connection with a
random number generator of its own, seeded so that a run can be repeated.

Each connection is its own process (so the client's own Python work is not serialised behind one GIL),
with an `http.client` connection kept alive while the server allows it; the server's sync workers close
each connection after the response, and then the client connects again, as a browser behind a proxy would.
Any answer other than 200, and any failure to connect or read, is an error.

bench/wsgi.py tells the driver, in headers, the SQL statements each request ran and whether the page cache
answered it ("hit") or built it ("miss"); a request no cached view answers is neither.
"""

from __future__ import annotations

import http.client
import math
import multiprocessing
import random
import signal
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bench import CACHE_HEADER, QUERY_HEADER
from bench.urls import Group, Vocabulary

# Enough to see that the failures are, without keeping thousands.
KEPT_ERRORS = 5


@dataclass
class Tally:
    """What one connection saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    body_bytes: int = 0
    queries: int = 0
    counted: int = 0
    cache: Counter = field(default_factory=Counter)
    paths: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.body_bytes += other.body_bytes
        self.queries += other.queries
        self.counted += other.counted
        self.cache.update(other.cache)
        self.paths |= other.paths
        self.errors += other.errors[: max(0, KEPT_ERRORS - len(self.errors))]


@dataclass
class Measurement:
    path: str
    seconds: float
    connections: int
    requests: int
    requests_per_second: float
    p50_ms: float | None
    p95_ms: float | None
    mean_ms: float | None
    max_ms: float | None
    mean_bytes: int | None
    mean_queries: float | None
    cache_hits: int
    cache_misses: int
    cache_hit_ratio: float | None  # of the requests a cached view answered
    distinct_urls: int
    errors: int
    statuses: dict[str, int]
    error_samples: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def percentile(ordered: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile of an ordered list."""
    if not ordered:
        return None
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _quiet_signals() -> None:
    """In each connection's process: leave Ctrl-C and termination to the run, which stops the pool."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def _connection(host: str, port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection(host, port, timeout=30)


def _one_connection(base_url: str, group: Group, vocabulary: Vocabulary | None, seed: str, start_at: float,
                    stop_at: float) -> Tally:
    """Send requests one after another from `start_at` until `stop_at` (monotonic clock, which every
    process on the machine shares)."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    rng = random.Random(seed)
    tally = Tally()
    connection: http.client.HTTPConnection | None = None
    time.sleep(max(0.0, start_at - time.monotonic()))
    while time.monotonic() < stop_at:
        path = group.url(rng, vocabulary)
        tally.paths.add(path)
        connection = connection or _connection(host, port)
        began = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = connection.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as error:
            tally.statuses[f"failed: {type(error).__name__}"] += 1
            if len(tally.errors) < KEPT_ERRORS:
                tally.errors.append(f"{path}: {type(error).__name__}: {error}")
            connection.close()
            connection = None
            continue
        tally.latencies.append(time.perf_counter() - began)
        tally.statuses[str(response.status)] += 1
        tally.body_bytes += len(body)
        queries = response.getheader(QUERY_HEADER)
        if queries is not None and queries.isdigit():
            tally.queries += int(queries)
            tally.counted += 1
        outcome = response.getheader(CACHE_HEADER)
        if outcome in ("hit", "miss"):
            tally.cache[outcome] += 1
        if response.status != 200 and len(tally.errors) < KEPT_ERRORS:
            tally.errors.append(f"{path}: {response.status} {response.reason}: {body[:200]!r}")
        if response.will_close:
            connection.close()
            connection = None
    if connection is not None:
        connection.close()
    return tally


def drive(base_url: str, group: Group, *, seconds: float, connections: int, vocabulary: Vocabulary | None = None,
          seed: str = "bench", warm_up: float = 1.0) -> Measurement:
    """Load one page group for `seconds` at `connections` concurrent connections, after a short warm-up at the
    same concurrency (so each worker has compiled its templates and opened its database connection). The
    warm-up draws its URLs from other seeds than the measurement, so it does not fill the cache with the very
    URLs about to be asked."""
    context = multiprocessing.get_context("fork")
    with context.Pool(connections, initializer=_quiet_signals) as pool:
        if warm_up > 0:
            start = time.monotonic() + 0.2
            pool.starmap(_one_connection, [(base_url, group, vocabulary, f"{seed}/warm-up/{n}", start,
                                            start + warm_up) for n in range(connections)])
        start = time.monotonic() + 0.2
        tallies = pool.starmap(_one_connection, [(base_url, group, vocabulary, f"{seed}/{n}", start, start + seconds)
                                                 for n in range(connections)])
        elapsed = max(seconds, time.monotonic() - start)
    total = Tally()
    for tally in tallies:
        total.add(tally)
    ordered = sorted(total.latencies)
    requests = sum(total.statuses.values())
    ok = total.statuses.get("200", 0)
    answered = total.cache["hit"] + total.cache["miss"]
    return Measurement(
        path=group.path or f"random: {group.make.__name__ if group.make else '?'}", seconds=round(elapsed, 2),
        connections=connections, requests=requests,
        requests_per_second=round(len(ordered) / elapsed, 1),
        p50_ms=_ms(percentile(ordered, 0.50)), p95_ms=_ms(percentile(ordered, 0.95)),
        mean_ms=_ms(sum(ordered) / len(ordered)) if ordered else None, max_ms=_ms(ordered[-1] if ordered else None),
        mean_bytes=round(total.body_bytes / len(ordered)) if ordered else None,
        mean_queries=round(total.queries / total.counted, 1) if total.counted else None,
        cache_hits=total.cache["hit"], cache_misses=total.cache["miss"],
        cache_hit_ratio=round(total.cache["hit"] / answered, 3) if answered else None,
        distinct_urls=len(total.paths), errors=requests - ok, statuses=dict(sorted(total.statuses.items())),
        error_samples=total.errors)


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)
