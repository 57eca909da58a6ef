"""Turning benchmark results into the tables and target checks of docs/benchmarks.md."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DOCS = Path(__file__).parent.parent / "docs" / "benchmarks.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
SERVERS = [
    "hyper ceiling",
    "FasterAPI",
    "FastAPI + uvicorn",
    "FastAPI + Granian",
    "Robyn",
    "socketify",
]
PEERS = ["FastAPI + uvicorn", "FastAPI + Granian", "Robyn", "socketify"]
ENDPOINTS = ["plaintext", "json", "users", "users-422", "cpu", "items", "async"]


class Results:
    """Look-ups over the flat result list of one run."""

    def __init__(self, report: dict[str, Any]):
        self.report = report
        self.servers = report["results"]

    def server(self, name: str, mode: str, workers: int | None = None) -> dict[str, Any] | None:
        for server in self.servers:
            if (server["server"], server["mode"]) == (name, mode) and workers in (
                None,
                server["workers"],
            ):
                return server
        return None

    def measurement(
        self, name: str, mode: str, endpoint: str, workers: int | None = None
    ) -> dict[str, Any] | None:
        server = self.server(name, mode, workers)
        if server is None:
            return None
        return next((m for m in server["measurements"] if m["endpoint"] == endpoint), None)

    def rps(self, name: str, mode: str, endpoint: str, workers: int | None = None) -> float | None:
        found = self.measurement(name, mode, endpoint, workers)
        return found["requests_per_second"] if found else None


def _cell(measurement: dict[str, Any] | None) -> str:
    if measurement is None:
        return "—"
    if measurement["requests_per_second"] is None:
        return measurement["note"] or "—"
    cell = f"{measurement['requests_per_second'] / 1000:.1f}k"
    cell += f" ({measurement['p50_ms']:.2f} / {measurement['p99_ms']:.2f})"
    return cell + (f" {measurement['note']}" if measurement["note"] else "")


def _table(results: Results, mode: str, workers: int) -> list[str]:
    header = ["endpoint", *SERVERS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for endpoint in ENDPOINTS:
        cells = [results.measurement(s, mode, endpoint, workers) for s in SERVERS]
        lines.append(f"| `{endpoint}` | " + " | ".join(_cell(c) for c in cells) + " |")
    rss, startup = [], []
    for name in SERVERS:
        server = results.server(name, mode, workers)
        rss.append(f"{server['rss_mib']:.0f} MiB" if server and server["rss_mib"] else "—")
        startup.append(f"{server['startup_s']:.2f} s" if server and server["startup_s"] else "—")
    lines.append("| RSS after load | " + " | ".join(rss) + " |")
    lines.append("| first response | " + " | ".join(startup) + " |")
    return lines


def _ratios(results: Results, mode: str, workers: int) -> list[str]:
    lines = [
        "| endpoint | FasterAPI | vs FastAPI + uvicorn | vs hyper ceiling |",
        "|---|---|---|---|",
    ]
    for endpoint in ENDPOINTS:
        ours = results.rps("FasterAPI", mode, endpoint, workers)
        if ours is None:
            continue
        uvicorn = _ratio(ours, results.rps("FastAPI + uvicorn", mode, endpoint, workers))
        ceiling = _ratio(ours, results.rps("hyper ceiling", mode, endpoint, workers))
        lines.append(
            f"| `{endpoint}` | {ours / 1000:.1f}k | "
            + (f"{uvicorn:.1f}x" if uvicorn else "—")
            + " | "
            + (f"{ceiling:.2f}x" if ceiling else "—")
            + " |"
        )
    return lines


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if not numerator or not denominator:
        return None
    return numerator / denominator


def targets(results: Results) -> list[tuple[str, str, bool | None]]:
    """Each target of the performance issue: (what, measured, met)."""
    rows: list[tuple[str, str, bool | None]] = []
    paired = {p["target"]: p for p in results.report.get("paired", [])}

    def check(what: str, value: float | None, goal: float, pair: str | None = None) -> None:
        found = paired.get(pair) if pair else None
        if found and found["median"]:
            spread = ", ".join(f"{r:.2f}" for r in found["ratios"])
            rows.append(
                (
                    what,
                    f"{found['median']:.2f}x (alternating runs: {spread})",
                    found["median"] >= goal,
                )
            )
        elif value is None:
            rows.append((what, "not measured", None))
        else:
            rows.append((what, f"{value:.2f}x", value >= goal))

    ours = "FasterAPI"
    check(
        "pinned `/json` ≥ 0.75x the hyper ceiling",
        _ratio(results.rps(ours, "pinned", "json"), results.rps("hyper ceiling", "pinned", "json")),
        0.75,
        "json-vs-ceiling",
    )
    peer_users = [results.rps(p, "pinned", "users") for p in PEERS]
    fastest = max((r for r in peer_users if r), default=None)
    check(
        "pinned `/users` ≥ 1.3x the fastest peer",
        _ratio(results.rps(ours, "pinned", "users"), fastest),
        1.3,
    )
    check(
        "pinned `/users` ≥ 6x FastAPI + uvicorn",
        _ratio(
            results.rps(ours, "pinned", "users"),
            results.rps("FastAPI + uvicorn", "pinned", "users"),
        ),
        6.0,
    )
    check(
        "unpinned `/cpu`, 2 interpreters ≥ 1.85x 1 interpreter",
        _ratio(results.rps(ours, "unpinned", "cpu", 2), results.rps(ours, "unpinned", "cpu", 1)),
        1.85,
        "cpu-2-vs-1",
    )
    check(
        "unpinned `/cpu`, 2 interpreters ≥ 1.8x FastAPI + uvicorn, 1 worker",
        _ratio(
            results.rps(ours, "unpinned", "cpu", 2),
            results.rps("FastAPI + uvicorn", "unpinned", "cpu", 1),
        ),
        1.8,
        "cpu-2-vs-uvicorn-1",
    )
    check(
        "pinned `/users/abc` (422) ≥ `/users/1`",
        _ratio(results.rps(ours, "pinned", "users-422"), results.rps(ours, "pinned", "users")),
        1.0,
        "422-vs-valid",
    )
    ours_rss = results.server(ours, "unpinned", 2)
    uvicorn_rss = results.server("FastAPI + uvicorn", "unpinned", 1)
    if ours_rss and uvicorn_rss and ours_rss["rss_mib"] and uvicorn_rss["rss_mib"]:
        rows.append(
            (
                "RSS, 2 interpreters after load ≤ FastAPI + uvicorn, 1 worker",
                f"{ours_rss['rss_mib']:.0f} MiB vs {uvicorn_rss['rss_mib']:.0f} MiB",
                ours_rss["rss_mib"] <= uvicorn_rss["rss_mib"],
            )
        )
    worst = None
    for mode in ["pinned", "unpinned"]:
        server = results.server(ours, mode, 1 if mode == "pinned" else 2)
        for m in server["measurements"] if server else []:
            if m["p50_ms"] and m["p99_ms"]:
                ratio = m["p99_ms"] / m["p50_ms"]
                if worst is None or ratio > worst[0]:
                    worst = (ratio, f"{mode} `{m['endpoint']}`")
    if worst:
        rows.append(
            ("p99 ≤ 3x p50 (worst endpoint)", f"{worst[0]:.2f}x ({worst[1]})", worst[0] <= 3)
        )
    if ours_rss and ours_rss["startup_s"]:
        rows.append(
            (
                "first response < 0.5 s after start, 2 interpreters",
                f"{ours_rss['startup_s']:.2f} s",
                ours_rss["startup_s"] < 0.5,
            )
        )
    return rows


def render(report: dict[str, Any]) -> str:
    results = Results(report)
    lines = [
        "Cells: requests/s (p50 / p99 latency in ms), median of the runs; `wrk -t1 -c64`.",
        "",
        "### Pinned: server on core 0, wrk on core 1, one worker/interpreter each",
        "",
        *_table(results, "pinned", 1),
        "",
        *_ratios(results, "pinned", 1),
        "",
        "### Unpinned: two workers/interpreters each",
        "",
        *_table(results, "unpinned", 2),
        "",
        *_ratios(results, "unpinned", 2),
        "",
        "### Targets",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]
    for what, measured, met in targets(results):
        mark = "—" if met is None else ("yes" if met else "**no**")
        lines.append(f"| {what} | {measured} | {mark} |")
    lines += ["", "### Versions", ""]
    lines += [f"- {name}: {version}" for name, version in report["versions"].items()]
    return "\n".join(lines)


def write_docs(markdown: str) -> None:
    text = DOCS.read_text()
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOCS.write_text(f"{before}{START}\n{markdown}\n{END}{after}")
