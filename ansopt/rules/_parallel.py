"""How many hosts a play really runs on at once: its hosts from the inventory, cut by
`serial`. Shared by C105 (forks) and C502 (the baseline ansible.cfg)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from ..model.scope import Scope
from ..model.tasks import is_template


@dataclass(frozen=True)
class PlayWidth:
    """How many hosts a play can usefully run a task on at once, and why."""

    play: Any  # model.project.Play
    hosts: int  # hosts the play targets (in `inventory`)
    useful: int  # min(hosts, serial batch)
    inventory: str  # absolute path of the inventory counted
    pattern: Any
    serial: Any  # the play's serial value, or None
    group: bool  # the pattern is one group name of the inventory


def serial_batch(serial: Any, hosts: int) -> int | None:
    """The largest batch ansible-core makes for `serial` on `hosts` hosts; None if unknown.

    Mirrors PlaybookExecutor._get_serialized_batches and utils.helpers.pct_to_int: "N%" is
    int(N / 100 * hosts) or 1; a value <= 0 (or an empty list) means every host at once.
    """
    if serial is None:
        return hosts
    entries = serial if isinstance(serial, list) else [serial]
    if not entries:
        return hosts
    best = 0
    for e in entries:
        if isinstance(e, bool) or e is None or is_template(e):
            return None
        if isinstance(e, str) and e.strip().endswith("%"):
            try:
                pct = int(e.strip()[:-1])
            except ValueError:
                return None
            size = int((pct / 100.0) * hosts) or 1
        else:
            try:
                size = int(e)
            except (TypeError, ValueError):
                return None
        if size <= 0:
            size = hosts
        best = max(best, min(size, hosts))
    return best


def play_width(scope: Scope, play) -> PlayWidth | None:
    """The play's useful parallelism over the scope's static inventories (the largest)."""
    pattern = play.value("hosts")
    if pattern is None or is_template(pattern) or (isinstance(pattern, list) and any(is_template(p) for p in pattern)):
        return None
    best: tuple[int, str, Any] | None = None
    for src in scope.inventories:
        if not src.usable:
            continue
        hs = src.inv.resolve_pattern(pattern)
        if hs is None:
            return None
        if hs.errors:
            continue  # ansible-core would fail the play
        n = len(hs)
        if best is None or n > best[0]:
            best = (n, src.abspath, src)
    if best is None or best[0] == 0:
        return None
    n, path, src = best
    one = pattern[0] if isinstance(pattern, list) and len(pattern) == 1 else pattern  # `hosts: [all]`
    every = isinstance(one, str) and one.strip() in ("all", "*")
    if every and _mixed_devices(scope, src):
        return None  # `hosts: all` over servers and API endpoints or switches: run with a --limit
    env = environments(src.inv) if every else None
    if env is not None:
        n = env  # `hosts: all` over disjoint environments: run one environment at a time (--limit)
    if once_per_play(play) or runs_nothing(play):
        n = 1
    elif delegated_to_one_host(play):
        return None  # every task runs on one machine: forks there are sessions on one host
    serial = play.value("serial")
    useful = serial_batch(serial, n)
    if useful is None:
        return None
    group = isinstance(pattern, str) and pattern.strip() in src.inv.groups and pattern.strip() not in ("all",)
    return PlayWidth(play, n, useful, path, pattern, serial, group)


# names of the groups an inventory splits into deployment environments
_ENVIRONMENT = re.compile(
    r"(?i)^(prod|production|live|staging|stage|stg|preprod|pre-prod|test|testing|tst|dev|devel|development|qa|uat|"
    r"acc|acceptance|sandbox|demo|lab|int|integration)([_-].*)?$"
)


def environments(inv) -> int | None:
    """The largest environment, when the inventory's top groups split its hosts into
    disjoint environments (prod, staging, test, dev...) that hold every host: a `hosts:
    all` play then runs on one environment at a time (`--limit prod`, or the environment's
    own `-i`); None otherwise."""
    tops = [g for g in inv.groups["all"].children if g != "ungrouped" and _ENVIRONMENT.match(g)]
    if len(tops) < 2:
        return None
    seen: set[str] = set()
    sizes = []
    for g in tops:
        hosts = set(inv.group_hosts_ordered(g))
        if not hosts or hosts & seen:
            return None
        seen |= hosts
        sizes.append(len(hosts))
    if seen != set(inv.hosts):
        return None
    return max(sizes)


# connections that do not reach a server's shell: API endpoints, network devices, the controller
_NOT_A_SERVER = ("local", "httpapi", "network_cli", "netconf", "napalm")


def _mixed_devices(scope: Scope, src) -> bool:
    """The inventory holds hosts no server play can run on (`ansible_connection: httpapi`,
    `network_cli`, `local` for an API endpoint) beside the ones it can: a play on `all` is
    then run with a `--limit`, and how many hosts it gets is not known."""
    kinds = set()
    for h in src.inv.hosts:
        conn = scope.connection_of(src, h).rsplit(".", 1)[-1]
        kinds.add("device" if conn in _NOT_A_SERVER and h not in ("localhost", "127.0.0.1") else "server")
        if len(kinds) == 2:
            return True
    return False


def delegated_to_one_host(play) -> bool:
    """Every task of the play is delegated to the same remote host (`delegate_to: "{{
    kvm_host }}"`: each inventory host's work runs on that one machine), and the play gathers
    no facts: more forks mean more parallel sessions on that host, not more hosts working."""
    from ._gathering import play_run

    if play.gathers_facts() is not False:
        return False
    run = play_run(play)
    targets = {rt.task.value("delegate_to") for rt in run.tasks if not rt.task.is_block}
    if run.unknown or len(targets) != 1:
        return False
    (target,) = targets
    return isinstance(target, str) and target.strip() not in ("localhost", "127.0.0.1", "::1")


def runs_nothing(play) -> bool:
    """A play with no tasks, roles or handlers that gathers no facts: a title, or a play
    that only sets `vars` for those after it: no host works in it."""
    if play.gathers_facts() is not False:
        return False
    return not any(play.node.get(k) for k in ("tasks", "pre_tasks", "post_tasks", "roles", "handlers"))


def once_per_play(play) -> bool:
    """Every task of the play runs once (`run_once`, on it or a block around it) and the
    play gathers no facts: one host works at a time, whatever forks is."""
    from ._gathering import play_run

    if play.gathers_facts() is not False:
        return False
    run = play_run(play)
    if run.unknown:
        return False
    tasks = [rt.task for rt in run.tasks if not rt.task.is_block]
    return bool(tasks) and all(any(b.value("run_once") is True for b in t.lineage()) for t in tasks)


_PACKER = re.compile(r"""(?i)\bplaybook_file\b""")
_VAGRANT_ANSIBLE = re.compile(r"""\.vm\.provision\s*\(?\s*[:"']ansible(_local)?\b""")
_VAGRANT_LIMIT_ALL = re.compile(r"""\.limit\s*=\s*["'](all|\*)["']""")


def runs_per_machine(project, playbook_abspath: str) -> bool:
    """The playbook runs on one machine at a time: a Vagrantfile beside it (or above it,
    within the project) runs it with Vagrant's ansible provisioner, whose default `limit` is
    the machine being provisioned; or a Packer template (`*.pkr.hcl`, `*.pkr.json`, a
    `packer*.json`) names it as its ansible provisioner's `playbook_file`, or it lives in a
    `packer/` folder: Packer runs it against the one image it builds. Forks and strategies
    do not matter there."""
    base = os.path.basename(playbook_abspath)
    root = os.path.abspath(project.root)
    d = os.path.dirname(os.path.abspath(playbook_abspath))
    rel = os.path.relpath(os.path.abspath(playbook_abspath), root).split(os.sep)
    if "packer" in (part.lower() for part in rel[:-1]):
        return True
    while True:
        vf = os.path.join(d, "Vagrantfile")
        if project.reader.exists(vf):
            try:
                text = project.reader.read_lenient(vf)
            except OSError:
                text = ""
            if _VAGRANT_ANSIBLE.search(text) and base in text:
                return not _VAGRANT_LIMIT_ALL.search(text)
        if _packer_builds_with(project, d, base):
            return True
        if d == root or os.path.dirname(d) == d or not d.startswith(root):
            return False
        d = os.path.dirname(d)


def _packer_builds_with(project, folder: str, playbook: str) -> bool:
    try:
        names = os.listdir(folder)
    except OSError:
        return False
    for n in names:
        low = n.lower()
        if not (low.endswith((".pkr.hcl", ".pkr.json")) or (low.startswith("packer") and low.endswith(".json"))):
            continue
        try:
            text = project.reader.read_lenient(os.path.join(folder, n))
        except OSError:
            continue
        if _PACKER.search(text) and playbook in text:
            return True
    return False


def widest_play(project, scope: Scope, playbooks) -> PlayWidth | None:
    best: PlayWidth | None = None
    for pb in sorted(playbooks, key=lambda p: p.abspath):
        if runs_per_machine(project, pb.abspath):
            continue
        for play in pb.plays:
            w = play_width(scope, play)
            if w is not None and (best is None or w.useful > best.useful):
                best = w
    return best


def describe(project, w: PlayWidth) -> str:
    """`play 'Deploy' in deploy.yml targets 12 hosts of inventories/prod (group web)`."""
    play = w.play
    name = f"play '{play.name}'" if play.name else f"play #{play.index + 1}"
    pattern = w.pattern if isinstance(w.pattern, str) else ",".join(str(p) for p in w.pattern)
    what = f"group {pattern}" if w.group else f"hosts: {pattern}"
    text = (
        f"{name} in {project.display(play.file_abspath)} targets {w.hosts} host{'s' if w.hosts != 1 else ''} "
        f"of {project.display(w.inventory)} ({what})"
    )
    if w.useful < w.hosts:
        text += f", {w.useful} at a time (serial: {w.serial})"
    return text
