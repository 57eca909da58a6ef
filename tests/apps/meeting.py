"""A wait that only ends if two requests run at the same time (in two interpreters)."""

import time
from pathlib import Path


def meet(folder: str, me: str, other: str, timeout: float) -> bool:
    """Marks `me` as arrived and waits for `other`; whether it came before `timeout`."""
    Path(folder, me).touch()
    deadline = time.monotonic() + timeout
    while not Path(folder, other).exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True
