"""`python -m fasterapi`: the command line, shaped after uvicorn's."""

from __future__ import annotations

import argparse
import os
import sys

from fasterapi.applications import FasterAPI
from fasterapi.exceptions import AppLoadError, StartupError
from fasterapi.modules import load_app

LOG_LEVELS = ["critical", "error", "warning", "info", "debug", "trace"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fasterapi",
        description="Serve a FastAPI-style app with handlers in parallel sub-interpreters.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="serve an app")
    run.add_argument("app", help="the app to serve: MODULE:ATTR or FILE.py[:ATTR] (ATTR: app)")
    run.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    run.add_argument("--port", type=int, default=8000, help="port to bind; 0 picks a free one")
    run.add_argument(
        "--interpreters",
        type=_positive,
        default=None,
        help="number of sub-interpreters, one per core (default: the CPUs available)",
    )
    run.add_argument(
        "--io-threads",
        type=_positive,
        default=None,
        help="threads parsing HTTP and validating requests (default: half the CPUs, at least 1)",
    )
    run.add_argument("--log-level", choices=LOG_LEVELS, default="info")
    run.add_argument(
        "--graceful-timeout",
        type=float,
        default=30.0,
        help="seconds to let in-flight requests finish after SIGINT/SIGTERM (default 30)",
    )
    run.add_argument(
        "--strict-isolation",
        action="store_true",
        help="refuse to start if a route cannot run in sub-interpreters, instead of "
        "running it on the main interpreter",
    )
    check = commands.add_parser(
        "check", help="report where each route would run (sub-interpreters or main), then exit"
    )
    check.add_argument("app", help="the app: MODULE:ATTR or FILE.py[:ATTR] (ATTR: app)")
    check.add_argument("--interpreters", type=_positive, default=None)
    check.add_argument("--strict-isolation", action="store_true")
    return parser


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from fasterapi.server import available_cpus, plan, run

    try:
        app = load_app(args.app)
        if not isinstance(app, FasterAPI):
            raise AppLoadError(f"'{args.app}' is a {type(app).__name__}, not a FasterAPI app")
        if args.command == "check":
            placement = plan(app, strict_isolation=args.strict_isolation, always_probe=True)
            print(placement.report(app, args.interpreters or available_cpus()))
            return 0
        run(
            app,
            host=args.host,
            port=args.port,
            interpreters=args.interpreters,
            io_threads=args.io_threads,
            log_level=args.log_level,
            graceful_timeout=args.graceful_timeout,
            strict_isolation=args.strict_isolation,
        )
    except (StartupError, TypeError, ValueError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


def exit_after_serving(code: int) -> None:
    """Exits the process after the server has stopped.

    On Python 3.12, finalizing the main interpreter after sub-interpreters imported some
    stdlib extensions (hashlib, ssl, asyncio) can abort with heap corruption (CPython
    #119213, #112140). Every interpreter has already been ended cleanly by then, so on 3.12
    the process skips that last finalization after flushing its output.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    if sys.version_info < (3, 13):
        os._exit(code)
    sys.exit(code)
