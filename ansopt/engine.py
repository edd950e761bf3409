"""Run the rules, filter their findings, and fix in rounds to a fixpoint.

Fixing works in rounds (at most MAX_ROUNDS): every round rebuilds the project from the
current texts, runs the rules, takes the allowed fixes whose edits do not overlap (a fix's
edits are all applied or none; an overlapping fix waits for the next round, where it is
judged on the new text), and applies them per file through the fix stage's verification
(`fixers.verify`): a file that fails is retried fix by fix, and a fix that still fails is
dropped and reported (E002), its file left as it was. Nothing is written here: the result
holds each changed file's old and new text, and the CLI writes them (`fixers.write`).
"""

from __future__ import annotations

import dataclasses
import os
import traceback
from dataclasses import dataclass, field
from typing import Any

from . import discover, noqa
from .diagnostics import (
    FIX_FAILED_CODE,
    FIX_FAILED_SLUG,
    INTERNAL_ERROR_CODE,
    INTERNAL_ERROR_SLUG,
    PARSE_ERROR_CODE,
    PARSE_ERROR_SLUG,
    Change,
    Edit,
    Finding,
    Fix,
    FixBuildError,
    Span,
    overlapping,
)
from .fixers.verify import apply_verified, is_cfg_path
from .model.project import Project, Reader
from .model.purpose import ARCHIVED, GENERATED, VENDORED
from .rules import Rule, RuleContext
from .selection import matches, measured_rules, selected_rules
from .settings import Settings
from .source import cfgfile
from .source.yamlfile import LineIndex, YamlLoadError

MAX_ROUNDS = 10


@dataclass
class CheckResult:
    findings: list[Finding]
    files: list[discover.SourceFile]
    parse_errors: int = 0
    internal_errors: int = 0


@dataclass
class FixResult:
    findings: list[Finding]  # what remains after the fixes
    files: list[discover.SourceFile]
    changed: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # abspath -> (display, old, new)
    created: set[str] = field(default_factory=set)
    applied: int = 0
    applied_in: dict[str, int] = field(default_factory=dict)  # abspath -> fixes applied there
    failed: list[Finding] = field(default_factory=list)
    parse_errors: int = 0
    internal_errors: int = 0
    rounds: int = 0
    converged: bool = True


# A fix planned for this round: its finding, and its edits and changes keyed by absolute path.
_Planned = tuple[Finding, dict[str, list[Edit]], dict[str, list[Change]]]


@dataclass
class _Fixing:
    """What the rounds of one `fix` have done so far."""

    files: list[discover.SourceFile]
    overlay: dict[str, str] = field(default_factory=dict)  # abspath -> the fixed text
    originals: dict[str, str | None] = field(default_factory=dict)  # abspath -> on disk (None: new)
    applied_in: dict[str, int] = field(default_factory=dict)
    failed: list[Finding] = field(default_factory=list)
    failed_keys: set[tuple] = field(default_factory=set)

    def reject(self, f: Finding, problem: str) -> None:
        """A fix that failed verification: reported (E002) and never tried again."""
        self.failed_keys.add(_fix_key(f))
        self.failed.append(
            Finding(
                FIX_FAILED_CODE,
                FIX_FAILED_SLUG,
                f.path,
                f.span,
                f.line,
                f.col,
                f"fix for {f.code} not applied, file left unchanged: {problem}",
                "error",
            )
        )


def _fix_of(f: Finding) -> Fix:
    """The fix of a finding that has one."""
    if f.fix is None:
        raise ValueError(f"{f.code} at {f.path}:{f.line}: no fix")
    return f.fix


def _fix_key(f: Finding) -> tuple:
    """Identifies a fix across rounds (each round builds new Finding objects)."""
    return (f.code, f.path, f.span, _fix_of(f).description)


def rule_options(rule: Rule, settings: Settings) -> dict[str, Any]:
    opts = rule.default_options()
    opts.update(settings.rules.get(rule.code, {}))
    return opts


# --------------------------------------------------------------------------- engine


class Engine:
    def __init__(
        self,
        settings: Settings,
        paths: list[str],
        cwd: str | None = None,
        select=None,
        ignore=None,
        extend_select=None,
        timings: list[str] | None = None,
        use_timings: bool = True,
        ara: bool = False,
    ):
        self.settings = settings
        self.cwd = cwd or os.getcwd()
        self.archived: str | None = (
            None  # the README of a project no longer maintained, once findings were dropped for it
        )
        self.paths = paths or ["."]
        self.rules = selected_rules(settings, select, ignore, extend_select)
        self._pfi_rules: dict[str, discover.IgnoreRules] = {}
        self.files = discover.discover(
            self.paths,
            settings.base,
            exclude=settings.exclude,
            respect_gitignore=settings.respect_gitignore,
            cwd=self.cwd,
        )
        self.files = _with_cfg_inventories(self.files, self.cwd)
        self.env_config = os.environ.get("ANSIBLE_CONFIG") or None
        if self.env_config:
            self.env_config = os.path.abspath(os.path.join(self.cwd, os.path.expanduser(self.env_config)))
            self._add_env_config()
        # recorded timings (model.timings); raises source.timings.TimingsError on a bad file
        self.timing_files: list[str] = []
        self.measurements = self._measurements(timings or [], use_timings, ara) if use_timings else None
        self.measured_only: set[str] = set()
        if self.measurements is not None:
            chosen = {r.code for r in self.rules}
            extra = measured_rules(settings, select, ignore, extend_select)
            self.measured_only = {r.code for r in extra if r.code not in chosen}
            self.rules = sorted(self.rules + [r for r in extra if r.code not in chosen], key=lambda r: r.code)

    def _measurements(self, files: list[str], use: bool, ara: bool):
        """The timings named (command line, settings) and, unless the settings turn it off,
        `.ansopt/timings.jsonl` beside the checked playbooks and at the project's root."""
        from .model import timings
        from .source.timings import discover_default

        named = [os.path.abspath(os.path.join(self.cwd, f)) for f in files] + list(self.settings.timings_files)
        auto: list[str] = []
        if self.settings.timings_auto:
            folders = [self.settings.root, self.cwd]
            folders += [os.path.dirname(f.abspath) for f in self.files if f.kind in (discover.PLAYBOOK, discover.YAML)]
            auto = discover_default(list(dict.fromkeys(folders)))
        self.timing_files = list(dict.fromkeys(named + auto))
        ara = ara or self.settings.timings_ara
        if not self.timing_files and not ara:
            return None
        data = timings.load(self.timing_files, ara=ara)
        if not data:
            return None
        return timings.Measurements(data, self.settings.root, last_runs=self.settings.timings_runs)

    def _is_cfg(self, abspath: str) -> bool:
        return is_cfg_path(abspath) or any(f.abspath == abspath and f.kind == discover.CFG for f in self.files)

    def _add_env_config(self) -> None:
        """ANSIBLE_CONFIG names the file ansible-core reads, whatever its name: check it when
        it lies under a checked path (or is one)."""
        ec = self.env_config
        if (
            ec is None
            or not os.path.isfile(ec)
            or any(os.path.realpath(f.abspath) == os.path.realpath(ec) for f in self.files)
        ):
            return
        for raw in self.paths:
            p = os.path.abspath(os.path.join(self.cwd, raw))
            if ec == p or ec.startswith(p.rstrip(os.sep) + os.sep):
                self.files.append(discover.SourceFile(discover.display_path(ec, self.cwd), ec, discover.CFG))
                return

    # ---------------------------------------------------------------- running rules
    def project(self, overlay: dict[str, str] | None = None, files=None) -> Project:
        project = Project(
            self.settings.root, files if files is not None else self.files, Reader(overlay), self.cwd, self.env_config
        )
        project.measurements = self.measurements
        return project

    def run(self, project: Project, build_fixes: bool = True) -> tuple[list[Finding], int, int]:
        """(findings, parse errors, internal errors) for the reported files. `build_fixes`:
        compute lazy fixes now (a fix whose builder finds nothing to edit is dropped, one
        whose builder raises becomes an internal error); the text report does not need them."""
        project.load_all()
        findings: list[Finding] = []
        internal = 0
        for rule in self.rules:
            ctx = RuleContext(
                project, rule, rule_options(rule, self.settings), self.settings, rule.code in self.measured_only
            )
            try:
                found = list(rule.check(ctx))
            except Exception as e:  # a rule bug must not stop the run
                internal += 1
                findings.append(
                    _internal_error(project.files[0].path if project.files else ".", f"rule {rule.code} crashed", e)
                )
                continue
            if build_fixes:
                found, crashed = _build_fixes(found)
                internal += len(crashed)
                findings.extend(crashed)
            findings.extend(found)
        reported = {f.path for f in project.files}
        parse = 0
        out = self.by_purpose(project, [f for f in findings if f.path in reported or f.code == INTERNAL_ERROR_CODE])
        for f in project.files:
            err = project.errors.get(f.abspath)
            if err is not None:
                parse += 1
                out.append(
                    Finding(
                        PARSE_ERROR_CODE,
                        PARSE_ERROR_SLUG,
                        f.path,
                        Span(err.offset, err.offset),
                        err.line,
                        err.col,
                        err.message,
                        "error",
                    )
                )
        out = self.filter(project, out)
        out.sort(key=lambda f: f.sort_key)
        return out, parse, internal

    def by_purpose(self, project: Project, findings: list[Finding]) -> list[Finding]:
        """Drop a rule's findings in content its advice does not apply to (documentation, Zuul
        jobs, role tests: model.purpose), and the fixes of findings in generated files."""
        rules = {r.code: r for r in self.rules}
        by_path = {f.path: f.abspath for f in project.files}
        out = []
        for f in findings:
            ab = by_path.get(f.path)
            rule = rules.get(f.code)
            if ab is None or rule is None:
                out.append(f)
                continue
            purposes = project.purposes.of(ab)
            if ARCHIVED in purposes:
                self.archived = project.purposes.archived
                continue
            if VENDORED in purposes or purposes & rule.skip_purposes:
                continue  # a role ansible-galaxy installs: the next install undoes any edit
            if GENERATED in purposes and _hidden(os.path.relpath(ab, project.root)):
                continue  # a tool's generated template (`.manala/etc/ansible/ansible.cfg`): the tool's
            if GENERATED in purposes and f.fix is not None:
                note = "generated file: no fix written, change its generator"
                f = dataclasses.replace(f, fix=None, help=f"{f.help} ({note})" if f.help else note)
            out.append(f)
        return out

    def filter(self, project: Project, findings: list[Finding]) -> list[Finding]:
        """Drop findings suppressed by per-file-ignores or noqa comments."""
        by_path = {f.path: f.abspath for f in project.files}
        lines_cache: dict[str, list[str]] = {}
        out = []
        for f in findings:
            if f.code in (PARSE_ERROR_CODE, INTERNAL_ERROR_CODE):
                out.append(f)
                continue
            ab = by_path.get(f.path)
            if ab is not None and self._per_file_ignored(ab, f):
                continue
            if ab is not None:
                if ab not in lines_cache:
                    try:
                        text = project.reader.read(ab)
                    except (OSError, YamlLoadError):
                        text = ""
                    li = LineIndex(text)
                    lines_cache[ab] = [li.line_text(i) for i in range(len(li.starts))]
                if noqa.suppressed(lines_cache[ab], f.line, f.code, f.slug, self._is_cfg(ab)):
                    continue
            out.append(f)
        return out

    def _per_file_ignored(self, abspath: str, f: Finding) -> bool:
        """per-file-ignores globs match like `exclude` (gitignore style, relative to the
        settings' folder): `tests/*.yml`, `**/molecule/**`, `legacy/`, `site.yml`."""
        if not self.settings.per_file_ignores:
            return False
        for glob, sels in self.settings.per_file_ignores.items():
            if not any(matches(f.code, f.slug, s) for s in sels):
                continue
            rules = self._pfi_rules.get(glob)
            if rules is None:
                rules = self._pfi_rules[glob] = discover.IgnoreRules(self.settings.base)
                rules.add(glob)
            if rules.ignored_path(abspath):
                return True
        return False

    def check(self, build_fixes: bool = True) -> CheckResult:
        findings, parse, internal = self.run(self.project(), build_fixes)
        return CheckResult(findings, self.files, parse, internal)

    # ---------------------------------------------------------------- fixing
    def fix(self, unsafe: bool = False) -> FixResult:
        """Fix in rounds until no allowed fix is left, none lands, or MAX_ROUNDS have run
        (`converged` False). The result holds what remains and each changed file's texts."""
        state = _Fixing(list(self.files))
        rounds = 0
        converged = True
        while True:
            project = self.project(state.overlay, state.files)
            findings, parse, internal = self.run(project)
            if rounds >= MAX_ROUNDS:
                converged = False
                break
            rounds += 1
            batch = self._batch(findings, project, unsafe, state.failed_keys)
            if not batch or not self._apply(batch, project, state):
                break
        result = FixResult(
            findings + state.failed,
            state.files,
            applied=sum(state.applied_in.values()),
            applied_in=state.applied_in,
            failed=state.failed,
            parse_errors=parse,
            internal_errors=internal,
            rounds=rounds,
            converged=converged,
        )
        for abspath, new in state.overlay.items():
            old = state.originals.get(abspath)
            if old is None:
                result.created.add(abspath)
                old = ""
            if old != new:
                result.changed[abspath] = (discover.display_path(abspath, self.cwd), old, new)
        result.findings.sort(key=lambda f: f.sort_key)
        return result

    def _batch(
        self, findings: list[Finding], project: Project, unsafe: bool, failed_keys: set[tuple]
    ) -> list[_Planned]:
        """This round's fixes: the allowed ones that did not fail before, highest priority
        first. A fix whose edits overlap one taken already, or whose `conflicts` hold the
        group of one taken already, waits for the next round."""
        candidates = [
            f
            for f in findings
            if f.fix is not None
            and (f.fix.safety == "safe" or unsafe)
            and f.fix.edits
            and _fix_key(f) not in failed_keys
        ]
        candidates.sort(key=lambda f: -_fix_of(f).priority)  # stable: then file order
        path_of = {f.path: f.abspath for f in project.files}
        taken: dict[str, list[Span]] = {}
        groups: set[str] = set()
        batch: list[_Planned] = []
        for f in candidates:
            if _fix_of(f).conflicts & groups:
                continue  # a conflicting fix went first this round: re-judged next round
            per_file, per_changes = self._targets(f, path_of, project)
            if per_file is None:
                continue
            if any(
                any(s.overlaps(e.span) for s in taken.get(p, []) for e in es) or _self_overlap(es)
                for p, es in per_file.items()
            ):
                continue
            for p, es in per_file.items():
                taken.setdefault(p, []).extend(e.span for e in es)
            group = _fix_of(f).group
            if group:
                groups.add(group)
            batch.append((f, per_file, per_changes))
        return batch

    def _apply(self, batch: list[_Planned], project: Project, state: _Fixing) -> bool:
        """Apply a round's fixes file by file, each file verified; True when a file changed."""
        progress = False
        for abspath in sorted({p for _, pf, _ in batch for p in pf}):
            fixes_here = [(f, pf[abspath], pc.get(abspath, [])) for f, pf, pc in batch if abspath in pf]
            try:
                old = project.reader.read(abspath) if project.reader.exists(abspath) else ""
            except (OSError, YamlLoadError):
                continue
            new, n, rejected = apply_verified(abspath, old, fixes_here, self._is_cfg(abspath))
            for f, problem in rejected:
                state.reject(f, problem)
            if new is None or new == old:
                continue
            if abspath not in state.originals:  # first change: what is on disk (None: a new file)
                state.originals[abspath] = old if os.path.exists(abspath) else None
            state.overlay[abspath] = new
            state.applied_in[abspath] = state.applied_in.get(abspath, 0) + n
            progress = True
            if abspath not in {f.abspath for f in state.files} and not os.path.exists(abspath):
                kind = discover.classify(abspath) or discover.OTHER
                state.files.append(discover.SourceFile(discover.display_path(abspath, self.cwd), abspath, kind))
        return progress

    def _targets(self, f: Finding, path_of: dict[str, str], project: Project | None = None):
        """Edits and changes of a finding's fix, keyed by absolute path."""
        per_file: dict[str, list[Edit]] = {}
        per_changes: dict[str, list[Change]] = {}
        own = path_of.get(f.path)
        fix = _fix_of(f)
        for e in fix.edits:
            target = e.path if e.path is not None else own
            if target is None:
                return None, None
            per_file.setdefault(target, []).append(e)
        for p, chs in fix.changes:
            target = p if p is not None else own
            if target is None:
                return None, None
            per_changes.setdefault(target, []).extend(chs)
        if project is not None and any(
            project.reader.exists(p) and GENERATED in project.purposes.of(p) for p in per_file
        ):
            return None, None  # a generated file is never rewritten: its generator would undo it
        return per_file, per_changes


def _with_cfg_inventories(files: list[discover.SourceFile], cwd: str) -> list[discover.SourceFile]:
    """Files that an ansible.cfg names as its inventory are inventories, whatever their name
    (`inventory = inv.ini`, `inventory = staging`): discovery classifies by name only."""
    by_path = {f.abspath: i for i, f in enumerate(files)}
    out = list(files)
    for f in files:
        if f.kind != discover.CFG:
            continue
        try:
            cfg = cfgfile.load_path(f.abspath)
        except (OSError, YamlLoadError):
            continue
        opt = cfg.get("defaults", "inventory")
        if opt is None:
            continue
        base = os.path.dirname(f.abspath)
        for p in opt.value.split(","):
            p = os.path.expanduser(p.strip())
            full = os.path.normpath(p if os.path.isabs(p) else os.path.join(base, p))
            if full in by_path and out[by_path[full]].kind not in (discover.INVENTORY, discover.CFG):
                old = out[by_path[full]]
                out[by_path[full]] = discover.SourceFile(old.path, old.abspath, discover.INVENTORY)
            elif full not in by_path and os.path.isfile(full) and discover.classify(full) is None:
                # a file classify() skips (no known name) that lies under a path being checked
                if any(full.startswith(os.path.dirname(x.abspath) + os.sep) for x in files if x.kind == discover.CFG):
                    out.append(discover.SourceFile(discover.display_path(full, cwd), full, discover.INVENTORY))
                    by_path[full] = len(out) - 1
    return out


def _hidden(rel: str) -> bool:
    """A path inside a hidden folder of the project (`.manala/`, `.devcontainer/`)."""
    return not rel.startswith("..") and any(p.startswith(".") for p in rel.split(os.sep)[:-1])


def _internal_error(path: str, what: str, e: BaseException, at: Finding | None = None) -> Finding:
    """E003: a rule or a fix builder raised; the run goes on."""
    cause = e.__cause__ or e
    tb = traceback.extract_tb(cause.__traceback__)
    where = f" ({os.path.basename(tb[-1].filename)}:{tb[-1].lineno})" if tb else ""
    span, line, col = (at.span, at.line, at.col) if at is not None else (Span(0, 0), 1, 1)
    return Finding(
        INTERNAL_ERROR_CODE,
        INTERNAL_ERROR_SLUG,
        path,
        span,
        line,
        col,
        f"{what}: {type(cause).__name__}: {cause}{where}; please report it",
        "error",
    )


def _build_fixes(findings: list[Finding]) -> tuple[list[Finding], list[Finding]]:
    """(findings with their fixes built, internal errors of builders that raised). A finding
    whose builder raised or found nothing to edit keeps its message, without a fix."""
    out, crashed = [], []
    for f in findings:
        if f.fix is not None and not f.fix.built:
            try:
                has = f.fix.build()
            except FixBuildError as e:
                crashed.append(_internal_error(f.path, f"the fix of {f.code} crashed", e, at=f))
                has = False
            if not has:
                f = dataclasses.replace(f, fix=None)
        out.append(f)
    return out, crashed


def _self_overlap(edits: list[Edit]) -> bool:
    """Edits of one file that overlap, some naming the file and some meaning it by default."""
    return overlapping(dataclasses.replace(e, path=None) for e in edits) is not None
