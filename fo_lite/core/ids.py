"""Sample ids: 24-hex strings shaped like MongoDB ObjectIds, made in bulk."""

from __future__ import annotations

import os
import re
import threading
import time

import numpy as np

_ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")
_PROCESS_RANDOM = os.urandom(5)
_lock = threading.Lock()
_counter = int.from_bytes(os.urandom(3), "big")


def new_ids(count: int) -> np.ndarray:
    """Return ``count`` new unique ids as a NumPy array of 24-character hex strings.

    Like an ObjectId: 4 bytes of seconds since the epoch, 5 random bytes fixed per
    process, and a 3-byte counter. Built without a Python loop per id.

    >>> len(new_ids(3)[0])
    24
    """
    global _counter
    if count <= 0:
        return np.empty(0, dtype="U24")
    with _lock:
        start = _counter
        _counter = (_counter + count) % (1 << 24)
    raw = np.empty((count, 12), dtype=np.uint8)
    raw[:, 0:4] = np.frombuffer(int(time.time()).to_bytes(4, "big"), dtype=np.uint8)
    raw[:, 4:9] = np.frombuffer(_PROCESS_RANDOM, dtype=np.uint8)
    counters = (np.arange(start, start + count, dtype=np.int64) % (1 << 24)).astype(">u4")
    raw[:, 9:12] = counters.view(np.uint8).reshape(count, 4)[:, 1:4]
    hex_bytes = raw.tobytes().hex().encode("ascii")
    return np.frombuffer(hex_bytes, dtype="S24").astype("U24")


def is_valid_id(value: object) -> bool:
    """Whether ``value`` is a string shaped like a sample id (24 lowercase hex digits)."""
    return isinstance(value, str) and _ID_PATTERN.match(value) is not None
