"""Run the rules, filter their findings, and apply fixes byte-exactly with verification.

Fixing works in rounds, up to a fixpoint (bounded): every round rebuilds the project from
the current texts, runs the rules, takes the allowed fixes whose edits do not overlap
(a fix's edits are all applied or none), applies them per file and verifies each file:

1. no byte outside the edit spans moved;
2. the result parses (as YAML, or as ansible-core reads ansible.cfg);
3. its data equals the data before the round plus exactly the fixes' declared changes.

A file that fails is retried fix by fix; a fix that still fails is dropped and reported
(E002), its file left as it was. Writes are atomic: a temporary file in the same folder,
then a rename; the mode is kept, and a symlink's target is written (the link stays).
"""

from __future__ import annotations

import copy
import dataclasses
from collections import Counter
import math
import os
import stat
import tempfile
import traceback
from dataclasses import dataclass, field
from typing import Any, Iterable

from . import discover
from . import noqa
from .model.project import Project, Reader
from .model.purpose import GENERATED
from .rules import Rule, RuleContext
from .selection import matches, selected_rules
from .settings import Settings
from .source import cfgfile, yamlfile
from .source.yamlfile import LineIndex, YamlLoadError
from .diagnostics import (
    FIX_FAILED_CODE,
    FIX_FAILED_SLUG,
    PARSE_ERROR_CODE,
    PARSE_ERROR_SLUG,
    Change,
    INTERNAL_ERROR_CODE,
    INTERNAL_ERROR_SLUG,
    Edit,
    Finding,
    FixBuildError,
    Span,
)

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


def rule_options(rule: Rule, settings: Settings) -> dict[str, Any]:
    opts = rule.default_options()
    opts.update(settings.rules.get(rule.code, {}))
    return opts


# --------------------------------------------------------------------------- edits


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end))
    out = []
    pos = 0
    for e in ordered:
        if e.span.start < pos or e.span.end > len(text):
            raise ValueError(f"overlapping or out-of-range edit at {e.span.start}")
        out.append(text[pos : e.span.start])
        out.append(e.replacement)
        pos = e.span.end
    out.append(text[pos:])
    return "".join(out)


def outside_unchanged(old: str, new: str, edits: Iterable[Edit]) -> bool:
    """Every byte of `old` outside the edit spans is in `new`, in place."""
    ordered = sorted(edits, key=lambda e: (e.span.start, e.span.end))
    shift = 0
    pos = 0
    for e in ordered:
        if old[pos : e.span.start] != new[pos + shift : e.span.start + shift]:
            return False
        shift += len(e.replacement) - (e.span.end - e.span.start)
        pos = e.span.end
    return old[pos:] == new[pos + shift :]


_TOMB = object()


def apply_changes(data: Any, changes: Iterable[Change]) -> Any:
    """The data with the changes applied; paths refer to the data before any change."""
    data = copy.deepcopy(data)
    for ch in changes:
        *parents, last = ch.path
        node = data
        for p in parents:
            if isinstance(node, dict) and p not in node and ch.op == "set":
                node[p] = {}
            node = node[p]
        if ch.op == "set":
            node[last] = copy.deepcopy(ch.value)
        elif isinstance(node, list):
            node[last] = _TOMB
        else:
            node.pop(last, None)
    return _strip_tombs(data)


def _strip_tombs(data: Any) -> Any:
    if isinstance(data, list):
        return [_strip_tombs(x) for x in data if x is not _TOMB]
    if isinstance(data, dict):
        return {k: _strip_tombs(v) for k, v in data.items()}
    return data


def same_data(a: Any, b: Any) -> bool:
    """Deep equality that tells True from 1 and treats NaN as equal to itself."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_data(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def is_cfg_path(abspath: str) -> bool:
    return os.path.basename(abspath) == "ansible.cfg"


def load_data(abspath: str, text: str, cfg: bool | None = None) -> Any:
    """The data of a file as the verifier compares it (raises YamlLoadError)."""
    if cfg if cfg is not None else is_cfg_path(abspath):
        return cfgfile.parse_values(text)
    return yamlfile.load_text(abspath, text).data()


def _cfg_comments(text: str) -> Counter:
    """Every comment of an ansible.cfg, as written: comment lines and `;` inline comments."""
    out: Counter = Counter()
    for line in text.splitlines():
        st = line.strip()
        if st.startswith(("#", ";")):
            out[st] += 1
            continue
        found = [x for x in (line.find(" ;"), line.find("\t;")) if x >= 0]
        if found:
            out[line[min(found) :].strip()] += 1
    return out


def _yaml_marks(f) -> tuple[Counter, Counter]:
    """(comments, decorations) of a loaded YAML file. Decorations are tags beyond the core
    schema (`!vault`, `!unsafe`), anchors and aliases: a fix must keep them, since they
    change what Ansible does with a value."""
    from .fixers.yaml_edits import file_comments

    comments = Counter(c.strip() for _, c in file_comments(f))
    deco: Counter = Counter()
    for d in f.docs:
        for n in d.root.walk():
            if n.kind == "alias":
                deco["*" + (n.anchor or "")] += 1
                continue
            if n.anchor:
                deco["&" + n.anchor] += 1
            if n.tag and not n.tag.startswith("tag:yaml.org,2002:"):
                deco[n.tag] += 1
    return comments, deco


def verify(abspath: str, old: str, new: str, edits: list[Edit], changes: list[Change], cfg: bool | None = None) -> str | None:
    """None when `new` is exactly `old` plus the intended change, else why not. `cfg`: the
    file is an ansible.cfg (default: judged by its name).

    Checks: the bytes outside the edits; the result parses; its data is the old data plus
    exactly the declared changes; no comment of the old text is missing; tags (`!vault`,
    `!unsafe`), anchors and aliases are all still there."""
    cfg = is_cfg_path(abspath) if cfg is None else cfg
    if not outside_unchanged(old, new, edits):
        return "bytes outside the edited spans changed"
    old_file = new_file = None
    try:
        if not old:
            before = {} if cfg else []
        elif cfg:
            before = cfgfile.parse_values(old)
        else:
            old_file = yamlfile.load_text(abspath, old)
            before = old_file.data()
    except YamlLoadError as e:
        return f"original does not parse ({e.message})"
    try:
        if cfg:
            after = cfgfile.parse_values(new)
            cfgfile.load_text(abspath, new)
        else:
            new_file = yamlfile.load_text(abspath, new)
            after = new_file.data()
    except YamlLoadError as e:
        return f"the fixed text does not parse: line {e.line}: {e.message}"
    if not same_data(apply_changes(before, changes), after):
        return "the fixed file's data differs from the intended change"
    if old:
        if cfg:
            lost = _cfg_comments(old) - _cfg_comments(new)
            deco_changed = False
        else:
            (c_old, d_old), (c_new, d_new) = _yaml_marks(old_file), _yaml_marks(new_file)
            lost, deco_changed = c_old - c_new, d_old != d_new
        if lost:
            return f"a comment would be lost: {next(iter(lost))!r}"
        if deco_changed:
            return "a tag, anchor or alias would change"
    return None


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
    ):
        self.settings = settings
        self.cwd = cwd or os.getcwd()
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

    def _is_cfg(self, abspath: str) -> bool:
        return is_cfg_path(abspath) or any(f.abspath == abspath and f.kind == discover.CFG for f in self.files)

    def _add_env_config(self) -> None:
        """ANSIBLE_CONFIG names the file ansible-core reads, whatever its name: check it when
        it lies under a checked path (or is one)."""
        ec = self.env_config
        if not os.path.isfile(ec) or any(os.path.realpath(f.abspath) == os.path.realpath(ec) for f in self.files):
            return
        for raw in self.paths:
            p = os.path.abspath(os.path.join(self.cwd, raw))
            if ec == p or ec.startswith(p.rstrip(os.sep) + os.sep):
                self.files.append(discover.SourceFile(discover.display_path(ec, self.cwd), ec, discover.CFG))
                return

    # ---------------------------------------------------------------- running rules
    def project(self, overlay: dict[str, str] | None = None, files=None) -> Project:
        return Project(self.settings.root, files if files is not None else self.files, Reader(overlay), self.cwd, self.env_config)

    def run(self, project: Project, build_fixes: bool = True) -> tuple[list[Finding], int, int]:
        """(findings, parse errors, internal errors) for the reported files. `build_fixes`:
        compute lazy fixes now (a fix whose builder finds nothing to edit is dropped, one
        whose builder raises becomes an internal error); the text report does not need them."""
        project.load_all()
        findings: list[Finding] = []
        internal = 0
        for rule in self.rules:
            ctx = RuleContext(project, rule, rule_options(rule, self.settings), self.settings)
            try:
                found = list(rule.check(ctx))
            except Exception as e:  # a rule bug must not stop the run
                internal += 1
                findings.append(_internal_error(project.files[0].path if project.files else ".", f"rule {rule.code} crashed", e))
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
                    Finding(PARSE_ERROR_CODE, PARSE_ERROR_SLUG, f.path, Span(err.offset, err.offset), err.line, err.col, err.message, "error")
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
            if purposes & rule.skip_purposes:
                continue
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
        overlay: dict[str, str] = {}
        originals: dict[str, str | None] = {}
        failed: list[Finding] = []
        failed_keys: set[tuple] = set()
        applied = 0
        rounds = 0
        files = list(self.files)
        findings: list[Finding] = []
        parse = internal = 0
        converged = True
        applied_in: dict[str, int] = {}
        while True:
            project = self.project(overlay, files)
            findings, parse, internal = self.run(project)
            if rounds >= MAX_ROUNDS:
                converged = False
                break
            rounds += 1
            candidates = [
                f
                for f in findings
                if f.fix is not None
                and (f.fix.safety == "safe" or unsafe)
                and f.fix.edits
                and (f.code, f.path, f.span, f.fix.description) not in failed_keys
            ]
            if not candidates:
                break
            candidates.sort(key=lambda f: -f.fix.priority)  # stable: then file order
            path_of = {f.path: f.abspath for f in project.files}
            taken: dict[str, list[Span]] = {}
            groups: set[str] = set()
            batch: list[tuple[Finding, dict[str, list[Edit]], dict[str, list[Change]]]] = []
            for f in candidates:
                if f.fix.conflicts & groups:
                    continue  # a conflicting fix went first this round: re-judged next round
                per_file, per_changes = self._targets(f, path_of, project)
                if per_file is None:
                    continue
                if any(any(s.overlaps(e.span) for s in taken.get(p, []) for e in es) or _self_overlap(es) for p, es in per_file.items()):
                    continue
                for p, es in per_file.items():
                    taken.setdefault(p, []).extend(e.span for e in es)
                if f.fix.group:
                    groups.add(f.fix.group)
                batch.append((f, per_file, per_changes))
            if not batch:
                break
            progress = False
            for abspath in sorted({p for _, pf, _ in batch for p in pf}):
                fixes_here = [(f, pf[abspath], pc.get(abspath, [])) for f, pf, pc in batch if abspath in pf]
                try:
                    old = project.reader.read(abspath) if project.reader.exists(abspath) else ""
                except (OSError, YamlLoadError):
                    continue
                good = self._apply_verified(abspath, old, fixes_here, failed, failed_keys)
                if good is None:
                    continue
                new, n = good
                if new != old:
                    if abspath not in originals:  # first change: what is on disk (None: a new file)
                        originals[abspath] = old if os.path.exists(abspath) else None
                    overlay[abspath] = new
                    applied += n
                    applied_in[abspath] = applied_in.get(abspath, 0) + n
                    progress = True
                    if abspath not in {f.abspath for f in files} and not os.path.exists(abspath):
                        kind = discover.classify(abspath) or discover.OTHER
                        files.append(discover.SourceFile(discover.display_path(abspath, self.cwd), abspath, kind))
            if not progress:
                break
        result = FixResult(
            findings + failed, files, applied=applied, applied_in=applied_in, failed=failed, parse_errors=parse, internal_errors=internal, rounds=rounds, converged=converged
        )
        for abspath, new in overlay.items():
            old = originals.get(abspath)
            if old is None:
                result.created.add(abspath)
                old = ""
            if old != new:
                result.changed[abspath] = (discover.display_path(abspath, self.cwd), old, new)
        result.findings.sort(key=lambda f: f.sort_key)
        return result

    def _targets(self, f: Finding, path_of: dict[str, str], project: Project | None = None):
        """Edits and changes of a finding's fix, keyed by absolute path."""
        per_file: dict[str, list[Edit]] = {}
        per_changes: dict[str, list[Change]] = {}
        own = path_of.get(f.path)
        for e in f.fix.edits:
            target = e.path if e.path is not None else own
            if target is None:
                return None, None
            per_file.setdefault(target, []).append(e)
        for p, chs in f.fix.changes:
            target = p if p is not None else own
            if target is None:
                return None, None
            per_changes.setdefault(target, []).extend(chs)
        if project is not None and any(project.reader.exists(p) and GENERATED in project.purposes.of(p) for p in per_file):
            return None, None  # a generated file is never rewritten: its generator would undo it
        return per_file, per_changes

    def _apply_verified(self, abspath, old, fixes_here, failed, failed_keys):
        """Apply the fixes for one file; verify; fall back to one fix at a time."""
        edits = [e for _, es, _ in fixes_here for e in es]
        changes = [c for _, _, cs in fixes_here for c in cs]
        try:
            new = apply_edits(old, edits)
            problem = verify(abspath, old, new, edits, changes, cfg=self._is_cfg(abspath))
        except Exception as e:  # pragma: no cover - defensive
            problem = f"{type(e).__name__}: {e}"
        if problem is None:
            return new, len(fixes_here)
        if len(fixes_here) == 1:
            f = fixes_here[0][0]
            failed_keys.add((f.code, f.path, f.span, f.fix.description))
            failed.append(
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
            return None
        # try each fix alone; keep the first that verifies (others come back next round)
        for item in fixes_here:
            res = self._apply_verified(abspath, old, [item], failed, failed_keys)
            if res is not None:
                return res
        return None


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


def _internal_error(path: str, what: str, e: BaseException, at: Finding | None = None) -> Finding:
    """E003: a rule or a fix builder raised; the run goes on."""
    cause = e.__cause__ or e
    tb = traceback.extract_tb(cause.__traceback__)
    where = f" ({os.path.basename(tb[-1].filename)}:{tb[-1].lineno})" if tb else ""
    span, line, col = (at.span, at.line, at.col) if at is not None else (Span(0, 0), 1, 1)
    return Finding(INTERNAL_ERROR_CODE, INTERNAL_ERROR_SLUG, path, span, line, col, f"{what}: {type(cause).__name__}: {cause}{where}; please report it", "error")


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
    spans = sorted(e.span for e in edits)
    return any(a.overlaps(b) for a, b in zip(spans, spans[1:]))


# --------------------------------------------------------------------------- writing


def write_atomic(path: str, text: str) -> None:
    """Write `text` (UTF-8) to `path` atomically, keeping its mode; follow a symlink.

    Refused (OSError, nothing written): a file without write permission, and a file with
    other hard links (a rename would split them)."""
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    try:
        st = os.stat(target)
        mode = stat.S_IMODE(st.st_mode)
        owner = (st.st_uid, st.st_gid)
        if not os.access(target, os.W_OK) or not (mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)):
            raise PermissionError(13, "the file is read-only")
        if st.st_nlink > 1:
            raise OSError(31, f"the file has {st.st_nlink} hard links; replacing it would split them")
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
        owner = None
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".ansopt-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        if owner is not None and hasattr(os, "chown"):
            try:
                os.chown(tmp, *owner)
            except OSError:
                pass
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
