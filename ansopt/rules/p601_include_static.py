"""A dynamic `include_tasks` / `include_role` that could be a static import.

What it does
    Reports `include_tasks` and `include_role` (short or FQCN names) whose file or role
    name is a literal that ansopt finds in the project, with no loop, no `when`, no
    templated argument and none of the include-only options (`apply`, `public`), outside
    handlers, and not inside a block with `when`. These includes decide nothing at run time, so `import_tasks` / `import_role`
    does the same work once, when the playbook is parsed.

Why
    A dynamic include is processed during the run, host by host: the strategy stops to
    resolve it, reads and templates the file for each host, and adds an "included" result
    per host before the included tasks can be queued. An import is expanded once when the
    playbook loads; its tasks are ordinary tasks of the play.

Measured gain
    The per-include cost is small (tens to hundreds of milliseconds per host and include),
    but it is paid on every host at every include, and with the linear strategy all hosts
    wait for the slowest to finish resolving it. In task files included from many places
    (role entry points including one file per OS or feature) it adds up to seconds.

Example (reported)
    - name: Configure the firewall
      ansible.builtin.include_tasks: firewall.yml

Use instead
    - name: Configure the firewall
      ansible.builtin.import_tasks: firewall.yml

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

from ..model.tasks import is_template
from ..types import UNSAFE, Fix
from ..fixers import yaml_edits as Y

CODE = "P601"
SLUG = "include-static"
SEVERITY = "info"
FIX = UNSAFE

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


def check(ctx):
    for task in ctx.project.all_tasks():
        if task.fqcn not in TARGETS or task.is_block or task.kind == "handler":
            continue
        if task.loop_key or task.has("when") or task.module_key is None or _under_condition(task):
            continue
        if task.module_key.to_data() in ("action", "local_action"):
            continue
        args = task.args
        if any(k in args for k in INCLUDE_ONLY):
            continue
        if any(is_template(v) for v in args.values()) or any(is_template(s.value) for s in task.strings(skip=(task.node.get("name"),))):
            continue
        name = _literal(task)
        choices = _resolves(ctx, task, name) if name is not None else []
        if not choices:
            continue
        written = task.module_key.to_data()
        new_short = TARGETS[task.fqcn]
        new_key = written.rsplit(".", 1)[0] + "." + new_short if "." in written else new_short
        key = task.module_key
        fix = None
        made = Y.rename_key(task.file, task.node, written, new_key) if len(choices) == 1 else None
        if made is not None:
            fix = Fix((made[0],), UNSAFE, f"use {new_short}", ((None, made[1]),))
        what = "file" if new_short == "import_tasks" else "role"
        msg = (
            f"`{written}` of a literal {what} ({name}) with no loop or condition is resolved host by host at run time: "
            f"`{new_key}` loads it once when the playbook is parsed"
        )
        if len(choices) > 1:
            shown = ", ".join(ctx.project.display(c) for c in choices[:3])
            msg += f" (no automatic fix: several files named {name} ({shown}): an include and an import may load different ones)"
        yield ctx.finding(task.file, key, msg, fix=fix)
