"""SSH arguments as ansible-core and ssh(1) read them, and the per-host view of the ssh
plugin's settings (cfg and inventory variables): shared by the SSH rules (C102, C103, C104)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from .. import knowledge
from ..model.config import EffectiveConfig
from ..model.shell import split_args, tokens_with_spans  # noqa: F401 (re-exported for the SSH rules)
from ..model.tasks import is_template
from ..source.cfgfile import CfgOption, unquote
from ..source.inventory import VarPos
from ._connection import SSH_LIKE, HostSplit, cfg_scope, host_note, names  # noqa: F401 (names: re-exported)

# Connections that run OpenSSH's `ssh` (and so read ssh_args); `smart` resolves to ssh on
# any controller whose ssh supports ControlPersist.
SSH_CONNECTIONS = SSH_LIKE
DEFAULT_SSH_ARGS = "-C -o ControlMaster=auto -o ControlPersist=60s"
ADD = {"controlmaster": "-o ControlMaster=auto", "controlpersist": "-o ControlPersist=60s"}
NICE = {"controlmaster": "ControlMaster", "controlpersist": "ControlPersist", "controlpath": "ControlPath"}
ARG_OPTIONS = ("ssh_args", "ssh_common_args", "ssh_extra_args")

# ssh(1) flags that take an argument (getopt string of OpenSSH's ssh.c)
_FLAGS_WITH_ARG = frozenset("BbcDEeFIiJLlmOoPpQRSWw")
_OPT_ARG = re.compile(r"\s*(?P<kw>[A-Za-z][A-Za-z0-9]*)(?:\s*=\s*|\s+)(?P<val>.*)\Z", re.S)


# --------------------------------------------------------------------------- ssh arguments


@dataclass(frozen=True)
class SshOption:
    keyword: str  # lower case
    value: str
    written: str  # the `-o` argument as ssh receives it, e.g. `ControlPersist=60s`
    token: int  # index of the token holding the argument


def parse_option(arg: str) -> tuple[str, str] | None:
    """(keyword lower-cased, value) of a `-o` argument, split the way ssh's readconf does."""
    m = _OPT_ARG.match(arg)
    if m is None:
        return None
    val = m.group("val").strip()
    if len(val) >= 2 and val[0] == val[-1] and val[0] in "\"'":
        val = val[1:-1]
    return m.group("kw").lower(), val


def ssh_options(tokens: list[str]) -> tuple[list[SshOption], list[str]]:
    """The `-o` options and the `-F` files in an argument list, as ssh's getopt reads them."""
    opts: list[SshOption] = []
    files: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.startswith("-") and len(tok) > 1 and not tok.startswith("--"):
            j = 1
            while j < len(tok):
                c = tok[j]
                if c in _FLAGS_WITH_ARG:
                    arg_at = i
                    arg = tok[j + 1 :]
                    if not arg and i + 1 < len(tokens):
                        i += 1
                        arg_at = i
                        arg = tokens[i]
                    if c == "o":
                        p = parse_option(arg)
                        if p is not None:
                            opts.append(SshOption(p[0], p[1], arg, arg_at))
                    elif c == "F":
                        files.append(arg)
                    break
                j += 1
        i += 1
    return opts, files


def ssh_config_options(text: str) -> dict[str, str]:
    """First value of each keyword in an ssh_config file (Host/Match blocks not told apart)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        p = parse_option(line)
        if p is not None:
            out.setdefault(p[0], p[1])
    return out


# --------------------------------------------------------------------------- where a value comes from


@dataclass(frozen=True)
class Origin:
    """Where a connection setting comes from: the cfg, an inventory variable, or the default."""

    kind: str  # "cfg" | "var" | "default"
    name: str  # the cfg key or the variable name
    option: CfgOption | None = None
    pos: VarPos | None = None

    @property
    def key(self) -> tuple:
        if self.kind == "cfg" and self.option is not None:
            return ("cfg", id(self.option), self.option.section, self.option.key)
        if self.kind == "var" and self.pos is not None:
            return ("var", self.pos.path, self.pos.line, self.pos.col)
        return ("default", self.name)

    def label(self, project=None) -> str:
        if self.kind == "cfg" and self.option is not None:
            return f"[{self.option.section}] {self.option.raw_key.strip()}"
        if self.kind == "var" and self.pos is not None:
            where = project.display(self.pos.path) if project is not None else os.path.basename(self.pos.path)
            return f"`{self.name}` ({where}:{self.pos.line})"
        return f"ansible-core's default {self.name}"


@dataclass(frozen=True)
class Value:
    text: Any
    origin: Origin


def setting(eff: EffectiveConfig, hv: dict, option: str) -> Value:
    """The ssh plugin option `option` for a host: its inventory variable (the last name
    present, as ansible-core), else ansible.cfg, else the plugin's default."""
    defn = knowledge.get().plugin_options("connection", "ssh").get(option, {})
    chosen = None
    for n in defn.get("vars", []):
        v = hv.get(n)
        if v is not None and v.value is not None:
            chosen = (n, v)
    if chosen is not None:
        n, v = chosen
        return Value(v.value, Origin("var", n, pos=v.pos))
    s = eff.plugin("connection", "ssh", option)
    if s.from_file:
        # ansible-core strips one pair of quotes from an INI value (`ssh_args = "-o ..."`)
        raw = unquote(s.raw) if isinstance(s.raw, str) else s.raw
        return Value(raw, Origin("cfg", option, option=s.option))
    return Value(defn.get("default"), Origin("default", option))


@dataclass
class Row:
    """One SSH host of the cfg's scope as one playbook folder sees it (host None: no usable
    inventory, the cfg alone)."""

    host: str | None
    hv: dict


@dataclass
class HostView:
    split: HostSplit
    rows: list[Row]


def host_view(ctx, cfg, connections: frozenset[str] = SSH_CONNECTIONS) -> HostView:
    """The scope's hosts that connect with one of `connections`, with their inventory
    variables as seen from each playbook folder of the cfg (group_vars next to a playbook
    count). Without a usable inventory: one row for the cfg alone, unless ansible.cfg's
    `transport` names another connection."""
    scope = cfg_scope(ctx, cfg)
    cfg_abspath = ctx.project.abspath_of(cfg)
    dirs: list[str | None] = []
    if cfg_abspath:
        dirs = sorted({os.path.dirname(pb.abspath) for pb in ctx.project.playbooks_for_cfg(cfg_abspath)})
    if not dirs:
        dirs = [None]
    split = HostSplit()
    rows: list[Row] = []
    seen_conn: dict[str, str] = {}
    for d in dirs:
        for src, host in scope.all_hosts():
            split.known = True
            conn = scope.connection_of(src, host, d)
            if is_template(conn):
                continue
            if conn in connections:
                rows.append(Row(host, scope.host_vars(src, host, d)))
                if host not in split.ssh:
                    split.ssh.append(host)
            else:
                seen_conn.setdefault(host, conn)
    for host, conn in seen_conn.items():
        if host not in split.ssh:
            split.other.setdefault(conn, []).append(host)
    if not split.known:
        t = EffectiveConfig(cfg).base("DEFAULT_TRANSPORT")
        if not t.from_file or str(t.raw).strip() in connections:
            rows.append(Row(None, {}))
    return HostView(split, rows)


def for_hosts(split: HostSplit, hosts: list[str], what: str = "SSH hosts") -> str:
    """Help tail naming the hosts the advice is for, when that is not simply every host:
    ` (SSH hosts: a, b; not winrm: c)`."""
    hosts = list(dict.fromkeys(h for h in hosts if h))
    if not split.known or not hosts:
        return ""
    if set(hosts) == set(split.ssh) and not split.other:
        return ""
    return host_note(hosts, split.other, what)


# --------------------------------------------------------------------------- the verdict
