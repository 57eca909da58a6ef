"""The CPU-bound work every server's `/cpu` endpoint does: about 2 ms of pure Python."""


def cpu_work() -> int:
    total = 0
    for i in range(20_000):
        total += i * i % 7
    return total
