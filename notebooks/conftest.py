"""Run the notebooks under nbval hermetically: offline, on the built-in data, with this tree's code.

``python -m pytest --nbval-lax notebooks/`` executes every cell of every notebook here in a
fresh kernel and compares the output of the cells marked ``# NBVAL_CHECK_OUTPUT`` with the
output stored in the notebook, after the substitutions in ``nbval_sanitize.cfg``.

This file makes that run the same on every machine:

* the kernel is the Python running pytest (``--nbval-current-env``), not whatever kernelspec
  happens to be called ``python3``, and it imports ``fo_lite`` from this checkout first;
* ``nbval_sanitize.cfg`` is used when no ``--nbval-sanitize-with`` is given;
* the notebooks never touch the network or a user's cache: ``FO_LITE_OFFLINE=1``, a fresh
  ``FO_LITE_WORK_DIR`` and an empty ``FO_LITE_CACHE_DIR``, no CIFAR-100 archive and no
  ``FO_LITE_FOLDER``, so they run on the built-in stand-in that their stored outputs describe.

Kernels inherit the environment when they start, so it is set once, at configure time, and
restored when pytest ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SANITIZE = HERE / "nbval_sanitize.cfg"

_saved: dict[str, str | None] = {}
_work_dir: list[str] = []


def _set_env(name: str, value: str | None) -> None:
    _saved.setdefault(name, os.environ.get(name))
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def pytest_configure(config: pytest.Config) -> None:
    option = config.option
    if not (getattr(option, "nbval", False) or getattr(option, "nbval_lax", False)):
        return
    if not option.nbval_kernel_name:
        option.nbval_current_env = True
    if not option.nbval_sanitize_with:
        option.nbval_sanitize_with = str(SANITIZE)
    work = tempfile.mkdtemp(prefix="fo_lite_nbval_")
    _work_dir.append(work)
    python_path = os.environ.get("PYTHONPATH")
    _set_env("PYTHONPATH", os.pathsep.join(p for p in (str(REPO), python_path) if p))
    _set_env("FO_LITE_OFFLINE", "1")
    _set_env("FO_LITE_WORK_DIR", work)
    _set_env("FO_LITE_CACHE_DIR", os.path.join(work, "cache"))
    _set_env("FO_LITE_CIFAR100_ARCHIVE", None)
    _set_env("FO_LITE_FOLDER", None)


def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved.clear()
    while _work_dir:
        shutil.rmtree(_work_dir.pop(), ignore_errors=True)
