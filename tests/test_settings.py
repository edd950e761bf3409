"""Settings files, their schema, and noqa suppression."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from ansopt.cli import main
from ansopt.settings import SCHEMA_PATH, SettingsError, build_schema, load

from .conftest import run_engine, write_tree

BAD_PLAY = """- hosts: all
  gather_facts: false
  tasks:
    - apt:
        name: "{{ item }}"
      loop: [git, curl, vim, jq]
"""


def test_shipped_schema_matches_the_rules():
    """ansopt/schema/settings.schema.json is generated from the rules (python -m ansopt.settings)."""
    assert json.loads(SCHEMA_PATH.read_text()) == json.loads(json.dumps(build_schema()))


def test_settings_found_upwards_and_applied(tmp_path):
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "",
            ".ansopt.yml": "select: [P101]\nexclude: [legacy/]\n",
            "sub/site.yml": BAD_PLAY,
            "legacy/old.yml": BAD_PLAY,
        },
    )
    s = load(str(tmp_path / "sub"))
    assert s.select == ["P101"] and s.root == str(tmp_path)
    res = run_engine(tmp_path, cwd=tmp_path)
    assert {f.path for f in res.findings} == {os.path.join("sub", "site.yml")}


def test_pyproject_tool_table(tmp_path):
    write_tree(
        tmp_path,
        {"pyproject.toml": '[project]\nname = "x"\n\n[tool.ansopt]\nignore = ["package-loop"]\n', "site.yml": BAD_PLAY},
    )
    assert not [f for f in run_engine(tmp_path, select=["P"]).findings if f.code == "P101"]


def test_pyproject_without_table_is_ignored(tmp_path):
    write_tree(tmp_path, {".git/HEAD": "", "pyproject.toml": '[project]\nname = "x"\n# [tool.ansopt] in a comment\n'})
    assert load(str(tmp_path)).source is None


@pytest.mark.parametrize(
    "text,expect",
    [
        ("select: P101\n", '.ansopt.yml:1: select: "P101" is not valid; expected a value of type array'),
        ("selct: [P101]\n", '.ansopt.yml:1: selct: unknown key "selct"'),
        (
            "rules:\n  P602:\n    min_items: zero\n",
            '.ansopt.yml:3: rules.P602.min_items: "zero" is not valid; expected a value of type integer',
        ),
        ("ignore: [Z999]\n", '.ansopt.yml:1: ignore: "Z999" names no rule'),
        ("select: [P101\n", ".ansopt.yml:2: not valid YAML"),
    ],
)
def test_bad_settings_one_line_error(tmp_path, text, expect):
    write_tree(tmp_path, {".git/HEAD": "", ".ansopt.yml": text})
    with pytest.raises(SettingsError) as e:
        load(str(tmp_path))
    assert str(e.value).startswith(expect), str(e.value)
    assert "\n" not in str(e.value)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        r = CliRunner().invoke(main, ["check"])
    finally:
        os.chdir(old)
    assert r.exit_code == 2 and "ansopt: error: .ansopt.yml:" in r.output


def test_per_file_ignores(tmp_path):
    write_tree(
        tmp_path,
        {
            ".git/HEAD": "",
            ".ansopt.yml": "per-file-ignores:\n  'tests/*.yml': [P101]\n",
            "tests/t.yml": BAD_PLAY,
            "site.yml": BAD_PLAY,
        },
    )
    res = run_engine(tmp_path, select=["P101"])
    assert [f.path for f in res.findings] == ["site.yml"]


def test_rule_options_by_slug_with_dashes(tmp_path):
    write_tree(tmp_path, {".git/HEAD": "", ".ansopt.yml": "rules:\n  include-in-loop:\n    min-items: 5\n"})
    assert load(str(tmp_path)).rules == {"P602": {"min_items": 5}}


# --------------------------------------------------------------------------- noqa


@pytest.mark.parametrize(
    "comment,suppressed",
    [
        ("  # noqa", True),
        ("  # noqa: P101", True),
        ("  # noqa: package-loop", True),
        ("  # noqa package-loop", True),
        ("  # noqa: P2", False),
        ("  # noqa: P1", True),
        ("", False),
    ],
)
def test_yaml_noqa(tmp_path, comment, suppressed):
    play = BAD_PLAY.replace("      loop: [git, curl, vim, jq]", "      loop: [git, curl, vim, jq]" + comment)
    write_tree(tmp_path, {"site.yml": play})
    found = [f for f in run_engine(tmp_path, select=["P101"]).findings if f.code == "P101"]
    assert (not found) == suppressed


@pytest.mark.parametrize(
    "cfg,suppressed",
    [
        ("[ssh_connection]\npipelining = False ; noqa: C101\n", True),
        ("[ssh_connection]\n# noqa: C101\npipelining = False\n", True),
        ("[ssh_connection]\npipelining = False ; noqa: C102\n", False),
        ("[ssh_connection]\npipelining = False\n", False),
    ],
)
def test_cfg_noqa(tmp_path, cfg, suppressed):
    write_tree(tmp_path, {"ansible.cfg": cfg})
    found = [f for f in run_engine(tmp_path, select=["C101"]).findings if f.code == "C101"]
    assert (not found) == suppressed
