"""The dashboard: :func:`launch_dashboard` and the :class:`Session` grid widget."""

from fo_lite.session.session import Session, launch_dashboard

__all__ = ["Session", "launch_dashboard"]
