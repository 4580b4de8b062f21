"""Helper for tests/test_storage_crash.py: forks writers that save a dataset forever.

Run as ``python tests/_crash_writer.py DATASET_DIR ROWS``. It imports pandas once, then for
each ``go`` line on stdin forks a child that saves state "A" and state "B" alternately
until it is killed, and prints ``pid <pid>``; for each ``reap`` line it waits for the last
child and prints ``status <how it ended>``. Forking makes each writer start in about a
millisecond, so the test can SIGKILL hundreds of real writer processes in seconds.

``make_state(which, rows)`` builds the two states; the test imports it to know what a
complete state looks like.
"""

from __future__ import annotations

import os
import signal
import sys

import pandas as pd


def make_state(which: str, rows: int) -> pd.DataFrame:
    """State "A" or "B": the same shape, different ids and values in every column."""
    offset = 0 if which == "A" else 10**6
    numbers = range(offset, offset + rows)
    return pd.DataFrame(
        {
            "id": [f"{n:024x}" for n in numbers],
            "filepath": [f"/data/{which}/é {n}.jpg" for n in numbers],
            "tags": pd.Series(
                [[which] if n % 2 else [which, "dup"] for n in numbers], dtype=object
            ),
            "ground_truth.label": [f"label_{which}_{n % 7}" for n in numbers],
            "file_hash": [f"{n * 7919:016x}" for n in numbers],
            "score": [n / 3 for n in numbers],
            "mixed": pd.Series([n if n % 3 else which for n in numbers], dtype=object),
            "state": [which] * rows,
        }
    )


def _writer(dataset_dir: str, states: list[pd.DataFrame], first: int) -> None:
    from fo_lite.core.storage import save_state

    i = first
    while True:
        save_state(dataset_dir, states[i % 2], {"state": "AB"[i % 2], "saves": i})
        i += 1


def main() -> None:
    dataset_dir, rows = sys.argv[1], int(sys.argv[2])
    import fo_lite.core.storage  # noqa: F401  (import once here, not in every child)

    states = [make_state("A", rows), make_state("B", rows)]
    child = 0
    print("ready", flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "go":
            child = os.fork()
            if child == 0:
                try:
                    _writer(dataset_dir, states, "AB".index(argument))
                finally:
                    os._exit(3)  # only reached if a save raised: the test sees status 3
            print(f"pid {child}", flush=True)
        elif command == "reap":
            _, status = os.waitpid(child, 0)
            if os.WIFSIGNALED(status):
                how = signal.Signals(os.WTERMSIG(status)).name
            else:
                how = f"exit {os.WEXITSTATUS(status)}"
            print(f"status {how}", flush=True)


if __name__ == "__main__":
    main()
