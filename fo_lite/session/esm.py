"""Joins the grid's ES modules (``widgets/*.js``) into the one module anywidget loads.

anywidget imports ``_esm`` from a blob URL, where relative imports (``./pages.js``) cannot
resolve, and fo_lite has no build step. So at import time each module the entry imports is
wrapped in a function scope that returns its exports, in dependency order, and every import is
rewritten to read from that object::

    import { PageStore } from "./pages.js";   ->   const { PageStore } = __fol_pages;

The modules stay plain files that the browser, ``node --test`` and ``tsc`` read as they are.
Only the import and export forms written in ``widgets/`` are understood; anything else raises
:class:`BundleError` naming the file and the line.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_IMPORT = re.compile(
    r"^import\s*(?:\{(?P<names>[^}]*)\}|\*\s+as\s+(?P<star>\w+))\s*from\s*"
    r"[\"'](?P<path>[^\"']+)[\"'];?[ \t]*$",
    re.MULTILINE,
)
_EXPORT_DECL = re.compile(
    r"^export\s+(?!default\b)((?:async\s+)?function\*?|class|const|let)\s+(\w+)", re.MULTILINE
)
_EXPORT_LIST = re.compile(r"^export\s*\{(?P<names>[^}]*)\};?[ \t]*$", re.MULTILINE)
_ANY_IMPORT_EXPORT = re.compile(r"^(import|export)\b.*$", re.MULTILINE)


class BundleError(ValueError):
    """A widget module uses an import or export form the bundler does not handle."""


def bundle(entry: Path) -> str:
    """One ES module: ``entry`` with every module it imports (transitively) inlined."""
    files = tuple(sorted(entry.parent.glob("*.js")))
    stamps = tuple(path.stat().st_mtime_ns for path in files)
    return _bundle(entry, files, stamps)


@cache
def _bundle(entry: Path, files: tuple[Path, ...], stamps: tuple[int, ...]) -> str:
    order: list[Path] = []
    _visit(entry.resolve(), order, [])
    parts = [f"// fo_lite grid: {len(order)} modules from widgets/, joined by fo_lite.session.esm"]
    for path in order[:-1]:
        body, exports = _rewrite(path, entry=False)
        parts.append(
            f"const {_var(path)} = (() => {{\n// ---- {path.name}\n{body}\n"
            f"return {{ {', '.join(exports)} }};\n}})();"
        )
    body, _ = _rewrite(order[-1], entry=True)
    parts.append(f"// ---- {order[-1].name}\n{body}")
    return "\n".join(parts) + "\n"


def _var(path: Path) -> str:
    return "__fol_" + re.sub(r"\W", "_", path.stem)


def _imports(path: Path) -> list[tuple[re.Match, Path]]:
    text = path.read_text(encoding="utf-8")
    out = []
    for match in _IMPORT.finditer(text):
        spec = match["path"]
        if not spec.startswith("./") or not spec.endswith(".js"):
            raise BundleError(f"{path.name}: only './name.js' imports are bundled, not {spec!r}")
        out.append((match, (path.parent / spec).resolve()))
    return out


def _visit(path: Path, order: list[Path], stack: list[Path]) -> None:
    if path in order:
        return
    if path in stack:
        cycle = " -> ".join(p.name for p in [*stack, path])
        raise BundleError(f"import cycle in widgets/: {cycle}")
    if not path.is_file():
        raise BundleError(f"{stack[-1].name if stack else '?'} imports {path.name}: no such file")
    for _, dep in _imports(path):
        _visit(dep, order, [*stack, path])
    order.append(path)


def _rewrite(path: Path, entry: bool) -> tuple[str, list[str]]:
    """The module's text with imports read from inlined modules and ``export`` dropped (but the
    entry's ``export default``); and the names it exports."""
    text = path.read_text(encoding="utf-8")
    for match, dep in reversed(_imports(path)):
        if match["star"]:
            line = f"const {match['star']} = {_var(dep)};"
        else:
            names = [n.strip() for n in match["names"].split(",") if n.strip()]
            pairs = [n.replace(" as ", ": ") for n in names]
            line = f"const {{ {', '.join(pairs)} }} = {_var(dep)};"
        text = text[: match.start()] + line + text[match.end() :]
    exports = [m.group(2) for m in _EXPORT_DECL.finditer(text)]
    text = _EXPORT_DECL.sub(lambda m: m.group(1) + " " + m.group(2), text)
    for match in _EXPORT_LIST.finditer(text):
        names = [n.strip() for n in match["names"].split(",") if n.strip()]
        if any(" " in n for n in names):
            raise BundleError(f"{path.name}: 'export {{ a as b }}' is not bundled; export a name")
        exports += names
    text = _EXPORT_LIST.sub("", text)
    for match in _ANY_IMPORT_EXPORT.finditer(text):
        if not (entry and match.group(0).startswith("export default ")):
            line = text.count("\n", 0, match.start()) + 1
            raise BundleError(f"{path.name}:{line}: cannot bundle {match.group(0)[:60]!r}")
    return text, exports
