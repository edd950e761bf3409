"""A dynamic `include_tasks` / `include_role` that could be a static import.

What it does
    Reports `include_tasks` and `include_role` (short or FQCN names) whose file or role
    name is a literal that ansopt finds in the project, with no loop, no `when`, no
    `register`, no templated argument and none of the include-only options (`apply`,
    `public`), outside handlers, and not inside a block with `when`. Includes with `vars:`
    or `tags:`, of a file that exists more than once, or of a file that includes itself
    (directly, as a retry from `rescue:`, or through other files) are reported without a fix:
    there an import would change what runs or fail to load. These includes decide nothing at run time, so `import_tasks` / `import_role`
    does the same work once, when the playbook is parsed.

Why
    A dynamic include is processed during the run, host by host: the strategy stops to
    resolve it, reads and templates the file for each host, and adds an "included" result
    per host before the included tasks can be queued. An import is expanded once when the
    playbook loads; its tasks are ordinary tasks of the play.

Measured gain
    Small, and not a share of the fleet (it has no include): `ansopt rule P601` prints the
    testbed's cost of one `include_tasks` more than an `import_tasks` (20 of each, one
    host). The include costs the controller and never touches the remote host; measured
    locally with 200 includes of a one-task file on localhost: 5.1 s with include_tasks, 2.9
    s with import_tasks.

Example (reported)
    - name: Configure the firewall
      ansible.builtin.include_tasks: firewall.yml

Use instead
    - name: Configure the firewall
      ansible.builtin.import_tasks: firewall.yml

Default selection
    Opt-in: an include costs the controller about 11-24 ms per host and never touches the remote host (see Measured gain); worth it only in task files included hundreds of times.

Fix (unsafe)
    Renames the action key (`include_tasks` -> `import_tasks`, `include_role` ->
    `import_role`, FQCN prefix kept); arguments stay as they are. Unsafe because imports
    behave differently in ways ansopt cannot see: tags and `when` on the import (or on an
    enclosing block) apply to every imported task instead of to the include itself;
    `--list-tasks` and `--start-at-task` see the imported tasks; a role's variables become
    visible to the rest of the play (`import_role` is always public); a missing file fails
    at parse time instead of when reached.
"""

from __future__ import annotations

import os

from ..diagnostics import UNSAFE, Fix
from ..fixers import yaml_edits
from ..model.tasks import is_template

CODE = "P601"
SLUG = "include-static"
SEVERITY = "info"
FIX = UNSAFE
DEFAULT = False

TARGETS = {
    "ansible.builtin.include_tasks": "import_tasks",
    "ansible.builtin.include_role": "import_role",
}
INCLUDE_ONLY = ("apply", "public")


def _literal(task) -> str | None:
    args = task.args
    if task.fqcn == "ansible.builtin.include_tasks":
        name = args.get("file", args.get("_raw_params"))
    else:
        name = args.get("name")
    return name if isinstance(name, str) and name and not is_template(name) else None


def _resolves(ctx, task, name: str) -> list[str]:
    """The files (or role folder) the include may mean; more than one is ambiguous."""
    project = ctx.project
    origin = project.abspath_of(task.file)
    if origin is None:
        return []
    if task.fqcn == "ansible.builtin.include_tasks":
        return project.task_file_choices(name, origin, project.role_of_file(origin))
    role = project.find_role(name, os.path.dirname(origin))
    return [role.path] if role is not None else []


def _under_condition(task) -> bool:
    """A `when` on an enclosing block would apply to each imported task instead of once."""
    p = task.parent
    while p is not None:
        if p.has("when"):
            return True
        p = p.parent
    return False


def _reaches(ctx, start: str, goal: str) -> bool | None:
    """Whether the task file `start` includes or imports `goal` again, directly or through
    other task files: True for a cycle, None when an include in the way names a templated
    file (it might). An import of a cycle is a recursion ansible-core refuses to load."""
    from ..model.project import TaskFile
    from ..model.tasks import walk_tasks

    project = ctx.project
    seen: set[str] = set()
    todo = [start]
    unknown = False
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        y = project.yaml(path)
        if y is None:
            continue
        role = project.role_of_file(path)
        for t in walk_tasks(TaskFile(y, "task").tasks):
            if t.fqcn not in ("ansible.builtin.include_tasks", "ansible.builtin.import_tasks"):
                continue
            name = t.args.get("file", t.args.get("_raw_params"))
            if not isinstance(name, str) or is_template(name):
                unknown = True
                continue
            for target in project.task_file_choices(name, path, role):
                if target == goal:
                    return True
                todo.append(target)
    return None if unknown else False


def _blocker(ctx, task, choices: list[str]) -> str | None:
    """Why the switch to an import would change what runs (the finding then has no fix)."""
    if "vars" in task.node:
        return "its `vars:` outrank set_fact and registered variables; an import's vars rank below them"
    if "tags" in task.node:
        return "its `tags:` select the include itself; on an import they select every imported task"
    if len(choices) > 1:
        shown = ", ".join(ctx.project.display(c) for c in choices[:3])
        return f"several files are named so ({shown}): an include and an import may load different ones"
    if task.fqcn == "ansible.builtin.include_tasks":
        origin = ctx.project.abspath_of(task.file)
        cycle = _reaches(ctx, choices[0], origin) if origin else None
        if choices[0] == origin or cycle:
            return "the file leads back to this file (directly or through others): as an import that is a recursion ansible-core refuses"
        if cycle is None:
            return (
                "the file includes a templated file, which could lead back here: as an import that would be a recursion"
            )
    return None


def check(ctx):
    for task in ctx.project.all_tasks():
        if task.fqcn not in TARGETS or task.is_block or task.kind == "handler":
            continue
        if task.loop_key or task.has("when") or task.module_key is None or _under_condition(task):
            continue
        if task.has("register"):  # an import registers nothing: the variable would be undefined
            continue
        if task.module_key.to_data() in ("action", "local_action"):
            continue
        args = task.args
        if any(k in args for k in INCLUDE_ONLY):
            continue
        if any(is_template(v) for v in args.values()) or any(
            is_template(s.value) for s in task.strings(skip=(task.node.get("name"),))
        ):
            continue
        name = _literal(task)
        choices = _resolves(ctx, task, name) if name is not None else []
        if not choices:
            continue
        written = task.module_key.to_data()
        new_short = TARGETS[task.fqcn]
        new_key = written.rsplit(".", 1)[0] + "." + new_short if "." in written else new_short
        key = task.module_key
        blocker = _blocker(ctx, task, choices)
        fix = None
        made = yaml_edits.rename_key(task.file, task.node, written, new_key) if blocker is None else None
        if made is not None:
            fix = Fix.unsafe([made[0]], f"use {new_short}", made[1])
        what = "file" if new_short == "import_tasks" else "role"
        msg = f"`{written}` of a literal {what} ({name}), unconditional: resolved host by host at run time"
        help = f"use `{new_key}`: it loads the {what} once, when the playbook is parsed"
        if blocker is not None:
            help = f"no automatic fix: {blocker}"
        yield ctx.finding(task.file, key, msg, fix=fix, help=help)
