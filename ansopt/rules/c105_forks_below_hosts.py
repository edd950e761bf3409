"""The forks setting is lower than the number of hosts a play runs on: hosts wait for a free fork.

What it does
    For each ansible.cfg, reads `forks` (in `[defaults]`; ansible-core's default is 5) and
    the plays of the playbooks that cfg applies to. Each play's `hosts:` pattern is resolved
    against the static inventories of the cfg (its `inventory` setting, else the inventory
    files found in the project folder): groups, children, `:&`, `:!`, wildcards, subscripts.
    A play's useful parallelism is the number of hosts it targets, or its `serial` batch
    when smaller: an integer, a percentage (as ansible-core computes it: the whole part of
    the percentage of the play's hosts, at least 1) or a list of them (the largest entry
    counts). `throttle` and `strategy` do not change it. When the largest useful
    parallelism of any play is above forks, the finding names that play and inventory, at
    the `forks` value (or at `[defaults]`, or line 1, when forks is not set).

    Nothing is said when no inventory is known, when a play's pattern or `serial` is
    templated, or for plays whose inventory is dynamic (a script or an inventory plugin):
    the host count is not known before the run. Of several inventories (alternatives for
    `-i`, or the entries of `inventory =`), the static ones are counted and the largest
    count is used, which is a lower bound either way. forks at or above the `max_forks`
    option (default 50) is not reported.

    Plays that do not use their hosts' width do not count: a title play (no tasks, roles or
    handlers, no facts), a play whose every task runs once, a play whose every task is
    delegated to one remote host (its work runs on that machine), playbooks of tests, docs
    or Zuul jobs, playbooks Vagrant or Packer runs per machine (a Vagrantfile naming them; a
    Packer template's `playbook_file`, or a `packer/` folder). A `hosts: all` play counts the
    largest environment when the inventory's top groups split every host into disjoint
    environments (prod, staging, test, dev...: run one at a time), and is not counted at all
    when the inventory mixes servers with API endpoints or network devices (`httpapi`,
    `network_cli`, a `local` host that is not localhost): such a play runs with a `--limit`.

Why
    With the linear strategy, each task starts on at most `forks` hosts at once; the next
    hosts start only when a fork is free, and the play's next task waits for all of them.
    12 hosts at forks 5 run every task in 3 waves, so a task that waits on the remote
    host (a package install, a download, a service restart) costs three times its duration.

Measured gain
    Not measured on the testbed's 4-host fleet, which runs within the default 5 forks (the
    fix does not apply there). Measured locally (not on the testbed): 12 hosts (local
    connection), 3 tasks of `command: sleep 1`, a 2-CPU controller: 25.3 s with forks 5,
    16.4 s with forks 12 (-35%); the same hosts running 3 `ping` tasks, bound by the
    controller's CPU, took 13 s either way. The gain comes from tasks that wait on the
    target.

Example (reported)
    # inventory.ini: [web] web[01:12]
    # deploy.yml: - hosts: web
    [defaults]
    inventory = inventory.ini
    forks = 5

Use instead
    [defaults]
    inventory = inventory.ini
    forks = 12

Caveats
    Each fork is a worker process on the controller (measured with ansible-core 2.19:
    about 45 MB resident, 13 MB of it its own, the rest shared with the main process),
    and it uses controller CPU to template arguments and package modules: on a small
    controller, forks above what its CPUs and memory can carry make runs slower, not
    faster (the `ping` measurement above gained nothing on 2 CPUs). More forks
    also means more hosts hitting shared services at the same moment (a package mirror,
    an artifact server, a database a migration task talks to): use `serial` or
    `throttle` on the tasks where that matters.

Default selection
    On: hosts beyond forks wait for a free fork at every task.

Fix (safe)
    Sets forks to the largest useful parallelism found, capped by the `max_forks` option
    (default 50): the existing value is replaced in place, or `forks = N` is added to
    `[defaults]` (created if needed). The fix is safe: the same tasks run on the same
    hosts in the same order of tasks; only how many hosts run a task at the same time
    changes (see the caveats for the controller and shared services).

Suppress
    `forks = 5 ; noqa: C105`, or a `# noqa: C105` line directly above `forks` or
    `[defaults]`.
"""

from __future__ import annotations

import math
import os

from ..diagnostics import SAFE, Fix
from ..fixers import cfg_edits
from ..model.config import EffectiveConfig
from ..model.purpose import DOCS, TEST
from ._connection import cfg_scope, pulled
from ._parallel import PlayWidth, describe, play_width, serial_batch, widest_play  # noqa: F401
from ._text import MAX_MESSAGE, clip

CODE = "C105"
SLUG = "forks-below-hosts"
SEVERITY = "warning"
FIX = SAFE
SKIP_PURPOSES = (DOCS, TEST)  # a role's test or an example's ansible.cfg: see model.purpose
DEFAULT_MAX_FORKS = 50
OPTIONS = {
    "max_forks": (
        DEFAULT_MAX_FORKS,
        {
            "type": "integer",
            "minimum": 1,
            "description": "The highest forks value the fix sets (the controller's capacity); forks at or above it are not reported.",
        },
    ),
}


def max_forks(options: dict | None) -> int:
    try:
        v = int((options or {}).get("max_forks", DEFAULT_MAX_FORKS))
    except (TypeError, ValueError):
        return DEFAULT_MAX_FORKS
    return max(1, v)


def check(ctx):
    cap = max_forks(ctx.options)
    for cfg in ctx.project.cfg_files:
        abspath = ctx.project.abspath_of(cfg)
        if abspath is None:
            continue
        eff = EffectiveConfig(cfg)
        setting = eff.base("DEFAULT_FORKS")
        forks = setting.as_int
        if forks is None or forks <= 0:
            continue  # not a number: C405's finding (a templated or broken value)
        if forks >= cap:
            continue
        scope = cfg_scope(ctx, cfg)
        if not scope.known_inventory or pulled(ctx, cfg):
            continue  # no inventory to count; or ansible-pull: each machine runs itself
        w = widest_play(ctx.project, scope, ctx.project.run_playbooks_for_cfg(abspath))
        if w is None:
            continue
        target = min(w.useful, cap)
        if forks >= target:
            continue
        waves = math.ceil(w.useful / forks)
        default = "" if setting.from_file else " (ansible-core's default)"
        at_once = f", {w.useful} at a time," if w.useful < w.hosts else ""
        tail = f" targets {w.hosts} host{'s' if w.hosts != 1 else ''}{at_once} but forks is {forks}{default}: hosts run in {waves} batches per task"
        msg = _play_ref(ctx.project, w.play, MAX_MESSAGE - len(tail)) + tail
        pattern = w.pattern if isinstance(w.pattern, str) else ",".join(str(p) for p in w.pattern)
        what = f"group {pattern}" if w.group else f"hosts: {pattern}"
        help = f"set forks = {target}"
        if target < w.useful:
            help += f" (capped by max_forks = {cap})"
        help += f"; counted {w.hosts} hosts of {ctx.project.display(w.inventory)} ({clip(what, 60)})"
        if w.useful < w.hosts:
            help += f", serial: {clip(w.serial, 30)}"
        if setting.option is not None:
            opt = setting.option
            edit, change = cfg_edits.replace_value(cfg, opt, str(target))
            at = opt.value_span
            fix = Fix.safe([edit], f"set forks = {target}", [change])
        else:

            def build(cfg=cfg, target=target):
                edit, change = cfg_edits.set_option(cfg, "defaults", "forks", str(target))
                return Fix.safe([edit], f"set forks = {target}", [change])

            fix = ctx.lazy_fix(build, SAFE, f"set forks = {target}")
            sec = cfg.sections.get("defaults")
            at = sec.header_span if sec is not None else 0
        yield ctx.finding(
            cfg,
            at,
            msg,
            fix=fix,
            help=help,
            extra={
                "play_hosts": w.hosts,
                "useful_forks": w.useful,
                "inventory": os.path.relpath(w.inventory, os.path.dirname(abspath)),
            },
        )


def _play_ref(project, play, width: int) -> str:
    """`play 'Deploy' in deploy.yml` in at most `width` characters: the file path loses
    its leading folders (`.../deploy.yml`), then is left out, then the name is cut."""
    name = f"play '{clip(play.name, 60)}'" if play.name else f"play #{play.index + 1}"
    path = project.display(play.file_abspath)
    room = width - len(name) - len(" in ")
    if len(path) <= room:
        return f"{name} in {path}"
    parts = path.split("/")
    for k in range(1, len(parts)):
        tail = ".../" + "/".join(parts[k:])
        if len(tail) <= room:
            return f"{name} in {tail}"
    if play.name:
        return f"play '{clip(play.name, max(width - 7, 8))}'"
    return name
