"""README "How fixes stay safe", branch by branch, and each rule's declared fix safety.

The branches run with small fake rules (the engine's rule selection patched to return them),
so each one is deterministic and does not depend on what the real rules find:

* a fix that fails verification is not applied, nor written, and is reported (E002); the
  other fixes of its file still land;
* fixes whose edits overlap, or that must not land together, wait for the next round and
  land there;
* fixing that never settles stops after MAX_ROUNDS and `ansopt fix` says so in one line;
* a rule that crashes is one internal error (E003) and the run goes on;
* a lazy fix whose builder raises is one E003; its finding stays, without a fix.
"""

from __future__ import annotations

import os
import shutil
import types
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner, Result

from ansopt import engine
from ansopt.cli import main
from ansopt.diagnostics import (
    FIX_FAILED_CODE,
    INTERNAL_ERROR_CODE,
    SAFE,
    Change,
    Edit,
    Finding,
    Fix,
    Span,
)
from ansopt.rules import Rule, RuleContext, all_rules
from ansopt.settings import load

from .conftest import SAMPLES, codes, findings_of, run_engine, write_tree

VARS = "a: 1\nb: 2\n"


def fake_rule(code: str, check: Callable[[RuleContext], Iterator[Finding]]) -> Rule:
    """A rule that is only its `check`, as the engine sees one."""
    module = types.ModuleType(f"fake_{code.lower()}")
    module.check = check
    return Rule(code=code, slug=f"fake-{code.lower()}", severity="warning", fix=SAFE, doc="", module=module)


@pytest.fixture
def use_rules(monkeypatch):
    """Make every Engine (the CLI's too) run exactly the given rules."""

    def use(*rules: Rule) -> None:
        monkeypatch.setattr(engine, "selected_rules", lambda *args, **kw: list(rules))

    return use


def fix_folder(folder) -> engine.FixResult:
    return engine.Engine(load(str(folder)), ["."], cwd=str(folder)).fix()


def check_folder(folder) -> engine.CheckResult:
    return engine.Engine(load(str(folder)), ["."], cwd=str(folder)).check()


def cli(args: list[str], cwd) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def site(ctx: RuleContext):
    """The fake project's site.yml, loaded."""
    return ctx.project.yaml(next(f.abspath for f in ctx.project.files if f.path == "site.yml"))


def set_value(code: str, key: str, old: int, new: int, declared: int | None = None, **fix_kw) -> Rule:
    """A rule reporting `key: old` in site.yml, with a fix that writes `new` and declares the
    data becomes `declared` (default: `new`; any other value makes the fix fail verification)."""

    def check(ctx: RuleContext) -> Iterator[Finding]:
        f = site(ctx)
        node = f.docs[0].root.get(key)
        if node is not None and f.data()[0][key] == old:
            edit = Edit(Span(node.start, node.end), str(new))
            change = Change("set", (0, key), new if declared is None else declared)
            yield ctx.finding(f, node, f"{key} is {old}", Fix.safe([edit], f"set {key} to {new}", [change], **fix_kw))

    return fake_rule(code, check)


# --------------------------------------------------------------------------- verification


def test_a_fix_that_fails_verification_is_reported_and_not_applied(tmp_path, use_rules):
    write_tree(tmp_path, {"site.yml": VARS})
    use_rules(set_value("X901", "a", 1, 5), set_value("X902", "b", 2, 7, declared=8))
    res = fix_folder(tmp_path)
    (failed,) = res.failed
    assert failed.code == FIX_FAILED_CODE and failed in res.findings
    assert (
        failed.message.startswith("fix for X902 not applied, file left unchanged: ")
        and "data differs" in failed.message
    )
    assert (failed.line, failed.col) == (2, 4)  # where X902's finding is
    # the file's other fix, tried alone, still lands; the failed one is not tried again
    assert [new for _, _, new in res.changed.values()] == ["a: 5\nb: 2\n"]
    assert res.applied == 1 and res.converged
    assert codes(res.findings) == [FIX_FAILED_CODE, "X902"]


def test_a_file_whose_only_fix_fails_is_not_written(tmp_path, use_rules):
    write_tree(tmp_path, {"site.yml": VARS})
    use_rules(set_value("X902", "b", 2, 7, declared=8))
    r = cli(["fix", "--write"], tmp_path)
    assert (tmp_path / "site.yml").read_text() == VARS
    assert "site.yml:2:4: E002 [fix-not-applied] fix for X902 not applied" in r.output
    assert "Fixed" not in r.output and r.exit_code == 1


# --------------------------------------------------------------------------- rounds


def test_overlapping_fixes_wait_for_the_next_round_and_land_there(tmp_path, use_rules):
    """X903 rewrites the whole `a: 1` line (adds `c: 3` after it), X901 the `1` inside it:
    one of them lands per round, and the other is judged again on the new text."""
    seen: list[str] = []

    def add_c(ctx: RuleContext) -> Iterator[Finding]:
        f = site(ctx)
        seen.append(f.text)
        key, value = f.docs[0].root.pair("a")
        if "c" not in f.data()[0]:
            line = f.text[key.start : value.end]
            edit = Edit(Span(key.start, value.end), f"{line}\nc: 3")
            yield ctx.finding(f, key, "no c", Fix.safe([edit], "add c", [Change("set", (0, "c"), 3)]))

    write_tree(tmp_path, {"site.yml": VARS})
    use_rules(fake_rule("X903", add_c), set_value("X901", "a", 1, 5))
    res = fix_folder(tmp_path)
    assert not res.failed and res.applied == 2 and res.converged
    assert [new for _, _, new in res.changed.values()] == ["a: 5\nc: 3\nb: 2\n"]
    # round 1 sees the original; round 2 the text with X903's fix (first in file order: its
    # finding is at the key, before X901's at the value); round 3 finds nothing left to fix
    assert seen == [VARS, "a: 1\nc: 3\nb: 2\n", "a: 5\nc: 3\nb: 2\n"]
    assert res.rounds == 3


def test_fixes_that_must_not_land_together_wait_for_the_next_round(tmp_path, use_rules):
    """Edits of different places, but X902 conflicts with X901's group: X901 (higher
    priority) lands first, X902 a round later, judged on X901's result."""
    write_tree(tmp_path, {"site.yml": VARS})
    use_rules(set_value("X901", "a", 1, 5, group="g", priority=1), set_value("X902", "b", 2, 7, conflicts={"g"}))
    res = fix_folder(tmp_path)
    assert [new for _, _, new in res.changed.values()] == ["a: 5\nb: 7\n"]
    assert res.applied == 2 and res.rounds == 3


def test_fixing_that_never_settles_stops_and_says_so(tmp_path, use_rules):
    """A fix that always finds more to do: MAX_ROUNDS rounds, then `converged` is False and
    `ansopt fix` prints one warning line."""

    def grow(ctx: RuleContext) -> Iterator[Finding]:
        f = site(ctx)
        n = len(f.data()[0])
        edit = Edit.insertion(len(f.text), f"k{n}: {n}\n")
        yield ctx.finding(f, 0, "always more", Fix.safe([edit], "add a key", [Change("set", (0, f"k{n}"), n)]))

    write_tree(tmp_path, {"site.yml": VARS})
    use_rules(fake_rule("X904", grow))
    res = fix_folder(tmp_path)
    assert not res.converged and res.rounds == engine.MAX_ROUNDS and res.applied == engine.MAX_ROUNDS
    assert [new.count("\n") for _, _, new in res.changed.values()] == [2 + engine.MAX_ROUNDS]
    r = cli(["fix"], tmp_path)
    warnings = [line for line in r.output.splitlines() if "did not settle" in line]
    assert warnings == [
        f"ansopt: warning: fixes did not settle after {engine.MAX_ROUNDS} rounds; run `ansopt fix` again"
    ]
    assert (tmp_path / "site.yml").read_text() == VARS  # without --write, nothing written


# --------------------------------------------------------------------------- internal errors


def test_a_crashing_rule_is_an_internal_error_and_the_run_goes_on(tmp_path, use_rules):
    def crash(ctx: RuleContext) -> Iterator[Finding]:
        raise RuntimeError("boom")

    write_tree(tmp_path, {"site.yml": VARS})
    use_rules(fake_rule("X905", crash), set_value("X901", "a", 1, 5))
    res = check_folder(tmp_path)
    assert res.internal_errors == 1 and codes(res.findings) == [INTERNAL_ERROR_CODE, "X901"]
    (err,) = findings_of(res, INTERNAL_ERROR_CODE)
    assert err.message.startswith(
        "rule X905 crashed: RuntimeError: boom (test_engine_safety.py:"
    ) and err.message.endswith("please report it")
    fixed = fix_folder(tmp_path)  # the other rule's fix still lands
    assert fixed.internal_errors == 1 and [new for _, _, new in fixed.changed.values()] == ["a: 5\nb: 2\n"]
    r = cli(["check"], tmp_path)
    assert r.exit_code == 2 and "E003 [internal-error] rule X905 crashed" in r.output and "X901" in r.output


def test_a_fix_builder_that_raises_is_an_internal_error_and_the_finding_stays(tmp_path, use_rules):
    def broken_builder() -> Fix | None:
        raise KeyError("missing")

    def lazy(ctx: RuleContext) -> Iterator[Finding]:
        f = site(ctx)
        yield ctx.finding(f, f.docs[0].root.get("b"), "b is 2", ctx.lazy_fix(broken_builder, SAFE, "set b"))
        yield ctx.finding(f, f.docs[0].root.get("a"), "a is 1", ctx.lazy_fix(lambda: None, SAFE, "nothing to edit"))

    write_tree(tmp_path, {"site.yml": VARS})
    use_rules(fake_rule("X906", lazy), set_value("X901", "a", 1, 5))
    res = check_folder(tmp_path)
    assert res.internal_errors == 1
    (err,) = findings_of(res, INTERNAL_ERROR_CODE)
    assert err.message.startswith("the fix of X906 crashed: KeyError: 'missing'") and (err.line, err.col) == (2, 4)
    # both X906 findings stay, without a fix (one builder raised, the other found nothing)
    assert [(f.message, f.fix) for f in findings_of(res, "X906")] == [("a is 1", None), ("b is 2", None)]
    fixed = fix_folder(tmp_path)
    assert fixed.internal_errors == 1 and not fixed.failed
    assert [new for _, _, new in fixed.changed.values()] == ["a: 5\nb: 2\n"]


# --------------------------------------------------------------------------- declared safety


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_fixes_have_the_safety_the_rule_declares(rule, tmp_path):
    """A rule's FIX says what its fixes are: "safe" rules offer only safe fixes, "unsafe" rules
    unsafe ones, and a rule with FIX = None offers none (checked on its bad sample)."""
    work = tmp_path / "bad"
    shutil.copytree(SAMPLES / f"{rule.code}-{rule.slug}" / "bad", work)
    found = findings_of(run_engine(work, select=[rule.code]), rule.code)
    assert found, f"{rule.code} does not fire on its bad sample"
    offered = sorted({f.fix.safety for f in found if f.fix is not None})
    assert offered == ([rule.fix] if rule.fix else []), f"{rule.code} declares FIX = {rule.fix!r} but offers {offered}"
