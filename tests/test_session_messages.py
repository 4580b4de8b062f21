"""The widget's contract stays one: messages.py's TypedDicts, widgets/protocol.js's typedefs and
docs/protocol.md agree; incoming messages are checked against the TypedDicts; the ES modules
join into one module that loads; session/ has no import cycles and no reach into others' privates.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path
from typing import get_type_hints

import pytest

from fo_lite.session import esm, messages
from fo_lite.session.validate import ProtocolError, parse

REPO = Path(__file__).resolve().parents[1]
SESSION = REPO / "fo_lite" / "session"
WIDGETS = REPO / "widgets"

TYPED = {
    name: cls
    for name, cls in vars(messages).items()
    if isinstance(cls, type) and issubclass(cls, dict) and hasattr(cls, "__annotations__")
}


def js_typedefs() -> dict[str, list[str]]:
    """``{name: [property, ...]}`` of every ``@typedef {object} Name`` in protocol.js."""
    text = (WIDGETS / "protocol.js").read_text()
    out = {}
    for block in re.findall(r"/\*\*(.*?)\*/", text, re.S):
        name = re.search(r"@typedef \{object\} (\w+)", block)
        if name:
            out[name[1]] = re.findall(r"@property \{(?:[^{}]|\{[^{}]*\})*\} (\w+)", block)
    return out


def test_every_typed_dict_is_mirrored_in_protocol_js_with_the_same_keys():
    js = js_typedefs()
    assert len(TYPED) >= 25
    for name, cls in TYPED.items():
        assert name in js, f"widgets/protocol.js has no typedef {name}"
        assert js[name] == list(get_type_hints(cls)), f"{name}: keys differ"
    assert set(js) == set(TYPED), "protocol.js has typedefs messages.py does not"


def test_protocol_md_describes_every_message_and_the_constants():
    doc = (REPO / "docs" / "protocol.md").read_text()
    kinds = list(messages.INCOMING) + [messages.kind_of(c) for c in messages.OUTGOING]
    for kind in kinds:
        assert f'`"{kind}"`' in doc, f"docs/protocol.md does not describe {kind!r}"
    for name in TYPED:
        assert f"`{name}`" in doc, f"docs/protocol.md does not name {name}"
    for key in messages.CONSTANTS:
        assert f"`{key}`" in doc


def test_parse_checks_types_and_bounds():
    ok = {"type": "range", "client": "c", "seq": 2.0, "version": 1, "start": 0, "stop": 3}
    assert parse(ok)["seq"] == 2 and isinstance(parse(ok)["seq"], int)
    good_filter = {"type": "filter", "client": "c", "seq": 1, "field": "f", "values": [None, True]}
    assert parse(good_filter)["values"] == [None, True]
    bad = [
        {**ok, "seq": -1},
        {**ok, "start": True},
        {**ok, "client": ""},
        {"type": "filter", "client": "c", "seq": 1, "field": "f", "values": [1]},
        {"type": "filter", "client": "c", "seq": 1, "field": "f", "values": ["x" * 5000]},
        {"type": "filter", "client": "c", "seq": 1, "field": "f", "values": "cat"},
        {"type": "tag", "client": "c", "seq": 1, "tags": ["ok", 3], "remove": False},
        {"type": "tag", "client": "c", "seq": 1, "tags": ["ok"], "remove": "no"},
        {"type": "detail", "request_id": "r", "version": 0, "id": None, "index": None},
        {"type": "group-action", "client": "c", "seq": 1, "version": 0, "start": 0},
        {"type": "toggle", "client": "c", "seq": 1, "version": 0, "index": 0, "id": True},
        {"type": "toggle", "client": "c", "seq": 1, "version": 0, "index": 0, "id": "x" * 300},
    ]
    for content in bad:
        with pytest.raises(ProtocolError):
            parse(content)


def test_constants_cross_once_in_one_trait():
    from fo_lite.session import Session

    session = Session()
    assert session._constants == {**messages.CONSTANTS, "session": session._constants["session"]}
    assert session._constants["session"] != Session()._constants["session"], "one key a session"
    synced = {
        name
        for name in session.keys
        if not name.startswith("_") or name[1:] in ("state", "constants")
    }
    assert "_constants" in synced and "_state" in synced
    js = "".join(p.read_text() for p in WIDGETS.glob("*.js"))
    for number in (messages.PAGE_ROWS, messages.MAX_PAGE, messages.MIN_TILE, messages.MAX_TILE):
        assert not re.search(rf"\b{number}\b", js), f"{number} is repeated in widgets/*.js"


def test_the_modules_join_into_one_es_module_that_node_loads(tmp_path):
    source = esm.bundle(WIDGETS / "grid.js")
    assert "import " not in "".join(
        line for line in source.splitlines() if line.startswith("import")
    )
    for module in (
        "pages.js",
        "layout.js",
        "keys.js",
        "gestures.js",
        "tiles.js",
        "sidebar.js",
        "expanded.js",
        "panels.js",
        "view.js",
    ):
        assert f"// ---- {module}" in source
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    path = tmp_path / "bundle.mjs"
    path.write_text(source)
    out = subprocess.run(
        [
            node,
            "--input-type=module",
            "-e",
            f"const m = await import({str(path)!r}); console.log(Object.keys(m.default).join(','))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "initialize,render"


@pytest.mark.parametrize(
    "b_js, error",
    [
        (
            'import { a } from "./a.js";\nexport const b = 1;\n',
            "import cycle.*a.js -> b.js -> a.js",
        ),
        ('import x from "lodash";\nexport const b = 1;\n', "b.js:1: cannot bundle 'import x from"),
        ('import { x } from "lodash";\nexport const b = 1;\n', "only './name.js' imports"),
        ("export default 1;\n", "b.js:1: cannot bundle"),
    ],
)
def test_the_bundler_names_what_it_cannot_join(tmp_path, b_js, error):
    (tmp_path / "a.js").write_text('import { b } from "./b.js";\nexport default { b };\n')
    (tmp_path / "b.js").write_text(b_js)
    with pytest.raises(esm.BundleError, match=error):
        esm.bundle(tmp_path / "a.js")


def _session_imports() -> dict[str, set[str]]:
    graph = {}
    for path in SESSION.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "fo_lite.session":
                    deps |= {alias.name for alias in node.names}
                elif node.module.startswith("fo_lite.session."):
                    deps.add(node.module.rsplit(".", 1)[1])
        graph[path.stem] = deps - {"__init__"}
    return graph


def test_session_has_no_import_cycles():
    graph = _session_imports()
    done: set[str] = set()

    def visit(name: str, stack: list[str]) -> None:
        assert name not in stack, "import cycle: " + " -> ".join([*stack, name])
        if name in done:
            return
        for dep in graph.get(name, ()):
            visit(dep, [*stack, name])
        done.add(name)

    for name in graph:
        visit(name, [])


def test_session_reads_no_other_objects_private_names():
    """``x._name`` only on ``self`` (or ``super()``): core is read through its public seam."""
    offences = []
    for path in SESSION.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Attribute):
                continue
            name = node.attr
            if not name.startswith("_") or name.startswith("__"):
                continue
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            if isinstance(owner, ast.Call) and getattr(owner.func, "id", "") == "super":
                continue
            offences.append(f"{path.name}:{node.lineno}: .{name}")
    assert offences == []
