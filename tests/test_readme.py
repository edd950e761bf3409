"""The README is the front door: its rule table and its two set-up commands stay true."""

from __future__ import annotations

import re

from ansopt.rules import all_rules

from .conftest import ROOT, markdown_sections

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTIONS = markdown_sections(README)
RULE_TABLE = SECTIONS["Rules"]


def code_blocks(section: str) -> list[str]:
    """The fenced code blocks of a README section, without their fences."""
    return re.findall(r"^```[^\n]*\n(.*?)^```", section, re.M | re.S)


def test_rule_table_lists_every_rule_with_its_fix_safety():
    rows = {
        m.group(1): (m.group(2), m.group(3))
        for m in re.finditer(r"^\| ([A-Z]\d{3}) \| `([a-z0-9-]+)` \| (safe|unsafe|—) \|", RULE_TABLE, re.M)
    }
    expected = {r.code: (r.slug, r.fix or "—") for r in all_rules()}
    assert rows == expected


def test_rule_table_shows_the_default_selection():
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(
            r"^\| ([A-Z]\d{3}) \| `[a-z0-9-]+` \| (?:safe|unsafe|—) \| (yes|opt-in) \|", RULE_TABLE, re.M
        )
    }
    assert rows == {r.code: "yes" if r.default else "opt-in" for r in all_rules()}


def test_setup_commands_present():
    """The "Try it" section shows, as commands, the install-and-check and install-and-test lines."""
    commands = "\n".join(code_blocks(SECTIONS["Try it"]))
    assert "pip install . && ansopt check sample_playbooks/" in commands
    assert "pip install -e '.[test]' && python -m pytest" in commands
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && python -m pytest" in ci


def test_first_command_checks_the_samples():
    """`ansopt check sample_playbooks/` reports the bad samples (exit 1), with no error."""
    import os

    from click.testing import CliRunner

    from ansopt.cli import main

    old = os.getcwd()
    os.chdir(ROOT)
    try:
        r = CliRunner().invoke(main, ["check", "sample_playbooks/"])
    finally:
        os.chdir(old)
    assert r.exit_code == 1, r.output[-2000:]
    assert "E00" not in r.output and "parse error" not in r.output
