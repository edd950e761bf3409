"""ansopt's findings inside ansible-lint.

ansible-lint has no entry points for rules: it imports every `*.py` of the folders given with
`-r/--rules-dir` (or `rulesdir:` in `.ansible-lint`) by its bare module name, and keeps the
rule classes defined in a file of such a folder. `ansopt lint-rules-path` prints the folder
of this package, whose one rule module (`ansopt_lint_rule.py`, a name no other rule folder
uses) defines one rule, `ansopt`, that reports every ansopt finding with its slug as the
sub-id: `ansopt[pipelining-disabled]`. One rule rather than one class per ansopt rule because
ansopt's rules are not independent per file (a cfg finding depends on the playbooks and the
inventory, a play's on its roles): the adapter runs ansopt's engine once over the project,
exactly as `ansopt check` does, and hands ansible-lint each file's findings; the sub-ids are
ansible-lint's own way to name a rule's kinds of finding (`yaml[line-length]`), so `skip_list`,
`warn_list`, `# noqa: ansopt[package-loop]` and `enable_list: [ansopt]` all work as users know
them.

What ansible-lint never hands a rule (ansible.cfg, INI inventories) is reported with the first
file it does hand over, under the path of the file ansopt read. ansible-lint swallows a rule's
exceptions as log warnings; this adapter reports a failure inside ansopt as a finding
(`ansopt[internal-error]`, `ansopt[settings-error]`) instead. It offers no ansible-lint
transform (ansible-lint's `--fix` re-dumps whole files and loses comments): the details say
which `ansopt fix` command fixes the finding without touching anything else.

This module does not import ansible-lint: `findings_for()` is the adapter, the rule module is a
thin class around it.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass

from .. import discover
from ..diagnostics import INTERNAL_ERROR_CODE, PARSE_ERROR_CODE, SAFE

RULE_ID = "ansopt"


def rules_path() -> str:
    """The folder to give ansible-lint with `-r` (or `rulesdir:`)."""
    return os.path.dirname(os.path.abspath(__file__))


@dataclass(frozen=True)
class LintFinding:
    """One ansopt finding as ansible-lint reports it."""

    abspath: str
    line: int
    col: int
    tag: str  # ansopt[slug]
    message: str  # `CODE message`
    details: str  # the help, and the ansopt command that fixes it


@dataclass
class _Run:
    by_file: dict[str, list[LintFinding]]
    orphans: list[LintFinding]  # in files ansible-lint does not hand to rules
    orphans_given: bool = False


_RUNS: dict[str, _Run] = {}
_LOCK = threading.Lock()


def _details(f) -> str:
    parts = [f.help] if f.help else []
    if f.fix is not None:
        how = "ansopt fix --write" if f.fix.safety == SAFE else "ansopt fix --write --unsafe-fixes"
        parts.append(f"fix with `{how}` (keeps comments and every other byte)")
    return "; ".join(parts)


def _handed_out(abspath: str) -> bool:
    """Does ansible-lint give rules this file? YAML files yes; ansible.cfg and INI
    inventories never (their kinds are not among ansible-lint's)."""
    return abspath.endswith(discover.YAML_EXT + (".json",))


def _run(project_dir: str) -> _Run:
    from ..engine import Engine
    from ..settings import SettingsError, load

    def one(abspath: str, line: int, col: int, slug: str, message: str, details: str = "") -> LintFinding:
        return LintFinding(abspath, max(1, line), max(1, col), f"{RULE_ID}[{slug}]", message, details)

    try:
        settings = load(project_dir)
    except SettingsError as e:  # its message is `path:line: what`
        m = re.match(r"(?P<path>[^:]+):(?P<line>\d+): (?P<what>.*)", str(e))
        if m is not None:
            where, line, what = os.path.join(project_dir, m["path"]), int(m["line"]), m["what"]
        else:
            where, line, what = project_dir, 1, str(e)
        return _Run({}, [one(where, line, 1, "settings-error", f"ansopt settings: {what}")])
    try:
        result = Engine(settings, ["."], cwd=project_dir).check()
    except Exception as e:  # a failure inside ansopt is a finding, not a swallowed warning
        return _Run({}, [one(project_dir, 1, 1, "internal-error", f"ansopt failed: {type(e).__name__}: {e}")])
    run = _Run({}, [])
    for f in result.findings:
        abspath = os.path.normpath(os.path.join(project_dir, f.path))
        if f.code == PARSE_ERROR_CODE and _handed_out(abspath):
            continue  # ansible-lint reports its own load-failure for a YAML file
        slug = "internal-error" if f.code == INTERNAL_ERROR_CODE else f.slug
        lf = one(abspath, f.line, f.col, slug, f"{f.code} {f.message}", _details(f))
        if _handed_out(abspath):
            run.by_file.setdefault(abspath, []).append(lf)
        else:
            run.orphans.append(lf)
    return run


def findings_for(project_dir: str, lintable_path: str) -> list[LintFinding]:
    """The ansopt findings ansible-lint should report for one of its lintables: the file's
    own, and, with the first file asked about, those of files ansible-lint does not lint.
    The engine runs once per project and process."""
    project_dir = os.path.abspath(project_dir)
    with _LOCK:
        run = _RUNS.get(project_dir)
        if run is None:
            run = _RUNS[project_dir] = _run(project_dir)
        out = list(run.by_file.get(os.path.abspath(lintable_path), []))
        if not run.orphans_given:
            run.orphans_given = True
            out.extend(run.orphans)
    return out
