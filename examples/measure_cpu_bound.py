"""Times concurrent requests to a running server: `python measure_cpu_bound.py [URL]`.

Sends `--requests` GETs to URL (default: `cpu_bound.py`'s `/primes` on port 8000),
`--concurrency` at a time from as many threads, and prints the wall time, the requests
per second, the median and slowest latency, and how many distinct worker threads
answered (from the `thread` field, when the answer has one). Standard library only.
See `cpu_bound.py` for what to compare.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


@dataclass
class Measurement:
    requests: int
    seconds: float
    latencies: list[float]
    threads: set[int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def summary(self) -> str:
        return (
            f"{self.requests} requests in {self.seconds:.2f} s: {self.per_second:.1f} req/s, "
            f"median {statistics.median(self.latencies) * 1000:.0f} ms, "
            f"slowest {max(self.latencies) * 1000:.0f} ms, "
            f"answered by {len(self.threads)} worker thread(s)"
        )


def fetch(url: str) -> tuple[float, dict]:
    """One GET; its latency in seconds and its JSON body."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = json.load(response)
    return time.perf_counter() - started, body


def measure(url: str, requests: int = 40, concurrency: int = 8) -> Measurement:
    fetch(url)  # one warm-up request: the first call in an interpreter is slower
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(fetch, [url] * requests))
    seconds = time.perf_counter() - started
    latencies = [latency for latency, _ in results]
    threads = {body["thread"] for _, body in results if isinstance(body, dict) and "thread" in body}
    return Measurement(requests, seconds, latencies, threads)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default="http://127.0.0.1:8000/primes")
    parser.add_argument("-n", "--requests", type=int, default=40)
    parser.add_argument("-c", "--concurrency", type=int, default=8)
    args = parser.parse_args(argv)
    print(measure(args.url, args.requests, args.concurrency).summary())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
