"""docs/reliability.md stays true: every test it names is collected by pytest, every row names
one, and its operator lists are exactly the tables in the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from fo_lite.core.aggregate import ACCUMULATORS, STAGES
from fo_lite.core.query import SUPPORTED

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "reliability.md"
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def table(heading: str) -> list[list[str]]:
    """The body rows of the first Markdown table after ``heading``, as lists of cells."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    rows = []
    for line in section.splitlines():
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            break
    header, rule, *body = rows
    assert set(rule[0]) <= {"-", ":"}, "second line of a table is its rule"
    return [header, *body]


def bad_input_rows() -> list[list[str]]:
    header, *body = table("## Bad inputs")
    assert header == ["Input", "What the user sees", "What is kept safe", "Test"]
    return body


def test_every_row_has_four_cells_and_names_a_test():
    rows = bad_input_rows()
    assert len(rows) >= 40
    for row in rows:
        assert len(row) == 4, row
        assert all(row), f"empty cell in {row}"
        assert TEST_REF.findall(row[3]), f"no test named for {row[0]!r}"
        leftover = TEST_REF.sub("", row[3])
        assert not re.search(r"tests/|::", leftover), f"malformed test name in {row[3]!r}"


def test_every_named_test_is_collected_by_pytest():
    named = {ref for row in bad_input_rows() for ref in TEST_REF.findall(row[3])}
    files = sorted({f for f, _ in named})
    for f in files:
        assert (REPO / f).is_file(), f"{f} does not exist"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    collected = {
        tuple(line.split("[", 1)[0].split("::")[:2])
        for line in proc.stdout.splitlines()
        if "::" in line
    }
    missing = sorted(f"{f}::{t}" for f, t in named if (f, t) not in collected)
    assert not missing, f"docs/reliability.md names tests that pytest does not collect: {missing}"


def test_the_bad_input_tests_are_all_in_the_table():
    """Every test in tests/test_bad_input.py is listed (so a new case gets a row)."""
    source = (REPO / "tests" / "test_bad_input.py").read_text(encoding="utf-8")
    defined = set(re.findall(r"^def (test_\w+)", source, flags=re.M))
    listed = {t for row in bad_input_rows() for f, t in TEST_REF.findall(row[3])} & defined
    assert defined - listed == set()


@pytest.mark.parametrize(
    "kind, names",
    [("Query operators", SUPPORTED), ("Pipeline stages", STAGES), ("Accumulators", ACCUMULATORS)],
)
def test_supported_lists_match_the_code(kind, names):
    rows = {row[0].split(" (")[0]: row for row in table("## MongoDB operators")[1:]}
    supported = rows[kind][1].strip("`").split()
    assert sorted(supported) == sorted(names)
    refused = re.findall(r"\$\w+", rows[kind][2])
    assert refused and not set(refused) & set(names)
