"""Shared by the connection rules: which hosts of a scope talk SSH, and where a connection
variable is set for them."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field

from ..model.scope import SSH_CONNECTIONS, InventorySource, Scope, scope_for_cfg
from ..model.tasks import is_template
from ..source import inventory as source_inventory
from ._text import clip

# OpenSSH connections: what the SSH advice (pipelining, ControlPersist, control_path) is for.
# paramiko is not among them: it has no pipelining and no ControlPersist (see C104).
SSH_LIKE = SSH_CONNECTIONS
NAMES_SHOWN = 4


@dataclass
class HostSplit:
    """The scope's hosts by connection: SSH ones and the others (winrm, psrp, local...)."""

    ssh: list[str] = field(default_factory=list)
    other: dict[str, list[str]] = field(default_factory=dict)  # connection -> hosts
    known: bool = False  # an inventory with hosts was read

    @property
    def only_other(self) -> bool:
        return self.known and not self.ssh and bool(self.other)

    @property
    def mixed(self) -> bool:
        return bool(self.ssh) and bool(self.other)

    def suffix(self) -> str:
        """Help tail saying which hosts the SSH advice is for, when they are mixed:
        ` (SSH hosts: a, b; not winrm: c)`."""
        if not self.mixed:
            return ""
        return host_note(self.ssh, self.other, "SSH hosts")


def names(hosts: list[str], shown: int = 3, width: int = 60) -> str:
    """`a, b, c +3 more`: at most `shown` names in at most `width` characters."""
    hosts = list(hosts)
    for k in range(min(shown, len(hosts)), 0, -1):
        text = ", ".join(hosts[:k]) + (f" +{len(hosts) - k} more" if len(hosts) > k else "")
        if len(text) <= width:
            return text
    if not hosts:
        return ""
    more = f" +{len(hosts) - 1} more" if len(hosts) > 1 else ""
    if width - len(more) < 12:  # not even a recognisable part of one name
        return f"{len(hosts)} host{'s' if len(hosts) != 1 else ''}"
    return clip(hosts[0], width - len(more)) + more


def host_note(hosts: list[str], other: dict[str, list[str]], what: str = "SSH hosts", width: int = 100) -> str:
    """` (SSH hosts: a, b; not winrm: c)`: which hosts a piece of advice is for, in about
    `width` characters."""
    groups = sorted(other.items())
    parts = [f"{what}: " + names(hosts, width=max(16, width // 2 - len(what)))] if hosts else []
    room = max(16, (width - sum(len(x) for x in parts)) // max(1, len(groups)))
    for conn, hs in groups:
        label = f"not {conn.rsplit('.', 1)[-1]}: "
        parts.append(label + names(hs, width=max(12, room - len(label) - 2)))
    return " (" + "; ".join(parts) + ")"


def split_hosts(scope: Scope) -> HostSplit:
    out = HostSplit()
    seen: set[str] = set()
    for src, host in scope.all_hosts():
        out.known = True
        if host in seen:
            continue
        seen.add(host)
        conn = scope.connection_of(src, host)
        if conn in SSH_LIKE:
            out.ssh.append(host)
        else:
            out.other.setdefault(conn, []).append(host)
    return out


def cfg_scope(ctx, cfg) -> Scope:
    return scope_for_cfg(ctx.project, ctx.project.abspath_of(cfg))


def var_settings(scope: Scope, names: list[str]):
    """(inventory source, host, variable name, VarSource) for each host where one of the
    variables `names` is set; the last name present wins, as in ansible-core."""
    for src, host in scope.all_hosts():
        hv = scope.host_vars(src, host)
        chosen = None
        for n in names:
            if n in hv and hv[n].value is not None:
                chosen = (n, hv[n])
        if chosen is not None:
            yield src, host, chosen[0], chosen[1]


__all__ = [
    "HostSplit",
    "InventorySource",
    "split_hosts",
    "cfg_scope",
    "var_settings",
    "local_only",
    "galaxy_only",
    "ssh_targets",
    "pulled",
]


def galaxy_only(cfg) -> bool:
    """An ansible.cfg of `[galaxy]` / `[galaxy_server.*]` sections only (empty sections
    aside): read by
    `ansible-galaxy` (an execution environment's build, a collection install), not by a
    playbook run."""
    names = [name for name, sec in cfg.sections.items() if name != "DEFAULT" and sec.options]
    return bool(names) and all(n == "galaxy" or n.startswith("galaxy_server.") for n in names)


def ssh_targets(ctx, cfg, scope: Scope) -> set[str] | None:
    """The inventory hosts that some play of this cfg's playbooks may reach over SSH (its
    `hosts:` pattern, unless the play runs on the controller, runs only Windows modules or
    sets a non-SSH `connection:`); an empty set when no play reaches an SSH host at all (every
    play is local or Windows: known without an inventory); None when that cannot be told
    (no playbook, a pattern the inventory cannot resolve or resolves to no host)."""
    abspath = ctx.project.abspath_of(cfg)
    plays = [p for pb in ctx.project.playbooks_for_cfg(abspath) for p in pb.plays] if abspath else []
    if not plays:
        return None
    out: set[str] = set()
    for play in plays:
        conn = play.value("connection")
        if local_only(scope, play) or (
            isinstance(conn, str) and conn and not is_template(conn) and conn not in SSH_LIKE
        ):
            continue
        if windows_only(play):
            continue
        hosts = scope.play_hosts(play.value("hosts"))
        if not hosts:
            return None  # unknown, or no host of this inventory: the hosts come from elsewhere
        out |= hosts
    return out


def pulled(ctx, cfg) -> bool:
    """The project is run by `ansible-pull` on each machine itself: ansible-pull's playbook
    `local.yml` beside the cfg, and `ansible-pull` named in its README or in a playbook or
    template of the project (the cron job or the provisioning script that runs it)."""
    abspath = ctx.project.abspath_of(cfg)
    if abspath is None:
        return False
    base = os.path.dirname(abspath)
    if not any(os.path.isfile(os.path.join(base, n)) for n in ("local.yml", "local.yaml")):
        return False
    texts = [os.path.join(base, n) for n in ("README.md", "README.rst", "README")]
    texts += [f.abspath for f in ctx.project.files if f.abspath.startswith(base + os.sep)]
    for path in texts:
        try:
            if "ansible-pull" in ctx.project.reader.read_lenient(path):
                return True
        except (OSError, ValueError):
            continue
    return False


_WINDOWS = ("ansible.windows.", "community.windows.", "chocolatey.chocolatey.", "microsoft.")
# actions that run on the controller, or have a PowerShell implementation ansible-core picks
# on a Windows host: a Windows play uses them beside its win_* modules
_EITHER = frozenset(
    "ansible.builtin." + n
    for n in (
        "debug set_fact assert fail meta include_vars add_host group_by pause set_stats "
        "wait_for_connection setup gather_facts async_status slurp fetch"
    ).split()
)


def windows_only(play) -> bool:
    """Every task the play runs is a Windows module (`win_*`, ansible.windows,
    community.windows, chocolatey), beside actions that work on either (debug, set_fact,
    assert, setup, fetch...), with at least one Windows module: its hosts are reached with
    winrm or psrp, not SSH."""
    from ._gathering import play_run

    run = play_run(play)
    names = [rt.task.fqcn or "" for rt in run.tasks if not rt.task.is_block]
    names = [n for n in names if n and not n.startswith(("ansible.builtin.include", "ansible.builtin.import"))]
    windows = [n for n in names if n.startswith(_WINDOWS) or n.rsplit(".", 1)[-1].startswith("win_")]
    return bool(windows) and all(n in _EITHER for n in names if n not in windows) and not run.unknown


def local_only(scope: Scope, play) -> bool:
    """The play runs only on the controller: `connection: local`, or hosts that resolve to
    the implicit localhost (or to inventory hosts with ansible_connection=local)."""
    conn = play.value("connection")
    if conn in ("local", "ansible.builtin.local", "ansible.legacy.local"):
        return True
    pattern = play.value("hosts")
    if pattern is None or is_template(pattern):
        return False
    sources: list[InventorySource | None] = list(scope.inventories) or [None]
    for src in sources:
        if src is not None and not src.usable:
            return False
        inv = src.inv if src is not None else source_inventory.Inventory(path="")
        hs = inv.resolve_pattern(pattern)
        if hs is None or hs.errors or not hs:
            return False  # unknown, or hosts this inventory does not have (another one will)
        for h in hs:
            if h in hs.implicit:
                continue
            if src is None or scope.connection_of(src, h) != "local":
                return False
    return True


def mitogen_strategy(cfg) -> str | None:
    """The cfg's `strategy` when it is one of Mitogen's (`mitogen_linear`, `mitogen_free`...):
    Mitogen runs modules over its own connection, so SSH pipelining and ControlPersist advice
    does not apply to the runs it drives."""
    from ..model.config import EffectiveConfig

    raw = EffectiveConfig(cfg).base("DEFAULT_STRATEGY").raw
    name = str(raw or "").strip().rsplit(".", 1)[-1]
    return name if name.startswith("mitogen") else None


_COMMENTED_ON = re.compile(r"^[ \t]*[#;]+[ \t]*pipelining[ \t]*=[ \t]*(true|yes|on|1)\b", re.I | re.M)


def commented_pipelining(cfg) -> int | None:
    """The line of a commented-out `# pipelining = True`: someone tried it and turned it off
    again (often for a sudoers `requiretty`, or a jump host), the same as writing False."""
    m = _COMMENTED_ON.search(cfg.text)
    return cfg.text.count("\n", 0, m.start()) + 1 if m else None
