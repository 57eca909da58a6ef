"""A CPU-bound handler, to see the handlers run in parallel.

`GET /primes?below=40000` counts the primes below a number by trial division, in pure
Python: about 50 ms of CPU per request, with no I/O to wait on. On FastAPI (uvicorn, one
process) such requests take turns on one GIL; here each sub-interpreter has its own GIL,
so N interpreters answer N of them at the same time, on N cores.

See it, from `examples/`, with one interpreter and then with two (or with as many as the
machine has cores):

    python -m fasterapi run cpu_bound:app --interpreters 1 --no-access-log
    python measure_cpu_bound.py                   # in another terminal
    # stop the server (CTRL+C), then:
    python -m fasterapi run cpu_bound:app --interpreters 2 --no-access-log
    python measure_cpu_bound.py

`measure_cpu_bound.py` sends 40 requests, 8 at a time, and prints the requests per
second. On an idle 2-core VM (Python 3.13, two runs each) it printed 14.7 and 15.9 req/s
with one interpreter, 32.2 and 36.3 with two: the second core doubles the throughput.
With wrk:
`wrk -t1 -c8 -d10s 'http://127.0.0.1:8000/primes'`. The `thread` field of each answer
tells the worker threads (one per interpreter) apart.
"""

import threading
import time
from typing import Annotated

from fasterapi import FastAPI, Query

app = FastAPI(title="CPU-bound example")


def count_primes(below: int) -> int:
    """The number of primes under `below`, by trial division: slow on purpose."""
    count = 0
    for candidate in range(2, below):
        divisor = 2
        while divisor * divisor <= candidate:
            if candidate % divisor == 0:
                break
            divisor += 1
        else:
            count += 1
    return count


@app.get("/primes")
def primes(below: Annotated[int, Query(ge=2, le=1_000_000)] = 40_000):
    started = time.perf_counter()
    count = count_primes(below)
    return {
        "below": below,
        "count": count,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "thread": threading.get_native_id(),
    }
