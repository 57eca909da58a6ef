"""`python -m fasterapi`: the command line, shaped after uvicorn's."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from fasterapi.applications import FasterAPI
from fasterapi.exceptions import AppLoadError, StartupError
from fasterapi.limits import Limits
from fasterapi.modules import load_app
from fasterapi.placement import Placement

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
        "--log-format",
        choices=["text", "json"],
        default="text",
        help="readable lines (default) or one JSON object per line",
    )
    run.add_argument(
        "--access-log",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="log one line per request (default: on)",
    )
    run.add_argument(
        "--graceful-timeout",
        type=float,
        default=30.0,
        help="seconds to let in-flight requests finish after SIGINT/SIGTERM (default 30)",
    )
    run.add_argument(
        "--reload",
        action="store_true",
        help="restart the server when a .py file under --reload-dir changes (needs watchfiles)",
    )
    run.add_argument(
        "--reload-dir",
        action="append",
        default=None,
        help="a directory to watch with --reload (repeatable; default: the current one)",
    )
    run.add_argument(
        "--strict-isolation",
        action="store_true",
        help="refuse to start if a route cannot run in sub-interpreters, instead of "
        "running it on the main interpreter",
    )
    _add_limit_flags(run)
    check = commands.add_parser(
        "check", help="report where each route would run (sub-interpreters or main), then exit"
    )
    check.add_argument("app", help="the app: MODULE:ATTR or FILE.py[:ATTR] (ATTR: app)")
    check.add_argument("--interpreters", type=_positive, default=None)
    check.add_argument("--strict-isolation", action="store_true")
    routes = commands.add_parser(
        "routes", help="list the routes: methods, path, handler, and where each would run"
    )
    routes.add_argument("app", help="the app: MODULE:ATTR or FILE.py[:ATTR] (ATTR: app)")
    return parser


# Flag -> `Limits` field, type and help; a flag left out keeps the app's (or default) value.
LIMIT_FLAGS = {
    "--limit-body": "max_body_size",
    "--limit-header-size": "max_header_size",
    "--limit-header-count": "max_headers",
    "--limit-uri": "max_uri_length",
    "--limit-connections": "max_connections",
    "--limit-queue": "max_queued",
    "--timeout-request-head": "request_head_timeout",
    "--timeout-keep-alive": "keep_alive_timeout",
    "--timeout": "handler_timeout",
}
_LIMIT_HELP = {
    "max_body_size": ("BYTES", int, "largest request body; more is a 413 (default 16 MiB)"),
    "max_header_size": (
        "BYTES",
        int,
        "largest request line + headers; more is a 431 (default 16384)",
    ),
    "max_headers": ("N", int, "most header lines; more is a 431 (default 100)"),
    "max_uri_length": ("BYTES", int, "longest request target; more is a 414 (default 8192)"),
    "max_connections": ("N", int, "open connections; more wait to be accepted (default 10000)"),
    "max_queued": (
        "N",
        int,
        "requests waiting per interpreter; more get a 503 with Retry-After (default 1024)",
    ),
    "request_head_timeout": (
        "SECONDS",
        float,
        "time to send a request head before the connection is closed (default 10)",
    ),
    "keep_alive_timeout": (
        "SECONDS",
        float,
        "time an idle keep-alive connection stays open (default 5)",
    ),
    "handler_timeout": (
        "SECONDS",
        float,
        "time a handler may run before the client gets a 504 (default: no limit)",
    ),
}


def _add_limit_flags(run: argparse.ArgumentParser) -> None:
    group = run.add_argument_group("limits (docs/reliability.md; default: the app's limits)")
    for flag, field in LIMIT_FLAGS.items():
        metavar, kind, text = _LIMIT_HELP[field]
        group.add_argument(flag, dest=field, type=kind, default=None, metavar=metavar, help=text)


def route_listing(app: FasterAPI, placement: Placement) -> str:
    """One line per route: methods, path, handler and where it runs (with why, for the
    main interpreter), in declaration order, columns aligned."""
    rows = [("METHODS", "PATH", "HANDLER", "RUNS ON")]
    for index, route in enumerate(app.routes):
        reason = placement.on_main.get(index)
        where = "sub-interpreters" if reason is None else f"main interpreter ({reason})"
        rows.append((",".join(route.methods), route.path, route.endpoint, where))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        + "  "
        + row[3]
        for row in rows
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(arguments)
    if args.command == "run" and args.reload:
        return serve_with_reload(arguments, args.reload_dir or [os.getcwd()])
    from fasterapi.server import available_cpus, plan, run

    try:
        app = load_app(args.app)
        if not isinstance(app, FasterAPI):
            raise AppLoadError(f"'{args.app}' is a {type(app).__name__}, not a FasterAPI app")
        if args.command == "check":
            placement = plan(app, strict_isolation=args.strict_isolation, always_probe=True)
            print(placement.report(app, args.interpreters or available_cpus()))
            return 0
        if args.command == "routes":
            print(route_listing(app, plan(app, always_probe=True)))
            return 0
        run(
            app,
            host=args.host,
            port=args.port,
            interpreters=args.interpreters,
            io_threads=args.io_threads,
            log_level=args.log_level,
            log_format=args.log_format,
            access_log=args.access_log,
            graceful_timeout=args.graceful_timeout,
            strict_isolation=args.strict_isolation,
            limits=(app.limits or Limits()).with_overrides(
                **{name: getattr(args, name) for name in LIMIT_FLAGS.values()}
            ),
        )
    except (StartupError, TypeError, ValueError) as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
    return 0


def serve_with_reload(arguments: list[str], directories: list[str]) -> int:
    """Runs the server in a child process, and runs it again (after stopping it with
    SIGINT, which lets requests in flight finish) whenever a `.py` file under
    `directories` changes. The child is `python -m fasterapi` with the same arguments,
    less the reload ones: each start is a fresh process, with fresh interpreters."""
    try:
        import watchfiles
    except ImportError:
        print(
            "Error: --reload needs the watchfiles package (pip install watchfiles)", file=sys.stderr
        )
        return 1
    child = [sys.executable, "-m", "fasterapi", *_without_reload(arguments)]
    print(f"Watching {', '.join(directories)} for changes to .py files", file=sys.stderr)
    watchfiles.run_process(
        *directories,
        target=subprocess.list2cmdline(child),
        target_type="command",
        watch_filter=watchfiles.PythonFilter(),
        callback=lambda changes: print(
            f"Reloading after changes to {', '.join(sorted({path for _, path in changes}))}",
            file=sys.stderr,
        ),
    )
    return 0


def _without_reload(arguments: list[str]) -> list[str]:
    kept: list[str] = []
    skip_next = False
    for argument in arguments:
        if skip_next:
            skip_next = False
        elif argument == "--reload":
            continue
        elif argument == "--reload-dir":
            skip_next = True
        elif not argument.startswith("--reload-dir="):
            kept.append(argument)
    return kept


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
