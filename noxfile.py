"""`nox` runs every check: lint, the Rust unit tests, and the suite on Python 3.12 and 3.13.

Each test session builds the wheel once (release mode, as users get it), installs it into
its own virtualenv and runs pytest against real servers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.sessions = ["lint", "rust", "tests"]
nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = False
# A missing interpreter must fail the run, not skip half of the suite silently.
nox.options.error_on_missing_interpreters = True

PYTHONS = ["3.12", "3.13"]
ROOT = Path(__file__).parent


def _add_pyenv_interpreters() -> None:
    """Lets nox find pyenv's 3.12/3.13 where their shims do not answer (no PYENV_VERSION)."""
    versions = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for wanted in PYTHONS:
        if _answers(f"python{wanted}"):
            continue
        found = sorted(versions.glob(f"{wanted}.*/bin"), reverse=True)
        if found:
            os.environ["PATH"] = f"{found[0]}{os.pathsep}{os.environ['PATH']}"


def _answers(command: str) -> bool:
    if shutil.which(command) is None:
        return False
    return subprocess.run([command, "-c", ""], capture_output=True).returncode == 0


_add_pyenv_interpreters()


def _python(session: nox.Session) -> str:
    return str(Path(session.virtualenv.location) / "bin" / "python")


def build_wheel(session: nox.Session) -> str:
    """Builds the wheel for this session's interpreter; returns its path."""
    session.install("maturin>=1.7,<2")
    out = Path(session.create_tmp()) / "wheels"
    for old in out.glob("*.whl"):
        old.unlink()
    session.run(
        "maturin", "build", "--release", "--interpreter", _python(session), "--out", str(out)
    )
    (wheel,) = out.glob("*.whl")
    return str(wheel)


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The pytest suite against the release wheel."""
    wheel = build_wheel(session)
    session.install(f"{wheel}[test]")
    # `pytest`, not `python -m pytest`: the repository root must not shadow the wheel.
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHONS[-1], default=False)
def serve(session: nox.Session) -> None:
    """Serves examples/hello.py on http://127.0.0.1:8000 from a release build (CTRL+C stops).

    Extra arguments go to `python -m fasterapi run`, e.g. `nox -s serve -- --port 9000`.
    """
    session.install(build_wheel(session))
    # From examples/: the repository root would shadow the installed package.
    session.chdir(ROOT / "examples")
    session.run("python", "-m", "fasterapi", "run", "hello:app", "--port", "8000", *session.posargs)


@nox.session(python=PYTHONS[0])
def rust(session: nox.Session) -> None:
    """The Rust unit tests."""
    session.run("cargo", "test", "--quiet", external=True, env={"PYO3_PYTHON": _python(session)})


@nox.session(python=PYTHONS[0])
def lint(session: nox.Session) -> None:
    """Formatting and lints, Rust and Python."""
    session.install("ruff")
    env = {"PYO3_PYTHON": _python(session)}
    session.run("cargo", "fmt", "--check", external=True)
    session.run("cargo", "clippy", "--all-targets", "--", "-D", "warnings", external=True, env=env)
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


BENCH_PEERS = [
    "fastapi",
    "uvicorn[standard]",  # uvloop + httptools
    "granian",
    "robyn",
    "socketify",
    "psutil",
]


@nox.session(python=PYTHONS[-1], default=False)
def bench(session: nox.Session) -> None:
    """The benchmark suite (`nox -s bench`): FasterAPI against its peers and a hyper ceiling.

    Not part of the default sessions. Needs root for apt-get (wrk, and libuv for socketify)
    unless both are already installed. Extra arguments go to `benchmarks/run.py`.
    """
    if not shutil.which("wrk") or not Path("/usr/lib/x86_64-linux-gnu/libuv.so.1").exists():
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "wrk", "libuv1", external=True)
    wheel = build_wheel(session)
    session.install(wheel, *BENCH_PEERS)
    session.run("cargo", "build", "--release", "--quiet", "-p", "ceiling", external=True)
    ceiling = str(ROOT / "target" / "release" / "ceiling")
    session.run("python", "benchmarks/run.py", "--ceiling", ceiling, *session.posargs)


@nox.session(python=PYTHONS[-1], default=False)
def soak(session: nox.Session) -> None:
    """The soak test (`nox -s soak`): a million mixed requests, RSS growth and errors checked.

    Not part of the default sessions. Needs root for apt-get (wrk) unless wrk is installed.
    Extra arguments go to `benchmarks/soak.py`, e.g. `nox -s soak -- --requests 100000`.
    """
    if not shutil.which("wrk"):
        session.run("apt-get", "update", "-qq", external=True)
        session.run("apt-get", "install", "-y", "-qq", "wrk", external=True)
    session.install(build_wheel(session))
    session.run("python", "benchmarks/soak.py", *session.posargs)
