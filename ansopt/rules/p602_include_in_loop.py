"""`include_tasks` / `include_role` of one file inside a loop: one include per item and host.

What it does
    Reports an `include_tasks` or `include_role` (short or FQCN names) with `loop` or a
    `with_*` lookup, unless the file or role name comes from the loop variable
    (`include_tasks: "{{ item }}"`: one different file per item, nothing included twice). A loop over a host list (`groups[...]`, `ansible_play_hosts`,
    `play_hosts`) is called out: every host of the play runs the included file once per host
    of the group. Other loops are reported unless they are a literal list shorter than
    `min_items` (default 3); when the included file holds a single task, the help says to
    put the loop on that task. Looping over a group of tasks that depend on each other is what
    a looped include is for: the finding is advice (severity info), and `# noqa: P602` keeps it
    quiet where the loop is wanted.

Why
    Each iteration is a separate dynamic include: its tasks are loaded and queued again, for
    every host, and each included task is a separate task per item (with its own round trips)
    where one task with a loop would do. Kubespray-style loops over a host group make that
    hosts x hosts includes. Usually the included tasks can loop themselves (one include,
    loops inside), or the work can be delegated once with `run_once`.

Measured gain
    Not a share of the fleet (it has no include loop): `ansopt rule P602` prints the
    testbed's cost of one include (see P601). What a looped include really costs is its
    tasks run once per item: a 50-host group looped on 50 hosts means 2,500 includes and
    2,500 runs of each task.

Example (reported)
    - name: Add every node to the hosts file
      ansible.builtin.include_tasks: add_host_entry.yml
      loop: "{{ groups['k8s_cluster'] }}"

Use instead
    Move the loop into the included file's tasks (`loop:` on the tasks that need it), or
    build the whole result in one task:

    - name: Add every node to the hosts file
      ansible.builtin.blockinfile:
        path: /etc/hosts
        block: |
          {% for h in groups['k8s_cluster'] %}
          {{ hostvars[h]['ansible_host'] }} {{ h }}
          {% endfor %}

Default selection
    Opt-in: each iteration costs one include (milliseconds on the controller); looping over a group of dependent tasks is what a looped include is for.

Fix
    None: restructuring the loop is a design change only a person can make.
"""

from __future__ import annotations

import re

from ..source.yamlfile import YSeq

CODE = "P602"
SLUG = "include-in-loop"
SEVERITY = "info"
FIX = None
DEFAULT = False
OPTIONS = {
    "min_items": (
        3,
        {"type": "integer", "minimum": 1, "description": "Literal loops shorter than this are not reported."},
    ),
}

INCLUDES = frozenset({"ansible.builtin.include_tasks", "ansible.builtin.include_role"})
_HOSTS = re.compile(r"\b(groups\s*[\[.]|ansible_play_hosts|ansible_play_batch|play_hosts)")


def _single_task_file(ctx, task) -> str | None:
    """The included file's path when it holds exactly one task (the loop can move onto it)."""
    from ..model.project import TaskFile
    from ..model.tasks import is_template

    if not task.fqcn.endswith("include_tasks"):
        return None
    name = task.args.get("file", task.args.get("_raw_params"))
    origin = ctx.project.abspath_of(task.file)
    if not isinstance(name, str) or is_template(name) or origin is None:
        return None
    path = ctx.project.resolve_task_file(name, origin, ctx.project.role_of_file(origin))
    y = ctx.project.yaml(path) if path else None
    if y is None:
        return None
    tasks = TaskFile(y, "task").tasks
    return name if len(tasks) == 1 and not tasks[0].is_block and not tasks[0].loop_key else None


def _tail(text: str, n: int) -> str:
    """`text`, its start cut off when it is longer than `n`."""
    return text if len(text) <= n else "..." + text[-(n - 3) :]


def _per_item_target(task) -> bool:
    """The included file or role is named from the loop variable: one different file per
    item, each read once. Nothing is re-read; the loop is what selects the files."""
    name = (
        task.args.get("file", task.args.get("_raw_params"))
        if task.fqcn.endswith("include_tasks")
        else task.args.get("name")
    )
    if not isinstance(name, str) or "{{" not in name:
        return False
    return re.search(rf"\b{re.escape(task.loop_var)}\b", name) is not None


def check(ctx):
    min_items = int(ctx.options.get("min_items", 3))
    for task in ctx.project.all_tasks():
        if task.fqcn not in INCLUDES or not task.loop_key or _per_item_target(task):
            continue
        loop = task.loop_node
        text = task.file.text[loop.start : loop.end] if loop is not None else ""
        what = "file" if task.fqcn.endswith("include_tasks") else "role"
        if _HOSTS.search(text):
            msg = (
                f"`{task.module}` in a loop over a host list: every host includes the {what} once per host of that list"
            )
            help = "loop inside the included tasks, or build the result in one task"
        else:
            if isinstance(loop, YSeq) and len(loop) < min_items:
                continue
            single = _single_task_file(ctx, task)
            count = f"{len(loop)} times " if isinstance(loop, YSeq) else "once per item "
            if single is not None:
                head, tail = f"`{task.module}` in a loop includes ", f" (a single task) {count}on every host"
                msg = head + _tail(single, max(20, 120 - len(head) - len(tail))) + tail
                help = "put the loop on that task and import the file instead"
            else:
                msg = f"`{task.module}` in a loop includes the same {what} {count}on every host"
                help = f"where its tasks do not depend on each other, loop on them inside the {what} instead"
        yield ctx.finding(task.file, task.node.key_node(task.loop_key), msg, help=help)
