"""An explicit `setup` task at the start of a play that already gathers facts.

What it does
    Reports a `setup` / `gather_facts` task that is the first thing a play runs (first of
    `pre_tasks`, or of the first role, or of `tasks` when nothing comes before it) while the
    play itself gathers facts (`gather_facts` on, or by default through ansible.cfg's
    `gathering`). Nothing ran between the two, so the second gathering only repeats the
    first. A `setup` task later in the play (to refresh facts after a change), one that is
    delegated (`delegate_to`, gathering another host's facts), looped or conditional is
    left alone. With `gathering = smart` the play's own gathering is skipped for hosts whose
    facts are known (from an earlier play of the run, or a fact cache), so the setup task
    may be the only gathering: reported only for the first play of a playbook without a
    fact cache. Nor is a play run by tags (its tasks, blocks or roles carry `tags:`) whose
    setup task is not tagged `always`: a `--tags X` run skips that task, and the play's own
    gathering is then the only one.

Why
    Each gathering runs the setup module on every host: the same 1 to 5 seconds per host
    spent twice before the first real task.

Measured gain
    Not measured as a share (the fleet has no explicit `setup` task): `ansopt rule P202`
    prints the testbed's cost of one fact gathering, which the redundant `setup` repeats on
    each host.

Example (reported)
    - hosts: web
      tasks:
        - name: Gather facts
          ansible.builtin.setup:
            gather_subset: [network]
        - ...

Use instead
    - hosts: web
      gather_facts: false
      tasks:
        - name: Gather facts
          ansible.builtin.setup:
            gather_subset: [network]
        - ...

Default selection
    On: the second gathering repeats the first.

Fix (unsafe)
    Sets the play's `gather_facts: false` and keeps the explicit task (which may ask for a
    narrower subset). Unsafe: play-level gathering runs even with `--tags` that skip the
    task (it is tagged `always`), and `--start-at-task` past the setup task would skip it.
"""

from __future__ import annotations

from ..diagnostics import UNSAFE, Fix
from ..fixers import yaml_edits
from ..model.purpose import DOCS, TEST, ZUUL
from ._factcache import fact_cache_config
from ._gathering import play_run

CODE = "P202"
SLUG = "setup-redundant"
SEVERITY = "warning"
FIX = UNSAFE
SKIP_PURPOSES = (DOCS, ZUUL, TEST)  # see model.purpose

SETUP = frozenset({"ansible.builtin.setup", "ansible.builtin.gather_facts"})


def _memory_cache(ctx, play) -> bool:
    """The play's ansible.cfg keeps facts in memory only (no cache across runs)."""
    path = ctx.project.applicable_cfg(play.file_abspath)
    cfg = ctx.project.cfg(path) if path else None
    return cfg is None or fact_cache_config(cfg).memory


def _tag_set(v) -> set[str]:
    """`tags:` as written (a list, a comma-separated string, one tag) as a set."""
    items = v if isinstance(v, list) else [v] if v is not None else []
    return {p.strip() for x in items for p in str(x).split(",") if p.strip()}


def _tags_of(task) -> set[str]:
    """The tags of a task and of the blocks around it."""
    return {tag for t in task.lineage() for tag in _tag_set(t.value("tags"))}


def _tag_runs_skip(run, setup) -> bool:
    """The play is run by tags (some task, block or role of it carries `tags:`), and the
    setup task does not run under every tag (`always`) nor under each tag the others use:
    a `--tags X` run skips it, and only the play's own gathering gives X its facts."""
    mine = _tags_of(setup)
    if "always" in mine:
        return False
    others: set[str] = set()
    for rt in run.tasks:
        if rt.task is setup or rt.task.is_block:
            continue
        others |= _tags_of(rt.task)
    roles = run.play.node.get("roles")
    for r in (roles.to_data() if roles is not None else None) or []:
        if isinstance(r, dict):
            others |= _tag_set(r.get("tags"))
    others.discard("always")
    return bool(others - mine)


def check(ctx):
    for play in ctx.project.plays():
        if play.gathers_facts() is not True:
            continue
        if play.gathering() == "smart" and (play.index > 0 or not _memory_cache(ctx, play)):
            continue  # smart skips the play's gathering for hosts already gathered: the setup task may be the only one
        run = play_run(play)
        first = next((rt for rt in run.tasks if not rt.task.is_block), None)
        if first is None or first.task.fqcn not in SETUP:
            continue
        t = first.task
        if (
            t.loop_key
            or any(t.has(k) for k in ("delegate_to", "when", "delegate_facts", "run_once"))
            or t.delegate_local
        ):
            continue
        if _tag_runs_skip(run, t):
            continue  # `--tags X` skips the setup task: the play's gathering is then the only one
        made = yaml_edits.set_key(play.file, play.node, "gather_facts", False, after=("hosts", "name"))
        fix = None
        if made is not None:
            fix = Fix.unsafe([made[0]], "set gather_facts: false (the explicit setup task gathers)", [made[1]])
        where = f"{t.file.path}:{t.line}" if t.file is not play.file else f"line {t.line}"
        if len(where) > 60:
            where = "..." + where[-57:]
        msg = f"the play gathers facts and its first task ({where}) gathers them again"
        help = "set `gather_facts: false` on the play: the explicit setup task still gathers (and may ask for a narrower subset)"
        yield ctx.finding(
            play.file,
            play.node.key_node("gather_facts") or play.node.key_node("hosts") or play.node,
            msg,
            fix=fix,
            help=help,
        )
