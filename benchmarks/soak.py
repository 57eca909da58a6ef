"""The soak test: a million mixed requests against one server, its memory watched throughout.

Run through `nox -s soak`, which installs wrk and a release build first. By hand, with
FasterAPI installed (not the repository checkout): `python benchmarks/soak.py`.

The server (`benchmarks/soak_app.py`, one interpreter per CPU, no access log) first gets a
warm-up, then `--requests` requests cycling through a fixed mix: valid sync requests with
path, query and body parameters, `async def` handlers, invalid requests (422), handlers that
raise (500), unknown routes (404) and wrong methods (405).

wrk generates the load, with a Lua script written from `KINDS`. Each wrk thread has exactly
one connection, so its requests and responses alternate: the script knows which request
every response answers and checks its status and body. A thread stops itself once it has
counted its share of the requests (`wrk.thread:stop()`), so the count is exact; wrk's own
`-d` is only a ceiling, and wrk's main thread, which sleeps until then, is woken with
SIGINT once every thread has reported that it is done.

The run fails (exit 1) if any response is not the one expected for its request, if wrk
reports a socket error or timeout, if the server's RSS at the end is more than
`--max-growth` percent above its RSS after the warm-up, if the server logs an error other
than the expected tracebacks, or if SIGTERM does not stop it with exit status 0.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

HERE = Path(__file__).parent
APP = HERE / "soak_app.py"
ITEM = '{"name":"widget","price":9.5,"tags":["a","b"]}'


@dataclass(frozen=True)
class Kind:
    """One kind of request in the mix, and the answer it must get.

    `path` is a format string: `%d` becomes the thread's request counter, so paths vary.
    `marker` is a substring the response body must contain."""

    name: str
    method: str
    path: str
    status: int
    marker: str
    body: str | None = None


KINDS = [
    Kind("path+query", "GET", "/users/%d?q=soak&limit=5", 200, '"kind":"path-query"'),
    Kind("body+query", "POST", "/items/%d?verbose=true", 200, '"kind":"body"', ITEM),
    Kind("async", "GET", "/async/%d", 200, '"kind":"async"'),
    Kind("path", "GET", "/users/%d", 200, '"kind":"path-query"'),
    Kind("body", "POST", "/items/%d", 200, '"kind":"body"', ITEM),
    Kind("async", "GET", "/async/%d", 200, '"kind":"async"'),
    Kind("invalid path", "GET", "/users/soak%d", 422, '"loc":["path","user_id"]'),
    Kind("invalid query", "GET", "/users/%d?limit=many", 422, '"loc":["query","limit"]'),
    Kind("invalid body", "POST", "/items/%d", 422, '"loc":["body","price"]', '{"name":"x"}'),
    Kind("raising", "GET", "/raise", 500, "Internal Server Error"),
    Kind("async raising", "GET", "/async-raise", 500, "Internal Server Error"),
    Kind("not found", "GET", "/nowhere/%d", 404, '{"detail":"Not Found"}'),
    Kind("wrong method", "DELETE", "/users/%d", 405, '{"detail":"Method Not Allowed"}'),
]

LUA = """
-- Written by benchmarks/soak.py: the mix of requests, and the check of every answer.
local kinds = {KINDS}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  local total, count = tonumber(args[1]), tonumber(args[2])
  quota = math.floor(total / count) + ((id <= total % count) and 1 or 0)
  answered = 0
  position = id  -- threads start at different places in the mix
  counts = {}
  samples = {}
end

function request()
  pending = kinds[(position - 1) % #kinds + 1]
  position = position + 1
  local headers = {}
  if pending.body then headers["Content-Type"] = "application/json" end
  return wrk.format(pending.method, string.format(pending.path, position), headers, pending.body)
end

function response(status, headers, body)
  body = body or ""
  local verdict = "ok"
  if status ~= pending.status then
    verdict = "unexpected status"
  elseif not string.find(body, pending.marker, 1, true) then
    verdict = "unexpected body"
  end
  local key = pending.name .. "\\t" .. status .. "\\t" .. verdict
  counts[key] = (counts[key] or 0) + 1
  if verdict ~= "ok" and not samples[key] then
    samples[key] = string.sub(string.gsub(body, "%s", " "), 1, 300)
  end
  answered = answered + 1
  if answered == quota then
    io.stderr:write("SOAK-THREAD-DONE\\n")
    io.stderr:flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local total, sample = {}, {}
  for _, thread in ipairs(threads) do
    for key, n in pairs(thread:get("counts")) do total[key] = (total[key] or 0) + n end
    for key, body in pairs(thread:get("samples")) do sample[key] = body end
  end
  for key, n in pairs(total) do io.write("SOAK-COUNT\\t", key, "\\t", n, "\\n") end
  for key, body in pairs(sample) do io.write("SOAK-SAMPLE\\t", key, "\\t", body, "\\n") end
  local e = summary.errors
  io.write(string.format("SOAK-ERRORS\\t%d\\t%d\\t%d\\t%d\\n", e.connect, e.read, e.write,
    e.timeout))
  io.write(string.format("SOAK-LATENCY\\t%d\\t%d\\t%d\\n", latency:percentile(50),
    latency:percentile(99), latency.max))
end
"""


def lua_script() -> str:
    def entry(kind: Kind) -> str:
        fields = {
            "name": kind.name,
            "method": kind.method,
            "path": kind.path,
            "status": kind.status,
            "marker": kind.marker,
        }
        if kind.body is not None:
            fields["body"] = kind.body
        # JSON strings of ASCII text are valid Lua string literals.
        return "{" + ", ".join(f"{k} = {json.dumps(v)}" for k, v in fields.items()) + "}"

    return LUA.replace("{KINDS}", "{\n  " + ",\n  ".join(map(entry, KINDS)) + "\n}")


@dataclass
class LoadResult:
    """What one wrk run reports: answers by (kind, status, verdict), errors, latency."""

    requests: int
    connections: int
    seconds: float = 0.0
    counts: dict[tuple[str, int, str], int] = field(default_factory=dict)
    samples: dict[tuple[str, int, str], str] = field(default_factory=dict)
    socket_errors: dict[str, int] = field(default_factory=dict)
    latency_us: tuple[int, int, int] = (0, 0, 0)  # p50, p99, max
    threads_done: int = 0

    @property
    def answered(self) -> int:
        return sum(self.counts.values())

    def problems(self) -> list[str]:
        found = []
        if self.threads_done < self.connections:
            found.append(
                f"{self.connections - self.threads_done} wrk threads hit the time limit "
                "before their share of requests was answered"
            )
        if self.answered != self.requests:
            found.append(f"{self.answered} answers to {self.requests} requests")
        for (kind, status, verdict), n in sorted(self.counts.items()):
            if verdict != "ok":
                sample = self.samples.get((kind, status, verdict), "")
                found.append(f"{n} x {kind}: {verdict} {status}: {sample}")
        for name, n in self.socket_errors.items():
            if n:
                found.append(f"{n} socket {name} errors")
        return found


def run_load(port: int, requests: int, connections: int, ceiling_s: int, script: Path):
    """Sends `requests` requests over `connections` connections (one wrk thread each)."""
    connections = min(connections, requests)
    result = LoadResult(requests, connections)
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{ceiling_s}s"]
    command += ["--timeout", "5s", "-s", str(script), f"http://127.0.0.1:{port}"]
    command += ["--", str(requests), str(connections)]
    started = time.monotonic()
    wrk = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    all_done = threading.Event()

    def watch_threads() -> None:
        for line in wrk.stderr:
            if line.startswith("SOAK-THREAD-DONE"):
                result.threads_done += 1
                if result.threads_done == connections:
                    result.seconds = time.monotonic() - started
                    all_done.set()
                    # wrk's main thread sleeps until -d is over: wake it.
                    with contextlib.suppress(ProcessLookupError):
                        wrk.send_signal(signal.SIGINT)
            else:
                sys.stderr.write(f"wrk: {line}")

    watcher = threading.Thread(target=watch_threads, daemon=True)
    watcher.start()
    output = wrk.stdout.read()
    wrk.wait()
    watcher.join(timeout=5)
    if not all_done.is_set():
        result.seconds = time.monotonic() - started
    for line in output.splitlines():
        fields = line.split("\t")
        if fields[0] == "SOAK-COUNT":
            result.counts[(fields[1], int(fields[2]), fields[3])] = int(fields[4])
        elif fields[0] == "SOAK-SAMPLE":
            result.samples[(fields[1], int(fields[2]), fields[3])] = fields[4]
        elif fields[0] == "SOAK-ERRORS":
            names = ["connect", "read", "write", "timeout"]
            result.socket_errors = dict(zip(names, map(int, fields[1:]), strict=True))
        elif fields[0] == "SOAK-LATENCY":
            p50, p99, most = map(int, fields[1:])
            result.latency_us = (p50, p99, most)
    if wrk.returncode != 0 or not result.socket_errors:
        raise RuntimeError(f"wrk failed ({wrk.returncode}):\n{output}")
    return result


class RssSampler:
    """Reads the server's VmRSS from /proc every second, in a background thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.phase = "start"
        self.samples: list[tuple[float, str, int]] = []  # (seconds, phase, KiB)
        self._stop = threading.Event()
        self._started = time.monotonic()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.pid}/status").read_text()
        return int(re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE).group(1))

    def sample(self) -> int:
        rss = self.rss_kib()
        self.samples.append((time.monotonic() - self._started, self.phase, rss))
        return rss

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            with contextlib.suppress(OSError, AttributeError):
                self.sample()

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(server: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode} while starting")
        url = f"http://127.0.0.1:{port}/users/1"
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=1) as answer:
            if answer.status == 200:
                return
        time.sleep(0.05)
    raise RuntimeError("the server did not answer within 60 s")


def log_problems(log: str, raised: int) -> list[str]:
    """The server's log must hold one traceback per raising request, and nothing else at
    WARN or above."""
    found = []
    tracebacks = log.count("Exception in handler")
    if tracebacks != raised:
        found.append(f"{tracebacks} tracebacks logged for {raised} raising requests")
    level = re.compile(r"^\S+\s+(WARN|ERROR)\s+(.*)$")
    unexpected = [
        line
        for line in log.splitlines()
        if (m := level.match(line)) and not m.group(2).startswith("Exception in handler")
    ]
    unexpected += [line for line in log.splitlines() if "panic" in line.lower()]
    if unexpected:
        found.append(f"{len(unexpected)} unexpected log lines, first: {unexpected[0]}")
    return found


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    memory = Path("/proc/meminfo").read_text().split()[1]
    gib = int(memory) / 1024 / 1024
    return f"{os.cpu_count()} CPUs ({cpu}), {gib:.0f} GiB, {platform.system()} {platform.release()}"


def mib(kib: int) -> str:
    return f"{kib / 1024:.1f} MiB"


def report(
    args: argparse.Namespace,
    interpreters: int,
    warm: LoadResult,
    soak: LoadResult,
    rss: dict[str, int],
    trace: list[tuple[float, str, int]],
    exit_status: int | None,
) -> str:
    growth = 100 * (rss["end"] - rss["warm"]) / rss["warm"]
    peak_growth = 100 * (rss["peak"] - rss["warm"]) / rss["warm"]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    p50, p99, most = soak.latency_us
    lines = [
        f"date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC",
        f"machine: {machine()}; load average before the run: {args.loadavg}",
        f"python {platform.python_version()}, fasterapi {metadata.version('fasterapi')}, "
        + (wrk_version.stdout + wrk_version.stderr).split("\n")[0].split(" Copyright")[0],
        f"server: {interpreters} interpreters, --no-access-log, --log-level warning; "
        f"wrk: {soak.connections} connections (one thread each)",
        "",
        "| | |",
        "|---|---|",
        f"| warm-up | {warm.requests:,} requests in {warm.seconds:.1f} s "
        f"({warm.requests / warm.seconds:,.0f} req/s) |",
        f"| soak | {soak.answered:,} of {soak.requests:,} requests in {soak.seconds:.1f} s |",
        f"| throughput | {soak.requests / soak.seconds:,.0f} req/s |",
        f"| latency p50 / p99 / max | {p50 / 1000:.2f} / {p99 / 1000:.2f} / {most / 1000:.1f} ms |",
        "| socket errors, timeouts | "
        + ", ".join(f"{k} {v}" for k, v in soak.socket_errors.items())
        + " |",
        f"| RSS after warm-up | {mib(rss['warm'])} |",
        f"| RSS peak during the soak | {mib(rss['peak'])} ({peak_growth:+.1f} %) |",
        f"| RSS at the end | {mib(rss['end'])} |",
        f"| RSS growth after warm-up | {growth:+.2f} % (limit {args.max_growth:g} %) |",
        f"| exit status after SIGTERM | {exit_status} |",
        "",
        "| request kind | expected | answers (soak) | as expected |",
        "|---|---|---|---|",
    ]
    for name in dict.fromkeys(kind.name for kind in KINDS):
        expected = next(kind.status for kind in KINDS if kind.name == name)
        answers = {k: n for k, n in soak.counts.items() if k[0] == name}
        ok = sum(n for (_, _, verdict), n in answers.items() if verdict == "ok")
        lines.append(f"| {name} | {expected} | {sum(answers.values()):,} | {ok:,} |")
    lines += ["", "RSS over time (seconds since start: MiB):"]
    step = max(1, len(trace) // 20)
    picked = trace[::step] + ([trace[-1]] if trace and (len(trace) - 1) % step else [])
    lines.append(", ".join(f"{t:.0f}s {phase}: {kib / 1024:.1f}" for t, phase, kib in picked))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1_000_000, help="requests after warm-up")
    parser.add_argument("--warmup", type=int, default=100_000, help="warm-up requests")
    parser.add_argument(
        "--connections", type=int, default=16, help="concurrent connections (default 16)"
    )
    parser.add_argument(
        "--interpreters", type=int, default=None, help="server interpreters (default: CPUs)"
    )
    parser.add_argument(
        "--max-growth", type=float, default=5.0, help="allowed RSS growth, percent (default 5)"
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (Debian: apt-get install wrk)", file=sys.stderr)
        return 2
    interpreters = args.interpreters or len(os.sched_getaffinity(0))
    args.loadavg = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    port = free_port()
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "soak.lua"
        script.write_text(lua_script())
        log_path = Path(scratch) / "server.log"
        command = [sys.executable, "-m", "fasterapi", "run", APP.name, "--port", str(port)]
        command += ["--interpreters", str(interpreters), "--no-access-log"]
        command += ["--log-level", "warning"]
        with open(log_path, "w") as log:
            # From benchmarks/: the repository root would shadow the installed package.
            server = subprocess.Popen(
                command, cwd=HERE, stdout=log, stderr=log, start_new_session=True
            )
        exit_status = None
        try:
            wait_ready(server, port)
            with RssSampler(server.pid) as sampler:
                sampler.phase = "warm-up"
                print(f"warm-up: {args.warmup:,} requests", flush=True)
                warm = run_load(port, args.warmup, args.connections, 600, script)
                time.sleep(1)
                rss = {"warm": sampler.sample()}
                # wrk's -d is a ceiling only: five times the time the warm-up rate predicts.
                rate = warm.requests / warm.seconds
                ceiling = max(120, int(5 * args.requests / rate))
                sampler.phase = "soak"
                print(f"soak: {args.requests:,} requests (at most {ceiling} s)", flush=True)
                soak = run_load(port, args.requests, args.connections, ceiling, script)
                sampler.phase = "end"
                time.sleep(1)
                rss["end"] = sampler.sample()
            soaked = [kib for _, phase, kib in sampler.samples if phase == "soak"]
            rss["peak"] = max([*soaked, rss["end"]])
            server.send_signal(signal.SIGTERM)
            exit_status = server.wait(timeout=60)
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log = log_path.read_text(errors="replace")
    print(report(args, interpreters, warm, soak, rss, sampler.samples, exit_status))
    raised = sum(
        n
        for result in (warm, soak)
        for (_, status, verdict), n in result.counts.items()
        if status == 500 and verdict == "ok"
    )
    problems = [f"warm-up: {p}" for p in warm.problems()]
    problems += [f"soak: {p}" for p in soak.problems()]
    growth = 100 * (rss["end"] - rss["warm"]) / rss["warm"]
    if growth >= args.max_growth:
        problems.append(f"RSS grew {growth:.2f} % after the warm-up (limit {args.max_growth} %)")
    if exit_status != 0:
        problems.append(f"the server exited with {exit_status} after SIGTERM")
    problems += log_problems(log, raised)
    print()
    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        return 1
    print("PASSED: every answer as expected, no socket error, RSS growth within the limit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
