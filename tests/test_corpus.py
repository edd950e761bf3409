"""The real-world corpus (../shared/corpus): no crash, one line per unparsable file, and
`fix --write --unsafe-fixes` on a copy leaves every file parseable, idempotent and identical
outside its edits (the engine verifies each file; this test checks the results again)."""

from __future__ import annotations

import shutil

import pytest

from ansopt.engine import load_data, write_atomic
from ansopt.types import PARSE_ERROR_CODE

from .conftest import corpus_or_skip, run_engine


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory):
    src = corpus_or_skip()
    dst = tmp_path_factory.mktemp("corpus") / "corpus"
    shutil.copytree(src, dst, symlinks=True)
    return dst


def test_check_corpus_no_crash(corpus_copy):
    res = run_engine(corpus_copy)
    assert res.internal_errors == 0, [f.message for f in res.findings if f.code == "E003"]
    assert len(res.files) > 1500
    parse = [f for f in res.findings if f.code == PARSE_ERROR_CODE]
    # the known broken files of ansible-lint's examples, each reported once, on one line
    paths = sorted(f.path for f in parse)
    assert len(paths) == len(set(paths))
    assert all("\n" not in f.message for f in parse)
    assert "ansible-lint-examples/broken/encoding.yml" in paths  # not UTF-8
    assert "ansible-lint-examples/broken/load-failure-invalid.yml" in paths
    assert all(p.startswith("ansible-lint-examples/") for p in paths), paths


def test_fix_corpus_copy(corpus_copy):
    res = run_engine(corpus_copy, fix=True, unsafe=True)
    assert res.internal_errors == 0
    assert not res.failed, [f"{f.path}:{f.line}: {f.message}" for f in res.failed]
    assert res.changed, "the corpus has fixable findings; nothing changed"
    for abspath, (display, old, new) in res.changed.items():
        load_data(abspath, new)  # parses (raises otherwise)
        write_atomic(abspath, new)
    again = run_engine(corpus_copy, fix=True, unsafe=True)
    assert not again.changed, sorted(d for d, _, _ in again.changed.values())
    assert not again.failed
