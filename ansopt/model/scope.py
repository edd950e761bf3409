"""The run context of an ansible.cfg or a playbook: the inventories, hosts and inventory
variables an `ansible-playbook` started in that folder would see.

* Inventories: `[defaults] inventory` of the applicable ansible.cfg (comma-separated, relative
  to the cfg's folder; files or folders); when the cfg names one ansopt cannot read (say
  `/etc/ansible/inventories/local`), the hosts are unknown. Without it ansible-core would read
  /etc/ansible/hosts, which is not part of the project, so ansopt looks for inventory files in
  the project folder instead (`hosts`, `inventory`, `*.ini`, `inventories/*/...`, YAML
  inventories), skipping sub-folders that have their own ansible.cfg. Several inventories
  are alternatives (`-i` picks one): host counts take the largest.
* Variables: the inventory's own vars, group_vars/host_vars next to the inventory and next to
  the playbook, with ansible-core's precedence (see `ansopt.source.inventory`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .. import discover
from ..source import inventory as source_inventory
from ..source.cfgfile import CfgFile
from ..source.reader import Reader
from .config import EffectiveConfig

MAX_DEPTH = 3  # how deep below the project folder inventories are looked for
# the OpenSSH connection plugin by its names (what SSH advice is for), and paramiko's
SSH_CONNECTIONS = frozenset({"ssh", "smart", "ansible.builtin.ssh", "ansible.legacy.ssh"})
PARAMIKO_CONNECTIONS = frozenset({"paramiko", "paramiko_ssh", "ansible.builtin.paramiko_ssh"})


@dataclass
class InventorySource:
    abspath: str
    inv: source_inventory.Inventory
    group_vars: source_inventory.VarsDir
    host_vars: source_inventory.VarsDir

    @property
    def usable(self) -> bool:
        """Static, readable, and without the errors that make ansible-core skip the source
        (an /etc/hosts file named `hosts`: `127.0.0.1 localhost` is no INI host line)."""
        return not self.inv.dynamic and self.inv.plugin is None and not self.inv.encrypted and not self.inv.errors


@dataclass
class Scope:
    base_dir: str
    cfg_abspath: str | None
    cfg: CfgFile | None
    inventories: list[InventorySource] = field(default_factory=list)
    project: Any = field(default=None, repr=False, compare=False)

    @cached_property
    def elsewhere(self) -> dict[str, str]:
        """host -> the non-SSH connection some inventory of the project sets for that host
        name; worked out only when a host has no connection of its own (it reads every
        inventory of the project)."""
        if self.project is None:
            return {}
        return _connections_elsewhere(self.project, self.base_dir, [s.abspath for s in self.inventories], self)

    @cached_property
    def config(self) -> EffectiveConfig:
        return EffectiveConfig(self.cfg)

    @property
    def known_inventory(self) -> bool:
        return any(s.usable for s in self.inventories)

    @property
    def inventory_dirs(self) -> list[str]:
        """The folders of the inventories (an inventory folder itself, or a file's folder)."""
        return [s.abspath if os.path.isdir(s.abspath) else os.path.dirname(s.abspath) for s in self.inventories]

    def play_hosts(self, pattern: Any) -> set[str] | None:
        """Every host a play's `hosts:` pattern may target across the inventories; None if unknown."""
        by_inv = self.hosts(pattern)
        if by_inv is None:
            return None
        out: set[str] = set()
        for hosts in by_inv.values():
            out |= hosts
        return out

    def hosts(self, pattern: Any) -> dict[str, set[str]] | None:
        """{inventory path: hosts} for a host pattern over the static inventories (a dynamic
        one beside them is skipped: the static ones give a lower bound); None when the
        pattern cannot be resolved or no static inventory is known."""
        out = {}
        for src in self.inventories:
            if not src.usable:
                continue
            hs = src.inv.resolve_pattern(pattern)
            if hs is None:
                return None
            out[src.abspath] = set(hs)
        return out or None

    def host_count(self, pattern: Any) -> tuple[int, str] | None:
        """(largest number of hosts the pattern selects, in which inventory) or None."""
        by_inv = self.hosts(pattern)
        if not by_inv:
            return None
        path, hosts = max(by_inv.items(), key=lambda kv: (len(kv[1]), kv[0]))
        return len(hosts), path

    def host_vars(
        self, src: InventorySource, host: str, playbook_dir: str | None = None
    ) -> dict[str, source_inventory.VarSource]:
        pgv = phv = None
        if playbook_dir and os.path.abspath(playbook_dir) != os.path.dirname(src.abspath):
            pgv = _vars_dir(playbook_dir, "group_vars")
            phv = _vars_dir(playbook_dir, "host_vars")
        return src.inv.var_sources(host, src.group_vars, src.host_vars, pgv, phv) or {}

    def all_hosts(self):
        """(inventory source, host) for every host of every usable inventory."""
        for src in self.inventories:
            if src.usable:
                for h in src.inv.hosts:
                    yield src, h

    def connection_of(self, src: InventorySource, host: str, playbook_dir: str | None = None) -> str:
        """The host's connection plugin: its `ansible_connection`; without one, what its other
        variables imply (`ansible_winrm_*`, `ansible_psrp_*`, a PowerShell shell type: the
        connection is then given on the command line or by a second inventory, as in
        `-i hosts -i windows.yml`), or what another inventory of the project sets for the
        same host name; else the cfg's transport, else ssh."""
        hv = self.host_vars(src, host, playbook_dir)
        v = hv.get("ansible_connection")
        if v is not None and v.value is not None:
            return str(v.value)
        implied = implied_connection(hv)
        if implied is not None:
            return implied
        elsewhere = self.elsewhere.get(host)
        if elsewhere is not None:
            return elsewhere
        t = self.config.base("DEFAULT_TRANSPORT")
        return str(t.raw or "ssh") if t.from_file else "ssh"


def implied_connection(hv) -> str | None:
    """winrm or psrp when a host's variables configure only that plugin (or a Windows shell)."""
    keys = set(hv)
    if any(k.startswith("ansible_psrp_") for k in keys):
        return "psrp"
    if any(k.startswith("ansible_winrm_") for k in keys):
        return "winrm"
    shell = hv.get("ansible_shell_type")
    if shell is not None and str(shell.value).strip().lower() in ("powershell", "cmd"):
        return "winrm"
    return None


_VARS_CACHE: dict[tuple[str, str, float], source_inventory.VarsDir] = {}


def _vars_dir(base: str, kind: str) -> source_inventory.VarsDir:
    folder = os.path.join(base, kind)
    Reader.touched.add(folder)
    try:
        stamp = os.stat(folder).st_mtime
    except OSError:
        stamp = 0.0
    key = (base, kind, stamp)
    if key not in _VARS_CACHE:
        _VARS_CACHE[key] = source_inventory.load_vars_dir(base, kind)
    return _VARS_CACHE[key]


def _load_source(path: str) -> InventorySource | None:
    Reader.touched.add(path)  # read outside the project's reader: the result cache stamps it
    inv = source_inventory.load_inventory(path)
    if inv is None:
        return None
    base = path if os.path.isdir(path) else os.path.dirname(path)
    return InventorySource(path, inv, _vars_dir(base, "group_vars"), _vars_dir(base, "host_vars"))


def _find_inventories(base_dir: str, root: str, yaml=None) -> list[str]:
    """Inventory files in the project folder (not in nested projects with their own cfg):
    by name (`hosts`, `inventory/`...), and YAML files beside the cfg whose content is an
    inventory (`all:` / a group with `hosts:` or `children:`), read with `yaml(path)`."""
    found: list[str] = []
    base_dir = os.path.abspath(base_dir)
    for dirpath, dirnames, filenames in os.walk(base_dir):
        depth = os.path.relpath(dirpath, base_dir).count(os.sep) + (0 if dirpath == base_dir else 1)
        keep = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            if d in discover.SKIP_DIRS or d in (
                "roles",
                "group_vars",
                "host_vars",
                "templates",
                "files",
                "molecule",
                "tests",
            ):
                continue
            if os.path.isfile(os.path.join(full, "ansible.cfg")):
                continue
            if depth < MAX_DEPTH:
                keep.append(d)
        dirnames[:] = keep
        for fn in sorted(filenames):
            p = os.path.join(dirpath, fn)
            kind = discover.classify(p)
            if kind == discover.INVENTORY:
                found.append(p)
            elif kind == discover.YAML and yaml is not None and dirpath == base_dir:
                y = yaml(p)
                if y is not None and y.docs and discover.content_kind(y) == discover.INVENTORY:
                    found.append(p)
    return found


def build_scope(project, base_dir: str, cfg_abspath: str | None) -> Scope:
    cache = project.scopes
    key = (base_dir, cfg_abspath)
    if key in cache:
        return cache[key]
    cfg = project.cfg(cfg_abspath) if cfg_abspath else None
    scope = Scope(base_dir, cfg_abspath, cfg)
    paths: list[str] = []
    named = False
    if cfg is not None:
        opt = EffectiveConfig(cfg).base("DEFAULT_HOST_LIST")
        if opt.from_file and cfg_abspath is not None:
            named = True  # the cfg names its inventory: never guess another one
            cfg_dir = os.path.dirname(cfg_abspath)
            for p in opt.as_list:
                p = os.path.expanduser(p)
                full = p if os.path.isabs(p) else os.path.normpath(os.path.join(cfg_dir, p))
                if os.path.exists(full) and os.access(full, os.R_OK):
                    paths.append(full)
    if not named:
        paths = _find_inventories(base_dir, project.root, project.yaml)
    for p in paths:
        src = _load_source(p)
        if src is not None:
            scope.inventories.append(src)
    scope.project = project
    cache[key] = scope
    return scope


def _connections_elsewhere(project, base_dir: str, used: list[str], scope: Scope) -> dict[str, str]:
    """{host: connection} for the scope's hosts that another inventory of the project reaches
    with a non-SSH plugin (winrm, psrp, local): run together (`-i hosts -i windows.yml`), the
    second one's `ansible_connection` applies to the host the first one lists. Alternatives
    (two inventories found, neither named) count too: the host is the same machine."""
    mine = {h for _src, h in scope.all_hosts()}
    if not mine:
        return {}
    out: dict[str, str] = {}
    loaded = {os.path.abspath(s.abspath): s for s in scope.inventories}
    for p in dict.fromkeys([*used, *_find_inventories(base_dir, project.root, project.yaml)]):
        src = loaded.get(os.path.abspath(p)) or _load_source(p)
        if src is None or not src.usable:
            continue
        for h in src.inv.hosts:
            if h not in mine or h in out:
                continue
            hv = src.inv.var_sources(h, src.group_vars, src.host_vars) or {}
            v = hv.get("ansible_connection")
            conn = str(v.value) if v is not None and v.value is not None else implied_connection(hv)
            if conn and "{{" not in conn and conn not in SSH_CONNECTIONS | PARAMIKO_CONNECTIONS:
                out[h] = conn
    return out


def scope_for_playbook(project, playbook_abspath: str) -> Scope:
    cfg = project.applicable_cfg(playbook_abspath)
    base = os.path.dirname(cfg) if cfg else os.path.dirname(playbook_abspath)
    return build_scope(project, base, cfg)


def scope_for_cfg(project, cfg_abspath: str) -> Scope:
    return build_scope(project, os.path.dirname(cfg_abspath), cfg_abspath)
