"""Consecutive package tasks that differ only in their packages: one transaction each.

What it does
    Reports a run of `min_tasks` (4) or more adjacent tasks (two are enough when each
    refreshes the package cache with `update_cache`: then every task repeats a repository
    refresh) of the same task list (the same play
    section, task file or block list, nothing in between) that call the same package
    module (`apt`, `dnf`, `yum`, `package`, `pip` and the community.general package
    managers; `apt` and `ansible.builtin.apt` are the same module, `yum` and `dnf` are not)
    with the same arguments apart from the package names (`name`, `pkg` or `package`;
    a missing `state` counts as `present`), and with identical task keywords apart from
    the task title (`when`, `tags`, `become`, `become_user`, `environment`, `notify`,
    `delegate_to`, `vars`, `check_mode`, `no_log`, ... compared as data).

    Not reported: a run with a comment (in the comment lines above it, or among its tasks) that says why they are
    apart ("split out to avoid the CI timeout", "must be installed first", "separately");
    tasks of a role under `roles/` that no play of the project runs (as P101);
    tasks with a loop (P101's business), a `register` (one result instead
    of several), `ignore_errors` or `failed_when` (a failing package would now take the
    others down with it), templated package names (``{{ pkgs }}`` may be a list, and a
    list inside a list is not a package name; a name holding a comma is a list already), handlers (they are notified by name), and
    options that the module accepts with one package only (pip's `version`, snap's
    `classic` and `channel`). A task installing a repository package (`epel-release`,
    `remi-release-8.rpm`, any ``*-release`` name) or pip's own tooling (`pip`,
    `setuptools`, `wheel` with the pip module) ends a run: what follows may come from that
    repository or need that tooling, so it must not share its transaction. The classic trap,
    ansible-for-devops' `security/main.yml` (`epel-release`, then `fail2ban` with
    ``enablerepo: epel``), is not merged for two reasons: the arguments differ, and
    `epel-release` ends the run anyway. (`lsb-release` and `os-release` describe the system,
    not a repository: they do not end a run.)

    Identical `notify` lists merge like any other keyword: the handlers are notified once
    when anything changed, and they ran once before as well.

Why
    Every task is a round trip to each host, a new package manager process, a lock, a
    dependency resolution and (apt, dnf) a read of the package cache. The modules take a
    list in `name` and do all of it once.

Measured gain
    On the testbed (bench/testbed: the reference fleet on network-namespace SSH hosts), this
    fix's share is measured by leave-one-out: the fixed fleet against the same fix without
    this rule; `ansopt rule P102` prints the figures from the shipped results
    (`ansopt/knowledge/measured.json`), with their date, host count and round-trip time. As
    for P101, the package stand-in's per-transaction cost is a setting of the testbed, so
    this share counts transactions saved.

Example (reported)
    - name: Install git
      ansible.builtin.apt:
        name: git
        state: present

    - name: Install curl
      ansible.builtin.apt:
        name: curl
        state: present

Use instead
    - name: Install git
      ansible.builtin.apt:
        name:
          - git
          - curl
        state: present

Default selection
    On: each task is a separate package transaction.

Fix (unsafe)
    The first task of the run keeps its title and its keywords; its `name:` becomes a
    block list of every package of the run, in order (indented like the file's other
    lists); the other tasks are deleted with their lines. Comment lines directly above a
    deleted task belong to it: they move into the list, above that task's packages, as do
    comments inside the deleted task; a comment on the package's own line stays on it.
    Each deleted task's title becomes a comment line right above its packages (`# Install
    curl`), so what the tasks were for stays readable in the list. A first task with free-form arguments (``yum: name=tomcat state=present``) is
    rewritten as a mapping (values kept as ansible-core's parse_kv gives them); old-style
    ``action:`` tasks, multi-line or tagged package scalars and flow-style tasks are
    reported without a fix.

    Always unsafe, because what runs changes in three ways, even though the packages and
    their state end the same:

    * the deleted tasks' titles are gone: ``--start-at-task`` with one of them fails, and
      logs, callbacks and timing reports no longer show them;
    * one transaction is all or nothing: a package that cannot be installed now stops the
      others too (before, the earlier tasks had installed theirs);
    * ordering between packages is gone: a package whose installation made another one
      installable (a repository or keyring package not named ``*-release``, a build
      dependency of a pip package) is now resolved together with it.

    Review the merged task before running it; name it after what the list installs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..diagnostics import UNSAFE, Fix
from ..fixers import Refusal, task_edits, yaml_edits
from ..model.tasks import Task, is_template
from ..source.yamlfile import YSeq
from ._packages import (
    NAME_KEYS,
    SINGLE_NAME_OPTIONS,
    comment_block_start,
    in_unused_role,
    is_bootstrap_package,
    is_package_module,
    refreshes_cache,
)

CODE = "P102"
SLUG = "package-tasks-batchable"
SEVERITY = "warning"
FIX = UNSAFE

OPTIONS = {
    "min_tasks": (
        4,
        {
            "type": "integer",
            "minimum": 2,
            "description": "Shorter runs of tasks are not reported (unless each task refreshes the package cache).",
        },
    ),
}

# Keywords whose presence rules a task out (see the docstring).
_NEVER = ("register", "failed_when")


class _Cand:
    __slots__ = ("task", "name_key", "names", "key", "bootstrap")

    def __init__(self, task: Task, name_key: str, names: list[str], key: str, bootstrap: bool):
        self.task = task
        self.name_key = name_key
        self.names = names
        self.key = key
        self.bootstrap = bootstrap


def _canon(data: Any) -> str:
    return json.dumps(data, sort_keys=True, default=repr)


def _candidate(task: Task) -> _Cand | None:
    if task.is_block or task.kind == "handler" or not is_package_module(task.fqcn):
        return None
    if task.loop_key is not None or any(task.has(k) for k in _NEVER):
        return None
    ie = task.keyword("ignore_errors")
    if ie is not None and ie.to_data() is not False:
        return None
    args = task.args
    if "_raw_params" in args:
        return None
    keys = [k for k in NAME_KEYS if k in args]
    if len(keys) != 1:
        return None
    value = args[keys[0]]
    names = value if isinstance(value, list) else [value]
    if not names or not all(isinstance(n, str) and n.strip() and not is_template(n) and "," not in n for n in names):
        return None
    if any(k in args for k in SINGLE_NAME_OPTIONS.get(task.fqcn or "", ())):
        return None
    other = {k: v for k, v in args.items() if k not in NAME_KEYS}
    other.setdefault("state", "present")
    module_key = task.module_key.to_data() if task.module_key is not None else None
    keywords = {k: v for k, v in task.node.to_data().items() if k not in ("name", module_key)}
    key = _canon([task.fqcn, other, keywords])
    boot = any(is_bootstrap_package(task.fqcn, n) for n in names)
    return _Cand(task, keys[0], list(names), key, boot)


def _runs(tasks: list[Task]) -> list[list[_Cand]]:
    """Maximal runs (2+) of adjacent batchable tasks with the same key."""
    out: list[list[_Cand]] = []
    cur: list[_Cand] = []
    for t in tasks:
        c = _candidate(t)
        if c is not None and cur and c.key == cur[-1].key and not cur[-1].bootstrap:
            cur.append(c)
            continue
        if len(cur) > 1:
            out.append(cur)
        cur = [c] if c is not None else []
    if len(cur) > 1:
        out.append(cur)
    return out


def _lists(tasks: list[Task]):
    yield tasks
    for t in tasks:
        for lst in t.children.values():
            yield from _lists(lst)


def check(ctx):
    min_tasks = int(ctx.options.get("min_tasks", 4))
    seen: set[int] = set()
    for file, top in ctx.project.all_task_lists():
        for tasks in _lists(top):
            if not tasks or id(tasks[0].node) in seen:
                continue
            seen.add(id(tasks[0].node))
            for run in _runs(tasks):
                if len(run) < min_tasks and not refreshes_cache(run[0].task.args):
                    continue  # a couple of module runs saved: a few seconds
                if _split_on_purpose(file, run):
                    continue  # a comment says why the packages are installed apart
                if in_unused_role(ctx.project, run[0].task):
                    continue  # a role no play runs
                yield _finding(ctx, file, run)


# a comment above or among the tasks explaining why they are apart
_SPLIT_COMMENT = re.compile(
    r"#[^\n]*\b(split|separate(ly|d)?|apart|on (its|their) own|one (at a time|by one)|time[- ]?outs?|"
    r"(must|has to|have to|needs? to) be installed (first|before|after))\b",
    re.I,
)


def _split_on_purpose(file, run: list[_Cand]) -> bool:
    start = comment_block_start(file.text, run[0].task.node.start)
    return bool(_SPLIT_COMMENT.search(file.text[start : run[-1].task.node.end]))


def _finding(ctx, file, run: list[_Cand]):
    first = run[0].task
    module = first.module
    names = [n for c in run for n in c.names]
    head = f"{len(run)} consecutive `{module}` tasks differ only in their packages"
    msg = f"{head} ({_shown(names, 120 - len(head) - 3 - len(' +99 more'))})"
    help = f"merge them: one task that lists the packages in `{run[0].name_key}:` installs them in one transaction"
    fix, why = _fix(file, run)
    if fix is None and why:
        help += f" (no automatic fix: {why})"
    return ctx.finding(file, (first.node.start, run[-1].task.node.end), msg, fix=fix, help=help)


def _shown(names: list[str], room: int) -> str:
    """The first three package names (fewer when they take more than `room`), then "+N more"."""
    out: list[str] = []
    room = max(room, 12)
    for n in names[:3]:
        cut = min(30, room)
        n = n if len(n) <= cut else n[: cut - 3] + "..."
        if out and len(", ".join([*out, n])) > room:
            break
        out.append(n)
    rest = len(names) - len(out)
    return ", ".join(out) + (f" +{rest} more" if rest else "")


# --------------------------------------------------------------------------- the fix


def _fix(file, run: list[_Cand]) -> tuple[Fix | None, str | None]:
    first = run[0].task
    seq = first.node.parent
    if not isinstance(seq, YSeq) or seq.flow or yaml_edits.under_anchor(first.node):
        return None, None
    pos = {id(it): i for i, it in enumerate(seq.items)}
    idx = [pos.get(id(c.task.node), -1) for c in run]
    if idx[0] < 0 or idx != list(range(idx[0], idx[0] + len(run))):
        return None, None
    if any(c.task.node.flow for c in run):
        return None, "a flow-style task"
    if first.module_key is None or first.module_key.to_data() in ("action", "local_action"):
        return None, "old-style `action:` arguments"
    if any(c.task.module_key is None or c.task.module_key.to_data() in ("action", "local_action") for c in run[1:]):
        return None, "old-style `action:` arguments"
    if any(c.task.has("args") for c in run):
        return None, "arguments under `args:`"
    made = task_edits.merge_name_lists(seq, idx, [(c.task, c.name_key, c.names) for c in run])
    if isinstance(made, Refusal):
        return None, made.reason
    merged = sum(len(c.names) for c in run)
    desc = f"merge {len(run)} `{first.module}` tasks into the first one (`{run[0].name_key}:` lists {merged} packages)"
    return Fix.unsafe(made.edits, desc, made.changes), None
