"""Names of a package that load on first use, so that importing the package stays fast."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_attributes(
    namespace: dict[str, Any], table: Mapping[str, str | tuple[str, str | None]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's ``__getattr__`` and ``__dir__`` for the names in ``table``.

    ``table`` maps a public name to the module defining it, or to ``(module, name)`` for another
    name of the same thing (``name`` None: the module itself). A loaded name is kept in
    ``namespace`` (the package's ``globals()``), so it is looked up once.

    >>> __getattr__, __dir__ = lazy_attributes(globals(), {"Dataset": "fo_lite.core.dataset"})  # doctest: +SKIP
    """
    package = namespace["__name__"]

    def __getattr__(name: str) -> Any:
        where = table.get(name)
        if where is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module, attr = (where, name) if isinstance(where, str) else where
        loaded = importlib.import_module(module)
        value = getattr(loaded, attr) if attr else loaded
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
