"""A custom `ssh_args` has no ControlPersist/ControlMaster: every task opens a new SSH connection.

What it does
    ansible-core's ssh connection plugin passes `ssh_args` to every ssh, sftp and scp call.
    Its default is `-C -o ControlMaster=auto -o ControlPersist=60s`: one master connection
    per host, kept open 60 s after its last use, which later tasks reuse. A custom value
    *replaces* that default (it is not merged with it), so a `ssh_args` written to add, say,
    `-o ForwardAgent=yes` silently loses connection reuse. This rule reads `ssh_args` the
    way ansible-core does:

    * `[ssh_connection] ssh_args` in ansible.cfg (reported only when the file sets it), and
      `ansible_ssh_args` set in the inventory, group_vars or host_vars (which win over
      ansible.cfg for their hosts; reported where they are set);
    * then `ssh_common_args` and `ssh_extra_args` (cfg or `ansible_ssh_common_args` /
      `ansible_ssh_extra_args`), which ansible-core appends after `ssh_args`;
    * ssh options as ssh parses them: `-o ControlPersist=60s`, `-oControlPersist=60s`,
      `-o "ControlPersist 60s"`, option names in any case. For each option ssh keeps the
      *first* value it is given, so `ControlPersist=no` in `ssh_common_args` has no effect
      after a `ssh_args` that sets `ControlPersist=60s` (and is not reported), while it
      does turn persistence off when `ssh_args` has none;
    * `-F file` in the arguments: a file found in the project that sets ControlMaster and
      ControlPersist counts (ansible-core adds its own ControlPath only when ControlPersist
      is on the ssh command line, so such a file also needs a ControlPath); a file that
      cannot be read (outside the project) makes the rule stay silent.

    It reports a value that lacks ControlPersist or ControlMaster, wherever that value is
    set. A value that turns reuse off explicitly (`ControlPersist=no`, `ControlMaster=no`,
    `ControlPath=none`) is a choice someone made (a bastion, a device that allows one
    session) and is not reported. A quoted value (`ssh_args = "-o ..."`) is read without its
    quotes, as ansible-core reads it, and the fix writes inside the quotes. Hosts that do not connect with ssh (winrm, psrp, local, docker,
    paramiko...) get no advice; when the inventory mixes them, the message says which hosts
    the advice is for. A template (`{{ ... }}`) is decided at run time and not judged.

Why
    Without ControlPersist, ssh closes the connection when its command ends, and ansible-core
    then adds no ControlPath either: each of a task's ssh/sftp operations on each host pays
    a TCP handshake, a key exchange and authentication again (tens to hundreds of ms, more
    with a bastion or high latency). With ControlPersist they reuse one authenticated
    connection. ControlPersist without ControlMaster does nothing: ssh's default
    ControlMaster is `no`, so no master connection is ever started.

Measured gain
    On the testbed the fleet with a custom `ssh_args` that lost ControlPersist is its own
    variant (`lost-cp`): the README's "Measured gains" table gives its run times beside the
    same fleet after `ansopt fix`, at 0 and 20 ms round-trip time; `ansopt rule C102` prints
    the unit the fix saves on every SSH operation (a new connection against a command over
    an open master).

Example (reported)
    [ssh_connection]
    ssh_args = -o ForwardAgent=yes

Use instead
    [ssh_connection]
    ssh_args = -o ForwardAgent=yes -o ControlMaster=auto -o ControlPersist=60s

Default selection
    On: without ControlPersist every task pays a full SSH connection set-up per host.

Fix (safe)
    Appends the missing options (`-o ControlMaster=auto`, `-o ControlPersist=60s`, ansible-
    core's own defaults) at the end of the ansible.cfg value, after the last line's content
    of a multi-line value and before a `;` comment; every other byte stays. It changes how
    connections are opened, not what runs on the hosts. There is no automatic fix when the
    value is empty (the historical workaround for ssh clients without ControlPersist,
    OpenSSH older than 5.6), when reuse is turned off explicitly (`=no`, `ControlPath=none`:
    maybe deliberate), when another setting (`ssh_common_args`, a host variable) already
    sets one of the options the fix would add (ssh keeps the first value, so the appended
    one would override it), or for inventory variables (edit them by hand).

Suppress
    `ssh_args = -o ControlPersist=no ; noqa: C102` (a `;` comment, which ansible-core strips),
    or a `# noqa: C102` comment line directly above the option.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import SAFE, Fix
from ..fixers import cfg_edits
from ..model.config import EffectiveConfig
from ..model.purpose import DOCS, TEST
from ..model.tasks import is_template
from ._connection import mitogen_strategy
from ._ssh import (
    ADD,
    ARG_OPTIONS,
    DEFAULT_SSH_ARGS,
    NICE,
    HostView,
    Origin,
    for_hosts,
    host_view,
    names,
    setting,
    split_args,
    ssh_config_options,
    ssh_options,
)
from ._text import MAX_MESSAGE, clip

CODE = "C102"
SLUG = "ssh-args-no-controlpersist"
SEVERITY = "warning"
FIX = SAFE
SKIP_PURPOSES = (DOCS, TEST)  # a role's test or an example's ansible.cfg: see model.purpose


@dataclass(frozen=True)
class Problem:
    kind: str  # "missing" | "off" | "nopath"
    keyword: str  # lower-case ssh option
    written: str  # as written (off), or the option's name (missing)
    part: int  # index of the *_args setting it comes from (-1: none)


@dataclass
class Verdict:
    problems: list[Problem] = field(default_factory=list)
    unknown: bool = False
    present: set[str] = field(default_factory=set)  # Control* keywords set on the command line
    files: list[str] = field(default_factory=list)


def _read_ssh_config(path: str, base_dir: str | None) -> dict[str, str] | None:
    if path.startswith("~") or "$" in path or "%" in path:
        return None
    full = path if os.path.isabs(path) else os.path.join(base_dir or ".", path)
    try:
        with open(full, encoding="utf-8", errors="replace") as f:
            return ssh_config_options(f.read())
    except OSError:
        return None


def analyse(parts: list[Any], base_dir: str | None = None) -> Verdict:
    """Does connection reuse survive ssh_args + ssh_common_args + ssh_extra_args (`parts`,
    in the order ansible-core puts them on the command line)?"""
    v = Verdict()
    first: dict[str, tuple[str, str, int]] = {}
    for i, text in enumerate(parts):
        if text is None or text == "":
            continue
        if not isinstance(text, str) or is_template(text):
            v.unknown = True
            return v
        toks = split_args(text)
        if toks is None:
            v.unknown = True
            return v
        opts, files = ssh_options(toks)
        for o in opts:
            first.setdefault(o.keyword, (o.value, o.written, i))
        v.files.extend(files)
    from_file: dict[str, str] = {}
    for fpath in v.files:
        conf = _read_ssh_config(fpath, base_dir)
        if conf is None:
            v.unknown = True
            return v
        for k, val in conf.items():
            from_file.setdefault(k, val)
    v.present = {k for k in ("controlmaster", "controlpersist", "controlpath") if k in first}
    cm = first.get("controlmaster")
    cp = first.get("controlpersist")
    path = first.get("controlpath")
    if cm is not None:
        if cm[0].strip().lower() in ("no", "false"):
            v.problems.append(Problem("off", "controlmaster", cm[1], cm[2]))
    elif from_file.get("controlmaster", "").lower() in ("no", "false"):
        v.problems.append(Problem("off", "controlmaster", "ControlMaster " + from_file["controlmaster"], -1))
    elif "controlmaster" not in from_file:
        v.problems.append(Problem("missing", "controlmaster", "ControlMaster", -1))
    if cp is not None:
        if cp[0].strip().lower() in ("no", "false"):
            v.problems.append(Problem("off", "controlpersist", cp[1], cp[2]))
    elif from_file.get("controlpersist", "").lower() in ("no", "false"):
        v.problems.append(Problem("off", "controlpersist", "ControlPersist " + from_file["controlpersist"], -1))
    elif "controlpersist" not in from_file:
        v.problems.append(Problem("missing", "controlpersist", "ControlPersist", -1))
    elif path is None and "controlpath" not in from_file:
        # ControlPersist only in the -F file: ansible-core sees no ControlPersist on the
        # command line and adds no ControlPath, so ssh has no socket to share
        v.problems.append(Problem("nopath", "controlpersist", "ControlPersist " + from_file["controlpersist"], -1))
    if path is not None and path[0].strip().lower() == "none":
        v.problems.append(Problem("off", "controlpath", path[1], path[2]))
    elif path is None and from_file.get("controlpath", "").lower() == "none":
        v.problems.append(Problem("off", "controlpath", "ControlPath none", -1))
    return v


# --------------------------------------------------------------------------- the rule


@dataclass
class _Loc:
    origin: Origin
    text: Any
    hosts: list[str] = field(default_factory=list)
    problems: dict[tuple[str, str], Problem] = field(default_factory=dict)
    lacks: set[str] = field(default_factory=set)  # Control* options the ssh_args value lacks, unmet elsewhere


def check(ctx):
    done: set[tuple] = set()
    for cfg in ctx.project.cfg_files:
        yield from _check_cfg(ctx, cfg, done)


def _check_cfg(ctx, cfg, done: set[tuple]):
    if mitogen_strategy(cfg):
        return  # Mitogen keeps its own connection per host: ssh_args' multiplexing does not matter
    eff = EffectiveConfig(cfg)
    view = host_view(ctx, cfg)
    if not view.rows:
        return
    cfg_abspath = ctx.project.abspath_of(cfg)
    base_dir = os.path.dirname(cfg_abspath) if cfg_abspath else None
    locs: dict[tuple, _Loc] = {}
    # per cfg option (as ssh_args): the Control* keywords other settings give its hosts,
    # and the explicit `no`s among them (both forbid appending to it)
    elsewhere: dict[tuple, set[str]] = {}
    offs_elsewhere: dict[tuple, list[str]] = {}
    for row in view.rows:
        vals = [setting(eff, row.hv, o) for o in ARG_OPTIONS]
        args = vals[0]
        verdict = analyse([v.text for v in vals], base_dir)
        if verdict.unknown:
            continue
        own = analyse([args.text], base_dir)
        unmet = {p.keyword for p in verdict.problems if p.kind in ("missing", "off")}
        lacks = {p.keyword for p in own.problems if p.kind == "missing"} & unmet
        if args.origin.kind == "cfg":
            k = args.origin.key
            elsewhere.setdefault(k, set()).update(verdict.present - own.present)
            for p in verdict.problems:
                if p.kind == "off" and p.part > 0:
                    offs_elsewhere.setdefault(k, []).append(
                        f"{vals[p.part].origin.label(ctx.project)} sets {p.written}"
                        + (f" for {row.host}" if row.host else "")
                    )
        for p in verdict.problems:
            where = vals[p.part] if p.part >= 0 else args
            if where.origin.kind == "default":
                continue  # ansible-core's own ssh_args: only an `-F` file could do this
            loc = locs.setdefault(where.origin.key, _Loc(where.origin, where.text))
            if row.host and row.host not in loc.hosts:
                loc.hosts.append(row.host)
            loc.problems.setdefault((p.kind, p.keyword), p)
            if where is args:
                loc.lacks |= lacks
    for key, loc in locs.items():
        if key in done:
            continue
        done.add(key)
        f = _finding(ctx, cfg, view, loc, elsewhere.get(key, set()), offs_elsewhere.get(key, []))
        if f is not None:
            yield f


def _finding(ctx, cfg, view: HostView, loc: _Loc, elsewhere: set[str], offs: list[str]):
    o = loc.origin
    probs = list(loc.problems.values())
    missing = [p.keyword for p in probs if p.kind == "missing"]
    nopath = [p for p in probs if p.kind == "nopath"]
    if any(p.kind == "off" for p in probs):
        return None  # `ControlMaster=no` or `ControlPersist=no` written there: a choice, not an oversight
    is_args = o.name in ("ssh_args", "ansible_ssh_args")
    empty = not str(loc.text).strip()
    lacks = [k for k in ("controlmaster", "controlpersist") if k in loc.lacks]
    # (what is wrong, what follows from it), and what to do about each
    wrong: list[tuple[str, str]] = []
    todo: list[str] = []
    if missing and is_args:
        if len(lacks) == 2:
            wrong.append(
                ("has neither ControlMaster nor ControlPersist", "every task opens a new SSH connection to each host")
            )
        elif lacks == ["controlpersist"]:
            wrong.append(
                ("has no ControlPersist", "connections close with each ssh call and ansible-core adds no ControlPath")
            )
        else:
            wrong.append(
                ("has no ControlMaster (ssh's default is no)", "ControlPersist alone never starts a master connection")
            )
    for p in nopath:
        wrong.append(
            (
                f"gets `{clip(p.written, 30)}` only from its -F file, which sets no ControlPath",
                "ssh shares no connection",
            )
        )
        todo.append(
            "add a ControlPath to that file, or `-o ControlPersist=...` to the value (ansible-core adds its ControlPath only then)"
        )
    if not wrong:
        return None
    if len(wrong) == 1:
        rest = f" {wrong[0][0]}: {wrong[0][1]}"
    else:
        rest = " " + " and ".join(w for w, _ in wrong) + ": every task opens a new SSH connection"
    key = o.option.raw_key.strip() if o.kind == "cfg" and o.option is not None else o.name
    subject = f"an empty `{key}`" if empty else f"`{key}`"
    msg = clip(subject + rest, MAX_MESSAGE)
    add = " ".join(ADD[k] for k in ("controlmaster", "controlpersist") if k in (lacks or missing))
    fix = None
    if missing and is_args and not nopath:
        replaces = (
            f": this variable replaces ssh_args for {names(loc.hosts, width=45)}"
            if o.kind == "var"
            else f": this value replaces ansible-core's default `{DEFAULT_SSH_ARGS}`"
        )
        blockers: list[str] = []
        if o.kind == "cfg" and o.option is not None:
            if empty:
                blockers.append("empty")
            elif re.search(r"(^|\s)#", str(loc.text)):
                blockers.append("the value holds a `#`, which ansible.cfg does not treat as a comment there")
            elif offs:
                shown = list(dict.fromkeys(offs))
                blockers.append(clip(shown[0], 100) + (f" (+{len(shown) - 1} more)" if len(shown) > 1 else ""))
            elif any(k in elsewhere for k in missing):
                blockers.append(
                    "another setting already gives some hosts "
                    + " and ".join(NICE[k] for k in missing if k in elsewhere)
                )
            if not blockers:
                edit, change = cfg_edits.append_to_value(cfg, o.option, add)
                fix = Fix.safe([edit], f"append {add} to ssh_args", [change])
        if blockers == ["empty"]:
            todo.insert(
                0,
                "an empty ssh_args works around OpenSSH < 5.6: with a newer ssh, remove the line to get ansible-core's default",
            )
        elif blockers:
            todo.insert(0, f"append `{add}`; not fixed automatically: {blockers[0]}")
        else:
            todo.insert(0, f"append `{add}`" + replaces)
    help = "; ".join(todo)
    if o.kind == "cfg" and o.option is not None:
        help += for_hosts(view.split, loc.hosts)
        opt = o.option
        return ctx.finding(
            cfg,
            opt.value_span if opt.value_span.end > opt.value_span.start else opt.key_span,
            msg,
            fix=fix,
            extra={"hosts": sorted(set(loc.hosts))} if loc.hosts else None,
            help=help,
        )
    if o.kind == "var" and o.pos is not None:
        if o.name not in ("ansible_ssh_args",) or not missing:
            help += f" (for {names(loc.hosts, width=45)})"
        return ctx.finding_at(
            o.pos.path, o.pos.line, o.pos.col, msg, extra={"hosts": sorted(set(loc.hosts))}, help=help
        )
    return None
