"""The dashboard: :func:`launch_dashboard` and the :class:`Session` grid widget.

Names load lazily, so that light modules (``fo_lite.session.decorations``, which
``fo_lite.brain`` uses) import without the widget machinery.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__all__ = ["Session", "launch_dashboard"]

if TYPE_CHECKING:  # pragma: no cover
    from fo_lite.session.session import Session, launch_dashboard


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'fo_lite.session' has no attribute {name!r}")
    value = getattr(importlib.import_module("fo_lite.session.session"), name)
    globals()[name] = value
    return value
