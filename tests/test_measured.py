"""The testbed's results file shipped with the package, and how `ansopt rule` quotes it."""

from __future__ import annotations

import copy
import inspect
import json
import re

import pytest
from click.testing import CliRunner

from ansopt.cli import main
from ansopt.knowledge import measured
from ansopt.selection import all_rules

from .conftest import ROOT

SHIPPED = ROOT / "ansopt" / "knowledge" / "measured.json"

GOOD = {
    "date": "2026-12-03",
    "machine": {"cores": 2, "ansible_core": "2.19.14"},
    "runs_per_variant": 3,
    "summaries": [
        {
            "variant": "ansopt-all",
            "scenario": "first",
            "hosts": 4,
            "rtt_ms": 20.0,
            "runs": 2,
            "median_s": 40.0,
            "min_s": 39.0,
            "max_s": 41.0,
            "all_ok": True,
        }
    ],
    "ratios": [],
    "leave_one_out": {
        "C101": {
            "hosts": 4,
            "rtt_ms": 20.0,
            "runs": 2,
            "first_with_s": 40.0,
            "first_without_s": 52.5,
            "first_saves_s": 12.5,
            "repeat_with_s": 20.0,
            "repeat_without_s": 29.0,
            "repeat_saves_s": 9.0,
        }
    },
    "costs": {"20ms": {"module_run_no_pipelining_s": 1.12, "module_run_pipelining_s": 0.56}},
    "failures": [],
}


def test_validate_accepts_a_well_formed_file():
    assert measured.validate(GOOD) == []


@pytest.mark.parametrize(
    "breakage, problem",
    [
        (lambda d: d.pop("date"), "`date` missing"),
        (lambda d: d["summaries"][0].pop("median_s"), "summaries[0] has no `median_s`"),
        (lambda d: d["summaries"][0].update(median_s=50.0), "median outside min-max"),
        (lambda d: d["leave_one_out"]["C101"].pop("first_saves_s"), "leave_one_out[C101] incomplete"),
        (lambda d: d["costs"]["20ms"].update(include_s="fast"), "costs[20ms] is not a table of seconds"),
    ],
)
def test_validate_names_what_is_wrong(breakage, problem):
    data = copy.deepcopy(GOOD)
    breakage(data)
    assert any(problem in p for p in measured.validate(data))


def test_quote_gives_the_leave_one_out_and_the_cost_units():
    lines = measured.quote("C101", GOOD)
    assert lines[0] == (
        "Leaving this fix out of the fixed reference fleet (4 hosts, 20 ms RTT, median of 2) costs "
        "12.5 s on a first run (52.5 s without it, 40.0 s with it); 9.0 s on a repeat run "
        "(29.0 s without it, 20.0 s with it)."
    )
    assert lines[1] == (
        "Cost units at 20ms RTT (one host, one fork): one module run without pipelining: 1.1 s; with pipelining: 560 ms."
    )
    assert lines[2].startswith("Measured 2026-12-03 on the ansopt testbed")
    assert measured.quote("C406", GOOD) == []  # nothing measured for it: nothing quoted


@pytest.mark.skipif(not SHIPPED.exists(), reason="no results file shipped yet")
def test_shipped_results_are_well_formed_and_quoted():
    data = json.loads(SHIPPED.read_text())
    assert measured.validate(data) == []
    assert data["failures"] == []
    assert measured.load() == data
    got = CliRunner().invoke(main, ["rule", "C101"])
    assert got.exit_code == 0
    assert "Measured on the testbed" in got.output


def test_every_rule_doc_says_what_was_measured():
    """Each rule's `Measured gain` section quotes the testbed or says why it measured nothing."""
    for rule in all_rules():
        doc = inspect.cleandoc(rule.doc)
        m = re.search(r"^Measured gain\n(.*?)(?=^\S)", doc, re.M | re.S)
        assert m, f"{rule.code}: no `Measured gain` section"
        text = " ".join(m.group(1).split())
        assert "testbed" in text, f"{rule.code}: the gain does not come from the testbed: {text[:120]}"


@pytest.mark.skipif(not SHIPPED.exists(), reason="no results file shipped yet")
def test_readme_shows_the_shipped_results():
    import sys

    sys.path.insert(0, str(ROOT))
    from bench.testbed import readme

    block = readme.current_block((ROOT / "README.md").read_text())
    assert block == readme.render(json.loads(SHIPPED.read_text())), "run: python -m bench.testbed.readme --write"
