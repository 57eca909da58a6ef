"""schemathesis against the example apps, as served.

Each app in `examples/` runs on a real server; its schema is loaded from the live
`/openapi.json`, and every operation gets schema-derived requests, valid ones (positive)
and invalid ones (negative), over a real socket. Every answer must be free of server
errors (`not_a_server_error`) and match the document (`response_schema_conformance`:
the 200/201 body against the response model, a 422 against `HTTPValidationError`).

`status_code_conformance` is left out on purpose: our documents, like FastAPI's, declare
only the success code and 422, while the apps answer 404 for a missing row (crud,
mixed's orders) by raising `HTTPException`, which no document lists; FastAPI's own
document would fail that check the same way, so it would test the apps, not the server.

The generation is derandomized (`derandomize=True`, no example database), so a failure
reproduces and CI sees the same requests every run; raise `MAX_EXAMPLES` locally to
search further. schemathesis' pytest plugin (`schemathesis.pytest.from_fixture`) does not
run on pytest 9.2 (it sets `Function._nodeid`, which pytest no longer has), hence the plain
loop over the operations here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from schemathesis import openapi
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance
from server_process import ServerProcess

EXAMPLES = Path(__file__).parent.parent / "examples"
CHECKS = [not_a_server_error, response_schema_conformance]


def _describe(error: BaseException) -> str:
    """The error, with the parts of a group (Hypothesis reports a flaky failure as one)."""
    if isinstance(error, BaseExceptionGroup):
        parts = "\n".join(f"- {_describe(part)}" for part in error.exceptions)
        return f"{error}\n{parts}"
    return f"{type(error).__name__}: {error}"


def _slow_primes(case) -> bool:
    """examples/cpu_bound is slow by design: counting the primes below its maximum,
    1 000 000, takes about 20 s of trial division, and below 100 000 about 0.6 s."""
    try:
        return int(str(case.query.get("below", 0)).strip()) > 20_000
    except ValueError:
        return False


@dataclass(frozen=True)
class Example:
    target: str
    max_examples: int  # per operation and generation mode
    # Cases not sent at all.
    too_slow: Callable[[Any], bool] | None = None


EXAMPLE_APPS = {
    "hello": Example("hello:app", 100),
    "crud": Example("crud.main:app", 25),
    "cpu_bound": Example("cpu_bound:app", 10, too_slow=_slow_primes),
    "mixed": Example("mixed:app", 40),
}


@pytest.fixture(scope="module")
def serve_example(tmp_path_factory) -> Iterator[Callable[[str], ServerProcess]]:
    """A server (two interpreters) per example, started on first use and shared by the
    module; each must stop cleanly at the end."""
    servers: dict[str, ServerProcess] = {}

    def serve(name: str) -> ServerProcess:
        if name not in servers:
            folder = tmp_path_factory.mktemp(name)
            env = {"PYTHONPATH": str(EXAMPLES), "CRUD_DB": str(folder / "crud.sqlite3")}
            arguments = ("--interpreters", "2", "--no-access-log")
            server = ServerProcess(EXAMPLE_APPS[name].target, *arguments, cwd=folder, env=env)
            servers[name] = server
            server.wait_ready()
        return servers[name]

    yield serve
    for server in servers.values():
        code = server.stop()
        assert code == 0, server.output
        assert "panicked" not in server.output, server.output


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("name", list(EXAMPLE_APPS))
def test_example_fuzzed(serve_example, name: str, mode: GenerationMode) -> None:
    example = EXAMPLE_APPS[name]
    server = serve_example(name)
    schema = openapi.from_url(f"{server.base_url}/openapi.json")
    failures: list[str] = []
    too_slow = example.too_slow or (lambda case: False)
    sent = 0
    with requests.Session() as session:
        for result in schema.get_all_operations():
            operation = result.ok()
            if mode is GenerationMode.NEGATIVE and not (
                any(operation.iter_parameters()) or len(operation.body)
            ):
                continue  # nothing to make invalid

            @settings(
                max_examples=example.max_examples,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(mode).filter(lambda case: not too_slow(case)))
            def check(case) -> None:
                nonlocal sent
                sent += 1
                case.call_and_validate(session=session, checks=CHECKS)

            try:
                check()
            except Exception as error:  # every operation runs; all failures are reported
                failures.append(f"{operation.label} ({mode.value}):\n{_describe(error)}")
    assert sent > 0
    assert not failures, "\n\n".join(failures) + f"\n\nserver log:\n{server.output[-5000:]}"


# Inputs on which the fuzzing once made the examples raise (500, on FastAPI too): ids and
# offsets beyond SQLite's 64-bit integers, and floats whose sum or square overflows. The
# examples now refuse them with a 422.
EXTREME_INPUTS = [
    ("crud", "/users/272381369802320609280"),
    ("crud", "/items?skip=511190252793437791199428608"),
    ("mixed", "/stats?x=1.7976931348623157e%2B308&x=1.7976931348623157e%2B308"),
    ("mixed", "/stats?x=inf"),
    ("mixed", "/stats?x=nan"),
]


@pytest.mark.parametrize(("name", "url"), EXTREME_INPUTS)
def test_examples_refuse_extreme_inputs(serve_example, name: str, url: str) -> None:
    server = serve_example(name)
    response = requests.get(f"{server.base_url}{url}", timeout=30)
    assert response.status_code == 422, response.text
