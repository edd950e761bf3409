"""The apt cache is refreshed again while it is still fresh: set `cache_valid_time`.

What it does
    Follows each play (pre_tasks, tasks and post_tasks in order, with the task files they
    include or import by a literal name), each role (its tasks/main.yml with its included
    files) and each other reported task file that nothing reported includes, and looks
    at the `apt` tasks that refresh the package lists (`update_cache` true as `yes`,
    `true`, `True`, ``"yes"``, ``update_cache=yes`` free-form, the `update-cache` alias)
    without a `cache_valid_time`.

    A refresh is reported when an earlier refresh of the same scope has surely run on
    the same host (no `when` on it or on a block or include around it, no loop,
    `delegate_to`, `local_action`, `run_once`, `check_mode` or `ignore_errors`) and
    nothing between the two may have changed the apt sources. The earlier refresh is
    reported too when it is the scope's first (nothing changed the sources before it).
    Both get ``cache_valid_time: 3600`` (the `cache_valid_time` option): the first then
    refreshes only when the lists are older than an hour, the later ones skip while the
    first one's lists are fresh.

    What counts as changing the apt sources: `apt_repository`, `deb822_repository`,
    `apt_key`; an `apt` task installing a `.deb` (`deb:`) or a ``*-release`` package; any
    task whose arguments name `/etc/apt`, `sources.list`, a keyring or `trusted.gpg`
    (copy, template, get_url, lineinfile, ...); `command`/`shell`/`raw` mentioning apt,
    dpkg, a repository, a PPA, gpg, curl, wget or a pipe into a shell; any `script`; an
    included role or a task file ansopt cannot follow; a play's `roles:`; and handlers
    that do any of this, where they may run (`meta: flush_handlers`, the end of a play
    section). A refresh right after such a change is needed and is never touched.

    Not counted: `apt_repository` (it refreshes only when it changed a source, which is
    exactly when a refresh is needed, and it has no `cache_valid_time` option), `package`
    with `update_cache` (the backend is chosen on the host), handlers (they run when
    notified, usually because a source changed), and refreshes delegated to another host.

Why
    `apt-get update` downloads and parses every source's index on every host: a few
    seconds on a fast mirror, tens of seconds on slow links or with many sources. A second
    refresh minutes after the first downloads the same lists again.

Measured gain
    On the testbed (bench/testbed: the reference fleet on network-namespace SSH hosts), this
    fix's share is measured by leave-one-out: the fixed fleet against the same fix without
    this rule; `ansopt rule P401` prints the figures from the shipped results
    (`ansopt/knowledge/measured.json`), with their date, host count and round-trip time. As
    for P101, the stand-in's `apt-get update` cost is a setting of the testbed (a LAN
    mirror); with many sources or a distant mirror each refresh costs more.

Example (reported)
    - name: Update the package lists
      ansible.builtin.apt:
        update_cache: true

    - name: Install nginx
      ansible.builtin.apt:
        name: nginx
        update_cache: true

Use instead
    - name: Update the package lists
      ansible.builtin.apt:
        update_cache: true
        cache_valid_time: 3600

    - name: Install nginx
      ansible.builtin.apt:
        name: nginx
        update_cache: true
        cache_valid_time: 3600

Default selection
    Opt-in (`extend-select: [P401]`). A second refresh costs one `apt-get update` per run
    (a few seconds, as long as the mirrors take: an expectation, not measured here), paid
    once however many hosts run in parallel. Reviewed on public projects, 16 of 18 reports were judged true but not worth the change: install-only or
    one-host playbooks, where those seconds are noise. A refresh repeated for every loop
    item is P101's finding (on by default).

Fix (unsafe)
    Adds ``cache_valid_time: 3600`` (the option's value) after `update_cache` in the
    task's argument mapping, or appends `` cache_valid_time=3600`` to free-form arguments
    (inside the quotes when the string is quoted). Unsafe because the refresh is now
    skipped while the lists are younger than the limit: a package published (or a source
    added by something ansopt cannot see: another play, a role, a previous run, a person)
    within that time is not seen until the lists age out. Choose a shorter limit with the
    option when that matters.
"""

from __future__ import annotations

import os
import re

from .. import knowledge
from ..diagnostics import UNSAFE, Fix
from ..fixers import Refusal, task_edits, yaml_edits
from ..model.project import INCLUDE_ROLES, Play, Role
from ..model.tasks import Task, is_template, iter_task_list
from ..source.yamlfile import YMap, YScalar
from ._packages import is_repo_package

DEFAULT = False
CODE = "P401"
SLUG = "apt-cache-refresh"
SEVERITY = "warning"
FIX = UNSAFE

OPTIONS = {
    "cache_valid_time": (
        3600,
        {
            "type": "integer",
            "minimum": 1,
            "description": "Seconds the fix writes as `cache_valid_time`: the apt lists are refreshed only when older than this.",
        },
    ),
}

APT = "ansible.builtin.apt"
SOURCE_MODULES = frozenset(
    {"ansible.builtin.apt_repository", "ansible.builtin.deb822_repository", "ansible.builtin.apt_key"}
)
COMMANDS = frozenset(
    {"ansible.builtin.command", "ansible.builtin.shell", "ansible.builtin.raw", "ansible.builtin.expect"}
)
TASK_INCLUDES = frozenset(
    {"ansible.builtin.include_tasks", "ansible.builtin.import_tasks", "ansible.builtin.include", "include"}
)
_SOURCE_PATH = re.compile(r"/etc/apt\b|sources\.list|/keyrings?\b|trusted\.gpg")
_COMMAND_HINT = re.compile(
    r"\bapt|\bdpkg|sources\.list|/etc/apt|\brepo|\bppa\b|\bgpg|keyring|\bcurl\b|\bwget\b|\|\s*(?:sudo\s+)?(?:ba|z|da)?sh\b",
    re.IGNORECASE,
)
_UNSURE = ("when", "delegate_to", "run_once", "check_mode", "ignore_errors")


# --------------------------------------------------------------------------- task kinds


def _refresh_state(task: Task) -> str | None:
    """'refresh' (update_cache true, no cache_valid_time), 'valid' (with cache_valid_time),
    or None (not a refresh of this host's lists)."""
    if task.fqcn != APT or task.delegate_local or task.has("delegate_to") or task.kind == "handler":
        return None
    args = task.args
    uc = args.get("update_cache", args.get("update-cache"))
    if uc is None or is_template(uc) or not knowledge.get().boolean(uc):
        return None
    return "valid" if "cache_valid_time" in args else "refresh"


def _sure(task: Task, cond: bool) -> bool:
    """Does the task surely run on every host of the play (when it is reached)?"""
    if cond or task.loop_key is not None or task.delegate_local:
        return False
    for k in _UNSURE:
        node = task.keyword(k)
        if node is None:
            continue
        v = node.to_data()
        if k in ("run_once", "check_mode", "ignore_errors") and v is False:
            continue
        return False
    return True


def _arg_strings(task: Task) -> list[str]:
    out = []

    def walk(v):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)

    walk(task.args)
    if task.free_form:
        out.append(task.free_form)
    return out


def _changes_sources(task: Task) -> bool:
    fq = task.fqcn
    if fq is None:
        return False
    if fq in SOURCE_MODULES or fq == "ansible.builtin.script":
        return True
    strings = _arg_strings(task)
    if fq in COMMANDS:
        return any(_COMMAND_HINT.search(s) for s in strings)
    if fq == APT:
        args = task.args
        if "deb" in args:
            return True
        names = args.get("name", args.get("pkg", args.get("package")))
        names = names if isinstance(names, list) else [names]
        if any(isinstance(n, str) and is_repo_package(n) for n in names):
            return True
        return False
    return any(_SOURCE_PATH.search(s) for s in strings)


# --------------------------------------------------------------------------- walking a scope


class _Event:
    __slots__ = ("kind", "task", "sure", "why")

    def __init__(self, kind: str, task: Task | None = None, sure: bool = False, why: str = ""):
        self.kind = kind  # "refresh", "valid" or "change"
        self.task = task
        self.sure = sure
        self.why = why


class _Walker:
    def __init__(self, project, pb_dir: str | None, role: Role | None):
        self.project = project
        self.pb_dir = pb_dir
        self.role = role
        self.events: list[_Event] = []
        self.files: set[str] = set()

    def tasks(self, tasks: list[Task], cond: bool, from_abspath: str, stack: tuple[str, ...] = ()) -> None:
        for t in tasks:
            if t.is_block:
                bc = cond or any(t.has(k) for k in _UNSURE)
                self.tasks(t.children.get("block", []), bc, from_abspath, stack)
                self.tasks(t.children.get("rescue", []), True, from_abspath, stack)
                self.tasks(t.children.get("always", []), bc, from_abspath, stack)
                continue
            fq = t.fqcn
            if fq in TASK_INCLUDES:
                self.include(t, cond, from_abspath, stack)
            elif fq in INCLUDE_ROLES:
                self.events.append(_Event("change", t, why="a role"))
            elif fq == "ansible.builtin.meta":
                if str(t.args.get("_raw_params", t.free_form or "")).strip() == "flush_handlers":
                    self.events.append(_Event("flush", t))
            else:
                state = _refresh_state(t)
                if state is not None:
                    self.events.append(_Event(state, t, _sure(t, cond)))
                if _changes_sources(t):
                    self.events.append(_Event("change", t, why="a source change"))

    def include(self, t: Task, cond: bool, from_abspath: str, stack: tuple[str, ...]) -> None:
        args = t.args
        name = args.get("file") or args.get("_raw_params")
        if not isinstance(name, str) and t.free_form:
            name = t.free_form.split()[0] if t.free_form.split() else None
        target = None
        if isinstance(name, str) and name.strip() and not is_template(name):
            target = self.project.resolve_task_file(name.strip(), from_abspath, self.role, self.pb_dir)
        y = self.project.yaml(target) if target is not None and target not in stack else None
        if y is None or target is None:
            self.events.append(_Event("change", t, why="a task file ansopt cannot follow"))
            return
        self.files.add(target)
        inner_cond = cond or t.loop_key is not None or any(t.has(k) for k in _UNSURE)
        self.tasks(list(iter_task_list(y, y.root, "task")), inner_cond, target, stack + (target,))


def _handlers_change(project, handlers: list[Task], from_abspath: str, pb_dir: str | None, role: Role | None) -> bool:
    w = _Walker(project, pb_dir, role)
    w.tasks(handlers, True, from_abspath)
    return any(e.kind == "change" for e in w.events)


def _play_scope(play: Play) -> _Walker:
    project = play.project
    pb = play.file_abspath
    w = _Walker(project, os.path.dirname(pb), None)
    hchange = _handlers_change(project, play.sections["handlers"], pb, w.pb_dir, None)
    for sec in ("pre_tasks", "tasks", "post_tasks"):
        if sec == "tasks" and play.roles:
            w.events.append(_Event("change", why="the play's roles"))
        w.tasks(play.sections[sec], False, pb)
        if hchange:
            w.events.append(_Event("change", why="handlers"))
    if not hchange:
        w.events = [e for e in w.events if e.kind != "flush"]
    return w


def _file_scope(project, abspath: str, role: Role | None) -> _Walker | None:
    y = project.yaml(abspath)
    if y is None:
        return None
    w = _Walker(project, None, role)
    w.files.add(abspath)
    w.tasks(list(iter_task_list(y, y.root, "task")), False, abspath, (abspath,))
    hchange = False
    if role is not None and role.handlers is not None:
        hpath = project.abspath_of(role.handlers.file) or abspath
        hchange = _handlers_change(project, role.handlers.tasks, hpath, None, role)
    if not hchange:
        w.events = [e for e in w.events if e.kind != "flush"]
    return w


def _is_role_main(abspath: str) -> bool:
    """`<role>/tasks/main.yml`: a role's entry point (a standalone role repository too)."""
    parent = os.path.basename(os.path.dirname(abspath))
    return parent == "tasks" and os.path.basename(abspath) in ("main.yml", "main.yaml", "main")


def _scopes(project):
    """(label, walker) for every scope: plays, role task mains, other task files."""
    reached: set[str] = set()
    out = []
    for pb in project.playbooks:
        for play in pb.plays:
            w = _play_scope(play)
            reached |= w.files
            out.append(("play", w))
    rest = []
    for tf in project.task_files:
        if tf.kind == "handler":
            continue
        ab = project.abspath_of(tf.file)
        if ab is None:
            continue
        if _is_role_main(ab):
            role = project.role_of_file(ab)
            if role is None:  # a role repository of its own (ansible-role-docker)
                path = os.path.dirname(os.path.dirname(ab))
                role = Role(project, os.path.basename(path), path)
            w = _file_scope(project, ab, role)
            if w is not None:
                reached |= w.files
                out.append(("role", w))
        else:
            rest.append(ab)
    walks = {}
    for ab in rest:
        if ab in reached:
            continue
        w = _file_scope(project, ab, project.role_of_file(ab))
        if w is not None:
            walks[ab] = w
    inner = set()
    for ab, w in walks.items():
        inner |= {f for f in w.files if f != ab}
    for ab, w in walks.items():
        if ab not in inner:
            out.append(("task file", w))
    return out


# --------------------------------------------------------------------------- the rule


def _redundant(events: list[_Event]) -> list[tuple[Task, Task, bool]]:
    """[(task, other, is_first)] to fix: each refresh made while the lists are fresh (other:
    the refresh that made them fresh), and that first refresh when nothing changed the
    sources before it in the scope (other: the first refresh it makes redundant)."""
    fresh = False
    changed = False
    anchor: Task | None = None
    anchor_initial = False
    out: list[tuple[Task, Task, bool]] = []
    seen: set[int] = set()
    for e in events:
        if e.kind in ("change", "flush"):
            fresh = False
            changed = True
            continue
        if e.kind != "refresh":
            continue  # with cache_valid_time already: neither counted nor trusted
        t = e.task
        if t is None:
            continue  # refresh events always name their task
        if fresh and anchor is not None:
            if anchor.node is t.node:
                continue  # the same file included twice
            if anchor_initial and id(anchor.node) not in seen:
                seen.add(id(anchor.node))
                out.append((anchor, t, True))
            if id(t.node) not in seen:
                seen.add(id(t.node))
                out.append((t, anchor, False))
        elif e.sure:
            fresh = True
            anchor = t
            anchor_initial = not changed
    return out


def _where(t: Task, other: Task) -> str:
    if other.file is t.file:
        return f"line {other.line}"
    return f"{other.file.path}:{other.line}"


def _fit(build, where: str) -> str:
    """build(where), the start of a long `where` cut off so that the message fits in 120."""
    over = len(build(where)) - 120
    if over > 0:
        where = "..." + where[over + 3 :] if len(where) - over - 3 >= 12 else "..." + where[-12:]
    return build(where)


def check(ctx):
    seconds = ctx.options.get("cache_valid_time", 3600)
    done: set[int] = set()
    for label, w in _scopes(ctx.project):
        for task, other, first in _redundant(w.events):
            if id(task.node) in done:
                continue
            done.add(id(task.node))
            if first:
                msg = _fit(
                    lambda w, label=label: f"apt refreshes its cache here and again at {w} in this {label}",
                    _where(task, other),
                )
                help = f"add `cache_valid_time: {seconds}`: it refreshes only when the lists are older than that"
            else:
                msg = _fit(
                    lambda w, label=label: (
                        f"apt cache refreshed again: {w} already ran `update_cache` in this {label}; no source changed since"
                    ),
                    _where(task, other),
                )
                help = (
                    f"add `cache_valid_time: {seconds}`: it skips the refresh while the lists are fresh "
                    f"(each refresh costs seconds per host)"
                )
            fix, why = _fix(task, seconds)
            if fix is None and why:
                help += f" (no automatic fix: {why})"
            yield ctx.finding(task.file, _at(task), msg, fix=fix, help=help)


def _at(task: Task):
    node = task.args_node
    if isinstance(node, YMap):
        return node.key_node("update_cache") or node.key_node("update-cache") or task.module_key or task.node
    return task.module_key or task.node


def _fix(task: Task, seconds: int) -> tuple[Fix | None, str | None]:
    file = task.file
    node = task.args_node
    desc = f"add cache_valid_time: {seconds}"
    target = None
    for m in (node, task.keyword("args")):
        if isinstance(m, YMap) and ("update_cache" in m or "update-cache" in m):
            target = m
            break
    if target is not None:
        if target.flow:
            return None, "flow-style arguments"
        after = "update_cache" if "update_cache" in target else "update-cache"
        made = yaml_edits.set_key(file, target, "cache_valid_time", seconds, after=(after,))
        if made is None:
            return None, None
        return Fix.unsafe([made[0]], desc, [made[1]]), None
    if isinstance(node, YScalar) and isinstance(node.value, str):
        appended = task_edits.append_free_form_arg(task, node, "cache_valid_time", str(seconds))
        if isinstance(appended, Refusal):
            return None, appended.reason
        return Fix.unsafe(appended.edits, desc, appended.changes), None
    return None, None
