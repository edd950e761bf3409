"""No Python interpreter is set: every SSH host runs interpreter discovery.

What it does
    For each ansible.cfg, finds the SSH hosts of its inventories (hosts reached with
    winrm, psrp, local or network connections are left out) and, for the plays of the
    playbooks that cfg applies to, the Python interpreter ansible-core would use on each
    targeted host, in ansible-core's order of precedence: the play's `vars:` (and its
    literal `vars_files`), then the inventory variable `ansible_python_interpreter`
    (inventory, group_vars, host_vars, next to the inventory or the playbook), then
    `interpreter_python` in `[defaults]` (catalogue name INTERPRETER_PYTHON, default
    `auto`). A host whose interpreter is unset, empty, or one of the discovery modes
    `auto`, `auto_silent`, `auto_legacy`, `auto_legacy_silent` is reported, once per
    cfg, at `interpreter_python` when the cfg sets it, else at `[defaults]`, else line 1.
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
    Counted on a test connection (ansible-core 2.19, a connection plugin that logs every
    remote command): 3 hosts, 4 tasks: 78 remote commands with discovery, 75 with
    `ansible_python_interpreter` set: one per host and run. A task delegated to a host
    outside the play, with a 2-item loop after it, re-ran discovery 9 more times (12 in
    all, against 0 with the interpreter set). Each one is an SSH round trip over the
    ControlPersist connection (the network round-trip time plus a shell start), or a
    whole new SSH connection where ControlPersist is off. Small per host and run; it adds
    up on large fleets, short playbooks and delegation loops, and the per-host warning
    lines disappear.

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
from typing import Any

from ..model.config import EffectiveConfig
from ..model.scope import Scope, playbooks_for_cfg
from ..model.tasks import is_template
from ..source import inventory as I
from ._connection import NAMES_SHOWN, SSH_LIKE, cfg_scope, split_hosts

CODE = "C501"
SLUG = "interpreter-discovery"
SEVERITY = "info"
FIX = None

VAR = "ansible_python_interpreter"
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
                data, _, _, _ = I.load_vars_file(path)
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
        mode = discovery_mode(value)
        if mode is not None:
            out.setdefault(host, mode)

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


def check(ctx):
    for cfg in ctx.project.cfg_files:
        abspath = ctx.project.abspath_of(cfg)
        if abspath is None:
            continue
        scope = cfg_scope(ctx, cfg)
        found = discovering_hosts(ctx.project, scope, playbooks_for_cfg(ctx.project, abspath))
        if not found:
            continue
        hosts = sorted(found)
        setting = EffectiveConfig(cfg).base("INTERPRETER_PYTHON")
        modes = sorted(set(found.values()))
        n = len(hosts)
        who = f"{n} SSH host{'s' if n != 1 else ''} ({_names(hosts)})"
        if setting.from_file and discovery_mode(setting.raw) is not None:
            head = f"interpreter_python = {setting.raw} makes {who} run Python interpreter discovery"
        elif setting.from_file:
            head = f"{who} run Python interpreter discovery: `{VAR}` sets a discovery mode for them"
        else:
            head = f"no interpreter_python in [defaults] and no `{VAR}` for {who}: they run Python interpreter discovery"
        msg = (
            f"{head}: one extra remote command per host on its first module task of every run"
        )
        silent = [m for m in modes if m.endswith("_silent")]
        if silent:
            msg += f"; `{silent[0]}` only silences the warning, the discovery still runs"
        msg += f"; set `{VAR}` (e.g. /usr/bin/python3) in group_vars/all, or interpreter_python in [defaults]"
        if setting.option is not None and setting.option.section == "defaults":
            at = setting.option.value_span
        elif "defaults" in cfg.sections:
            at = cfg.sections["defaults"].header_span
        else:
            at = 0
        yield ctx.finding(cfg, at, msg, extra={"hosts": hosts, "modes": modes})
