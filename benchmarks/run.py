"""The benchmark suite: every server, every endpoint, pinned and unpinned, one table.

Run through `nox -s bench`, which installs wrk, the peers and a release build first. By
hand: `python benchmarks/run.py --ceiling target/release/ceiling`. Results go to
`docs/benchmarks.md` (between the result markers) and `benchmarks/results.json`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

import psutil
from report import render, write_docs

HERE = Path(__file__).parent
APPS = HERE / "apps"
CONNECTIONS = 64


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str
    status: int


ENDPOINTS = [
    Endpoint("plaintext", "GET", "/plaintext", 200),
    Endpoint("json", "GET", "/json", 200),
    Endpoint("users", "GET", "/users/1?q=x", 200),
    Endpoint("users-422", "GET", "/users/abc", 422),
    Endpoint("cpu", "GET", "/cpu", 200),
    Endpoint("items", "POST", "/items", 200),
    Endpoint("async", "GET", "/async", 200),
]
ITEM_BODY = '{"name":"widget","price":9.5,"tags":["a","b"]}'


@dataclass
class Server:
    """How to start one server with `workers` workers (interpreters, processes)."""

    name: str
    workers: int
    port: int
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    only: list[str] | None = None  # endpoint names to measure; None: all it answers


@dataclass
class Measurement:
    server: str
    mode: str
    endpoint: str
    requests_per_second: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    runs: list[float] = field(default_factory=list)
    note: str = ""


@dataclass
class ServerResult:
    server: str
    mode: str
    workers: int
    startup_s: float | None
    rss_mib: float | None
    measurements: list[Measurement]


def servers(mode: str, port: int, ceiling: str, python: str) -> list[Server]:
    workers = 1 if mode == "pinned" else 2
    apps = str(APPS)
    fasterapi_app = str(APPS / "fasterapi_app.py")
    fasterapi = [python, "-m", "fasterapi", "run", fasterapi_app, "--port", str(port)]
    fasterapi += ["--log-level", "warning", "--no-access-log"]
    uvicorn = [python, "-m", "uvicorn", "fastapi_app:app", "--port", str(port), "--app-dir", apps]
    uvicorn += ["--loop", "uvloop", "--http", "httptools", "--log-level", "warning"]
    uvicorn += ["--no-access-log"]
    granian = [python, "-m", "granian", "--interface", "asgi", "--port", str(port)]
    granian += ["--working-dir", apps, "--log-level", "warning", "--no-access-log"]
    found = [
        Server(
            "hyper ceiling",
            workers,
            port,
            [ceiling, str(port), str(workers)],
            only=["plaintext", "json"],
        ),
        Server(
            "FasterAPI",
            workers,
            port,
            [*fasterapi, "--interpreters", str(workers), "--io-threads", "1"],
        ),
        Server("FastAPI + uvicorn", workers, port, [*uvicorn, "--workers", str(workers)]),
        Server(
            "FastAPI + Granian",
            workers,
            port,
            [*granian, "--workers", str(workers), "fastapi_app:app"],
        ),
        Server(
            "Robyn",
            workers,
            port,
            [python, str(APPS / "robyn_app.py"), "--processes", str(workers), "--workers", "1"],
            env={"BENCH_PORT": str(port)},
        ),
        Server(
            "socketify",
            workers,
            port,
            [python, str(APPS / "socketify_app.py"), str(port), str(workers)],
        ),
    ]
    if mode == "unpinned":
        # The scaling targets compare against one worker on the same, unpinned machine.
        found += [
            Server(
                "FasterAPI",
                1,
                port,
                [*fasterapi, "--interpreters", "1", "--io-threads", "1"],
                only=["cpu", "json"],
            ),
            Server(
                "FastAPI + uvicorn", 1, port, [*uvicorn, "--workers", "1"], only=["cpu", "json"]
            ),
        ]
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def request(port: int, endpoint: Endpoint, timeout: float = 5.0) -> int:
    data = ITEM_BODY.encode() if endpoint.method == "POST" else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{endpoint.path}",
        data=data,
        method=endpoint.method,
        headers={"content-type": "application/json"},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_first_response(process: subprocess.Popen, port: int, started: float) -> float:
    probe = ENDPOINTS[1]
    while time.monotonic() - started < 60:
        if process.poll() is not None:
            raise RuntimeError(f"exited with {process.returncode}")
        try:
            if request(port, probe, timeout=1) == 200:
                return time.monotonic() - started
        except (ConnectionError, urllib.error.URLError, TimeoutError, OSError):
            pass
        time.sleep(0.005)
    raise RuntimeError("no answer within 60 s")


LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(
    port: int, endpoint: Endpoint, seconds: int, pin: list[str], script: Path
) -> tuple[float, float, float, int]:
    command = [*pin, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency"]
    if endpoint.method == "POST":
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{endpoint.path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {p: float(v) * UNITS[u] for p, v, u in LATENCY.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors:.*", output)
    bad = int(errors.group(1)) if errors and endpoint.status == 200 else 0
    if socket_errors and "timeout 0" not in socket_errors.group(0):
        bad += 1
    return rps, latency.get("50", 0.0), latency.get("99", 0.0), bad


def rss_mib(process: subprocess.Popen) -> float:
    root = psutil.Process(process.pid)
    total = 0
    for member in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += member.memory_info().rss
    return total / (1024 * 1024)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(timeout=15)
    except (subprocess.TimeoutExpired, ProcessLookupError):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def pin(mode: str, core: int) -> list[str]:
    """`taskset` prefix in pinned mode: the server gets core 0, wrk core 1."""
    return ["taskset", "-c", str(core)] if mode == "pinned" else []


def spawn(server: Server, mode: str) -> subprocess.Popen:
    """Starts `server` in its own session (so `stop` can signal its whole process tree)."""
    return subprocess.Popen(
        [*pin(mode, 0), *server.command],
        cwd=APPS,
        env={**os.environ, **server.env, "PYTHONPATH": str(APPS)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def measure_server(
    server: Server, mode: str, args: argparse.Namespace, script: Path
) -> ServerResult:
    port = server.port
    wrk_pin = pin(mode, 1)
    started = time.monotonic()
    process = spawn(server, mode)
    result = ServerResult(server.name, mode, server.workers, None, None, [])
    try:
        result.startup_s = wait_first_response(process, port, started)
        for endpoint in ENDPOINTS:
            if server.only is not None and endpoint.name not in server.only:
                continue
            measurement = Measurement(server.name, mode, endpoint.name)
            result.measurements.append(measurement)
            status = request(port, endpoint)
            if status != endpoint.status:
                measurement.note = f"answers {status}"
                continue
            try:
                wrk(port, endpoint, args.warmup, wrk_pin, script)
                runs = [
                    wrk(port, endpoint, args.duration, wrk_pin, script) for _ in range(args.runs)
                ]
            except subprocess.CalledProcessError as error:
                measurement.note = f"wrk failed ({error.returncode})"
                continue
            finally:
                if process.poll() is not None:
                    measurement.note = "server died"
                    raise RuntimeError(f"{server.name} died during {endpoint.name}")
            if any(run[3] for run in runs):
                measurement.note = "errors under load"
            runs.sort(key=lambda run: run[0])
            middle = runs[len(runs) // 2]
            measurement.runs = [run[0] for run in runs]
            measurement.requests_per_second = statistics.median(measurement.runs)
            measurement.p50_ms, measurement.p99_ms = middle[1], middle[2]
        result.rss_mib = rss_mib(process) if process.poll() is None else None
    except Exception as error:  # one broken peer must not end the whole run
        result.measurements.append(Measurement(server.name, mode, "-", note=f"failed: {error}"))
    finally:
        stop(process)
    print(f"  {server.name} x{server.workers}: done", flush=True)
    return result


@dataclass
class PairedRatio:
    """A ratio target measured as alternating runs of two servers, median of the ratios.

    This machine's throughput drifts by ±15% over minutes; runs of two servers minutes apart
    compare the drift as much as the servers. Alternating them cancels most of it."""

    target: str
    mode: str
    endpoint: str
    numerator: str
    denominator: str
    ratios: list[float] = field(default_factory=list)
    median: float | None = None


def paired_ratio(
    target: str, mode: str, endpoint_name: str, pair: tuple[Server, Server], args, script: Path
) -> PairedRatio:
    endpoint = next(e for e in ENDPOINTS if e.name == endpoint_name)
    numerator, denominator = pair
    result = PairedRatio(
        target,
        mode,
        endpoint_name,
        f"{numerator.name} x{numerator.workers}",
        f"{denominator.name} x{denominator.workers}",
    )
    single = argparse.Namespace(**{**vars(args), "runs": 1})
    for _ in range(args.pairs):
        rates = []
        for server in pair:
            server.only = [endpoint.name]
            measured = measure_server(server, mode, single, script).measurements
            rates.append(measured[0].requests_per_second if measured else None)
        if all(rates):
            result.ratios.append(rates[0] / rates[1])
    if result.ratios:
        result.median = statistics.median(result.ratios)
    return result


def paired_endpoints(
    target: str, mode: str, server: Server, endpoints: tuple[str, str], args, script: Path
) -> PairedRatio:
    """Alternating runs of two endpoints on one running server."""
    first, second = (next(e for e in ENDPOINTS if e.name == name) for name in endpoints)
    label = f"{server.name} x{server.workers}"
    result = PairedRatio(target, mode, f"{first.name} / {second.name}", label, label)
    wrk_pin = pin(mode, 1)
    process = spawn(server, mode)
    try:
        wait_first_response(process, server.port, time.monotonic())
        for endpoint in (first, second):
            wrk(server.port, endpoint, args.warmup, wrk_pin, script)
        for _ in range(args.pairs):
            rates = [
                wrk(server.port, e, args.duration, wrk_pin, script)[0] for e in (first, second)
            ]
            result.ratios.append(rates[0] / rates[1])
    finally:
        stop(process)
    if result.ratios:
        result.median = statistics.median(result.ratios)
    print(f"  {label}: {first.name} vs {second.name} done", flush=True)
    return result


def paired_ratios(args: argparse.Namespace, script: Path) -> list[PairedRatio]:
    def pick(mode: str, name: str, workers: int) -> Server:
        found = [
            s
            for s in servers(mode, free_port(), args.ceiling, sys.executable)
            if s.name == name and s.workers == workers
        ]
        return found[0]

    print("paired ratios:", flush=True)
    return [
        paired_ratio(
            "json-vs-ceiling",
            "pinned",
            "json",
            (pick("pinned", "FasterAPI", 1), pick("pinned", "hyper ceiling", 1)),
            args,
            script,
        ),
        paired_ratio(
            "cpu-2-vs-1",
            "unpinned",
            "cpu",
            (pick("unpinned", "FasterAPI", 2), pick("unpinned", "FasterAPI", 1)),
            args,
            script,
        ),
        paired_ratio(
            "cpu-2-vs-uvicorn-1",
            "unpinned",
            "cpu",
            (pick("unpinned", "FasterAPI", 2), pick("unpinned", "FastAPI + uvicorn", 1)),
            args,
            script,
        ),
        paired_endpoints(
            "422-vs-valid",
            "pinned",
            pick("pinned", "FasterAPI", 1),
            ("users-422", "users"),
            args,
            script,
        ),
    ]


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    packages = ["fasterapi", "fastapi", "uvicorn", "uvloop", "httptools", "granian", "robyn"]
    for package in [*packages, "socketify"]:
        found[package] = _version(package)
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    found["wrk"] = (wrk_version.stdout + wrk_version.stderr).split("\n")[0].strip()
    found["rustc"] = subprocess.run(
        ["rustc", "--version"], capture_output=True, text=True
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    found["machine"] = f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}"
    return found


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ceiling", default="", help="the built ceiling binary")
    parser.add_argument("--duration", type=int, default=3, help="seconds per wrk run")
    parser.add_argument("--warmup", type=int, default=1, help="seconds of warm-up per endpoint")
    parser.add_argument("--runs", type=int, default=3, help="runs per endpoint (median kept)")
    parser.add_argument("--modes", default="pinned,unpinned")
    parser.add_argument(
        "--pairs", type=int, default=3, help="alternating rounds per ratio target (0: skip)"
    )
    parser.add_argument("--only", default="", help="comma-separated server names to run")
    parser.add_argument(
        "--no-docs",
        action="store_true",
        help="print only: keep docs/benchmarks.md and results.json",
    )
    parser.add_argument(
        "--render-only", action="store_true", help="rewrite the docs from results.json, no run"
    )
    args = parser.parse_args()
    if args.render_only:
        write_docs(render(json.loads((HERE / "results.json").read_text())))
        return 0
    if not shutil.which("wrk"):
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f"wrk.body = '{ITEM_BODY}'\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        results: list[ServerResult] = []
        for mode in args.modes.split(","):
            print(f"{mode}:", flush=True)
            for server in servers(mode, free_port(), args.ceiling, sys.executable):
                if args.only and server.name not in args.only.split(","):
                    continue
                results.append(measure_server(server, mode, args, script))
        ratios = paired_ratios(args, script) if args.pairs and not args.only else []
    report = {
        "versions": versions(),
        "results": [asdict(r) for r in results],
        "paired": [asdict(r) for r in ratios],
    }
    markdown = render(report)
    print(markdown)
    if not args.no_docs:
        (HERE / "results.json").write_text(json.dumps(report, indent=2) + "\n")
        write_docs(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
