"""The dashboard: :func:`launch_dashboard` and the :class:`Session` grid widget.

Names load lazily, so that light modules (``fo_lite.session.decorations``, which
``fo_lite.brain`` uses) import without the widget machinery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fo_lite.lazy import lazy_attributes

__all__ = ["Session", "launch_dashboard"]

if TYPE_CHECKING:  # pragma: no cover
    from fo_lite.session.session import Session, launch_dashboard


__getattr__, __dir__ = lazy_attributes(globals(), dict.fromkeys(__all__, "fo_lite.session.session"))
