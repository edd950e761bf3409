"""No Python interpreter is set: every SSH host runs interpreter discovery.

What it does
    For each ansible.cfg, finds the SSH hosts of its inventories (hosts reached with
    winrm, psrp, local or network connections are left out) and, for the plays of the
    playbooks that cfg applies to, the Python interpreter ansible-core would use on each
    targeted host, in ansible-core's order of precedence: the play's `vars:` (and its
    literal `vars_files`), then the inventory variable `ansible_python_interpreter`
    (inventory, group_vars, host_vars, next to the inventory or the playbook), then
    `interpreter_python` in `[defaults]` (catalogue name INTERPRETER_PYTHON, default
    `auto`). A host for which none of these is set (or set empty) is reported, once per
    cfg, at `[defaults]` (else line 1).

    Discovery configured on purpose is not reported: a discovery mode written anywhere
    (`interpreter_python = auto_silent`, `ansible_python_interpreter: auto`), or a
    fallback list (`ansible_interpreter_python_fallback`, for a distribution whose Python
    is outside /usr/bin). Nor are placeholder hosts, names and addresses reserved for
    documentation (`*.example.com`, `.example`, `.invalid`, 192.0.2.0/24, 198.51.100.0/24,
    203.0.113.0/24, unless `ansible_host` gives a real address): an example inventory
    has no Python anyone knows. When some groups already set their own interpreter, or
    the hosts fall in several groups that do not overlap, the help names one
    `group_vars/<group>.yml` per group instead of one value for all.
    A play with `connection: local` (or another non-SSH connection) does not count for
    hosts that do not set their own connection. When the cfg applies to no playbook, the
    inventory's SSH hosts are checked on their inventory variables alone.

    Nothing is said for scopes with only Windows, local or network hosts, nor for the
    implicit localhost: ansible-core runs its modules with the controller's own Python
    (`ansible_playbook_python`) and never discovers it.

Why
    When the interpreter is a discovery mode, ansible-core's module builder
    (executor/module_common.py) raises InterpreterDiscoveryRequiredError the first time it
    packages a Python module for a host, and the action plugin
    (plugins/action/__init__.py) runs executor/interpreter_discovery.py: one extra remote
    command, `echo FOUND; command -v 'python3.13'; ...; command -v 'python3'; echo
    ENDFOUND`, over the host's connection. The first interpreter found becomes the host's
    fact `discovered_interpreter_python`, kept for the rest of the run (and across runs
    only when a persistent fact cache holds it). So every host pays it on its first
    module task (fact gathering included) of every run, and again:

    * for tasks delegated (`delegate_to`, without `delegate_facts`) to a host that has not
      run a module itself in that run: the result is not kept for the delegate, so each
      such task, and each item of such a looped task, discovers again;
    * after `wait_for_connection` (it drops the fact, as a reboot may change Python) and
      `meta: clear_facts`.

    `auto_silent` (and `auto_legacy_silent`) only hides the warning "Host ... is using the
    discovered Python interpreter at ..."; the discovery itself runs the same way. The
    `auto_legacy` modes are deprecated in ansible-core 2.19 and behave like `auto`.
    Discovery also picks the first match of a fixed list (python3.13 ... python3), which
    may not be the Python the team tested with (a pyenv shim, a newer python3.x installed
    later by a package).

Measured gain
    Not measurable on the testbed as a share of the run (no automatic fix; the hand-tuned
    fleet sets `ansible_python_interpreter`, one of its differences from ansopt's fix).
    Counted locally on a test connection (ansible-core 2.19, a connection plugin that logs
    every remote command): 3 hosts, 4 tasks: 78 remote commands with discovery, 75 with
    `ansible_python_interpreter` set: one per host and run. A task delegated to a host
    outside the play, with a 2-item loop after it, re-ran discovery 9 more times. Each one
    is a round trip over the ControlPersist connection, or a whole new SSH connection where
    ControlPersist is off. With a warm fact cache the discovered interpreter comes from the
    cache and discovery does not run (seen on the testbed's repeat runs: no discovery
    warning).

Example (reported)
    [defaults]
    inventory = inventory.ini
    interpreter_python = auto_silent

Use instead
    # group_vars/all.yml (next to the inventory): one interpreter for every host
    ansible_python_interpreter: /usr/bin/python3

    or, in ansible.cfg, `interpreter_python = /usr/bin/python3` in `[defaults]`; a group
    whose hosts differ (an old distribution with only /usr/libexec/platform-python, a
    BSD host with /usr/local/bin/python3) sets its own `ansible_python_interpreter` in
    `group_vars/<group>.yml`, which wins over the cfg.

Default selection
    Opt-in: interpreter discovery costs one remote command per host per run (well under a second), and placeholder or mixed-distribution inventories often rely on it.

Fix
    None. The right path depends on each host's operating system and on which Python
    the team supports there; a wrong path makes every module on that host fail with
    "The module interpreter '...' was not found". Run
    `ansible all -m ansible.builtin.setup -a 'filter=ansible_python'` (or look at
    `discovered_interpreter_python` in a run's facts) to see what discovery finds today,
    and set that.

Suppress
    `# noqa: C501` on the line above `[defaults]` (or above `interpreter_python`).
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..model.config import EffectiveConfig
from ..model.scope import Scope
from ..model.tasks import is_template
from ..source import inventory as source_inventory
from ._connection import NAMES_SHOWN, SSH_LIKE, cfg_scope, split_hosts

CODE = "C501"
SLUG = "interpreter-discovery"
SEVERITY = "info"
FIX = None
DEFAULT = False

VAR = "ansible_python_interpreter"
FALLBACK_VAR = "ansible_interpreter_python_fallback"
# Names reserved for documentation (RFC 2606, RFC 6761; RFC 5737 addresses): an inventory of
# such hosts is an example, not a fleet whose Python anyone knows.
_PLACEHOLDER = re.compile(
    r"(^|\.)(example\.(com|net|org)|example|invalid)$"
    r"|^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$"
    r"|^(your|my)[-_.]?(host|server|node|machine)|^(host|server|node)[-_]?(name|x)?$|^(changeme|replace[-_]?me)",
    re.I,
)


def is_placeholder(host: str) -> bool:
    return bool(_PLACEHOLDER.search(host.strip().lower()))


DISCOVERY_MODES = frozenset({"auto", "auto_legacy", "auto_silent", "auto_legacy_silent"})
_UNSET = object()


def discovery_mode(value: Any) -> str | None:
    """The discovery mode a value means ("auto" for empty), or None for an interpreter path
    (or a template, which is not ours to judge)."""
    if value is None:
        return "auto"
    if not isinstance(value, str):
        return None
    v = value.strip()
    if not v:
        return "auto"
    if is_template(v):
        return None
    return v if v in DISCOVERY_MODES else None


def play_interpreter(play, playbook_dir: str) -> Any:
    """The play's own ansible_python_interpreter, _UNSET when it sets none. Literal
    `vars_files` win over `vars`, as in ansible-core's precedence (14 > 12)."""
    vf: Any = _UNSET
    files = play.value("vars_files")
    if isinstance(files, str):
        files = [files]
    if isinstance(files, list):
        for entry in files:
            candidates = entry if isinstance(entry, list) else [entry]
            for c in candidates:
                if not isinstance(c, str) or is_template(c):
                    break
                path = c if os.path.isabs(c) else os.path.join(playbook_dir, c)
                if not os.path.isfile(path):
                    continue
                data, _, _, _ = source_inventory.load_vars_file(path)
                if isinstance(data, dict) and VAR in data:
                    vf = data[VAR]
                break
    if vf is not _UNSET:
        return vf
    vs = play.value("vars")
    if isinstance(vs, list):  # the old list-of-mappings form
        merged: dict = {}
        for item in vs:
            if isinstance(item, dict):
                merged.update(item)
        vs = merged
    if isinstance(vs, dict) and VAR in vs:
        return vs[VAR]
    return _UNSET


def _inventory_value(scope: Scope, src, host: str, playbook_dir: str | None) -> Any:
    v = scope.host_vars(src, host, playbook_dir).get(VAR)
    return _UNSET if v is None else v.value


def _play_hosts(scope: Scope, play) -> dict[str, Any] | None:
    """{host: inventory source} the play targets over the usable inventories; None if unknown."""
    pattern = play.value("hosts")
    if pattern is None:
        return None
    out: dict[str, Any] = {}
    for src in scope.inventories:
        if not src.usable:
            continue
        hs = src.inv.resolve_pattern(pattern)
        if hs is None:
            return None
        for h in hs:
            if h in src.inv.hosts:
                out.setdefault(h, src)
    return out


def discovering_hosts(project, scope: Scope, playbooks) -> dict[str, str]:
    """{SSH host: discovery mode} for the hosts that would run interpreter discovery."""
    split = split_hosts(scope)
    if not split.ssh:
        return {}
    ssh = set(split.ssh)
    first_src: dict[str, Any] = {}
    for src, host in scope.all_hosts():
        first_src.setdefault(host, src)
    cfg_value = EffectiveConfig(scope.cfg).base("INTERPRETER_PYTHON")
    cfg_raw = cfg_value.raw if cfg_value.from_file else None
    out: dict[str, str] = {}
    memo: dict[tuple[str, str | None], Any] = {}

    def inventory_value(src, host: str, pb_dir: str | None) -> Any:
        key = (host, pb_dir)
        if key not in memo:
            memo[key] = _inventory_value(scope, src, host, pb_dir)
        return memo[key]

    def decide(host: str, src, pb_dir: str | None, play_value: Any) -> None:
        if host in out:
            return
        value = play_value
        if value is _UNSET:
            value = inventory_value(src, host, pb_dir)
        if value is _UNSET:
            value = cfg_raw  # None: ansible-core's default, `auto`
        if value is not None and not (isinstance(value, str) and not value.strip()):
            return  # a path, or a discovery mode written on purpose: the project's choice
        hv = scope.host_vars(src, host, pb_dir)
        if hv.get(FALLBACK_VAR) is not None:
            return  # discovery with a fallback list the project wrote: configured on purpose
        address = next((v.value for k in ("ansible_host", "ansible_ssh_host") if (v := hv.get(k)) is not None), None)
        if is_placeholder(str(address) if isinstance(address, str) else host):
            return
        out.setdefault(host, "auto")

    plays = [(pb, play) for pb in sorted(playbooks, key=lambda p: p.abspath) for play in pb.plays]
    if not plays:
        for host in split.ssh:
            decide(host, first_src[host], None, _UNSET)
        return out
    for pb, play in plays:
        pb_dir = os.path.dirname(pb.abspath)
        targets = _play_hosts(scope, play)
        if targets is None:
            targets = {h: first_src[h] for h in split.ssh}
        play_conn = play.value("connection")
        pval = play_interpreter(play, pb_dir)
        for host, src in targets.items():
            if host not in ssh:
                continue
            if isinstance(play_conn, str) and not is_template(play_conn) and play_conn not in SSH_LIKE:
                own = scope.host_vars(src, host, pb_dir).get("ansible_connection")
                if own is None or own.value is None:
                    continue  # the play's connection applies to this host
            decide(host, src, pb_dir, pval)
    return out


def _names(hosts: list[str]) -> str:
    shown = ", ".join(hosts[:NAMES_SHOWN])
    return shown + (f" and {len(hosts) - NAMES_SHOWN} more" if len(hosts) > NAMES_SHOWN else "")


def _groups_advice(scope: Scope, hosts: list[str]) -> str | None:
    """Per-group advice when the inventory's groups differ: some groups already set their
    own interpreter (the project picks Python per group), or the discovering hosts fall in
    groups that do not overlap. None when one value for all is the natural fix."""
    wanted = set(hosts)
    per_group: dict[str, set[str]] = {}
    some_set = False
    for src, host in scope.all_hosts():
        for g in src.inv.host_groups(host):
            if g in ("all", "ungrouped"):
                continue
            if host in wanted:
                per_group.setdefault(g, set()).add(host)
        v = scope.host_vars(src, host).get(VAR)
        if (
            v is not None
            and v.layer not in ("implicit",)
            and v.entity not in ("all",)
            and discovery_mode(v.value) is None
        ):
            some_set = True
    # the smallest set of groups that covers the discovering hosts, largest first
    left, chosen = set(wanted), []
    for g, members in sorted(per_group.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if members & left and members <= wanted:
            chosen.append(g)
            left -= members
    if not chosen or left or (len(chosen) < 2 and not some_set):
        return None
    shown = ", ".join(f"group_vars/{g}.yml" for g in chosen[:3]) + (
        f" +{len(chosen) - 3} more" if len(chosen) > 3 else ""
    )
    return f"set `{VAR}` per group, for the Python each group's distribution has: {shown}"


def check(ctx):
    for cfg in ctx.project.cfg_files:
        abspath = ctx.project.abspath_of(cfg)
        if abspath is None:
            continue
        scope = cfg_scope(ctx, cfg)
        found = discovering_hosts(ctx.project, scope, ctx.project.playbooks_for_cfg(abspath))
        if not found:
            continue
        hosts = sorted(found)
        modes = sorted(set(found.values()))
        n = len(hosts)
        verb = "runs" if n == 1 else "run"
        msg = f"{n} SSH host{'s' if n != 1 else ''} ({_names(hosts)}) {verb} Python interpreter discovery: no interpreter is set"
        if len(msg) > 120:
            msg = f"{n} SSH hosts run Python interpreter discovery: no interpreter is set for them"
        help = (
            _groups_advice(scope, hosts)
            or f"set `{VAR}` (e.g. /usr/bin/python3) in group_vars/all, or interpreter_python in [defaults]"
        )
        help += "; one remote command per host and run is saved"
        if "defaults" in cfg.sections:
            at = cfg.sections["defaults"].header_span
        else:
            at = 0
        yield ctx.finding(cfg, at, msg, extra={"hosts": hosts, "modes": modes}, help=help)
