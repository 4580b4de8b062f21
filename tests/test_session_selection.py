"""The pure Selection class: ordered unique ids and the change each edit makes."""

from __future__ import annotations

from fo_lite.session.selection import Change, Selection


def test_toggle_add_remove_keep_the_order_and_report_changes():
    sel = Selection()
    assert sel.toggle("a") == Change(added=["a"])
    assert sel.add(["b", "a", "c", "b"]) == Change(added=["b", "c"])
    assert sel.ids == ["a", "b", "c"]
    assert sel.toggle("b") == Change(removed=["b"])
    assert sel.ids == ["a", "c"]
    assert sel.toggle("b") == Change(added=["b"])
    assert sel.ids == ["a", "c", "b"], "a re-selected id goes to the end"
    assert sel.remove(["zz", "a", "a"]) == Change(removed=["a"])
    assert sel.flags(["a", "b", "c", "q"]) == [False, True, True, False]
    assert "c" in sel and "a" not in sel and len(sel) == 2


def test_replace_and_clear():
    sel = Selection(["a", "b", "c"])
    change = sel.replace(["c", "d", "d"])
    assert change == Change(added=["d"], removed=["a", "b"])
    assert sel.ids == ["c", "d"]
    assert sel.replace(["c", "d"]) == Change() and not sel.replace(["c", "d"])
    assert sel.clear() == Change(removed=["c", "d"])
    assert sel.ids == [] and len(sel.clear()) == 0


def test_keep_only_drops_ids_that_are_gone():
    sel = Selection(["a", "b", "c"])
    assert sel.keep_only({"c", "a", "x"}) == Change(removed=["b"])
    assert sel.ids == ["a", "c"]


def test_ids_is_a_copy():
    sel = Selection(["a"])
    ids = sel.ids
    ids.append("b")
    assert sel.ids == ["a"]
