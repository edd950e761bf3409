"""Hosts connect with paramiko: deprecated, no pipelining, and a new SSH connection per task.

What it does
    Reports where hosts are sent to ansible-core's paramiko connection plugin (`paramiko`,
    alias of `paramiko_ssh`, with or without `ansible.builtin.` / `ansible.legacy.`):

    * `[defaults] transport = paramiko` in ansible.cfg (DEFAULT_TRANSPORT), when at least
      one host of the inventory takes it (hosts with their own `ansible_connection` do not);
    * `ansible_connection: paramiko` in the inventory, group_vars or host_vars, reported
      where it is set, naming the hosts;
    * `connection: paramiko` on a play, unless every host of the play sets its own
      `ansible_connection` (a connection variable wins over the play keyword).

Why
    * No connection reuse across tasks. ansible-core runs each task on each host in a
      forked worker process. The paramiko plugin caches its `SSHClient` in a module-level
      dict (`SSH_CONNECTION_CACHE`, keyed by address and user) inside that process, and
      `TaskExecutor.run` closes the connection when the task ends (`close()` also drops it
      from the cache). So the cache only serves the operations of one task (and its loop
      items): every task opens a new TCP connection, key exchange and authentication to
      every host. OpenSSH with ControlPersist (ansible-core's default ssh_args) keeps one
      master connection per host alive across tasks.
    * No pipelining: the paramiko plugin does not declare `has_pipelining`, so every
      module is copied over SFTP into a temporary folder, made executable, run and
      removed (C101's gain is out of reach).
    * The key exchange and ciphers run in Python, slower than OpenSSH's C.
    * Deprecated: ansible-core 2.19 marks the plugin for removal in 2.21 ("Paramiko
      versions older than 3.3.2 and 3.4.1 will be incompatible with cryptography 48.0.0",
      alternative `ansible.builtin.ssh`) and prints a deprecation warning on every run.
      Its own documentation says it exists for controllers whose ssh lacks ControlPersist
      (EL6 and older).

Measured gain
    Not measured as a variant on the testbed (its fleet uses ssh): paramiko opens a
    connection per task as ssh without ControlPersist does, and cannot pipeline; `ansopt
    rule C104` prints the testbed's cost of one new SSH connection against one command over
    an open master.

Example (reported)
    [defaults]
    transport = paramiko

Use instead
    [defaults]
    transport = ssh

Default selection
    On: paramiko opens a new connection per task and cannot pipeline.

Fix (unsafe)
    Sets `transport = ssh` in place (key, spacing and comments kept), and `connection: ssh`
    on a play (same quoting). Unsafe because some fleets chose paramiko on purpose: old
    SSH servers that only offer algorithms current OpenSSH disabled (ssh-rsa/SHA-1,
    ssh-dss, diffie-hellman-group1), network devices, a controller without OpenSSH, or
    password logins with ansible-core older than 2.19 (its ssh plugin then needs
    `sshpass`; 2.19 uses SSH_ASKPASS by default). Settings under `[paramiko_connection]`
    and `ansible_paramiko_*` variables stop applying; OpenSSH reads `~/.ssh/config` and
    `known_hosts` instead. Inventory variables get no automatic fix (edit them by hand).

    A play with a comment that mentions paramiko (in the play up to its `connection:` line,
    or in the comment block just above the play) is left alone: the choice was made on purpose (a
    firmware tool that needs a tty, a device whose SSH server OpenSSH cannot talk to).

Suppress
    `transport = paramiko ; noqa: C104` (a `;` comment, which ansible-core strips), a
    `# noqa: C104` comment line directly above it, or `# noqa: C104` on the play's line.
"""

from __future__ import annotations

import os

from ..diagnostics import UNSAFE, Fix
from ..fixers import cfg_edits
from ..fixers.yaml_edits import replace_scalar
from ..model.config import EffectiveConfig
from ..model.purpose import DOCS, TEST
from ..model.scope import scope_for_playbook
from ..source.yamlfile import YScalar
from ._ssh import for_hosts, host_view, names
from ._text import MAX_MESSAGE, clip

CODE = "C104"
SLUG = "paramiko-transport"
SEVERITY = "warning"
FIX = UNSAFE
SKIP_PURPOSES = (DOCS, TEST)  # a role's test or an example's ansible.cfg: see model.purpose

PARAMIKO = frozenset(
    {
        "paramiko",
        "paramiko_ssh",
        "ansible.builtin.paramiko",
        "ansible.builtin.paramiko_ssh",
        "ansible.legacy.paramiko",
        "ansible.legacy.paramiko_ssh",
    }
)

WHY = "deprecated, no pipelining, no connection reuse"
HELP = "OpenSSH with ControlPersist reuses one connection per host; paramiko is removed in ansible-core 2.21"


def is_paramiko(value) -> bool:
    return isinstance(value, str) and value.strip() in PARAMIKO


def check(ctx):
    done: set[tuple] = set()
    for cfg in ctx.project.cfg_files:
        yield from _check_cfg(ctx, cfg, done)
    yield from _check_plays(ctx)


def _check_cfg(ctx, cfg, done):
    eff = EffectiveConfig(cfg)
    view = host_view(ctx, cfg, PARAMIKO)
    t = eff.base("DEFAULT_TRANSPORT")
    by_default: list[str] = []
    by_var: dict[tuple, tuple] = {}
    cfg_applies = False
    for row in view.rows:
        v = row.hv.get("ansible_connection")
        if v is not None and v.value is not None:
            if v.pos is None or not is_paramiko(v.value):
                continue
            key = (v.pos.path, v.pos.line, v.pos.col)
            by_var.setdefault(key, (v, []))[1].append(row.host)
        elif t.from_file and is_paramiko(t.raw):
            cfg_applies = True
            if row.host:
                by_default.append(row.host)
    if cfg_applies and t.option is not None:
        opt = t.option
        edit, change = cfg_edits.replace_value(cfg, opt, "ssh")
        fix = Fix.unsafe([edit], "set transport = ssh", [change])
        tail = f" makes paramiko the default connection ({WHY})"
        key = clip(opt.raw_key.strip(), 20)
        subject = f"`{key} = {opt.value.strip()}`"
        if len(subject) + len(tail) > MAX_MESSAGE:
            subject = f"`{key}`"
        msg = subject + tail
        help = f"set it to ssh: {HELP}" + for_hosts(view.split, by_default, "hosts")
        yield ctx.finding(
            cfg,
            opt.value_span,
            msg,
            fix=fix,
            extra={"hosts": sorted(set(by_default))} if by_default else None,
            help=help,
        )
    for key, (v, hosts) in sorted(by_var.items()):
        if key in done:
            continue
        done.add(key)
        head = "`ansible_connection` makes "
        tail = f" connect with paramiko ({WHY})"
        f = ctx.finding_at(
            v.pos.path,
            v.pos.line,
            v.pos.col,
            head + names(hosts, width=MAX_MESSAGE - len(head) - len(tail)) + tail,
            extra={"hosts": sorted(set(hosts))},
            help=f"use ssh: {HELP}",
        )
        if f is not None:
            yield f


def _play_hosts_all_override(ctx, play) -> bool:
    """True when every host the play targets sets `ansible_connection` itself."""
    try:
        scope = scope_for_playbook(ctx.project, play.file_abspath)
        by_inv = scope.hosts(play.value("hosts"))
    except Exception:  # an unreadable inventory: judge the keyword alone
        return False
    if not by_inv:
        return False
    d = os.path.dirname(play.file_abspath)
    srcs = {s.abspath: s for s in scope.inventories}
    seen = False
    for path, hosts in by_inv.items():
        src = srcs.get(path)
        if src is None:
            return False
        for h in hosts:
            seen = True
            v = scope.host_vars(src, h, d).get("ansible_connection")
            if v is None or v.value is None:
                return False
    return seen


def _explained(file, play_node, node) -> bool:
    """A comment in the play up to its `connection:` line, or in the comment block just
    above the play, mentions paramiko: the choice was made on purpose."""
    lines = file.text[: node.end].splitlines()
    first = file.text.count("\n", 0, play_node.start)
    i = first - 1
    while i >= 0 and (not lines[i].strip() or lines[i].lstrip().startswith("#") or lines[i].strip() == "---"):
        i -= 1
    return any("#" in line and "paramiko" in line.split("#", 1)[1].lower() for line in lines[i + 1 :])


def _check_plays(ctx):
    for play in ctx.project.plays():
        node = play.node.get("connection")
        if not isinstance(node, YScalar) or not is_paramiko(node.value):
            continue
        if _play_hosts_all_override(ctx, play):
            continue
        if _explained(play.file, play.node, node):
            continue  # a comment says why paramiko is needed here (a tty, a device's SSH server)
        fix = None
        made = replace_scalar(play.file, node, "ssh")
        if made is not None:
            fix = Fix.unsafe([made[0]], "set connection: ssh", [made[1]])
        tail = f" uses `connection: {clip(node.value, 28)}` ({WHY})"
        room = MAX_MESSAGE - len(tail) - len("play ''")
        who = f"play '{clip(play.name, room)}'" if play.name else f"play #{play.index + 1}"
        msg = who + tail
        help = f"use ssh (hosts that set their own ansible_connection keep it): {HELP}"
        yield ctx.finding(play.file, node, msg, fix=fix, help=help)
