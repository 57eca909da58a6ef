"""Starting a real FasterAPI server in a subprocess, as a user would, for the tests."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

APPS = Path(__file__).parent / "apps"
READY = re.compile(r"running on (http://[\d.]+:\d+)")


class ServerProcess:
    """`python -m fasterapi run TARGET --port 0 ...`, with its log captured line by line."""

    def __init__(self, target: str, *args: str, cwd: Path, env: dict[str, str] | None = None):
        environment = {**os.environ, "PYTHONPATH": str(APPS), "PYTHONUNBUFFERED": "1"}
        environment.update(env or {})
        self.command = [sys.executable, "-m", "fasterapi", "run", target, "--port", "0", *args]
        # cwd must not be the repository root, or the source tree would shadow the wheel.
        self.process = subprocess.Popen(
            self.command,
            cwd=cwd,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.base_url = ""

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_ready(self, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = READY.search(self.output)
            if match:
                self.base_url = match.group(1)
                return self.base_url
            if self.process.poll() is not None:
                self._reader.join(timeout=5)
                raise AssertionError(
                    f"server exited with {self.process.returncode}:\n{self.output}"
                )
            time.sleep(0.02)
        self.kill()
        raise AssertionError(f"server not ready after {timeout}s:\n{self.output}")

    def wait_exit(self, timeout: float = 30.0) -> int:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=5)
        return code

    def stop(self, signum: int = signal.SIGINT, timeout: float = 30.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.wait_exit(timeout)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class ScriptRun:
    """A script that serves itself (`python SCRIPT PORT`, calling `fasterapi.run`), stopped
    with SIGINT when the `with` block ends; `returncode` and `output` are set then."""

    def __init__(self, script: Path, cwd: Path, ready_path: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self.ready_path = ready_path
        self.process = subprocess.Popen(
            [sys.executable, str(script), str(port)],
            cwd=cwd,  # not the repository root, which would shadow the installed wheel
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.returncode: int | None = None
        self.output = ""

    def __enter__(self) -> ScriptRun:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{self.base_url}{self.ready_path}")
                return self
            except httpx.ConnectError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise AssertionError(f"the script did not serve:\n{self.output}") from None
                time.sleep(0.05)

    def __exit__(self, *exc_info: object) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        self.output, _ = self.process.communicate(timeout=30)
        self.returncode = self.process.returncode
