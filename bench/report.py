"""What a benchmark run found, summed up: each page group's figures against its target, the writer's cost to
readers, issue 17's targets checked against the realistic workload with the writer, and the printed tables.

Everything here works on plain dicts (the results JSON), so a results file can be summed up again later.
"""

from __future__ import annotations

from typing import Any

from bench.load import Measurement
from bench.urls import Group

MEMORY_TARGET_MB = 200
WRITER_COST_TARGET = 0.9
# The modes of a run, in the order they are run and reported.
REALISTIC = "realistic"
WITH_WRITER = "realistic_with_writer"
CACHE_WARM = "cache_warm"
MODE_TITLES = {REALISTIC: "Realistic workload: a random URL of each group for every request",
               WITH_WRITER: "Realistic workload with the writer: one public change every {interval:g} s",
               CACHE_WARM: "Cache warm: the same URL of each page again and again"}


def assess(group: Group, measurement: Measurement, static: Measurement | None) -> dict[str, Any]:
    """A group's figures with its target, whether it is met, and its throughput as a share of the static file's.
    An optional page that answered nothing but 404 is missing: reported, neither met nor an error."""
    missing = group.optional and measurement.requests > 0 and measurement.statuses.get("404", 0) == measurement.requests
    share = (measurement.requests_per_second / static.requests_per_second
             if static and static.requests_per_second else None)
    target = group.target
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
    return {"name": group.name, **measurement.as_dict(),
            "share_of_static": None if share is None else round(share, 3), "target": target.describe(),
            "met": met, "missing": missing}


def memory(rss_mb: list[float]) -> dict[str, Any]:
    return {"worker_rss_mb": rss_mb, "target_mb": MEMORY_TARGET_MB,
            "met": (max(rss_mb) < MEMORY_TARGET_MB) if rss_mb else None}


def writer_costs(without: list[dict[str, Any]], with_writer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For each page group, its throughput with the writer as a share of its throughput without: a write's cost
    to readers (the target is at least 90%)."""
    before = {r["name"]: r for r in without}
    costs = []
    for after in with_writer:
        alone = before.get(after["name"])
        if alone is None or after["missing"] or alone["missing"]:
            continue
        share = (after["requests_per_second"] / alone["requests_per_second"]
                 if alone["requests_per_second"] else None)
        costs.append({"name": after["name"], "without_rps": alone["requests_per_second"],
                      "with_rps": after["requests_per_second"],
                      "hit_ratio_without": alone["cache_hit_ratio"], "hit_ratio_with": after["cache_hit_ratio"],
                      "share": None if share is None else round(share, 3),
                      "met": None if share is None else share >= WRITER_COST_TARGET})
    return costs


def errors_in(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The groups with errors: any answer but 200, except an optional page that is missing."""
    return [r for r in results if r["errors"] and not r["missing"]]


def targets(with_writer: list[dict[str, Any]], costs: list[dict[str, Any]], memory_: dict[str, Any]
            ) -> list[dict[str, Any]]:
    """Issue 17's targets, each checked against the realistic workload with the writer."""
    checked = [{"what": r["name"], "target": r["target"], "met": r["met"],
                "figure": (f"{r['share_of_static']:.0%} of static" if r["target"].startswith(">=")
                           and r["share_of_static"] is not None else f"p95 {_num(r['p95_ms'])} ms"),
                "missing": r["missing"]}
               for r in with_writer if r["target"] != "baseline"]
    for cost in costs:
        if cost["name"] == "static asset":
            continue
        checked.append({"what": f"writer's cost: {cost['name']}", "target": f">= {WRITER_COST_TARGET:.0%}",
                        "figure": _share(cost["share"]), "met": cost["met"], "missing": False})
    worst = max(memory_["worker_rss_mb"], default=None)
    checked.append({"what": "memory per worker", "target": f"< {MEMORY_TARGET_MB} MB",
                    "figure": "unknown" if worst is None else f"{worst:.0f} MB", "met": memory_["met"],
                    "missing": False})
    return checked


# Printing ----------------------------------------------------------------------------------------------------

def _num(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if isinstance(value, int) or value >= 100 else f"{value:,.1f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _met(result: dict[str, Any]) -> str:
    return "missing" if result.get("missing") else {True: "yes", False: "NO", None: "-"}[result["met"]]


def _columns(rows: list[list[str]], left: set[int]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) if i in left else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths, strict=True))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def mode_table(results: list[dict[str, Any]], memory_: dict[str, Any]) -> str:
    header = ["page group", "req/s", "of static", "p50 ms", "p95 ms", "hits", "queries", "URLs", "errors",
              "target", "met"]
    rows = [header] + [[r["name"], _num(r["requests_per_second"]), _share(r["share_of_static"]), _num(r["p50_ms"]),
                        _num(r["p95_ms"]), _share(r["cache_hit_ratio"]), _num(r["mean_queries"]),
                        f"{r['distinct_urls']:,}", str(r["errors"]), r["target"], _met(r)] for r in results]
    lines = _columns(rows, {0, 9, 10})
    worker_rss = ", ".join(f"{mb:.0f} MB" for mb in memory_["worker_rss_mb"]) or "unknown"
    lines.append(f"Memory per worker at the end: {worker_rss} (target < {MEMORY_TARGET_MB} MB: "
                 f"{ {True: 'yes', False: 'NO', None: '-'}[memory_['met']]})")
    for r in results:
        if r["missing"]:
            lines.append(f"{r['name']} is missing: it answered 404.")
        elif r["errors"]:
            lines.append(f"{r['name']}: {r['errors']} errors, {r['statuses']}; {r['error_samples'][:1]}")
    return "\n".join(lines)


def cost_table(costs: list[dict[str, Any]], writer: dict[str, Any] | None) -> str:
    rows = [["page group", "req/s alone", "with writer", "share", "hits alone", "hits with", "met"]]
    rows += [[c["name"], _num(c["without_rps"]), _num(c["with_rps"]), _share(c["share"]),
              _share(c["hit_ratio_without"]), _share(c["hit_ratio_with"]),
              {True: "yes", False: "NO", None: "-"}[c["met"]]] for c in costs]
    lines = _columns(rows, {0, 6})
    if writer:
        made = ", ".join(f"{n} {kind}" for kind, n in writer["made"].items()) or "none"
        lines.append(f"Writes: {writer['writes']} ({made}), {writer['failed_writes']} failed"
                     + (f": {writer['failures'][:1]}" if writer["failures"] else "")
                     + (f"; nothing to change for {', '.join(writer['skipped'])}" if writer["skipped"] else ""))
    return "\n".join(lines)


def target_table(checked: list[dict[str, Any]]) -> str:
    rows = [["target (realistic with the writer)", "figure", "target", "met"]]
    rows += [[t["what"], t["figure"], t["target"], _met(t)] for t in checked]
    return "\n".join(_columns(rows, {0, 2, 3}))


def summary(report: dict[str, Any]) -> str:
    """The whole printed summary of a run's results: the realistic modes first, the cache-warm run last."""
    parts = []
    interval = (report.get("writer") or {}).get("interval_seconds", 2)
    for mode in (REALISTIC, WITH_WRITER, CACHE_WARM):
        found = report["modes"].get(mode)
        if found:
            parts.append(MODE_TITLES[mode].format(interval=interval) + "\n\n"
                         + mode_table(found["groups"], found["memory"]))
        if mode == WITH_WRITER and report.get("writer_costs") is not None:
            parts.append("A write's cost to readers: throughput with the writer as a share of without it\n\n"
                         + cost_table(report["writer_costs"], report.get("writer")))
    if report.get("targets"):
        parts.append(target_table(report["targets"]))
    return "\n\n".join(parts)
