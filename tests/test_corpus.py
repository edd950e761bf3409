"""The real-world corpus (../shared/corpus): no crash, one line per unparsable file, and
`fix --write --unsafe-fixes` on a copy leaves every file parseable, idempotent and identical
outside its edits (the engine verifies each file; this test checks the results again)."""

from __future__ import annotations

from collections import Counter

import pytest

from ansopt.diagnostics import PARSE_ERROR_CODE
from ansopt.fixers.verify import load_data
from ansopt.fixers.write import write_atomic

from .conftest import copy_writable, corpus_or_skip, run_engine


@pytest.fixture(scope="module")
def corpus_copy(tmp_path_factory):
    src = corpus_or_skip()
    dst = tmp_path_factory.mktemp("corpus") / "corpus"
    copy_writable(src, dst, symlinks=True)
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
    # a broken YAML file with no Ansible keyword in it (`- aaa: 1`) may be any tool's file:
    # not ansopt's to judge (ansible-lint reports its load failure)
    assert "ansible-lint-examples/broken/load-failure-invalid.yml" not in paths
    assert "ansible-lint-examples/playbooks/invalid-transform.yml" in paths  # a broken playbook
    assert all(p.startswith("ansible-lint-examples/") for p in paths), paths


def _comment_lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip().startswith(("#", ";"))]


def test_fix_corpus_copy(corpus_copy):
    res = run_engine(corpus_copy, fix=True, unsafe=True)
    assert res.internal_errors == 0
    assert not res.failed, [f"{f.path}:{f.line}: {f.message}" for f in res.failed]
    assert res.changed, "the corpus has fixable findings; nothing changed"
    for abspath, (display, old, new) in res.changed.items():
        load_data(abspath, new)  # parses (raises otherwise)
        # independently of the engine's own check: every full-line comment is still there
        lost = Counter(_comment_lines(old)) - Counter(_comment_lines(new))
        assert not lost, (display, lost)
        write_atomic(abspath, new)
    again = run_engine(corpus_copy, fix=True, unsafe=True)
    assert not again.changed, sorted(d for d, _, _ in again.changed.values())
    assert not again.failed


# --------------------------------------------------------------------------- ansible.cfg files

CFG_FINDINGS = {
    # every play runs `connection: local`: no SSH advice (C101)
    "ansible-examples/phillips_hue/ansible.cfg": [(19, "C301"), (19, "C302")],
    "ansible-for-devops/deployments-rolling/ansible.cfg": [(1, "C301"), (1, "C501")],
    "ansible-for-devops/elk/ansible.cfg": [(1, "C301"), (1, "C501")],
    "ansible-for-devops/https-letsencrypt/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/https-nginx-proxy/provisioning/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/https-self-signed/provisioning/ansible.cfg": [(1, "C301")],
    "ansible-for-devops/kubernetes/ansible.cfg": [(1, "C301"), (1, "C501")],
    "ansible-for-devops/lamp-infrastructure/ansible.cfg": [
        (1, "C301"),
        (1, "C501"),
    ],  # no C201: its provisioners add_host new cloud instances
    "ansible-for-devops/orchestration/ansible.cfg": [(1, "C101"), (1, "C301"), (1, "C501")],
    # every host of this one is reached with `ansible_connection=docker`: no SSH advice
    "ansible-for-devops/orchestration/scripts/ansible.cfg": [(1, "C301")],
    "ansible-lint-examples/_fixtures/broken-ansible.cfg/ansible.cfg": [(1, "C101"), (1, "C301"), (2, "C405")],
    "ansible-lint-examples/namespace_roles_repro/ansible.cfg": [(1, "C101"), (1, "C301")],
}

# what a fix may touch in those files: these keys' lines, and nothing else
FIXABLE_KEYS = (
    "pipelining",
    "callback_whitelist",
    "callbacks_enabled",
    "scp_if_ssh",
    "transfer_method",
    "control_path",
    "gathering",
    "fact_caching",
    "fact_caching_connection",
    "fact_caching_timeout",
    "[ssh_connection]",
)


def test_corpus_cfg_findings_pinned():
    corpus = corpus_or_skip()
    res = run_engine(corpus, select=["ALL"])  # the opt-in rules too: every cfg rule is pinned
    got: dict[str, list] = {}
    for f in res.findings:
        if f.path.endswith("ansible.cfg"):
            got.setdefault(f.path, []).append((f.line, f.code))
    assert {k: sorted(v) for k, v in got.items()} == CFG_FINDINGS


def test_corpus_cfg_fix_changes_only_the_intended_lines(tmp_path):
    import difflib

    corpus = corpus_or_skip()
    dst = tmp_path / "c"
    copy_writable(corpus, dst)
    res = run_engine(dst, fix=True, unsafe=True, select=["C"])
    assert not res.failed
    changed = {d: (old, new) for _, (d, old, new) in res.changed.items() if d.endswith("ansible.cfg")}
    assert any(not old for old, _ in changed.values()) and any(
        old for old, _ in changed.values()
    )  # new files (C502) and edited ones
    for display, (old, new) in changed.items():
        if old == "":
            continue  # a new file (C502)
        for line in difflib.ndiff(old.splitlines(), new.splitlines()):
            if line[:2] in ("- ", "+ "):
                text = line[2:].strip()
                assert text == "" or text.split("=")[0].strip() in FIXABLE_KEYS, (display, line)
        # comments and every other line are kept, in order
        kept = [ln for ln in old.splitlines() if ln.strip().split("=")[0].strip() not in FIXABLE_KEYS]
        it = iter(new.splitlines())
        assert all(any(ln == x for x in it) for ln in kept), display
