"""The fix stage, case by case: verification (ansopt.fixers.verify) and the atomic write
(ansopt.fixers.write). The engine's rounds and error branches: test_engine_safety.py."""

from __future__ import annotations

import os

import pytest

from ansopt.diagnostics import Change, Edit, Span
from ansopt.fixers.verify import apply_edits, verify
from ansopt.fixers.write import write_atomic


def _verify(old, start, end, new_text, changes, path="t.yml"):
    edits = [Edit(Span(start, end), new_text)]
    return verify(path, old, apply_edits(old, edits), edits, changes)


def test_a_lost_comment_is_refused():
    old = "a:\n  - x\n  # why y\n  - y\nb: 1\n"
    # replace the whole list: the same data, but the comment is gone
    problem = _verify(old, old.index(":") + 1, old.index("\nb: 1"), " [x, y]", [])
    assert problem and "comment" in problem


def test_a_dropped_tag_or_anchor_is_refused():
    old = 'a: !unsafe "{{ x }}"\n'
    problem = _verify(old, old.index("!"), old.index('"'), "", [])
    assert problem and "tag" in problem
    old = "a: &x 1\nb: *x\n"
    problem = _verify(old, old.index("*x"), old.index("*x") + 2, "1", [])
    assert problem and "alias" in problem


def test_data_must_equal_the_declared_change():
    old = "a: 1\nb: 2\n"
    assert _verify(old, 3, 4, "5", [Change("set", (0, "a"), 5)]) is None
    assert "data" in _verify(old, 3, 4, "5", [])
    assert "parse" in _verify(old, 3, 4, "[", [])


def test_cfg_comments_and_values():
    old = "[defaults]\n; keep\nforks = 5 ; why\n"
    at = old.index("5")
    assert (
        verify(
            "ansible.cfg",
            old,
            old.replace("5 ;", "9 ;"),
            [Edit(Span(at, at + 1), "9")],
            [Change("set", ("defaults", "forks"), "9")],
        )
        is None
    )
    lost = old.replace(" ; why", "")
    assert "comment" in verify("ansible.cfg", old, lost, [Edit(Span(at + 1, at + 7), "")], [])


def test_write_atomic_keeps_mode_and_refuses_read_only_and_hard_links(tmp_path):
    p = tmp_path / "a.yml"
    p.write_text("a: 1\n")
    os.chmod(p, 0o640)
    write_atomic(str(p), "a: 2\n")
    assert p.read_text() == "a: 2\n" and (os.stat(p).st_mode & 0o777) == 0o640
    os.chmod(p, 0o440)
    with pytest.raises(PermissionError):
        write_atomic(str(p), "a: 3\n")
    assert p.read_text() == "a: 2\n"
    os.chmod(p, 0o640)
    os.link(p, tmp_path / "b.yml")
    with pytest.raises(OSError):
        write_atomic(str(p), "a: 4\n")
    assert (tmp_path / "b.yml").read_text() == "a: 2\n"
    assert not [x for x in os.listdir(tmp_path) if "ansopt-tmp" in x]
