"""Shared by the connection rules: which hosts of a scope talk SSH, and where a connection
variable is set for them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model.scope import InventorySource, Scope, playbooks_for_cfg, scope_for_cfg

# OpenSSH connections: what the SSH advice (pipelining, ControlPersist, control_path) is for.
# paramiko is not among them: it has no pipelining and no ControlPersist (see C104).
SSH_LIKE = frozenset({"ssh", "smart", "ansible.builtin.ssh", "ansible.legacy.ssh"})
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
        """Message tail saying which hosts the SSH advice is for, when they are mixed."""
        if not self.mixed:
            return ""
        others = ", ".join(f"{conn}: {names(hs)}" for conn, hs in sorted(self.other.items()))
        return f" (for the SSH hosts {names(self.ssh)}; not for {others})"


def names(hosts: list[str]) -> str:
    """`a, b, c, d and 3 more`."""
    shown = ", ".join(hosts[:NAMES_SHOWN])
    return shown + (f" and {len(hosts) - NAMES_SHOWN} more" if len(hosts) > NAMES_SHOWN else "")


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


__all__ = ["HostSplit", "InventorySource", "split_hosts", "cfg_scope", "var_settings", "playbooks_for_cfg"]
