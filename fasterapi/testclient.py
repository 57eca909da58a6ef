"""`TestClient`: FastAPI's test client, in front of a real FasterAPI server.

FastAPI's `TestClient` calls the app inside the test's own process. FasterAPI cannot: the
Rust core blocks while it serves and takes over SIGINT/SIGTERM, and a Python 3.12 process
that finalizes while sub-interpreters are alive can crash (CPython #119213). So the client
starts `python -m fasterapi run MODULE:ATTR` in a child process (same interpreter, same
`sys.path`, same working directory) on a free port of 127.0.0.1, and sends it real HTTP
requests with httpx. The child's output goes to a temporary file, not a pipe: no thread
reads it, and a chatty server can never block on a full pipe.

Requires httpx (`pip install httpx`); only this module does. See docs/testing.md.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping
from types import TracebackType
from typing import IO, Self

try:
    import httpx
except ModuleNotFoundError as error:  # pragma: no cover - httpx is a test dependency
    raise ModuleNotFoundError(
        "fasterapi.testclient needs the httpx package: pip install httpx"
    ) from error

from fasterapi.applications import FasterAPI
from fasterapi.exceptions import StartupError
from fasterapi.placement import app_location

# Set in the server's environment: a module that sends requests while it is imported would
# otherwise start a server from inside the server, and so on.
_SERVER_MARK = "FASTERAPI_TESTCLIENT_SERVER"
_READY = re.compile(r"FasterAPI running on (http://[\d.]+:\d+)")
# In-flight requests get this long after SIGTERM (`--graceful-timeout`); the process, this
# long to exit before it is killed.
_GRACEFUL_SECONDS = 5.0
_EXIT_SECONDS = 30.0


class TestClient(httpx.Client):
    """An `httpx.Client` whose requests go to `app`, served by a real FasterAPI server.

    The server starts on `with TestClient(app) as client:` (and stops when the block
    ends), or on the first request (and stops on `close()`, or when the client is garbage
    collected or the process exits). It can start again afterwards: the next `with` block
    or request starts a fresh one. Unlike FastAPI's client, the app's lifespan always runs,
    with or without `with`, since a real server runs it.

    `base_url` is the URL the requests seem to go to (the `Host` header the app sees, as
    with FastAPI's client); every request is sent over plain HTTP to the server, whatever
    its host or scheme. `raise_server_exceptions` is accepted for compatibility but cannot
    work across processes: an exception in a handler is a 500 response, and its traceback
    is in `server_output`. `interpreters` sets the server's sub-interpreters (2 keeps tests
    light); `env` adds variables to the server's environment.
    """

    __test__ = False  # its name starts with "Test", but pytest must not collect it

    def __init__(
        self,
        app: FasterAPI,
        base_url: str = "http://testserver",
        raise_server_exceptions: bool = True,
        *,
        cookies: httpx.Cookies | dict[str, str] | None = None,
        headers: httpx.Headers | Mapping[str, str] | None = None,
        follow_redirects: bool = True,
        timeout: float | httpx.Timeout | None = 30.0,
        interpreters: int = 2,
        env: Mapping[str, str] | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.app = app
        self.raise_server_exceptions = raise_server_exceptions
        self._server = _AppServer(app, interpreters=interpreters, env=env, timeout=startup_timeout)
        default_headers = httpx.Headers(headers)
        default_headers.setdefault("user-agent", "testclient")  # as FastAPI's client
        super().__init__(
            base_url=base_url,
            headers=default_headers,
            cookies=cookies,
            follow_redirects=follow_redirects,
            timeout=timeout,
            transport=_ServerTransport(self._server),
            trust_env=False,  # no proxy from the environment between the test and its server
        )

    @property
    def server_url(self) -> str | None:
        """Where the server really listens (`http://127.0.0.1:PORT`); `None` while it is
        not running."""
        return self._server.url

    @property
    def server_output(self) -> str:
        """Everything the server process has written so far (its log, tracebacks of
        handler errors), or the whole output of the last one once it stopped."""
        return self._server.output

    @property
    def server_pid(self) -> int | None:
        """The process id of the running server; `None` while none runs."""
        return self._server.pid

    def start(self) -> None:
        """Starts the server unless it runs already; raises `RuntimeError` with the
        server's output if it cannot start."""
        if self.is_closed:
            raise RuntimeError("this TestClient is closed; create a new one")
        self._server.ensure_running()

    def stop(self) -> None:
        """Stops the server (its lifespan's shutdown runs) and waits for it; raises
        `RuntimeError` if it did not exit cleanly. The next request starts a new one."""
        self._server.stop()

    def close(self) -> None:
        """Stops the server and closes the client for good."""
        try:
            self._server.stop()
        finally:
            super().close()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc_value: BaseException | None = None,
        traceback: TracebackType | None = None,
    ) -> None:
        # Only the server stops: the client stays usable, as FastAPI's can be entered again.
        try:
            self._server.stop()
        except RuntimeError as error:
            if exc_value is None:
                raise
            exc_value.add_note(str(error))  # do not hide the exception already raised


class _AppServer:
    """One app served by `python -m fasterapi run` in a child process, started on demand.

    Each run has its own process and output file; a finalizer ends a process that was never
    stopped, when this object is collected or the interpreter exits.
    """

    def __init__(
        self, app: FasterAPI, *, interpreters: int, env: Mapping[str, str] | None, timeout: float
    ) -> None:
        if not isinstance(app, FasterAPI):
            kind = f"{type(app).__module__}.{type(app).__qualname__}"
            hint = (
                ": import FastAPI from fasterapi instead of fastapi"
                if kind.startswith(("fastapi.", "starlette."))
                else ""
            )
            raise TypeError(f"TestClient serves FasterAPI apps, not a {kind}{hint}")
        self.app = app
        self.interpreters = interpreters
        self.env = dict(env or {})
        self.timeout = timeout
        self.url: str | None = None
        self.transport: httpx.HTTPTransport | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._output_file: IO[bytes] | None = None
        self._output = b""
        self._finalizer: weakref.finalize | None = None
        self._lock = threading.RLock()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def output(self) -> str:
        with self._lock:
            self._read_output()
            return self._output.decode(errors="replace")

    def ensure_running(self) -> str:
        """The server's URL, after starting it if it is not running; raises `RuntimeError`
        if it cannot start, or if it exited since it started."""
        with self._lock:
            if self._process is None:
                self._start()
            else:
                self.raise_if_exited()
            assert self.url is not None
            return self.url

    def raise_if_exited(self, wait: float = 0.0) -> None:
        """Raises `RuntimeError` with its output if the server has exited (given `wait`
        seconds to do so) and forgets it: the next request starts a new one."""
        with self._lock:
            if self._process is None:
                return
            try:
                code = self._process.wait(timeout=wait) if wait else self._process.poll()
            except subprocess.TimeoutExpired:
                code = None
            if code is None:
                return
            self._end()
            raise RuntimeError(
                f"the FasterAPI server exited unexpectedly (exit code {code}); "
                f"its output:\n{self.output}"
            )

    def stop(self) -> None:
        """Stops the server, if one runs; raises `RuntimeError` if it did not exit with 0."""
        with self._lock:
            if self._process is None:
                return
            code, killed = self._end()
            if killed:
                raise RuntimeError(
                    f"the FasterAPI server did not stop within {_EXIT_SECONDS:g} s of SIGTERM "
                    f"and was killed; its output:\n{self.output}"
                )
            if code != 0:
                raise RuntimeError(
                    f"the FasterAPI server exited with code {code}; its output:\n{self.output}"
                )

    def _start(self) -> None:
        if os.environ.get(_SERVER_MARK):
            raise RuntimeError(
                "a TestClient cannot start a server inside the server process a TestClient "
                "started (a module of the app sends a request when it is imported, or a "
                "handler does): keep requests inside test functions"
            )
        target = _target(self.app)
        command = [
            sys.executable,
            "-P",  # no working directory in front of sys.path: PYTHONPATH gives it all
            "-m",
            "fasterapi",
            "run",
            target,
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--interpreters",
            str(self.interpreters),
            "--io-threads",
            "1",
            "--log-level",
            "info",  # the ready line is logged at info
            "--graceful-timeout",
            f"{_GRACEFUL_SECONDS:g}",
        ]
        environment = {
            **os.environ,
            # The same modules as here: the app's, the tests' and this very fasterapi.
            "PYTHONPATH": os.pathsep.join(
                dict.fromkeys(os.path.abspath(entry or os.curdir) for entry in sys.path)
            ),
            "PYTHONUNBUFFERED": "1",
            _SERVER_MARK: "1",
            **self.env,
        }
        self._output = b""
        # Open for the life of the process: `_end` closes it.
        self._output_file = tempfile.TemporaryFile(prefix="fasterapi-testclient-")  # noqa: SIM115
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=self._output_file,
            stderr=subprocess.STDOUT,
            env=environment,
        )
        self.transport = httpx.HTTPTransport()
        self._finalizer = weakref.finalize(
            self, _end_forgotten, self._process, self._output_file, self.transport
        )
        self.url = self._wait_ready(target)

    def _wait_ready(self, target: str) -> str:
        assert self._process is not None
        deadline = time.monotonic() + self.timeout
        while True:
            match = _READY.search(self.output)
            if match:
                return match.group(1)
            exited = self._process.poll() is not None
            if exited or time.monotonic() > deadline:
                code = self._process.returncode
                self._end()
                output = self.output
                cause = (
                    f"it exited with code {code}"
                    if exited
                    else f"it was not ready after {self.timeout:g} s and was stopped"
                )
                # The CLI's one-line reason ("Error: could not import module ..."), if any.
                errors = [line for line in output.splitlines() if line.startswith("Error: ")]
                raise RuntimeError(
                    f"the FasterAPI server for '{target}' did not start ({cause})"
                    + "".join(f"\n{line}" for line in errors)
                    + _explain(output, target)
                    + f"\n\nits output:\n{output}"
                )
            time.sleep(0.01)

    def _end(self) -> tuple[int, bool]:
        """Ends the process (SIGTERM, then SIGKILL after a while); returns its exit code
        and whether it had to be killed. Keeps its output, forgets the rest."""
        assert self._process is not None and self._output_file is not None
        if self.transport is not None:
            self.transport.close()  # its connections first, so none holds the server up
            self.transport = None
        killed = _end_process(self._process)
        if self._finalizer is not None:
            self._finalizer.detach()
        self._read_output()
        self._output_file.close()
        code = self._process.returncode
        self._process = self._output_file = self._finalizer = None
        self.url = None
        return code, killed

    def _read_output(self) -> None:
        # `pread` leaves the file's offset alone: the child writes through the same one.
        if self._output_file is None:
            return
        while chunk := os.pread(self._output_file.fileno(), 1 << 16, len(self._output)):
            self._output += chunk


class _ServerTransport(httpx.BaseTransport):
    """Sends each request to the app's server (started on the first one), to whatever host
    its URL names: the app still sees that host, in the `Host` header."""

    def __init__(self, server: _AppServer) -> None:
        self.server = server

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        served = httpx.URL(self.server.ensure_running())
        forwarded = httpx.Request(
            request.method,
            request.url.copy_with(scheme="http", host=served.host, port=served.port),
            headers=request.headers,  # with the `Host` of the URL the test asked for
            stream=request.stream,
            extensions=request.extensions,
        )
        assert self.server.transport is not None
        try:
            return self.server.transport.handle_request(forwarded)
        except (httpx.NetworkError, httpx.RemoteProtocolError) as error:
            # The connection broke: say so if it is because the server died (its exit
            # status comes a moment after its sockets close).
            try:
                self.server.raise_if_exited(wait=1.0)
            except RuntimeError as exited:
                raise exited from error
            raise

    def close(self) -> None:
        self.server.stop()


def _target(app: FasterAPI) -> str:
    """`MODULE:ATTR`, the name the server process imports `app` by."""
    try:
        module, attribute, _ = app_location(app)
    except StartupError:
        raise RuntimeError(
            "TestClient serves the app from a separate process, which imports it by name, "
            "but no module has this app as a module-level name: create it at module level "
            "(app = FastAPI()) in a module the tests can import, and pass that object"
        ) from None
    return f"{module}:{attribute}"


def _explain(output: str, target: str) -> str:
    """A hint for the startup failures that come from serving in another process."""
    module = target.partition(":")[0]
    if f"could not import module '{module}'" in output:
        return (
            f"\nThe server process imports '{module}' by name, with this process's sys.path "
            "and working directory: the app must live in a module importable under that "
            "name, and importing it must work without what the tests set up."
        )
    return ""


def _end_process(process: subprocess.Popen[bytes]) -> bool:
    """SIGTERM (the server's graceful stop), then SIGKILL if it outlasts `_EXIT_SECONDS`;
    returns whether it had to be killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=_EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return True
    return False


def _end_forgotten(
    process: subprocess.Popen[bytes], output_file: IO[bytes], transport: httpx.HTTPTransport
) -> None:
    """The finalizer of a server never stopped: the process must not outlive its client."""
    transport.close()
    _end_process(process)
    output_file.close()
