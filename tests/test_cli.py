"""The command line as a user runs it: exit codes, formats, fix/diff/write, selection."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

from click.testing import CliRunner

from ansopt.cli import main
from ansopt.selection import by_code_or_slug

from .conftest import doc_sections, write_tree

BAD_PLAY = """---
- hosts: all
  gather_facts: false
  tasks:
    - name: Install tools
      ansible.builtin.apt:
        name: "{{ item }}"
      loop:
        - git
        - curl
        - vim
        - jq
"""
GOOD_PLAY = """---
- hosts: all
  gather_facts: false
  tasks:
    - name: Install tools
      ansible.builtin.apt:
        name:
          - git
          - curl
          - vim
          - jq
"""
NO_PIPELINING = "[defaults]\ninventory = hosts\n"
SEL = "C101,P101"  # the tests below are about the CLI, not about which rules exist


def run(args, cwd):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, catch_exceptions=False)
    finally:
        os.chdir(old)


def test_check_exit_codes(tmp_path):
    write_tree(tmp_path / "clean", {"site.yml": GOOD_PLAY})
    write_tree(tmp_path / "bad", {"site.yml": BAD_PLAY})
    write_tree(tmp_path / "broken", {"site.yml": "- hosts: all\n  tasks: [\n"})
    r = run(["check", "--select", SEL], tmp_path / "clean")
    assert r.exit_code == 0 and "All checks passed" in r.output
    r = run(["check", "--select", SEL], tmp_path / "bad")
    assert r.exit_code == 1
    assert "site.yml:8:7: P101 [package-loop]" in r.output
    r = run(["check", "--select", SEL, "--exit-zero"], tmp_path / "bad")
    assert r.exit_code == 0
    r = run(["check"], tmp_path / "broken")
    assert r.exit_code == 2
    assert r.output.startswith("site.yml:3:1: parse error: ")
    r = run(["check", "nonexistent"], tmp_path / "clean")
    assert r.exit_code == 2


def test_select_ignore_and_statistics(tmp_path):
    write_tree(tmp_path, {"site.yml": BAD_PLAY, "ansible.cfg": NO_PIPELINING})
    assert "C101" in run(["check"], tmp_path).output
    r = run(["check", "--select", "P"], tmp_path)
    assert "C101" not in r.output and "P101" in r.output
    r = run(["check", "--select", "C101,P101", "--ignore", "package-loop,C101"], tmp_path)
    assert r.exit_code == 0
    r = run(["check", "--select", "C101", "--extend-select", "P101", "--statistics"], tmp_path)
    assert "    1  C101  [*] pipelining-disabled" in r.output
    r = run(["check", "--select", "Z999"], tmp_path)
    assert r.exit_code == 2 and "names no rule" in r.output


def test_fix_prints_diff_and_writes_nothing_then_write(tmp_path):
    write_tree(tmp_path, {"site.yml": BAD_PLAY})
    r = run(["fix", "site.yml"], tmp_path)
    assert r.exit_code == 1
    assert "+        name:\n+          - git" in r.output
    assert (tmp_path / "site.yml").read_text() == BAD_PLAY
    os.chmod(tmp_path / "site.yml", 0o640)
    r = run(["fix", "--write", "--select", SEL], tmp_path)
    assert r.exit_code == 0
    assert (tmp_path / "site.yml").read_text() == GOOD_PLAY
    assert stat.S_IMODE(os.stat(tmp_path / "site.yml").st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if "ansopt-tmp" in p.name]


def test_fix_follows_symlinks(tmp_path):
    write_tree(tmp_path, {"real/site.yml": BAD_PLAY})
    (tmp_path / "proj").mkdir()
    os.symlink(tmp_path / "real" / "site.yml", tmp_path / "proj" / "site.yml")
    r = run(["fix", "--write", "--select", SEL, "site.yml"], tmp_path / "proj")
    assert r.exit_code == 0
    assert os.path.islink(tmp_path / "proj" / "site.yml")
    assert (tmp_path / "real" / "site.yml").read_text() == GOOD_PLAY


def test_unfixable_findings_still_reported_after_fix(tmp_path):
    play = (
        BAD_PLAY
        + """    - name: Pinned
      ansible.builtin.apt:
        name: "{{ item.name }}"
        state: "{{ item.state }}"
      loop: "{{ pkgs }}"
"""
    )
    write_tree(tmp_path, {"site.yml": play})
    r = run(["fix", "--write", "--select", SEL], tmp_path)
    assert r.exit_code == 1
    assert "P101" in r.output and "`name: {{ item.name }}`" in r.output


def test_unparsable_file_left_untouched_by_fix(tmp_path):
    broken = "- hosts: all\n  tasks: [\n"
    write_tree(tmp_path, {"broken.yml": broken, "site.yml": BAD_PLAY})
    r = run(["fix", "--write", "--select", SEL], tmp_path)
    assert r.exit_code == 2
    assert (tmp_path / "broken.yml").read_text() == broken
    assert (tmp_path / "site.yml").read_text() == GOOD_PLAY


def test_json_format_has_fix_edits(tmp_path):
    write_tree(tmp_path, {"site.yml": BAD_PLAY})
    r = run(["check", "--select", SEL, "--format", "json"], tmp_path)
    data = json.loads(r.output)
    assert data[0]["code"] == "P101" and data[0]["fix"]["safety"] == "safe"
    edits = data[0]["fix"]["edits"]
    assert edits and all({"path", "start", "end", "replacement"} <= set(e) for e in edits)


def test_output_file(tmp_path):
    write_tree(tmp_path, {"site.yml": BAD_PLAY})
    r = run(["check", "--select", SEL, "--format", "json", "--output", "report.json"], tmp_path)
    assert r.exit_code == 1 and r.output == ""
    assert json.loads((tmp_path / "report.json").read_text())[0]["code"] == "P101"


def test_rules_and_rule(tmp_path):
    r = run(["rules"], tmp_path)
    assert "C101" in r.output and "pipelining-disabled" in r.output and "safe" in r.output
    r = run(["rule", "package-loop"], tmp_path)
    assert r.output.startswith("P101 [package-loop]")
    shown, documented = doc_sections(r.output), doc_sections(by_code_or_slug("P101").doc)
    assert "Use instead" in documented and {h: shown.get(h) for h in documented} == documented
    assert run(["rule", "nope"], tmp_path).exit_code == 2


def test_no_color_when_not_a_terminal(tmp_path):
    write_tree(tmp_path, {"site.yml": BAD_PLAY})
    assert "\x1b[" not in run(["check"], tmp_path).output


FREE_FORM_PLAY = """- hosts: all
  tasks:
    - command: uptime
    - apt: name=git state=present
    - shell: ls -la /tmp
"""


def test_python_dash_m_and_fast_start(tmp_path):
    write_tree(
        tmp_path,
        {"site.yml": GOOD_PLAY, "more.yml": FREE_FORM_PLAY, "ansible.cfg": NO_PIPELINING, "hosts": "[web]\nw1\n"},
    )
    p = subprocess.run(
        [sys.executable, "-m", "ansopt", "check", "--select", SEL, "."], cwd=tmp_path, capture_output=True, text=True
    )
    assert p.returncode == 1 and "C101" in p.stdout, p.stdout + p.stderr
    # every rule, plain free-form arguments and an ansible.cfg with findings: neither
    # ansible-core (the knowledge cache exists) nor configupdater (fixes are not applied) load
    code = (
        "import sys; from ansopt.cli import main\ntry:\n    main(['check', '.'])\nexcept SystemExit: pass\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('ansible', 'configupdater')}))"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=dict(os.environ))
    assert p.stdout.strip().endswith("LOADED []"), p.stdout + p.stderr
