"""Shared by the fact-gathering rules: what a play's run reads, later plays included."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import cache

from .. import knowledge
from ..model import facts as fact_model
from ..model.project import Play, UnknownPlays
from ..model.run import PlayRun, expand
from ..model.scope import scope_for_playbook
from ..source.yamlfile import YScalar


def play_run(play: Play) -> PlayRun:
    """The play's run expanded (model.run.expand), once per play."""
    if play.expanded is None:
        play.expanded = expand(play)
    return play.expanded


def vars_texts(play: Play) -> list[tuple[str, str]]:
    """group_vars/host_vars next to the playbook and to the project's inventories."""
    project = play.project
    dirs = {os.path.dirname(play.file_abspath)}
    dirs.update(scope_for_playbook(project, play.file_abspath).inventory_dirs)
    return [vt for d in sorted(dirs) for vt in project.var_dir_texts(d)]


def reads(run: PlayRun, include_vars: bool = True) -> fact_model.FactUse:
    use = fact_model.FactUse()
    for label, text in run.texts():
        fact_model.scan(text, label, use)
    K = knowledge.get()
    for rt in run.tasks:
        for fact in K.action_facts(rt.task.fqcn):
            use.names.setdefault(
                fact, f"{rt.task.file.path}:{rt.task.line} ({rt.task.module} picks its backend from it)"
            )
    if include_vars:
        for label, text in vars_texts(run.play):
            fact_model.scan(text, label, use)
    return use


def _hosts_overlap(a: Play, b: Play) -> bool:
    """May two plays run on a common host? Decided with the inventory when one is known."""
    ha = scope_for_playbook(a.project, a.file_abspath).play_hosts(a.value("hosts"))
    hb = scope_for_playbook(b.project, b.file_abspath).play_hosts(b.value("hosts"))
    if ha is not None and hb is not None:
        return bool(ha & hb)
    return True


def later_reads(play: Play) -> fact_model.FactUse:
    """Facts read by later plays of any run that includes this play, on hosts it may share
    (or through hostvars), when those plays do not gather facts themselves."""
    use = fact_model.FactUse()
    for seq in play.project.run_sequences:
        if not any(p is play for p in seq):
            continue
        idx = next(i for i, p in enumerate(seq) if p is play)
        smart = play.gathering() == "smart"
        for later in seq[idx + 1 :]:
            if isinstance(later, UnknownPlays):
                use.all = use.all or f"a later {later.reason} ({later.file.path}) may read facts"
                continue
            if later.gathers_facts() is True and not smart:  # under smart it may not regather
                # it gathers its own facts (for its own hosts); only hostvars reads of
                # other hosts could still rely on this play
                run = play_run(later)
                if not any("hostvars" in t for _, t in run.texts()):
                    continue
            run = play_run(later)
            if not run.complete:
                use.all = (
                    use.all
                    or f"a later play ({later.file.path}:{later.file.position(later.node.start)[0]}) runs what ansopt cannot follow"
                )
                continue
            mentions_hostvars = any("hostvars" in t for _, t in run.texts())
            if not (_hosts_overlap(play, later) or mentions_hostvars):
                continue
            use.merge(reads(run, include_vars=False))
    return use


def gather_subset_set(play: Play) -> bool:
    node = play.node.get("gather_subset")
    return node is not None and not (isinstance(node, YScalar) and node.value is None)


@cache
def slow_collectors() -> frozenset[str]:
    return frozenset({"hardware", "network", "virtual", "facter", "ohai"})


@dataclass
class Advice:
    kind: str  # "off": nothing reads facts; "subset": only these facts are read
    subset: list[str] | None = None
    names: dict[str, str] | None = None


def advise(play: Play) -> Advice | None:
    """P201's verdict for a play (cached on it): None when there is nothing to advise."""
    if play.fact_advice is not None:
        return play.fact_advice[0]
    out = None
    if not play.is_empty and play.gathers_facts() is True:
        run = play_run(play)
        if run.complete:
            use = reads(run)
            use.merge(later_reads(play))
            if use.all is None:
                if not use.names:
                    out = Advice("off")
                elif not gather_subset_set(play) and play.gathering() != "smart":
                    subset = fact_model.gather_subset(use.names)
                    if subset is not None and not (set(subset) & slow_collectors()):
                        out = Advice("subset", subset, use.names)
    play.fact_advice = (out,)
    return out


# Fix groups that must not land in the same round: a play's narrower gather_subset (P201) and
# a switch to `gathering = smart` (C201, C202, C502). Under smart, a host gathered with a subset
# counts as gathered, so later plays (and runs, with a cache) would miss the other facts. The
# switch goes first; P201 then no longer proposes subsets (it never does under smart).
SUBSET_GROUP = "gather-subset"
SMART_GROUP = "smart-gathering"
SUBSET_FIX = {"group": SUBSET_GROUP, "conflicts": frozenset({SMART_GROUP})}
SMART_FIX = {"group": SMART_GROUP, "conflicts": frozenset({SUBSET_GROUP}), "priority": 1}


def narrows_subset(play: Play) -> bool:
    """The play asks for a gather_subset without `all`."""
    node = play.node.get("gather_subset")
    if node is None:
        return False
    v = node.to_data()
    items = v if isinstance(v, list) else [s.strip() for s in str(v).split(",")] if v is not None else []
    return bool(items) and "all" not in items


def subset_hazard(playbooks) -> str | None:
    """Why switching to `gathering = smart` would starve later plays, or hand them stale
    facts, or None."""
    for pb in playbooks:
        for play in pb.plays:
            if narrows_subset(play):
                name = f"'{play.name}'" if play.name else f"on '{play.hosts}'"
                return (
                    f"play {name} ({pb.file.path}) gathers only a subset of facts: under smart gathering "
                    "later plays and runs would not gather the rest"
                )
    t = reboot_task([play for pb in playbooks for play in pb.plays])
    if t is not None:
        where = f"{t.file.path}:{t.line}"
        return (
            f"{where} reboots hosts: under smart gathering later plays and runs would read the facts "
            "from before the reboot (gather again with ansible.builtin.setup after it)"
        )
    return None


_REBOOT_MODULES = frozenset({"ansible.builtin.reboot", "ansible.windows.win_reboot", "community.general.shutdown"})
_COMMANDS = frozenset({"ansible.builtin.command", "ansible.builtin.shell", "ansible.builtin.raw"})
_REBOOT_COMMAND = re.compile(r"\breboot\b|\bshutdown\s+(-\w*\s+)*-r\b|\bsystemctl\s+(reboot|kexec)\b|\binit\s+6\b")


def reboot_task(plays):
    """The first task of these plays' runs that reboots its host (the reboot module, or a
    command that reboots): facts gathered before it (kernel, interfaces, mounts) are stale
    after it, so a play later in the run must gather again."""
    for play in plays:
        for rt in play_run(play).tasks:
            t = rt.task
            if t.fqcn in _REBOOT_MODULES:
                return t
            if t.fqcn in _COMMANDS:
                text = " ".join(str(v) for k, v in t.args.items() if k in ("_raw_params", "cmd", "argv")) or (
                    t.free_form or ""
                )
                if _REBOOT_COMMAND.search(text):
                    return t
    return None
