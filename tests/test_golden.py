"""Golden tests: every rule has sample_playbooks/<CODE>-<slug>/{bad,good}; the rule fires on
bad and not on good, and fixing bad (that rule only, unsafe fixes included) gives exactly the
files of fixed/ when it exists, else good/, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ansopt.rules import all_rules

from .conftest import SAMPLES, codes, doc_sections, findings_of, run_engine

RULES = all_rules()


def sample_dir(rule) -> Path:
    return SAMPLES / f"{rule.code}-{rule.slug}"


def test_every_rule_has_a_sample_pair():
    missing = [
        f"{r.code}-{r.slug}"
        for r in RULES
        if not (sample_dir(r) / "bad").is_dir() or not (sample_dir(r) / "good").is_dir()
    ]
    assert not missing, f"rules without sample_playbooks/<CODE>-<slug>/bad and good: {missing}"


def test_no_stray_sample_dirs():
    known = {f"{r.code}-{r.slug}" for r in RULES}
    stray = [
        p.name
        for p in SAMPLES.iterdir()
        if p.is_dir() and p.name[:1].isupper() and p.name[1:4].isdigit() and p.name not in known
    ]
    assert not stray, f"sample folders for unknown rules: {stray}"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_fires_on_bad_only(rule, tmp_path):
    d = sample_dir(rule)
    for kind, expect in (("bad", True), ("good", False)):
        work = tmp_path / kind
        shutil.copytree(d / kind, work)
        res = run_engine(work, select=[rule.code])
        assert res.parse_errors == 0, f"{kind} sample does not parse"
        fired = codes(res.findings)
        if expect:
            assert rule.code in fired, f"{rule.code} does not fire on {d / kind}"
        else:
            assert rule.code not in fired, f"{rule.code} fires on {d / kind}: " + "; ".join(
                f"{f.path}:{f.line} {f.message}" for f in res.findings
            )


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("rule", [r for r in RULES if r.fix], ids=lambda r: r.code)
def test_fix_turns_bad_into_good(rule, tmp_path):
    from ansopt.fixers.write import write_atomic

    d = sample_dir(rule)
    expected_dir = d / "fixed" if (d / "fixed").is_dir() else d / "good"
    work = tmp_path / "work"
    shutil.copytree(d / "bad", work)
    res = run_engine(work, select=[rule.code], fix=True, unsafe=True)
    assert res.changed, f"{rule.code}: the fix changed nothing on {d / 'bad'}"
    assert not res.failed, [f.message for f in res.failed]
    for abspath, (_, _, new) in res.changed.items():
        write_atomic(abspath, new)
    got, want = _files(work), _files(expected_dir)
    assert sorted(got) == sorted(want), "different file sets"
    for name in want:
        assert got[name].decode() == want[name].decode(), f"{rule.code}: {name} differs from {expected_dir.name}/"
    # a second fix changes nothing (idempotent)
    again = run_engine(work, select=[rule.code], fix=True, unsafe=True)
    assert not again.changed


# The sections every rule's docstring has (README "Rules": what it checks, why it matters, the
# measured or cited gain, an example, what to write instead), each a heading with a body.
DOC_SECTIONS = ("What it does", "Why", "Measured gain", "Example (reported)", "Use instead")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_rule_documentation(rule):
    sections = doc_sections(rule.doc)
    missing = [s for s in DOC_SECTIONS if not sections.get(s)]
    assert not missing, f"{rule.code} docstring lacks the sections {missing} (has {list(sections)})"
    fix_sections = [h for h in sections if h == "Fix" or h.startswith("Fix (")]
    want = f"Fix ({rule.fix})" if rule.fix else "Fix"
    assert fix_sections == [want], (
        f"{rule.code}: one fix section, headed {want!r} (FIX = {rule.fix!r}); found {fix_sections}"
    )
    assert sections[want], f"{rule.code}: the {want!r} section is empty"


MAX_MESSAGE = 120


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_messages_are_short_and_carry_help(rule, tmp_path):
    """ruff's split: the message says what is wrong in one line, the help says what to do."""
    work = tmp_path / "bad"
    shutil.copytree(sample_dir(rule) / "bad", work)
    found = findings_of(run_engine(work, select=[rule.code]), rule.code)
    assert found
    for f in found:
        assert len(f.message) <= MAX_MESSAGE and "\n" not in f.message, (
            f"{rule.code}: {len(f.message)} chars: {f.message}"
        )
        assert f.help and "\n" not in f.help, f"{rule.code}: no help line for: {f.message}"


def _expected_lines(res) -> list[str]:
    return [
        f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}"
        for f in sorted(res.findings, key=lambda f: (f.path, f.line, f.col, f.code))
    ]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.code)
def test_bad_sample_gives_exactly_the_expected_findings(rule, tmp_path):
    """sample_playbooks/<CODE>-<slug>/expected.txt lists every finding of the rule on bad/:
    path:line:col: CODE message, one per line, in order."""
    d = sample_dir(rule)
    want_file = d / "expected.txt"
    assert want_file.is_file(), f"{want_file} is missing"
    work = tmp_path / "bad"
    shutil.copytree(d / "bad", work)
    got = _expected_lines(run_engine(work, select=[rule.code]))
    want = [
        line for line in want_file.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")
    ]
    assert got == want
